// The configuration file's schema (zod): one or many monitored systems, each with its MySQL
// primary and replica, Airbyte connections, S3 buckets, thresholds and notification targets.
// Omitted values take the seed's defaults; unknown keys are errors (a typo never goes unnoticed);
// secrets are only ever references to environment variables.
import { z } from 'zod';

/** `{ env: NAME }`, the only way to give a secret: a literal string is refused, saying what to write. */
export const secretRef = z
  .object(
    {
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as ACODE_MYSQL_PASSWORD'),
    },
    {
      error: (issue) =>
        typeof issue.input === 'string'
          ? 'secrets must be { env: NAME } references, never literal values in the file'
          : undefined,
    },
  )
  .strict();
export type SecretRef = z.infer<typeof secretRef>;

/** Table, column, database and user names: later code quotes them as SQL identifiers. */
const identifier = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a plain MySQL identifier (letters, digits, _; at most 64)');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const positive = z.number().positive();
const count = z.number().int().min(1);
const fraction = z.number().min(0).max(1);
const prefix = z
  .string()
  .regex(/^([^/].*\/)?$/, "must end with '/' and not start with '/' (or be empty for the bucket root)");
const bucketName = z
  .string()
  .regex(
    /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be a valid S3 bucket name (3-63 chars: a-z, 0-9, dots, hyphens)',
  );

/** Minute, hour, day of month, month, day of week: numbers, `*`, ranges, steps and lists. */
const cronFieldRanges: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
function isCronField(field: string, [min, max]: [number, number]): boolean {
  return field.split(',').every((part) => {
    const m = /^(?:\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    const bounds = [m?.[1], m?.[2]].filter((n) => n !== undefined).map(Number);
    return m !== null && bounds.every((n) => n >= min && n <= max) && m[3] !== '0';
  });
}
const cron = z.string().refine((expr) => {
  const fields = expr.trim().split(/\s+/);
  return fields.length === 5 && cronFieldRanges.every((range, i) => isCronField(fields[i] ?? '', range));
}, 'must be a 5-field cron expression such as "*/5 * * * *" (numbers, *, ranges, steps, lists)');

const mysqlEndpoint = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(3306),
    user: identifier,
    password: secretRef,
    database: identifier,
  })
  .strict();
export type MysqlEndpointConfig = z.infer<typeof mysqlEndpoint>;

const table = z
  .object({
    name: identifier,
    freshness_column: identifier.default('Data_Processamento'),
    primary_key: identifier.default('idpk'),
    /** Checked by the schema check; none when omitted. */
    expected_columns: z.array(identifier).default(() => []),
  })
  .strict();
export type TableConfig = z.infer<typeof table>;

const airbyteAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: secretRef }).strict(),
  z.object({ type: z.literal('client_credentials'), client_id: secretRef, client_secret: secretRef }).strict(),
]);
export type AirbyteAuthConfig = z.infer<typeof airbyteAuth>;

const bucket = z.object({ name: bucketName, prefix: prefix.default('') }).strict();
/** A bucket an Airbyte connection writes to; path_format is the destination's s3_path_format. */
const destinationBucket = (defaultPathFormat: string) =>
  bucket.extend({ path_format: z.string().min(1).default(defaultPathFormat) }).strict();
export type BucketConfig = z.infer<typeof bucket>;

/** Storage classes a lifecycle rule can move objects to. */
const storageClass = z.enum([
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
]);
const infrequentAccess = new Set(['STANDARD_IA', 'ONEZONE_IA']);

/** One lifecycle rule; S3's own constraints are checked here, so `storage apply` never meets them. */
const lifecycleRule = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'must be 1-255 letters, digits, _ . -'),
    prefix: z.string().default(''),
    enabled: z.boolean().default(true),
    transitions: z
      .array(z.object({ days: z.number().int().min(0), storage_class: storageClass }).strict())
      .default(() => []),
    expiration_days: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.transitions.length === 0 && rule.expiration_days === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a lifecycle rule needs transitions or expiration_days' });
    }
    const sorted = [...rule.transitions].sort((a, b) => a.days - b.days);
    sorted.forEach((t, i) => {
      const path = ['transitions', rule.transitions.indexOf(t), 'days'];
      // S3 refuses IA transitions before day 30, and objects must stay 30 days in IA before moving on.
      if (infrequentAccess.has(t.storage_class) && t.days < 30) {
        ctx.addIssue({ code: 'custom', path, message: `S3 allows ${t.storage_class} only from day 30` });
      }
      const before = sorted[i - 1];
      if (before && infrequentAccess.has(before.storage_class) && t.days - before.days < 30) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `must be at least 30 days after the ${before.storage_class} transition (day ${before.days})`,
        });
      }
    });
    const last = sorted.at(-1);
    if (last && rule.expiration_days !== undefined && rule.expiration_days <= last.days) {
      ctx.addIssue({
        code: 'custom',
        path: ['expiration_days'],
        message: `must be after the last transition (day ${last.days})`,
      });
    }
  });
export type LifecycleRuleConfig = z.infer<typeof lifecycleRule>;

const bucketPolicyFields = {
  versioning: z.boolean().default(true),
  /** Default encryption: SSE-S3 (AES256), the seed's. */
  encryption: z.literal('AES256').default('AES256'),
  /** The bucket's whole lifecycle configuration: rules not listed here are removed by `storage apply`. */
  lifecycle: z.array(lifecycleRule),
  /** Cross-region replication of the whole bucket; needs versioning on both ends (the destination is managed too). */
  replication: z
    .object({
      destination_bucket: bucketName,
      destination_region: z.string().min(1),
      role_arn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
      storage_class: z.enum(['STANDARD', ...storageClass.options]).optional(),
      enabled: z.boolean().default(true),
    })
    .strict()
    .optional(),
  /** Server access logs; target_bucket defaults to the audit_logs bucket, which gets the log-delivery grant. */
  access_logging: z.object({ target_bucket: bucketName.optional(), target_prefix: prefix }).strict().optional(),
  /** Event notifications to SNS topics (the topic must be in the bucket's region). */
  notifications: z
    .array(
      z
        .object({
          id: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'must be 1-255 letters, digits, _ . -'),
          topic_arn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/, 'must be an SNS topic ARN'),
          events: z
            .array(z.string().regex(/^s3:[A-Za-z]+:[A-Za-z*]+$/, "must be an S3 event such as 's3:ObjectCreated:*'"))
            .min(1),
        })
        .strict(),
    )
    .optional(),
};
/** A bucket's declared settings, with the seed's lifecycle rules (and access logging) as the defaults. */
const bucketPolicy = (
  defaults: { lifecycle?: z.input<typeof lifecycleRule>[]; access_logging?: { target_prefix: string } } = {},
) =>
  z
    .object({
      ...bucketPolicyFields,
      lifecycle: bucketPolicyFields.lifecycle.default(() => lifecycleRule.array().parse(defaults.lifecycle ?? [])),
      access_logging: defaults.access_logging
        ? bucketPolicyFields.access_logging.default(defaults.access_logging)
        : bucketPolicyFields.access_logging,
    })
    .strict()
    .prefault({});
export type BucketPolicyConfig = z.infer<ReturnType<typeof bucketPolicy>>;

/** Seed "Buckets Alternativos e Storage Strategy", where S3 accepts it (see the README). */
const storagePolicies = z
  .object({
    production: bucketPolicy(),
    backup: bucketPolicy({
      lifecycle: [
        {
          id: 'backup_transition',
          transitions: [
            { days: 30, storage_class: 'STANDARD_IA' },
            { days: 90, storage_class: 'GLACIER' },
          ],
          expiration_days: 365,
        },
      ],
    }),
    // The seed's 7 days to STANDARD_IA and 30 to GLACIER are below S3's minimums: 30 and 60 days here.
    emergency: bucketPolicy({
      lifecycle: [
        {
          id: 'emergency_retention',
          transitions: [
            { days: 30, storage_class: 'STANDARD_IA' },
            { days: 60, storage_class: 'GLACIER' },
          ],
          expiration_days: 2555,
        },
      ],
    }),
    // The seed moves quarantined data to STANDARD_IA after 1 day; S3's minimum is 30.
    quarantine: bucketPolicy({
      lifecycle: [
        { id: 'quarantine_analysis', transitions: [{ days: 30, storage_class: 'STANDARD_IA' }], expiration_days: 90 },
      ],
      access_logging: { target_prefix: 'quarantine-access-logs/' },
    }),
    // Long-term retention of historical snapshots: never expired, moved to colder storage.
    archive: bucketPolicy({
      lifecycle: [
        {
          id: 'archive_retention',
          transitions: [
            { days: 30, storage_class: 'GLACIER' },
            { days: 180, storage_class: 'DEEP_ARCHIVE' },
          ],
        },
      ],
    }),
    audit_logs: bucketPolicy(),
  })
  .strict();

const healthCheck = z
  .object({
    schedule_cron: cron.default('*/5 * * * *'),
    timeout_seconds: positive.default(30),
    consecutive_failures_threshold: count.default(3),
    data_freshness_threshold_hours: positive.default(24),
    replication_lag_threshold_minutes: positive.default(10),
    error_rate_threshold: fraction.default(0.1),
    s3_freshness_threshold_hours: positive.default(6),
    /** Warning level of the age and lag checks, as a fraction of their fail threshold. */
    warn_fraction: fraction.default(0.75),
    /** Used connections / max_connections. */
    connection_saturation: z
      .object({ warn: fraction.default(0.8), fail: fraction.default(0.95) })
      .strict()
      .refine((t) => t.warn <= t.fail, { message: 'warn must not exceed fail', path: ['warn'] })
      .prefault({}),
    /** Re-checks a failure a few times, quickly, before counting it: one blip is not an outage. */
    fast_confirmation: z
      .object({
        enabled: z.boolean().default(true),
        rechecks: z.number().int().min(0).default(2),
        interval_seconds: positive.default(20),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const backupValidation = z
  .object({
    /** Seed "Cenário 2": clean when nulls < 10 % of cells and fewer than 100 duplicate rows. */
    max_null_fraction: fraction.default(0.1),
    max_duplicate_rows: z.number().int().min(0).default(100),
    min_rows: z.number().int().min(0).default(1),
  })
  .strict();

/** Seed level 1 (Airbyte retry), plus how the guardian waits for a sync job. */
const syncRetryPolicy = z
  .object({
    max_attempts: count.default(3),
    initial_delay_minutes: positive.default(5),
    max_delay_minutes: positive.default(20),
    multiplier: z.number().min(1).default(2),
    job_poll_interval_seconds: positive.default(60),
    job_timeout_minutes: positive.default(120),
  })
  .strict()
  .refine((p) => p.initial_delay_minutes <= p.max_delay_minutes, {
    message: 'initial_delay_minutes must not exceed max_delay_minutes',
    path: ['initial_delay_minutes'],
  });

const recovery = z
  .object({
    backoff_minutes: z
      .array(positive)
      .min(1)
      .default(() => [5, 15, 30]),
    /** Each delay gets a jitter of 0..min(jitter_max_seconds, delay * jitter_max_fraction). */
    jitter_max_seconds: z.number().min(0).default(60),
    jitter_max_fraction: fraction.default(0.1),
    escalation: z
      .object({ backup_at_consecutive_failures: count.default(3), manual_at_consecutive_failures: count.default(5) })
      .strict()
      .refine((e) => e.manual_at_consecutive_failures > e.backup_at_consecutive_failures, {
        message: 'manual_at_consecutive_failures must be greater than backup_at_consecutive_failures',
        path: ['manual_at_consecutive_failures'],
      })
      .prefault({}),
    approval_timeout_minutes: positive.default(30),
    approval_max_wait_hours: positive.default(4),
    anti_flapping_minutes: z.number().min(0).default(30),
    /** Seed "Cenário 1": the emergency dump covers the last N days of Data_Processamento. */
    emergency_dump_days: z.number().int().min(1).default(7),
    /** resource_exhaustion: connections idle longer than this are closed to free slots. */
    idle_connection_kill_seconds: positive.default(300),
  })
  .strict();

const contact = z
  .object({
    role: z.string().min(1),
    name: z.string().min(1).optional(),
    phone: z.string().min(1).optional(),
    email: z.email().optional(),
    slack: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => Boolean(c.phone ?? c.email ?? c.slack), {
    message: 'a contact needs at least one of phone, email or slack',
  });
export type EscalationContact = z.infer<typeof contact>;

const notifications = z
  .object({
    slack: z
      .object({
        webhook_url: secretRef,
        channel: z.string().min(1).default('#data-engineering-alerts'),
        username: z.string().min(1).default('ACODE Emergency System'),
      })
      .strict()
      .optional(),
    pagerduty: z
      .object({ routing_key: secretRef, events_url: httpUrl.default('https://events.pagerduty.com/v2/enqueue') })
      .strict()
      .optional(),
    request_timeout_seconds: positive.default(10),
    reminder_interval_hours: positive.default(4),
  })
  .strict();

export const systemSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,39}$/,
        'must be lowercase letters, digits and hyphens, starting with a letter (at most 40)',
      ),
    name: z.string().min(1),
    description: z.string().optional(),
    mysql: z
      .object({
        primary: mysqlEndpoint,
        backup: mysqlEndpoint,
        /** Account allowed to ALTER USER, used to rotate credentials. */
        admin: z.object({ user: identifier, password: secretRef }).strict().optional(),
        /** The account whose password is rotated on authentication failures. */
        rotated_account: z
          .object({ user: identifier, host: z.string().min(1).default('%') })
          .strict()
          .optional(),
        /** Secret key that derives rotated passwords (see src/integrations/mysql-accounts.ts). */
        rotation_key: secretRef.optional(),
        tables: z.array(table).min(1),
      })
      .strict(),
    airbyte: z
      .object({
        api_url: httpUrl,
        /** Config API base (job failure reasons); derived from api_url when omitted. */
        config_api_url: httpUrl.optional(),
        ui_url: httpUrl.optional(),
        auth: airbyteAuth,
        request_timeout_seconds: positive.default(30),
        primary_connection_id: z.string().min(1),
        backup_connection_id: z.string().min(1),
        primary_source_id: z.string().min(1).optional(),
        backup_source_id: z.string().min(1).optional(),
      })
      .strict(),
    s3: z
      .object({
        region: z.string().min(1).default('us-east-2'),
        /** For S3-compatible servers; absent means AWS. */
        endpoint: httpUrl.optional(),
        force_path_style: z.boolean().default(false),
        /** Absent means the default AWS credential chain (e.g. an IAM role). */
        credentials: z.object({ access_key_id: secretRef, secret_access_key: secretRef }).strict().optional(),
        buckets: z
          .object({
            production: destinationBucket('${NAMESPACE}/${STREAM_NAME}/${YEAR}_${MONTH}_${DAY}_${EPOCH}_'),
            backup: destinationBucket(
              'backup_${STREAM_NAME}/backup_dt=${YEAR}-${MONTH}-${DAY}/backup_file_${STREAM_NAME}',
            ),
            emergency: bucket,
            quarantine: bucket,
            archive: bucket,
            audit_logs: bucket,
          })
          .strict(),
        /** The buckets' declared settings (`storage apply | verify`), by bucket. */
        policies: storagePolicies.prefault({}),
      })
      .strict()
      .superRefine((s3, ctx) => {
        // The log-delivery grant is written into the target's policy: it must be a bucket of this system.
        const names = Object.values(s3.buckets).map((b) => b.name);
        for (const [role, p] of Object.entries(s3.policies)) {
          const target = p.access_logging?.target_bucket;
          if (target !== undefined && !names.includes(target)) {
            ctx.addIssue({
              code: 'custom',
              path: ['policies', role, 'access_logging', 'target_bucket'],
              message: `must be one of the system's buckets (${names.join(', ')})`,
            });
          }
        }
      }),
    health_check: healthCheck.prefault({}),
    continuous_monitoring: z
      .object({ schedule_cron: cron.default('*/10 * * * *') })
      .strict()
      .prefault({}),
    /** Daily copy of the backup snapshots into the archive bucket's historical layout. */
    archive: z
      .object({ schedule_cron: cron.default('0 3 * * *') })
      .strict()
      .prefault({}),
    sync_retry_policy: syncRetryPolicy.prefault({}),
    backup_validation: backupValidation.prefault({}),
    recovery: recovery.prefault({}),
    notifications: notifications.prefault({}),
    escalation_contacts: z.array(contact).default(() => []),
  })
  .strict();
export type SystemConfig = z.infer<typeof systemSchema>;

export const configSchema = z
  .object({
    version: z.literal(1),
    /** Address, TLS and API key of Temporal come from the environment, not from this file. */
    temporal: z
      .object({
        namespace: z.string().min(1).default('default'),
        task_queue: z.string().min(1).default('acode-guardian'),
        ui_url: httpUrl.default('http://localhost:8233'),
      })
      .strict()
      .prefault({}),
    /** The worker's Prometheus endpoint (/metrics): the SDK's metrics and the project's (README "Metrics"). */
    metrics: z
      .object({
        /** host:port the worker listens on; null turns the endpoint off. */
        prometheus_bind: z
          .string()
          .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):([1-9]\d{0,4})$/, 'must be host:port, e.g. 127.0.0.1:9464')
          .refine((a) => !(Number(a.slice(a.lastIndexOf(':') + 1)) > 65535), 'the port must be at most 65535')
          .nullable()
          .default('127.0.0.1:9464'),
      })
      .strict()
      .prefault({}),
    systems: z.array(systemSchema).min(1, 'at least one system must be configured'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.systems.forEach((s, i) => {
      const first = seen.get(s.id);
      if (first === undefined) seen.set(s.id, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['systems', i, 'id'],
          message: `duplicate system id "${s.id}" (also systems[${first}].id)`,
        });
    });
  });
export type GuardianConfig = z.infer<typeof configSchema>;

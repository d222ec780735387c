// The pure part of storage policies: the desired state from the config, canonical comparison
// (order and spelling never count as drift) and the drift list (table-driven).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import { localConfigPath } from '../src/stack/paths.js';
import {
  bucketDrifts,
  describeDrift,
  desiredBuckets,
  emptyState,
  type BucketState,
  type DesiredBucket,
  type Drift,
} from '../src/decisions/storage-drift.js';

const backupRule = {
  id: 'backup_transition',
  prefix: '',
  enabled: true,
  transitions: [
    { days: 30, storageClass: 'STANDARD_IA' },
    { days: 90, storageClass: 'GLACIER' },
  ],
  expirationDays: 365,
};
const desired: DesiredBucket = {
  role: 'backup',
  bucket: 'b',
  region: 'us-east-2',
  settings: {
    versioning: true,
    encryption: 'AES256',
    lifecycle: [backupRule],
    notifications: [
      { id: 'n', topicArn: 'arn:aws:sns:us-east-2:1:t', events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
    ],
    logDelivery: [
      { sourceBucket: 'q', targetPrefix: 'q/' },
      { sourceBucket: 'a', targetPrefix: 'a/' },
    ],
  },
};
const matching = (): BucketState => ({
  ...emptyState(),
  versioning: true,
  encryption: 'AES256',
  lifecycle: [backupRule],
  notifications: [
    { id: 'n', topicArn: 'arn:aws:sns:us-east-2:1:t', events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
  ],
  logDelivery: [
    { sourceBucket: 'q', targetPrefix: 'q/' },
    { sourceBucket: 'a', targetPrefix: 'a/' },
  ],
});

describe('bucketDrifts', () => {
  const cases: [string, BucketState | null, Pick<Drift, 'setting'>[]][] = [
    ['matching: no drift', matching(), []],
    ['missing bucket: one drift, the bucket', null, [{ setting: 'bucket' }]],
    [
      'lists in another order are the same',
      {
        ...matching(),
        lifecycle: [{ ...backupRule, transitions: [...backupRule.transitions].reverse() }],
        notifications: [
          { id: 'n', topicArn: 'arn:aws:sns:us-east-2:1:t', events: ['s3:ObjectRemoved:*', 's3:ObjectCreated:*'] },
        ],
        logDelivery: [
          { sourceBucket: 'a', targetPrefix: 'a/' },
          { sourceBucket: 'q', targetPrefix: 'q/' },
        ],
      },
      [],
    ],
    ['versioning suspended by hand', { ...matching(), versioning: false }, [{ setting: 'versioning' }]],
    ['encryption removed', { ...matching(), encryption: null }, [{ setting: 'encryption' }]],
    [
      'a lifecycle day changed',
      { ...matching(), lifecycle: [{ ...backupRule, expirationDays: 30 }] },
      [{ setting: 'lifecycle' }],
    ],
    [
      'an extra lifecycle rule',
      { ...matching(), lifecycle: [backupRule, { ...backupRule, id: 'extra' }] },
      [{ setting: 'lifecycle' }],
    ],
    [
      'settings the config does not manage are not looked at',
      {
        ...matching(),
        replication: { roleArn: 'r', destinations: [] },
        accessLogging: { targetBucket: 'x', targetPrefix: '' },
      },
      [],
    ],
    [
      'several drifts, in apply order',
      { ...matching(), notifications: [], versioning: false, logDelivery: [] },
      [{ setting: 'versioning' }, { setting: 'logDelivery' }, { setting: 'notifications' }],
    ],
  ];
  it.each(cases)('%s', (_name, actual, expected) => {
    expect(bucketDrifts(desired, actual)).toMatchObject(expected);
  });

  it('a drift names bucket, role, setting and both values, for people too', () => {
    const [d] = bucketDrifts(desired, { ...matching(), versioning: false });
    expect(d).toEqual({ role: 'backup', bucket: 'b', setting: 'versioning', desired: true, actual: false });
    expect(describeDrift(d as Drift)).toBe('b (backup) versioning: off -> Enabled');
  });
});

describe('desiredBuckets from the config', () => {
  it('the sandbox config: the seed rules, the replica and the log grant, dependencies first', async () => {
    const config = await loadConfig(localConfigPath);
    const buckets = desiredBuckets(config.systems[0]!);
    expect(buckets.map((b) => [b.role, b.bucket, b.region])).toEqual([
      ['audit_logs', 'farmarcas-audit-logs', 'us-east-2'],
      ['replica', 'farmarcas-backup-acode-replica', 'us-west-2'],
      ['production', 'farmarcas-production-bronze', 'us-east-2'],
      ['backup', 'farmarcas-backup-acode', 'us-east-2'],
      ['emergency', 'farmarcas-emergency-backup', 'us-east-2'],
      ['quarantine', 'farmarcas-quarantine', 'us-east-2'],
      ['archive', 'farmarcas-archive', 'us-east-2'],
    ]);
    const by = (role: string) => buckets.find((b) => b.role === role)!.settings;
    expect(by('backup').lifecycle).toEqual([backupRule]);
    expect(by('backup').replication).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/acode-s3-replication',
      destinations: [{ bucketArn: 'arn:aws:s3:::farmarcas-backup-acode-replica', storageClass: null, enabled: true }],
    });
    expect(by('replica')).toEqual({ versioning: true, encryption: 'AES256', logDelivery: [] });
    expect(by('quarantine').accessLogging).toEqual({
      targetBucket: 'farmarcas-audit-logs',
      targetPrefix: 'quarantine-access-logs/',
    });
    expect(by('audit_logs').logDelivery).toEqual([
      { sourceBucket: 'farmarcas-quarantine', targetPrefix: 'quarantine-access-logs/' },
    ]);
    expect(by('emergency').notifications).toEqual([
      {
        id: 'emergency_uploads',
        topicArn: 'arn:aws:sns:us-east-2:123456789012:sns_topic_emergency_alerts',
        events: ['s3:ObjectCreated:*'],
      },
    ]);
    // Not configured: no notifications managed; no replication means "none" (removed if found).
    expect(by('production').notifications).toBeUndefined();
    expect(by('production').replication).toBeNull();
  });
});

describe('lifecycle rules in the config: S3 constraints at load time', () => {
  const withRule = (rule: unknown) => ({
    version: 1,
    systems: [
      {
        id: 'x',
        name: 'x',
        mysql: {
          primary: { host: 'h', user: 'u', password: { env: 'P' }, database: 'd' },
          backup: { host: 'h', user: 'u', password: { env: 'P' }, database: 'd' },
          tables: [{ name: 't' }],
        },
        airbyte: {
          api_url: 'http://127.0.0.1:1',
          auth: { type: 'bearer', token: { env: 'T' } },
          primary_connection_id: 'a',
          backup_connection_id: 'b',
        },
        s3: {
          buckets: Object.fromEntries(
            ['production', 'backup', 'emergency', 'quarantine', 'archive', 'audit_logs'].map((r) => [
              r,
              { name: `bucket-${r.replace('_', '-')}` },
            ]),
          ),
          policies: { quarantine: { lifecycle: [rule] } },
        },
      },
    ],
  });
  const issues = (rule: unknown, policies: Record<string, unknown> = {}): string[] => {
    const config = withRule(rule);
    Object.assign(config.systems[0]!.s3.policies, policies);
    const r = configSchema.safeParse(config);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const cases: [string, unknown, string[]][] = [
    [
      'the seed quarantine rule as S3 accepts it',
      { id: 'q', transitions: [{ days: 30, storage_class: 'STANDARD_IA' }], expiration_days: 90 },
      [],
    ],
    [
      "the seed's 1 day to STANDARD_IA",
      { id: 'q', transitions: [{ days: 1, storage_class: 'STANDARD_IA' }], expiration_days: 90 },
      ['systems.0.s3.policies.quarantine.lifecycle.0.transitions.0.days: S3 allows STANDARD_IA only from day 30'],
    ],
    [
      'GLACIER too soon after STANDARD_IA',
      {
        id: 'q',
        transitions: [
          { days: 30, storage_class: 'STANDARD_IA' },
          { days: 45, storage_class: 'GLACIER' },
        ],
      },
      [
        'systems.0.s3.policies.quarantine.lifecycle.0.transitions.1.days: must be at least 30 days after the STANDARD_IA transition (day 30)',
      ],
    ],
    [
      'expiring before the last transition',
      { id: 'q', transitions: [{ days: 60, storage_class: 'GLACIER' }], expiration_days: 30 },
      ['systems.0.s3.policies.quarantine.lifecycle.0.expiration_days: must be after the last transition (day 60)'],
    ],
    [
      'a rule that does nothing',
      { id: 'q' },
      ['systems.0.s3.policies.quarantine.lifecycle.0: a lifecycle rule needs transitions or expiration_days'],
    ],
  ];
  it.each(cases)('%s', (_name, rule, expected) => {
    expect(issues(rule)).toEqual(expected);
  });

  it('access logs go to one of the system buckets', () => {
    const rule = { id: 'q', expiration_days: 90 };
    expect(
      issues(rule, { production: { access_logging: { target_bucket: 'bucket-audit-logs', target_prefix: 'p/' } } }),
    ).toEqual([]);
    expect(
      issues(rule, { production: { access_logging: { target_bucket: 'elsewhere', target_prefix: 'p/' } } }),
    ).toEqual([
      "systems.0.s3.policies.production.access_logging.target_bucket: must be one of the system's buckets (bucket-production, bucket-backup, bucket-emergency, bucket-quarantine, bucket-archive, bucket-audit-logs)",
    ]);
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  assertLoopbackEndpoints,
  ConfigError,
  findSystem,
  loadConfig,
  parseConfig,
  renderPath,
  resolveSecret,
} from '../src/config/load.js';

const configDir = fileURLToPath(new URL('../config/', import.meta.url));

/** A minimal valid system; cases override one part of it. */
const minimalSystem = () => ({
  id: 'acode',
  name: 'ACODE',
  mysql: {
    primary: { host: 'db.example', user: 'u', password: { env: 'P' }, database: 'acode_farmarcas' },
    backup: { host: 'replica.example', user: 'u', password: { env: 'P' }, database: 'acode_farmarcas' },
    tables: [{ name: 'farmarcas_si_analitico_diario' }],
  },
  airbyte: {
    api_url: 'http://airbyte:8000/api/public/v1',
    auth: { type: 'bearer', token: { env: 'AIRBYTE_TOKEN' } },
    primary_connection_id: 'c1',
    backup_connection_id: 'c2',
  },
  s3: {
    buckets: {
      production: { name: 'farmarcas-production-bronze', prefix: 'origin=airbyte/' },
      backup: { name: 'farmarcas-backup-acode', prefix: 'origin=backup/' },
      emergency: { name: 'farmarcas-emergency-backup' },
      quarantine: { name: 'farmarcas-quarantine' },
      archive: { name: 'farmarcas-archive' },
      audit_logs: { name: 'farmarcas-audit-logs' },
    },
  },
});

type Mutable = Record<string, unknown>;
const withSystem = (mutate: (s: ReturnType<typeof minimalSystem>) => void, extra: Mutable = {}): string => {
  const s = minimalSystem();
  mutate(s);
  return stringify({ version: 1, systems: [s], ...extra });
};

function issuesOf(text: string): { path: string; message: string }[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected the config to be rejected');
}

describe('shipped configs', () => {
  it('config/acode.example.yaml is valid and carries the seed values', async () => {
    const c = await loadConfig(`${configDir}acode.example.yaml`);
    const acode = findSystem(c, 'acode');
    expect(acode.mysql.primary.host).toBe('db-hsp-farmarcas.acode.com.br');
    expect(acode.mysql.tables.map((t) => t.name)).toEqual([
      'farmarcas_si_analitico_diario',
      'farmarcas_si_analitico_diario_produtos',
    ]);
    expect(acode.airbyte.backup_connection_id).toBe('connection_mysql_s3_acode_backup');
    expect(acode.s3.buckets.backup.path_format).toBe(
      'backup_${STREAM_NAME}/backup_dt=${YEAR}-${MONTH}-${DAY}/backup_file_${STREAM_NAME}',
    );
    expect(acode.recovery.backoff_minutes).toEqual([5, 15, 30]);
    expect(() => assertLoopbackEndpoints(c)).toThrow(/not a loopback endpoint/);
  });

  it('config/local.yaml is valid and points only at loopback', async () => {
    const c = await loadConfig(`${configDir}local.yaml`);
    expect(() => assertLoopbackEndpoints(c)).not.toThrow();
  });
});

describe('defaults', () => {
  it('fills the seed thresholds for a minimal system', () => {
    const c = parseConfig(
      withSystem(() => undefined),
      'min.yaml',
    );
    const s = c.systems[0];
    expect(s?.health_check).toMatchObject({
      schedule_cron: '*/5 * * * *',
      timeout_seconds: 30,
      consecutive_failures_threshold: 3,
      data_freshness_threshold_hours: 24,
      replication_lag_threshold_minutes: 10,
      error_rate_threshold: 0.1,
      s3_freshness_threshold_hours: 6,
      connection_saturation: { warn: 0.8, fail: 0.95 },
      fast_confirmation: { enabled: true, rechecks: 2, interval_seconds: 20 },
    });
    expect(s?.sync_retry_policy).toMatchObject({
      max_attempts: 3,
      initial_delay_minutes: 5,
      max_delay_minutes: 20,
      multiplier: 2,
    });
    expect(s?.recovery).toMatchObject({
      backoff_minutes: [5, 15, 30],
      jitter_max_seconds: 60,
      jitter_max_fraction: 0.1,
      escalation: { backup_at_consecutive_failures: 3, manual_at_consecutive_failures: 5 },
      approval_timeout_minutes: 30,
      anti_flapping_minutes: 30,
    });
    expect(s?.notifications).toEqual({ request_timeout_seconds: 10, reminder_interval_hours: 4 });
    expect(s?.s3).toMatchObject({ region: 'us-east-2', force_path_style: false });
    expect(s?.s3.buckets.backup.path_format).toBe(
      'backup_${STREAM_NAME}/backup_dt=${YEAR}-${MONTH}-${DAY}/backup_file_${STREAM_NAME}',
    );
    expect(s?.continuous_monitoring.schedule_cron).toBe('*/10 * * * *');
    expect(s?.mysql.primary.port).toBe(3306);
    expect(s?.mysql.tables[0]).toMatchObject({ freshness_column: 'Data_Processamento', primary_key: 'idpk' });
    expect(c.temporal).toEqual({ namespace: 'default', task_queue: 'acode-guardian', ui_url: 'http://localhost:8233' });
  });

  it('serves metrics on 127.0.0.1:9464 unless told otherwise, or not at all', () => {
    const bind = (metrics?: unknown): string | null =>
      parseConfig(
        withSystem(() => undefined, metrics === undefined ? {} : { metrics }),
        'm.yaml',
      ).metrics.prometheus_bind;
    expect(bind()).toBe('127.0.0.1:9464');
    expect(bind({ prometheus_bind: null })).toBeNull();
    expect(bind({ prometheus_bind: '[::1]:9100' })).toBe('[::1]:9100');
  });

  it('accepts many systems', () => {
    const a = minimalSystem();
    const b = { ...minimalSystem(), id: 'other-erp', name: 'Other ERP' };
    expect(parseConfig(stringify({ version: 1, systems: [a, b] }), 'two.yaml').systems.map((s) => s.id)).toEqual([
      'acode',
      'other-erp',
    ]);
  });
});

const badConfigs: { name: string; text: string; path: string; message: RegExp }[] = [
  {
    name: 'metrics bind address without a port',
    text: withSystem(() => undefined, { metrics: { prometheus_bind: '127.0.0.1' } }),
    path: 'metrics.prometheus_bind',
    message: /must be host:port/,
  },
  {
    name: 'metrics bind port out of range',
    text: withSystem(() => undefined, { metrics: { prometheus_bind: '0.0.0.0:70000' } }),
    path: 'metrics.prometheus_bind',
    message: /at most 65535/,
  },
  {
    name: 'port of the wrong type',
    text: withSystem((s) => Object.assign(s.mysql.primary, { port: 'abc' })),
    path: 'systems[0].mysql.primary.port',
    message: /expected number/,
  },
  {
    name: 'port out of range',
    text: withSystem((s) => Object.assign(s.mysql.backup, { port: 70000 })),
    path: 'systems[0].mysql.backup.port',
    message: /65535/,
  },
  {
    name: 'a typo in a key',
    text: withSystem((s) => Object.assign(s, { health_chek: {} })),
    path: 'systems[0]',
    message: /health_chek/,
  },
  {
    name: 'a literal secret',
    text: withSystem((s) => Object.assign(s.mysql.primary, { password: 'hunter2' })),
    path: 'systems[0].mysql.primary.password',
    message: /never literal values/,
  },
  {
    name: 'a bad env var name',
    text: withSystem((s) => Object.assign(s.mysql.primary, { password: { env: 'lower-case' } })),
    path: 'systems[0].mysql.primary.password.env',
    message: /environment variable name/,
  },
  {
    name: 'a bad bucket name',
    text: withSystem((s) => Object.assign(s.s3.buckets.backup, { name: 'Bad_Bucket' })),
    path: 'systems[0].s3.buckets.backup.name',
    message: /S3 bucket name/,
  },
  {
    name: 'manual escalation not above backup',
    text: withSystem((s) =>
      Object.assign(s, {
        recovery: { escalation: { backup_at_consecutive_failures: 5, manual_at_consecutive_failures: 3 } },
      }),
    ),
    path: 'systems[0].recovery.escalation.manual_at_consecutive_failures',
    message: /greater than/,
  },
  {
    name: 'an unsafe table identifier',
    text: withSystem((s) => Object.assign(s.mysql, { tables: [{ name: 'x; DROP TABLE y' }] })),
    path: 'systems[0].mysql.tables[0].name',
    message: /MySQL identifier/,
  },
  {
    name: 'a bad cron expression',
    text: withSystem((s) => Object.assign(s, { health_check: { schedule_cron: 'every 5 minutes' } })),
    path: 'systems[0].health_check.schedule_cron',
    message: /5-field cron/,
  },
  {
    name: 'an empty systems list',
    text: stringify({ version: 1, systems: [] }),
    path: 'systems',
    message: /at least one system/,
  },
  {
    name: 'duplicate system ids',
    text: stringify({ version: 1, systems: [minimalSystem(), minimalSystem()] }),
    path: 'systems[1].id',
    message: /duplicate system id "acode" \(also systems\[0\]\.id\)/,
  },
  {
    name: 'a prefix without a trailing slash',
    text: withSystem((s) => Object.assign(s.s3.buckets.production, { prefix: 'origin=airbyte' })),
    path: 'systems[0].s3.buckets.production.prefix',
    message: /end with '\/'/,
  },
  {
    name: 'a wrong version',
    text: stringify({ version: 2, systems: [minimalSystem()] }),
    path: 'version',
    message: /expected 1/,
  },
  {
    name: 'an unknown auth type',
    text: withSystem((s) => Object.assign(s.airbyte, { auth: { type: 'basic' } })),
    path: 'systems[0].airbyte.auth.type',
    message: /'bearer' \| 'client_credentials'/,
  },
  {
    name: 'an error rate above 1',
    text: withSystem((s) => Object.assign(s, { health_check: { error_rate_threshold: 10 } })),
    path: 'systems[0].health_check.error_rate_threshold',
    message: /<=1/,
  },
  {
    name: 'manual escalation equal to backup',
    text: withSystem((s) =>
      Object.assign(s, {
        recovery: { escalation: { backup_at_consecutive_failures: 4, manual_at_consecutive_failures: 4 } },
      }),
    ),
    path: 'systems[0].recovery.escalation.manual_at_consecutive_failures',
    message: /greater than/,
  },
  {
    name: 'a cron field out of range',
    text: withSystem((s) => Object.assign(s, { continuous_monitoring: { schedule_cron: '61 * * * *' } })),
    path: 'systems[0].continuous_monitoring.schedule_cron',
    message: /5-field cron/,
  },
  {
    name: 'an unsafe user name',
    text: withSystem((s) => Object.assign(s.mysql.backup, { user: "u'@'%" })),
    path: 'systems[0].mysql.backup.user',
    message: /MySQL identifier/,
  },
  {
    name: 'a saturation warning above its failure level',
    text: withSystem((s) => Object.assign(s, { health_check: { connection_saturation: { warn: 0.99 } } })),
    path: 'systems[0].health_check.connection_saturation.warn',
    message: /warn must not exceed fail/,
  },
  {
    name: 'a retry delay above its maximum',
    text: withSystem((s) => Object.assign(s, { sync_retry_policy: { initial_delay_minutes: 30 } })),
    path: 'systems[0].sync_retry_policy.initial_delay_minutes',
    message: /must not exceed max_delay_minutes/,
  },
  {
    name: 'a contact nobody can reach',
    text: withSystem((s) => Object.assign(s, { escalation_contacts: [{ role: 'CTO' }] })),
    path: 'systems[0].escalation_contacts[0]',
    message: /at least one of phone, email or slack/,
  },
  {
    name: 'an API URL that is not http(s)',
    text: withSystem((s) => Object.assign(s.airbyte, { api_url: 'ftp://airbyte/api' })),
    path: 'systems[0].airbyte.api_url',
    message: /must be an http\(s\) URL/,
  },
  {
    name: 'a literal secret inside the Airbyte auth',
    text: withSystem((s) => Object.assign(s.airbyte, { auth: { type: 'bearer', token: 'eyJhbGciOi' } })),
    path: 'systems[0].airbyte.auth.token',
    message: /secrets must be \{ env: NAME \} references/,
  },
];

describe('bad configs are rejected with the exact path and the problem', () => {
  it.each(badConfigs)('$name', ({ text, path, message }) => {
    const issues = issuesOf(text);
    const issue = issues.find((i) => i.path === path);
    expect(issue, `issues were: ${JSON.stringify(issues)}`).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('names line and column of a YAML syntax error', () => {
    expect(issuesOf('version: 1\nsystems:\n  - id: acode\n    name: [unclosed\n')[0]?.message).toMatch(
      /YAML syntax error at line \d+, column \d+/,
    );
    expect(issuesOf('version: 1\nversion: 1\n')).toEqual([
      { path: '', message: 'YAML syntax error at line 2, column 1: Map keys must be unique' },
    ]);
  });

  it('reports a literal secret once, with what to write instead', () => {
    const issues = issuesOf(withSystem((s) => Object.assign(s.mysql.primary, { password: 'hunter2' })));
    expect(issues).toEqual([
      {
        path: 'systems[0].mysql.primary.password',
        message: 'secrets must be { env: NAME } references, never literal values in the file',
      },
    ]);
  });

  it('reports every problem at once, in a message that names the file', () => {
    const text = withSystem((s) => {
      Object.assign(s.mysql.primary, { port: 'x' });
      Object.assign(s.s3.buckets.archive, { name: 'UPPER' });
    });
    expect(() => parseConfig(text, 'two-problems.yaml')).toThrow(
      /Invalid configuration two-problems.yaml:\n {2}- systems\[0\]\.mysql\.primary\.port: .*\n {2}- systems\[0\]\.s3\.buckets\.archive\.name: /,
    );
  });

  it('names a missing file', async () => {
    await expect(loadConfig('/nonexistent/acode.yaml')).rejects.toThrow(
      /Invalid configuration \/nonexistent\/acode\.yaml:\n {2}- file not found \(\/nonexistent\/acode\.yaml\)/,
    );
  });
});

describe('secrets and lookups', () => {
  it('resolves a secret from the environment, naming the variable and the config path when unset', () => {
    expect(resolveSecret({ env: 'X_SECRET' }, 'systems[0].mysql.primary.password', { X_SECRET: 's3cr3t' })).toBe(
      's3cr3t',
    );
    expect(() => resolveSecret({ env: 'X_SECRET' }, 'systems[0].mysql.primary.password', {})).toThrow(
      /systems\[0\]\.mysql\.primary\.password: environment variable X_SECRET is not set/,
    );
  });

  it('lists the known systems when asked for an unknown one', () => {
    const c = parseConfig(
      withSystem(() => undefined),
      'min.yaml',
    );
    expect(() => findSystem(c, 'nope')).toThrow(/unknown system "nope"; configured systems: acode/);
  });

  it('renders zod paths as config paths', () => {
    expect(renderPath(['systems', 0, 'mysql', 'tables', 2, 'name'])).toBe('systems[0].mysql.tables[2].name');
  });
});

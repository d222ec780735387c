import { describe, expect, it } from 'vitest';
import type { CheckName, CheckResult, CheckStatus, DetailValue, Side } from '../src/checks/types.js';
import { shouldAlert } from '../src/decisions/alert-noise.js';
import {
  assessBackup,
  decideHealthAction,
  primaryHealthy,
  runningOnBackup,
  type HealthAction,
} from '../src/decisions/health-decision.js';
import { backoffWithJitter, chooseStrategy, type RecoveryStrategy } from '../src/decisions/recovery-strategy.js';
import type { FailureType } from '../src/decisions/failure-classification.js';

describe('decideHealthAction (the seed decision matrix)', () => {
  const cases: [
    string,
    { primaryHealthy: boolean; backupFit: boolean; consecutiveFailures: number; onBackup?: boolean },
    HealthAction,
  ][] = [
    ['all healthy', { primaryHealthy: true, backupFit: true, consecutiveFailures: 0 }, 'all_systems_healthy'],
    [
      'healthy primary, unfit backup',
      { primaryHealthy: true, backupFit: false, consecutiveFailures: 0 },
      'all_systems_healthy',
    ],
    ['first failure', { primaryHealthy: false, backupFit: true, consecutiveFailures: 1 }, 'warning_alert'],
    [
      'below threshold, backup unfit',
      { primaryHealthy: false, backupFit: false, consecutiveFailures: 2 },
      'warning_alert',
    ],
    [
      'at threshold, backup fit',
      { primaryHealthy: false, backupFit: true, consecutiveFailures: 3 },
      'trigger_backup_failover',
    ],
    [
      'at threshold, backup unfit',
      { primaryHealthy: false, backupFit: false, consecutiveFailures: 3 },
      'emergency_alert',
    ],
    [
      'far past threshold',
      { primaryHealthy: false, backupFit: true, consecutiveFailures: 9 },
      'trigger_backup_failover',
    ],
    [
      'on the backup, primary still down',
      { primaryHealthy: false, backupFit: true, consecutiveFailures: 9, onBackup: true },
      'running_on_backup',
    ],
    [
      'on the backup, primary healthy again',
      { primaryHealthy: true, backupFit: true, consecutiveFailures: 0, onBackup: true },
      'primary_ready_for_return',
    ],
    [
      'on the backup, the backup fails',
      { primaryHealthy: false, backupFit: false, consecutiveFailures: 9, onBackup: true },
      'emergency_alert',
    ],
    [
      'on the backup, the backup fails while the primary is healthy',
      { primaryHealthy: true, backupFit: false, consecutiveFailures: 0, onBackup: true },
      'emergency_alert',
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(decideHealthAction({ onBackup: false, ...input, threshold: 3 })).toBe(expected);
  });
});

describe('running on the backup', () => {
  const connection = (side: Side, status: string): CheckResult =>
    r('airbyte_connection', side, status === 'active' || side === 'backup' ? 'healthy' : 'unhealthy', {
      connection_status: status,
    });
  it.each<[string, string, string, boolean]>([
    ['normal operation', 'active', 'inactive', false],
    ['after a failover', 'inactive', 'active', true],
    ['both inactive (someone paused everything)', 'inactive', 'inactive', false],
    ['both active', 'active', 'active', false],
  ])('%s: primary %s, backup %s -> %s', (_name, primary, backup, expected) => {
    expect(runningOnBackup([connection('primary', primary), connection('backup', backup)])).toBe(expected);
  });

  it.each<[string, CheckResult[], boolean, boolean]>([
    [
      'the switched-off connection and an idle production prefix do not count on the backup',
      [
        connection('primary', 'inactive'),
        r('s3_uploads', 'primary', 'unhealthy'),
        r('mysql_connectivity', 'primary', 'healthy'),
      ],
      true,
      true,
    ],
    [
      'they do count in normal operation',
      [connection('primary', 'inactive'), r('mysql_connectivity', 'primary', 'healthy')],
      false,
      false,
    ],
    [
      'a primary that does not answer counts either way',
      [connection('primary', 'inactive'), r('mysql_connectivity', 'primary', 'unhealthy')],
      true,
      false,
    ],
  ])('%s', (_name, results, onBackup, expected) => {
    expect(primaryHealthy(results, onBackup)).toBe(expected);
  });
});

function r(
  check: CheckName,
  side: Side,
  status: CheckStatus,
  details?: Record<string, DetailValue>,
  error?: string,
): CheckResult {
  return {
    check,
    side,
    target: 't',
    status,
    value: null,
    unit: '',
    warnThreshold: null,
    failThreshold: null,
    ...(details ? { details } : {}),
    ...(error ? { error: { code: error, message: error } } : {}),
    durationMs: 1,
    checkedAt: '2026-12-04T00:00:00Z',
  };
}
const up = r('mysql_connectivity', 'backup', 'healthy');
const fresh = r('data_freshness', 'backup', 'healthy');
const repl = (io: string, extra: Record<string, DetailValue> = {}, status: CheckStatus = 'healthy', error?: string) =>
  r(
    'backup_replication',
    'backup',
    status,
    { io_running: io, sql_running: 'Yes', last_io_errno: 0, last_sql_errno: 0, ...extra },
    error,
  );

describe('assessBackup (never fail over to an unfit replica)', () => {
  const cases: [string, CheckResult[], boolean, boolean][] = [
    ['replicating, fresh', [up, fresh, repl('Yes')], true, true],
    [
      'IO lost the primary (2003) while the primary is down: expected',
      [up, fresh, repl('Connecting', { last_io_errno: 2003 }, 'unhealthy', 'REPLICATION_STOPPED')],
      false,
      true,
    ],
    [
      'IO lost the primary while the primary answers',
      [up, fresh, repl('Connecting', { last_io_errno: 2003 }, 'unhealthy', 'REPLICATION_STOPPED')],
      true,
      false,
    ],
    [
      'IO stopped by hand',
      [up, fresh, repl('No', { last_io_errno: 0 }, 'unhealthy', 'REPLICATION_STOPPED')],
      false,
      false,
    ],
    ['SQL thread stopped', [up, fresh, repl('Yes', { sql_running: 'No' }, 'unhealthy')], false, false],
    [
      'SQL error',
      [up, fresh, repl('Yes', { last_sql_errno: 1062, last_sql_error: 'Duplicate entry' }, 'unhealthy')],
      false,
      false,
    ],
    ['lag above threshold', [up, fresh, repl('Yes', {}, 'unhealthy', 'REPLICATION_LAG')], false, false],
    ['replica down', [r('mysql_connectivity', 'backup', 'unhealthy', undefined, 'ECONNREFUSED'), fresh], false, false],
    [
      'stale replica data',
      [
        up,
        r('data_freshness', 'backup', 'unhealthy', undefined, 'STALE_DATA'),
        repl('Connecting', { last_io_errno: 2003 }),
      ],
      false,
      false,
    ],
  ];
  it.each(cases)('%s', (_name, results, primaryReachable, fit) => {
    const a = assessBackup(results, primaryReachable);
    expect(a.fit).toBe(fit);
    expect(a.reasons.length === 0).toBe(fit);
  });
});

describe('chooseStrategy (escalation first, then the seed table)', () => {
  const esc = { backupAt: 3, manualAt: 5 };
  const cases: [FailureType, number, RecoveryStrategy][] = [
    ['connection_timeout', 1, 'retry_primary_with_backoff'],
    ['network_partition', 2, 'retry_primary_with_backoff'],
    ['authentication_failed', 1, 'rotate_credentials_and_retry'],
    ['schema_change_detected', 1, 'refresh_schema_and_retry'],
    ['data_corruption', 1, 'quarantine_and_restore'],
    ['data_corruption', 4, 'quarantine_and_restore'],
    ['mysql_server_down', 1, 'retry_primary_with_backoff'],
    ['mysql_server_down', 2, 'retry_primary_with_backoff'],
    ['mysql_server_down', 3, 'activate_backup_immediately'],
    ['resource_exhaustion', 1, 'scale_resources_and_retry'],
    ['unknown', 1, 'conservative_retry_then_backup'],
    ['connection_timeout', 3, 'activate_backup_immediately'],
    ['unknown', 4, 'activate_backup_immediately'],
    ['authentication_failed', 3, 'rotate_credentials_and_retry'],
    ['resource_exhaustion', 4, 'scale_resources_and_retry'],
    ['authentication_failed', 5, 'emergency_manual_intervention'],
    ['mysql_server_down', 5, 'emergency_manual_intervention'],
    ['connection_timeout', 7, 'emergency_manual_intervention'],
    ['data_corruption', 5, 'emergency_manual_intervention'],
  ];
  it.each(cases)('%s after %i failures -> %s', (type, n, expected) => {
    expect(chooseStrategy(type, n, esc).strategy).toBe(expected);
  });
});

describe('backoffWithJitter', () => {
  it('adds 0..min(60 s, delay/10) to each of 5, 15, 30 minutes', () => {
    expect(backoffWithJitter([5, 15, 30], 60, 0.1, () => 0)).toEqual([300_000, 900_000, 1_800_000]);
    // Upper ends: 5 min -> 30 s cap (delay/10); 15 and 30 min -> 60 s cap.
    expect(backoffWithJitter([5, 15, 30], 60, 0.1, () => 0.9999999)).toEqual([330_000, 960_000, 1_860_000]);
  });
});

describe('shouldAlert (noise control)', () => {
  const hour = 3_600_000;
  const cases: [string, { lastKey?: string; lastSentAtMs?: number }, string | undefined, number, boolean][] = [
    ['nothing to say', {}, undefined, 0, false],
    ['a new warning', {}, 'warning_alert:unknown', 0, true],
    [
      'the same warning 5 minutes later',
      { lastKey: 'warning_alert:unknown', lastSentAtMs: 0 },
      'warning_alert:unknown',
      300_000,
      false,
    ],
    [
      'the same warning after the reminder interval',
      { lastKey: 'warning_alert:unknown', lastSentAtMs: 0 },
      'warning_alert:unknown',
      4 * hour,
      true,
    ],
    [
      'a changed state',
      { lastKey: 'warning_alert:unknown', lastSentAtMs: 0 },
      'emergency_alert:mysql_server_down',
      60_000,
      true,
    ],
  ];
  it.each(cases)('%s', (_name, memory, key, now, expected) => {
    expect(shouldAlert(memory, key, now, 4 * hour)).toBe(expected);
  });
});

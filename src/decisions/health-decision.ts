// The decision matrix of the seed's health DAG, and what "healthy" means for each side.
// Pure functions: the monitoring workflow calls them, table-driven tests pin them.
import type { CheckName, CheckResult, Side } from '../checks/types.js';

export type HealthAction =
  | 'all_systems_healthy'
  | 'warning_alert'
  | 'trigger_backup_failover'
  | 'emergency_alert'
  | 'running_on_backup'
  | 'primary_ready_for_return';

/**
 * Seed: primary unhealthy with failures >= threshold -> failover if the backup is fit, else
 * emergency; below it, a warning. After a failover (beyond the seed) the backup is what feeds the
 * pipeline: an unfit backup is the emergency, and a healthy primary is ready for the return.
 */
export function decideHealthAction(i: {
  primaryHealthy: boolean;
  backupFit: boolean;
  consecutiveFailures: number;
  threshold: number;
  onBackup: boolean;
}): HealthAction {
  if (i.onBackup)
    return !i.backupFit ? 'emergency_alert' : i.primaryHealthy ? 'primary_ready_for_return' : 'running_on_backup';
  if (i.primaryHealthy) return 'all_systems_healthy';
  if (i.consecutiveFailures < i.threshold) return 'warning_alert';
  return i.backupFit ? 'trigger_backup_failover' : 'emergency_alert';
}

export const sideHealthy = (results: readonly CheckResult[], side: Side): boolean =>
  results.filter((r) => r.side === side).every((r) => r.status !== 'unhealthy');

const connectionStatus = (results: readonly CheckResult[], side: Side): unknown =>
  results.find((r) => r.side === side && r.check === 'airbyte_connection')?.details?.connection_status;

/** After a failover the primary connection is off and the backup one on: the pipeline runs on the backup. */
export const runningOnBackup = (results: readonly CheckResult[]): boolean =>
  connectionStatus(results, 'primary') === 'inactive' && connectionStatus(results, 'backup') === 'active';

/** Primary checks that say nothing of the primary while the backup feeds the pipeline. */
const idleOnBackup = new Set<CheckName>(['airbyte_connection', 's3_uploads']);

/** The primary's health: on the backup, its switched-off connection and idle production prefix do not count. */
export const primaryHealthy = (results: readonly CheckResult[], onBackup: boolean): boolean =>
  sideHealthy(
    results.filter((r) => !(onBackup && idleOnBackup.has(r.check))),
    'primary',
  );

/** MySQL client errors of a replica that lost its primary: expected while the primary is down. */
const primaryLostErrnos = new Set([2003, 2005, 2013]);

export interface BackupFitness {
  fit: boolean;
  reasons: string[];
}

/**
 * Whether the backup can take over. Never fail over to a replica that is not fit: it must answer,
 * apply what it received (SQL thread running, no SQL error) and be fresh (lag, or when the IO
 * thread is down the age of its newest data, within the thresholds). An IO thread that lost the
 * primary is expected when the primary is down, so it disqualifies only while the primary answers.
 */
export function assessBackup(results: readonly CheckResult[], primaryReachable: boolean): BackupFitness {
  const reasons: string[] = [];
  const backup = (check: CheckResult['check']): CheckResult | undefined =>
    results.find((r) => r.side === 'backup' && r.check === check);
  const connectivity = backup('mysql_connectivity');
  if (connectivity?.status !== 'healthy')
    reasons.push(`the replica does not answer${connectivity?.error ? ` (${connectivity.error.code})` : ''}`);
  const repl = backup('backup_replication');
  const d = repl?.details ?? {};
  if (!repl || d.sql_running === undefined) {
    reasons.push('replication status unknown');
  } else {
    if (d.sql_running !== 'Yes') reasons.push('the replica SQL thread is not running');
    if (Number(d.last_sql_errno ?? 0) !== 0)
      reasons.push(`replication SQL error ${String(d.last_sql_errno)}: ${String(d.last_sql_error ?? '')}`);
    const ioLostPrimary = d.io_running !== 'Yes' && primaryLostErrnos.has(Number(d.last_io_errno));
    if (d.io_running !== 'Yes' && (primaryReachable || !ioLostPrimary)) {
      reasons.push(
        `the replica IO thread is ${String(d.io_running)}${d.last_io_error ? `: ${String(d.last_io_error)}` : ''}`,
      );
    }
    if (repl.error?.code === 'REPLICATION_LAG') reasons.push(repl.error.message);
  }
  const freshness = backup('data_freshness');
  if (freshness?.status === 'unhealthy')
    reasons.push(`the replica's data is stale (${freshness.error?.message ?? 'unknown age'})`);
  return { fit: reasons.length === 0, reasons };
}

// The decision matrix of the seed's health DAG, and what "healthy" means for each side.
// Pure functions: the monitoring workflow calls them, table-driven tests pin them.
import type { CheckResult, Side } from '../checks/types.js';

export type HealthAction = 'all_systems_healthy' | 'warning_alert' | 'trigger_backup_failover' | 'emergency_alert';

/** Seed: primary unhealthy with failures >= threshold -> failover if the backup is fit, else emergency; below it, a warning. */
export function decideHealthAction(i: {
  primaryHealthy: boolean;
  backupFit: boolean;
  consecutiveFailures: number;
  threshold: number;
}): HealthAction {
  if (i.primaryHealthy) return 'all_systems_healthy';
  if (i.consecutiveFailures < i.threshold) return 'warning_alert';
  return i.backupFit ? 'trigger_backup_failover' : 'emergency_alert';
}

export const sideHealthy = (results: readonly CheckResult[], side: Side): boolean =>
  results.filter((r) => r.side === side).every((r) => r.status !== 'unhealthy');

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

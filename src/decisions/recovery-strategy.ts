// The seed's recovery strategy table and escalation, as plain functions.
import type { FailureType } from './failure-classification.js';

export const recoveryStrategies = [
  'retry_primary_with_backoff',
  'rotate_credentials_and_retry',
  'refresh_schema_and_retry',
  'activate_backup_immediately',
  'quarantine_and_restore',
  'scale_resources_and_retry',
  'conservative_retry_then_backup',
  'emergency_manual_intervention',
] as const;
export type RecoveryStrategy = (typeof recoveryStrategies)[number];

/** Seed: analyze_failure_context's strategies. */
export const strategyByFailure: Record<FailureType, RecoveryStrategy> = {
  connection_timeout: 'retry_primary_with_backoff',
  authentication_failed: 'rotate_credentials_and_retry',
  schema_change_detected: 'refresh_schema_and_retry',
  data_corruption: 'quarantine_and_restore',
  mysql_server_down: 'activate_backup_immediately',
  network_partition: 'retry_primary_with_backoff',
  resource_exhaustion: 'scale_resources_and_retry',
  unknown: 'conservative_retry_then_backup',
};

/** A server that answers (wrong password, saturated, changed schema) is never failed over. */
const serverAlive: ReadonlySet<FailureType> = new Set([
  'authentication_failed',
  'resource_exhaustion',
  'schema_change_detected',
]);

export interface Escalation {
  backupAt: number;
  manualAt: number;
}

/**
 * Escalation first, as the seed: >= manualAt consecutive failures -> a human; >= backupAt -> the
 * backup, except for a server that answers, whose own remedy keeps running until a human is needed.
 */
export function chooseStrategy(
  failureType: FailureType,
  consecutiveFailures: number,
  escalation: Escalation,
): { strategy: RecoveryStrategy; reason: string } {
  if (consecutiveFailures >= escalation.manualAt) {
    return {
      strategy: 'emergency_manual_intervention',
      reason: `${consecutiveFailures} consecutive failures (>= ${escalation.manualAt})`,
    };
  }
  // Corrupt data is quarantined before the backup takes over (its remedy ends in the failover):
  // a plain failover would leave the corrupt data in production.
  if (
    consecutiveFailures >= escalation.backupAt &&
    !serverAlive.has(failureType) &&
    failureType !== 'data_corruption'
  ) {
    return {
      strategy: 'activate_backup_immediately',
      reason: `${consecutiveFailures} consecutive failures (>= ${escalation.backupAt})`,
    };
  }
  // One rule for both seed DAGs: no failover on a dead server before the threshold. Below it the
  // primary is retried on the backoff timers, which the next observations interrupt at the threshold.
  if (failureType === 'mysql_server_down') {
    return {
      strategy: 'retry_primary_with_backoff',
      reason: `${failureType} below the failover threshold (${escalation.backupAt})`,
    };
  }
  return { strategy: strategyByFailure[failureType], reason: `strategy for ${failureType}` };
}

/** Seed: each backoff delay plus a jitter of 0..min(60 s, delay/10), so systems do not retry in step. */
export function backoffWithJitter(
  delaysMinutes: readonly number[],
  jitterMaxSeconds: number,
  jitterMaxFraction: number,
  random: () => number,
): number[] {
  return delaysMinutes.map((m) => {
    const delayMs = m * 60_000;
    const jitterCapMs = Math.min(jitterMaxSeconds * 1000, delayMs * jitterMaxFraction);
    return delayMs + Math.floor(random() * (jitterCapMs + 1));
  });
}

/** Seed level 1 retry policy: the wait before retry n (1-based) is initial x multiplier^(n-1), capped. */
export function syncRetryDelayMs(retry: number, initialMs: number, maxMs: number, multiplier: number): number {
  return Math.min(maxMs, initialMs * multiplier ** (retry - 1));
}

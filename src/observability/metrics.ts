// The project's own metrics, exported by the Temporal runtime's Prometheus endpoint beside the
// SDK's (temporal_*). Recorded on a Temporal MetricMeter: an activity's (Context.metricMeter) or a
// workflow's (`metricMeter` of @temporalio/workflow, which skips replays, so a replayed run never
// counts twice). Types only: workflow code imports this module too.
import type { MetricMeter } from '@temporalio/common';
import type { CheckResult, CheckStatus } from '../checks/types.js';
import type { NotificationOutcome } from '../integrations/notify/index.js';

/** Every series the project exports; each carries a `system` label. */
export const metricNames = {
  checkStatus: 'acode_check_status',
  consecutiveFailures: 'acode_consecutive_failures',
  replicationLag: 'acode_replication_lag_seconds',
  dataFreshnessAge: 'acode_data_freshness_age_seconds',
  s3FreshnessAge: 'acode_s3_freshness_age_seconds',
  recoveriesStarted: 'acode_recoveries_started_total',
  recoveriesFinished: 'acode_recoveries_finished_total',
  notifications: 'acode_notifications_total',
} as const;

/** acode_check_status values: higher is worse, so max() and alert rules read naturally. */
export const checkStatusValue: Record<CheckStatus, number> = { healthy: 0, warning: 1, unhealthy: 2 };

const hoursToSeconds = 3600;
/** The checks whose measured value is an age or a lag worth its own series, with the factor to seconds. */
const measuredAges: Partial<Record<CheckResult['check'], { name: string; help: string; toSeconds: number }>> = {
  backup_replication: { name: metricNames.replicationLag, help: "The replica's replication lag", toSeconds: 1 },
  data_freshness: {
    name: metricNames.dataFreshnessAge,
    help: 'Age of the newest row of the source tables (the worst table)',
    toSeconds: hoursToSeconds,
  },
  s3_uploads: {
    name: metricNames.s3FreshnessAge,
    help: 'Age of the newest object under the S3 prefix',
    toSeconds: hoursToSeconds,
  },
};

/** Status of every check of a round; lag and freshness ages when they could be measured. */
export function recordCheckResults(meter: MetricMeter, system: string, results: readonly CheckResult[]): void {
  const status = meter.createGauge(
    metricNames.checkStatus,
    'int',
    '',
    'Last status of a health check: 0 healthy, 1 warning, 2 unhealthy',
  );
  for (const r of results) {
    status.set(checkStatusValue[r.status], { system, check: r.check, side: r.side });
    const age = measuredAges[r.check];
    if (age && r.value !== null) {
      meter
        .createGauge(age.name, 'float', 's', `${age.help}, in seconds, as last measured`)
        .set(r.value * age.toSeconds, { system, side: r.side });
    }
  }
}

export function recordConsecutiveFailures(meter: MetricMeter, system: string, failures: number): void {
  meter
    .createGauge(metricNames.consecutiveFailures, 'int', '', 'Consecutive failed health checks of the primary')
    .set(failures, { system });
}

export function recordRecoveryStarted(meter: MetricMeter, system: string, failureType: string): void {
  meter
    .createCounter(metricNames.recoveriesStarted, '', 'Auto-recovery runs that started work on a failure')
    .add(1, { system, failure_type: failureType });
}

export function recordRecoveryFinished(meter: MetricMeter, system: string, outcome: string, strategy: string): void {
  meter
    .createCounter(metricNames.recoveriesFinished, '', 'Auto-recovery runs that reached an outcome')
    .add(1, { system, outcome, strategy });
}

/** One count per channel: outcome sent or failed (after the channel's own retries). */
export function recordNotifications(
  meter: MetricMeter,
  system: string,
  outcomes: readonly NotificationOutcome[],
): void {
  const counter = meter.createCounter(metricNames.notifications, '', 'Notifications by channel and outcome');
  for (const o of outcomes) counter.add(1, { system, channel: o.channel, outcome: o.ok ? 'sent' : 'failed' });
}

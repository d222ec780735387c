// Health monitoring (seed: "Health Check Ativo", every 5 minutes), one run per schedule tick.
// A healthy run costs one activity. The consecutive-failure count travels from run to run in
// the schedule's lastResult. Fast confirmation (beyond the seed): when the primary fails below
// the threshold, the run re-checks a few times, seconds apart, each failure counting, so a real
// outage reaches the threshold in about a minute while a blip clears itself.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { MonitoringSettings } from '../activities/settings.js';
import type { CheckResult } from '../checks/types.js';
import { shouldAlert, type AlertMemory } from '../decisions/alert-noise.js';
import { classifyFailure, type Classification } from '../decisions/failure-classification.js';
import {
  assessBackup,
  decideHealthAction,
  sideHealthy,
  type BackupFitness,
  type HealthAction,
} from '../decisions/health-decision.js';
import type { FailureContext } from './definitions.js';
import { temporalRunUrl } from './ui-link.js';

const { runChecks } = proxyActivities<Activities>({
  // Each check is bounded by its own timeout; this bounds the whole concurrent round.
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 2 },
});
const { signalRecovery, sendNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});

export interface HealthMonitoringInput {
  systemId: string;
  settings: MonitoringSettings;
}

export interface HealthRunResult {
  systemId: string;
  action: HealthAction;
  consecutiveFailures: number;
  failure: Classification | null;
  backup: BackupFitness;
  unhealthy: { check: string; side: string; code?: string }[];
  rechecks: number;
  alert: AlertMemory;
  recovery?: { workflowId: string; runId: string };
}

export const unhealthyOf = (results: readonly CheckResult[]): FailureContext['unhealthy'] =>
  results
    .filter((r) => r.status === 'unhealthy')
    .map(({ check, side, error }) => ({ check, side, ...(error ? { error } : {}) }));

export async function healthMonitoring({ systemId, settings }: HealthMonitoringInput): Promise<HealthRunResult> {
  const previous = workflowInfo().lastResult as HealthRunResult | undefined;
  const threshold = settings.consecutiveFailuresThreshold;
  const confirm = settings.fastConfirmation;

  let results = await runChecks(systemId);
  let primaryHealthy = sideHealthy(results, 'primary');
  let failures = primaryHealthy ? 0 : (previous?.consecutiveFailures ?? 0) + 1;
  let rechecks = 0;
  while (!primaryHealthy && confirm.enabled && failures < threshold && rechecks < confirm.rechecks) {
    await sleep(confirm.intervalMs);
    rechecks += 1;
    results = await runChecks(systemId);
    primaryHealthy = sideHealthy(results, 'primary');
    failures = primaryHealthy ? 0 : failures + 1;
  }

  const failure = classifyFailure(results);
  const primaryReachable = results.some(
    (r) => r.side === 'primary' && r.check === 'mysql_connectivity' && r.status === 'healthy',
  );
  const backup = assessBackup(results, primaryReachable);
  const action = decideHealthAction({
    primaryHealthy,
    backupFit: backup.fit,
    consecutiveFailures: failures,
    threshold,
  });
  const unhealthy = unhealthyOf(results);

  let recovery: HealthRunResult['recovery'];
  if (failure) {
    recovery = await signalRecovery(systemId, {
      failureType: failure.failureType,
      reason: failure.reason,
      consecutiveFailures: failures,
      unhealthy,
      backupFit: backup.fit,
      observedAt: new Date().toISOString(),
    });
  }

  // The recovery workflow speaks for failovers; the monitor warns below the threshold and raises
  // the emergency when there is nothing to fail over to. Each only on a change, or as a reminder.
  const alertKey =
    action === 'warning_alert' || action === 'emergency_alert'
      ? `${action}:${failure?.failureType ?? 'unknown'}`
      : undefined;
  let alert: AlertMemory = action === 'all_systems_healthy' ? {} : (previous?.alert ?? {});
  const now = Date.now();
  if (shouldAlert(alert, alertKey, now, settings.reminderIntervalMs)) {
    const info = workflowInfo();
    const emergency = action === 'emergency_alert';
    await sendNotification(systemId, {
      notice: {
        severity: emergency ? 'critical' : 'warning',
        title: emergency ? 'EMERGENCY: primary and backup both unhealthy' : 'Primary showing issues',
        whatHappened: `${failure?.reason ?? 'primary checks failing'} (${failures} consecutive failed check${failures === 1 ? '' : 's'}). Unhealthy: ${unhealthy.map((u) => `${u.side}/${u.check}${u.error ? ` ${u.error.code}` : ''}`).join(', ')}.`,
        whatIsBeingDone: emergency
          ? `The backup is not fit to take over: ${backup.reasons.join('; ')}. Auto-recovery is running.`
          : `Auto-recovery started for ${failure?.failureType ?? 'unknown'}; failover at ${threshold} consecutive failures if needed.`,
        nextSteps: emergency
          ? ['Escalate to the on-call engineer', 'Check the primary and the replica']
          : ['Watch the recovery run in the Temporal UI'],
        temporalUrl: temporalRunUrl(
          settings.temporalUiUrl,
          info.namespace,
          recovery?.workflowId ?? info.workflowId,
          recovery?.runId ?? info.runId,
        ),
      },
      ...(emergency
        ? { withContacts: true, page: { incidentId: recovery?.runId ?? info.runId, action: 'trigger' as const } }
        : {}),
    });
    alert = { lastKey: alertKey, lastSentAtMs: now };
  }

  return {
    systemId,
    action,
    consecutiveFailures: failures,
    failure,
    backup,
    unhealthy: unhealthy.map((u) => ({ check: u.check, side: u.side, ...(u.error ? { code: u.error.code } : {}) })),
    rechecks,
    alert,
    ...(recovery ? { recovery } : {}),
  };
}

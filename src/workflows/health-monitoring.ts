// Health monitoring (seed: "Health Check Ativo", every 5 minutes), one run per schedule tick.
// A healthy run costs one activity. The consecutive-failure count travels from run to run in
// the schedule's lastResult. Fast confirmation (beyond the seed): when the primary fails below
// the threshold, the run re-checks a few times, seconds apart, each failure counting, so a real
// outage reaches the threshold in about a minute while a blip clears itself.
import { metricMeter, sleep, workflowInfo } from '@temporalio/workflow';
import type { MonitoringSettings } from '../activities/settings.js';
import type { CheckResult } from '../checks/types.js';
import { shouldAlert, type AlertMemory } from '../decisions/alert-noise.js';
import { classifyFailure, type Classification } from '../decisions/failure-classification.js';
import {
  assessBackup,
  decideHealthAction,
  primaryHealthy,
  runningOnBackup,
  type BackupFitness,
  type HealthAction,
} from '../decisions/health-decision.js';
import { recordConsecutiveFailures } from '../observability/metrics.js';
import type { FailureContext } from './definitions.js';
import { temporalRunUrl } from './ui-link.js';
import { checks, messages } from './activity-calls.js';

const { runChecks } = checks;
const { signalRecovery, sendNotification } = messages;

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
  // Already failed over: nothing to confirm, the failures only say the primary is not back yet.
  const onBackup = runningOnBackup(results);
  let healthy = primaryHealthy(results, onBackup);
  let failures = healthy ? 0 : (previous?.consecutiveFailures ?? 0) + 1;
  let rechecks = 0;
  while (!healthy && !onBackup && confirm.enabled && failures < threshold && rechecks < confirm.rechecks) {
    await sleep(confirm.intervalMs);
    rechecks += 1;
    results = await runChecks(systemId);
    healthy = primaryHealthy(results, onBackup);
    failures = healthy ? 0 : failures + 1;
  }

  recordConsecutiveFailures(metricMeter, systemId, failures);
  const failure = classifyFailure(results);
  const primaryReachable = results.some(
    (r) => r.side === 'primary' && r.check === 'mysql_connectivity' && r.status === 'healthy',
  );
  const backup = assessBackup(results, primaryReachable);
  const action = decideHealthAction({
    primaryHealthy: healthy,
    backupFit: backup.fit,
    consecutiveFailures: failures,
    threshold,
    onBackup,
  });
  const unhealthy = unhealthyOf(results);

  let recovery: HealthRunResult['recovery'];
  // On the backup, the recovery already did its part; only a failing backup needs it again.
  if (failure && (!onBackup || action === 'emergency_alert')) {
    recovery = await signalRecovery(systemId, {
      failureType: failure.failureType,
      reason: failure.reason,
      consecutiveFailures: failures,
      unhealthy,
      backupFit: backup.fit,
      observedAt: new Date().toISOString(),
    });
  }

  // The recovery workflow speaks for failovers; the monitor speaks for the other states, each
  // only on a change, or as a reminder.
  const notice = monitorNotice(action);
  const alertKey = notice ? `${action}:${failure?.failureType ?? 'unknown'}` : undefined;
  let alert: AlertMemory = action === 'all_systems_healthy' ? {} : (previous?.alert ?? {});
  const now = Date.now();
  if (notice && shouldAlert(alert, alertKey, now, settings.reminderIntervalMs)) {
    const info = workflowInfo();
    const unhealthyList = unhealthy.map((u) => `${u.side}/${u.check}${u.error ? ` ${u.error.code}` : ''}`).join(', ');
    await sendNotification(systemId, {
      notice: {
        severity: notice.severity,
        title: notice.title,
        whatHappened: onBackup
          ? `The pipeline runs on the backup connection since a failover.${unhealthyList ? ` Unhealthy: ${unhealthyList}.` : ' Every primary check passes.'}`
          : `${failure?.reason ?? 'primary checks failing'} (${failures} consecutive failed check${failures === 1 ? '' : 's'}). Unhealthy: ${unhealthyList}.`,
        whatIsBeingDone:
          action === 'emergency_alert'
            ? `The backup is not fit${onBackup ? ' to keep feeding the pipeline' : ' to take over'}: ${backup.reasons.join('; ')}. Auto-recovery is running.`
            : action === 'warning_alert'
              ? `Auto-recovery started for ${failure?.failureType ?? 'unknown'}; failover at ${threshold} consecutive failures if needed.`
              : 'The monitor watches the backup. The return to the primary is an operator decision.',
        nextSteps: notice.nextSteps(systemId),
        temporalUrl: temporalRunUrl(
          settings.temporalUiUrl,
          info.namespace,
          recovery?.workflowId ?? info.workflowId,
          recovery?.runId ?? info.runId,
        ),
      },
      ...(action === 'emergency_alert'
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

/** What the monitor itself tells people, by action (a failover is told by the recovery workflow). */
function monitorNotice(
  action: HealthAction,
): { severity: 'info' | 'warning' | 'critical'; title: string; nextSteps: (systemId: string) => string[] } | undefined {
  switch (action) {
    case 'warning_alert':
      return {
        severity: 'warning',
        title: 'Primary showing issues',
        nextSteps: () => ['Watch the recovery run in the Temporal UI'],
      };
    case 'emergency_alert':
      return {
        severity: 'critical',
        title: 'EMERGENCY: primary and backup both unhealthy',
        nextSteps: () => ['Escalate to the on-call engineer', 'Check the primary and the replica'],
      };
    case 'running_on_backup':
      return {
        severity: 'warning',
        title: 'Running on the backup',
        nextSteps: (id) => ['Repair the primary', `Then return to it: acode-guardian failback ${id}`],
      };
    case 'primary_ready_for_return':
      return {
        severity: 'info',
        title: 'Primary healthy again: ready for the return',
        nextSteps: (id) => [`Return to the primary: acode-guardian failback ${id}`],
      };
    case 'all_systems_healthy':
    case 'trigger_backup_failover':
      return undefined;
  }
}

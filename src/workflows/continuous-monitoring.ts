// Continuous monitoring (seed: acode_continuous_monitoring, every 10 minutes): the comprehensive
// check round including S3 freshness, the seed's overall status, alerts (warning -> Slack; error
// or degraded -> Slack and PagerDuty), auto-recovery when the primary is down, the storage
// policy check (drift -> a Slack warning), and an audit record of every result. Alerts go out on a
// change of status, then as reminders.
import { workflowInfo } from '@temporalio/workflow';
import type { MonitoringSettings } from '../activities/settings.js';
import { shouldAlert, type AlertMemory } from '../decisions/alert-noise.js';
import { classifyFailure } from '../decisions/failure-classification.js';
import { describeDrift } from '../decisions/storage-drift.js';
import { assessBackup, sideHealthy } from '../decisions/health-decision.js';
import { overallStatus, type Group, type GroupStatus, type OverallStatus } from '../decisions/overall-status.js';
import { unhealthyOf } from './health-monitoring.js';
import { thisRunUrl } from './this-run.js';
import { checks, messages } from './activity-calls.js';

const { runChecks, verifyStoragePolicies } = checks;
const { signalRecovery, sendNotification, writeAuditRecord } = messages;

export interface ContinuousMonitoringInput {
  systemId: string;
  settings: MonitoringSettings;
}

export interface ContinuousRunResult {
  overall: OverallStatus;
  groups: Record<Group, GroupStatus>;
  alert: AlertMemory;
  auditRecord: string;
  recoverySignalled: boolean;
  /** Drifts from the storage policies (bucket + setting), or why they could not be read. */
  storage: { drifts: string[]; error?: string };
  storageAlert: AlertMemory;
}

/** The storage policy check; a failure to read S3 is reported, never fails the monitoring run. */
async function checkStorage(systemId: string): Promise<{ drifts: string[]; details: string[]; error?: string }> {
  try {
    const { drifts } = await verifyStoragePolicies(systemId);
    return { drifts: drifts.map((d) => `${d.bucket} ${d.setting}`), details: drifts.map(describeDrift) };
  } catch (err) {
    // An activity failure's own message is generic; its cause says what went wrong.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    return { drifts: [], details: [], error: cause instanceof Error ? cause.message : String(cause) };
  }
}

export async function continuousMonitoring({
  systemId,
  settings,
}: ContinuousMonitoringInput): Promise<ContinuousRunResult> {
  const previous = workflowInfo().lastResult as ContinuousRunResult | undefined;
  const [results, storage] = await Promise.all([runChecks(systemId), checkStorage(systemId)]);
  const { overall, groups } = overallStatus(results);
  const failure = classifyFailure(results);
  const primaryDown = !sideHealthy(results, 'primary') && failure !== null;

  let recoverySignalled = false;
  if (primaryDown) {
    const primaryReachable = results.some(
      (r) => r.side === 'primary' && r.check === 'mysql_connectivity' && r.status === 'healthy',
    );
    await signalRecovery(systemId, {
      failureType: failure.failureType,
      reason: failure.reason,
      // This round is one observation; the health monitor keeps the consecutive count.
      consecutiveFailures: 1,
      unhealthy: unhealthyOf(results),
      backupFit: assessBackup(results, primaryReachable).fit,
      observedAt: new Date().toISOString(),
    });
    recoverySignalled = true;
  }

  const critical = overall === 'error' || overall === 'degraded';
  let alert: AlertMemory = overall === 'healthy' ? {} : (previous?.alert ?? {});
  const key =
    overall === 'healthy'
      ? undefined
      : `${overall}:${Object.entries(groups)
          .filter(([, s]) => s !== 'healthy')
          .map(([g, s]) => `${g}=${s}`)
          .join(',')}`;
  const now = Date.now();
  if (shouldAlert(alert, key, now, settings.reminderIntervalMs)) {
    const problems = results.filter((r) => r.status !== 'healthy');
    await sendNotification(systemId, {
      notice: {
        severity: critical ? 'critical' : 'warning',
        title: `Continuous monitoring: ${overall}`,
        whatHappened: problems
          .map((r) => `${r.side}/${r.check} ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`)
          .join('; '),
        whatIsBeingDone: primaryDown
          ? 'Auto-recovery was signalled for the primary.'
          : 'Watching; no automatic action for this status.',
        nextSteps: critical
          ? ['Check the failing components', 'Follow the recovery run']
          : ['Keep an eye on the warning'],
        temporalUrl: thisRunUrl(settings.temporalUiUrl),
      },
      ...(critical ? { page: { incidentId: `continuous-${systemId}-${key ?? ''}`, action: 'trigger' as const } } : {}),
    });
    alert = { lastKey: key, lastSentAtMs: now };
  }
  // Back to healthy after a critical status: close that PagerDuty incident.
  const last = previous?.alert.lastKey;
  if (overall === 'healthy' && last && (last.startsWith('error') || last.startsWith('degraded'))) {
    await sendNotification(systemId, {
      notice: {
        severity: 'info',
        title: 'Continuous monitoring: healthy again',
        whatHappened: `Every check is healthy again (was ${last}).`,
        whatIsBeingDone: 'Resolving the incident.',
        nextSteps: [],
        temporalUrl: thisRunUrl(settings.temporalUiUrl),
      },
      page: { incidentId: `continuous-${systemId}-${last}`, action: 'resolve' },
    });
  }
  // Drift is a warning: the data is safe, but a bucket no longer has the settings it should.
  let storageAlert: AlertMemory = storage.drifts.length ? (previous?.storageAlert ?? {}) : {};
  const storageKey = storage.drifts.length ? `storage_drift:${[...storage.drifts].sort().join(',')}` : undefined;
  if (shouldAlert(storageAlert, storageKey, now, settings.reminderIntervalMs)) {
    await sendNotification(systemId, {
      notice: {
        severity: 'warning',
        title: `Storage policy drift: ${storage.drifts.length} setting(s)`,
        whatHappened: storage.details.join('; '),
        whatIsBeingDone: 'Nothing automatically: a changed bucket setting may be deliberate.',
        nextSteps: [
          `Review the change, then run \`acode-guardian storage apply ${systemId}\` to restore the policy`,
          'Or update s3.policies in the config if the change is meant to stay',
        ],
        temporalUrl: thisRunUrl(settings.temporalUiUrl),
      },
    });
    storageAlert = { lastKey: storageKey, lastSentAtMs: now };
  }
  const storageSummary = { drifts: storage.drifts, ...(storage.error ? { error: storage.error } : {}) };
  const auditRecord = await writeAuditRecord(systemId, {
    kind: 'continuous-monitoring',
    at: new Date().toISOString(),
    overall,
    groups,
    failure,
    storage: storageSummary,
    checks: results.map(({ check, side, status, value, unit, error, durationMs }) => ({
      check,
      side,
      status,
      value,
      unit,
      ...(error ? { error } : {}),
      durationMs,
    })),
  });
  return {
    overall,
    groups,
    alert,
    auditRecord,
    recoverySignalled,
    storage: storageSummary,
    storageAlert,
  };
}

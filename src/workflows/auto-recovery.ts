// Auto-recovery (seed: acode_auto_recovery), one run per system under a stable id, started or
// signalled by the monitor. It picks a strategy by failure type (escalation first), retries the
// primary on durable 5/15/30-minute timers with jitter, rotates credentials, fails over to the
// backup through the failover child workflow, or pages a human and waits for approval. After it
// ends it stays in a cool-down during which no automatic recovery starts again (anti-flapping),
// unless a human acknowledges. Queries and search attributes show where it stands.
import {
  condition,
  executeChild,
  metricMeter,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RecoverySettings } from '../activities/settings.js';
import type { CheckRequest } from '../activities/checks.js';
import { assessBackup, sideHealthy } from '../decisions/health-decision.js';
import { backoffWithJitter, chooseStrategy, type RecoveryStrategy } from '../decisions/recovery-strategy.js';
import { recordRecoveryFinished, recordRecoveryStarted } from '../observability/metrics.js';
import { backupFailover } from './backup-failover.js';
import { dataCorruptionRecovery, type DataCorruptionOutcome } from './data-corruption-recovery.js';
import { emergencyProcedure } from './emergency-procedure.js';
import {
  acknowledgeSignal,
  approveSignal,
  cancelSignal,
  failureObservedSignal,
  rejectSignal,
  searchAttributeKeys,
  statusQuery,
  type FailureContext,
  type HumanDecision,
  type RecoveryPhase,
  type RecoveryStatus,
} from './definitions.js';
import { syncToEnd } from './sync-job.js';
import { thisRunUrl, timestampedAppender } from './this-run.js';
import { api } from './activity-calls.js';

/** Rotation is idempotent per rotation id, so its retries converge. */
const rotation = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } });

export interface AutoRecoveryInput {
  systemId: string;
  settings: RecoverySettings;
}

export type RecoveryOutcome =
  'recovered' | 'failed_over' | 'emergency_completed' | 'emergency_failed' | 'rejected' | 'cancelled' | 'unresolved';

export interface AutoRecoveryResult {
  outcome: RecoveryOutcome;
  strategy?: RecoveryStrategy;
  story: string[];
}

const primaryChecks: CheckRequest[] = [
  { check: 'mysql_connectivity', side: 'primary' },
  { check: 'data_freshness', side: 'primary' },
  { check: 'resource_utilization', side: 'primary' },
  { check: 'schema', side: 'primary' },
];
const backupChecks: CheckRequest[] = [
  { check: 'mysql_connectivity', side: 'backup' },
  { check: 'data_freshness', side: 'backup' },
  { check: 'backup_replication', side: 'backup' },
];

/** Ends a strategy early: a human or a worse observation asks for another path. */
class Interrupted extends Error {}

export async function autoRecovery({ systemId, settings }: AutoRecoveryInput): Promise<AutoRecoveryResult> {
  const info = workflowInfo();
  const runUrl = thisRunUrl(settings.temporalUiUrl);
  const status: RecoveryStatus = { systemId, phase: 'analyzing', attempts: 0, story: [] };
  const story = timestampedAppender(status.story);
  let failure: FailureContext | undefined;
  let decision: ({ kind: 'approve' | 'reject' } & HumanDecision) | undefined;
  let cancelled: HumanDecision | undefined;
  let acknowledged: HumanDecision | undefined;
  let strategy: RecoveryStrategy | undefined;

  const setPhase = (phase: RecoveryPhase): void => {
    status.phase = phase;
    upsertSearchAttributes([{ key: searchAttributeKeys.phase, value: phase }]);
  };

  setHandler(statusQuery, () => status);
  setHandler(failureObservedSignal, (f) => {
    if (status.phase === 'cooldown') {
      story(
        `failure observed during the anti-flapping block (${f.failureType}, ${f.consecutiveFailures} consecutive): no automatic recovery until ${status.blockedUntil}`,
      );
    } else if (failure?.failureType !== f.failureType || failure.consecutiveFailures !== f.consecutiveFailures) {
      story(`failure observed: ${f.failureType} (${f.consecutiveFailures} consecutive): ${f.reason}`);
    }
    failure = f;
    status.failure = f;
    upsertSearchAttributes([{ key: searchAttributeKeys.failureType, value: f.failureType }]);
  });
  setHandler(approveSignal, (d) => void (decision ??= { kind: 'approve', ...d }));
  setHandler(rejectSignal, (d) => void (decision ??= { kind: 'reject', ...d }));
  setHandler(cancelSignal, (d) => void (cancelled ??= d));
  setHandler(acknowledgeSignal, (d) => void (acknowledged ??= d));

  /** The strategy the latest observation calls for. */
  const wanted = (): RecoveryStrategy =>
    chooseStrategy(failure?.failureType ?? 'unknown', failure?.consecutiveFailures ?? 0, settings.escalation).strategy;

  /** Waits on a durable timer, ending early on cancel or when the observations escalate the strategy. */
  async function waitOrInterrupt(ms: number): Promise<void> {
    status.nextTimerAt = new Date(Date.now() + ms).toISOString();
    const current = strategy;
    const interrupted = await condition(() => cancelled !== undefined || wanted() !== current, ms);
    status.nextTimerAt = undefined;
    if (interrupted) throw new Interrupted();
  }

  async function primaryHealthy(): Promise<boolean> {
    setPhase('checking_primary');
    const results = await api.runChecks(systemId, primaryChecks);
    const ok = sideHealthy(results, 'primary');
    story(
      `primary check: ${
        ok
          ? 'healthy'
          : results
              .filter((r) => r.status === 'unhealthy')
              .map((r) => `${r.check} ${r.error?.code ?? ''}`)
              .join(', ')
      }`,
    );
    return ok;
  }

  async function syncPrimary(): Promise<RecoveryOutcome> {
    setPhase('syncing_primary');
    const sync = await api.getFailoverSettings(systemId);
    const job = await syncToEnd(systemId, 'primary', sync, story, 'after recovery');
    return job.status === 'succeeded' ? 'recovered' : 'unresolved';
  }

  /** Seed retry_primary_with_backoff: 5, 15, 30 minutes plus jitter, checking the primary after each. */
  async function retryWithBackoff(): Promise<RecoveryOutcome | 'exhausted'> {
    const delays = backoffWithJitter(
      settings.backoffMinutes,
      settings.jitterMaxSeconds,
      settings.jitterMaxFraction,
      Math.random,
    );
    for (const [i, delay] of delays.entries()) {
      status.attempts += 1;
      setPhase('backing_off');
      story(`retry ${i + 1}/${delays.length} in ${Math.round(delay / 1000)} s`);
      await waitOrInterrupt(delay);
      if (await primaryHealthy()) return syncPrimary();
    }
    story('all retries failed: escalating to the backup');
    return 'exhausted';
  }

  async function failover(): Promise<RecoveryOutcome | 'unfit'> {
    setPhase('failing_over');
    const results = await api.runChecks(systemId, [...primaryChecks.slice(0, 1), ...backupChecks]);
    const primaryUp = results.some(
      (r) => r.side === 'primary' && r.check === 'mysql_connectivity' && r.status === 'healthy',
    );
    const fitness = assessBackup(results, primaryUp);
    if (!fitness.fit) {
      story(`backup not fit to take over: ${fitness.reasons.join('; ')}`);
      return 'unfit';
    }
    const result = await executeChild(backupFailover, {
      workflowId: `${info.workflowId}-failover-${status.attempts}`,
      args: [{ systemId, reason: failure?.reason ?? 'auto-recovery' }],
      typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
    });
    for (const s of result.steps) story(`failover: ${s.replace(/^\S+ /, '')}`);
    return result.status === 'succeeded' ? 'failed_over' : 'unfit';
  }

  /** Quarantine the corrupt production data, then restore from the backup if it is clean (a child workflow). */
  async function recoverData(): Promise<RecoveryOutcome> {
    setPhase('recovering_data');
    let result;
    try {
      result = await executeChild(dataCorruptionRecovery, {
        workflowId: `${info.workflowId}-data-${status.attempts}`,
        args: [{ systemId, reason: failure?.reason ?? 'data corruption', by: 'auto-recovery' }],
        typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
      });
    } catch (err) {
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      story(`data-corruption recovery failed: ${reason}`);
      return 'unresolved';
    }
    for (const s of result.story) story(`data recovery: ${s.replace(/^\S+ /, '')}`);
    const outcomes: Record<DataCorruptionOutcome, RecoveryOutcome> = {
      restored: 'failed_over',
      quarantined: 'unresolved',
      // The child already raised the critical alert: downstream must stop, a human takes over.
      backup_not_clean: 'unresolved',
      restore_failed: 'unresolved',
    };
    return outcomes[result.outcome];
  }

  /** Page a human and wait for approve / reject, re-paging at each timeout up to the limit. */
  async function manualIntervention(why: string): Promise<RecoveryOutcome> {
    setPhase('awaiting_approval');
    const started = Date.now();
    for (let page = 1; ; page++) {
      await api.sendNotification(systemId, {
        notice: {
          severity: 'critical',
          title: page === 1 ? 'Manual intervention required' : `Manual intervention still required (page ${page})`,
          whatHappened: why,
          whatIsBeingDone: 'Auto-recovery is waiting for a human decision: approve the emergency procedure, or reject.',
          nextSteps: [
            `Approve: temporal workflow signal -w ${info.workflowId} --name approve -i '{"by":"you","reason":"..."}'`,
            `Reject: temporal workflow signal -w ${info.workflowId} --name reject -i '{"by":"you","reason":"..."}'`,
          ],
          temporalUrl: runUrl,
        },
        withContacts: true,
        page: { incidentId: info.runId, action: 'trigger' },
      });
      story(`paged for approval (${page})`);
      const left = settings.approvalMaxWaitMs - (Date.now() - started);
      status.nextTimerAt = new Date(Date.now() + Math.min(settings.approvalTimeoutMs, left)).toISOString();
      const answered = await condition(
        () => decision !== undefined || cancelled !== undefined,
        Math.min(settings.approvalTimeoutMs, left),
      );
      status.nextTimerAt = undefined;
      if (cancelled) return 'cancelled';
      if (answered && decision) {
        story(`${decision.kind === 'approve' ? 'approved' : 'rejected'} by ${decision.by}: ${decision.reason}`);
        await api.sendNotification(systemId, {
          notice: {
            severity: 'warning',
            title: decision.kind === 'approve' ? 'Escalation approved' : 'Escalation rejected',
            whatHappened: `${decision.by}: ${decision.reason}`,
            whatIsBeingDone:
              decision.kind === 'approve'
                ? 'Running the emergency procedure: extracting the recent data to the emergency bucket.'
                : 'The recovery is closed.',
            nextSteps: [],
            temporalUrl: runUrl,
          },
          page: { incidentId: info.runId, action: 'acknowledge' },
        });
        return decision.kind === 'approve' ? runEmergency(decision.by, why) : 'rejected';
      }
      if (Date.now() - started >= settings.approvalMaxWaitMs) {
        story(`no decision after ${settings.approvalMaxWaitMs / 3_600_000} h`);
        return 'unresolved';
      }
    }
  }

  async function runEmergency(by: string, why: string): Promise<RecoveryOutcome> {
    try {
      const result = await executeChild(emergencyProcedure, {
        workflowId: `${info.workflowId}-emergency-${status.attempts}`,
        args: [{ systemId, reason: why, by }],
        typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
      });
      for (const t of result.tables) story(`emergency dump: ${t.table} ${t.rowsWritten} rows -> ${t.sql.key}`);
      return 'emergency_completed';
    } catch (err) {
      // A child's failure wraps the child's own error: that is the one worth telling.
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      story(`emergency procedure failed: ${reason}`);
      return 'emergency_failed';
    }
  }

  /** Backoff retries; then the backup, or a human for a server that answers (never failed over). */
  async function retryOrEscalate(s: RecoveryStrategy): Promise<RecoveryOutcome> {
    const r = await retryWithBackoff();
    if (r !== 'exhausted') return r;
    if (s === 'refresh_schema_and_retry' || s === 'scale_resources_and_retry') {
      return manualIntervention(
        `${failure?.failureType}: the primary did not recover after ${status.attempts} retries`,
      );
    }
    return run('activate_backup_immediately');
  }

  async function run(s: RecoveryStrategy): Promise<RecoveryOutcome> {
    switch (s) {
      case 'scale_resources_and_retry': {
        setPhase('relieving_pressure');
        const relief = await api.relieveConnectionPressure(systemId);
        story(`closed ${relief.closed} connection(s) idle over ${relief.idleLimitSeconds} s`);
        if (await primaryHealthy()) return syncPrimary();
        return retryOrEscalate(s);
      }
      case 'refresh_schema_and_retry': {
        setPhase('refreshing_schema');
        const refresh = await api.refreshSourceSchema(systemId);
        story(
          `source ${refresh.sourceId} schema refreshed (${refresh.streams} streams)${refresh.missing.length ? `; still missing: ${refresh.missing.join(', ')}` : ''}`,
        );
        if (await primaryHealthy()) return syncPrimary();
        return retryOrEscalate(s);
      }
      case 'retry_primary_with_backoff':
      case 'conservative_retry_then_backup':
        return retryOrEscalate(s);
      case 'rotate_credentials_and_retry': {
        setPhase('rotating_credentials');
        status.attempts += 1;
        const rotated = await rotation.rotateCredentials(
          systemId,
          `${info.workflowId}/${info.runId}/${status.attempts}`,
        );
        story(
          `credentials of ${rotated.account} rotated and verified; Airbyte source ${rotated.airbyteSourceUpdated ? 'updated' : 'not configured'}`,
        );
        if (await primaryHealthy()) return syncPrimary();
        return manualIntervention('the primary still fails after a credential rotation');
      }
      case 'activate_backup_immediately': {
        const r = await failover();
        if (r !== 'unfit') return r;
        return manualIntervention('failover to the backup was not possible: see the story in the Temporal UI');
      }
      case 'quarantine_and_restore':
        return recoverData();
      case 'emergency_manual_intervention':
        return manualIntervention(
          `${failure?.consecutiveFailures ?? '?'} consecutive failures (${failure?.failureType ?? 'unknown'}): ${failure?.reason ?? ''}`,
        );
    }
  }

  await condition(() => failure !== undefined);
  recordRecoveryStarted(metricMeter, systemId, failure?.failureType ?? 'unknown');
  let outcome: RecoveryOutcome;
  for (;;) {
    strategy = wanted();
    status.strategy = strategy;
    upsertSearchAttributes([{ key: searchAttributeKeys.strategy, value: strategy }]);
    story(`strategy: ${strategy}`);
    try {
      outcome = await run(strategy);
      break;
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      if (cancelled) {
        outcome = 'cancelled';
        break;
      }
      story(`strategy ${strategy} interrupted: the observations now call for ${wanted()}`);
    }
  }
  if (cancelled) story(`cancelled by ${cancelled.by}: ${cancelled.reason}`);

  status.outcome = outcome;
  recordRecoveryFinished(metricMeter, systemId, outcome, strategy);
  const good = outcome === 'recovered' || outcome === 'failed_over';
  setPhase(good ? 'completed' : outcome === 'rejected' ? 'rejected' : outcome === 'cancelled' ? 'cancelled' : 'failed');
  story(`outcome: ${outcome}`);
  await api.sendNotification(systemId, {
    notice: {
      severity: good ? 'info' : 'critical',
      title: good ? `Auto-recovery succeeded (${outcome.replace('_', ' ')})` : `Auto-recovery ended: ${outcome}`,
      whatHappened: failure?.reason ?? 'failure observed',
      whatIsBeingDone: status.story
        .slice(-4)
        .map((l) => l.replace(/^\S+ /, ''))
        .join('; '),
      nextSteps: good ? ['Investigate the root cause'] : ['Manual intervention required'],
      temporalUrl: runUrl,
    },
    ...(good ? { page: { incidentId: info.runId, action: 'resolve' as const } } : {}),
  });

  // Anti-flapping: stay open, so the monitor's signals land here and start nothing, until the
  // period ends or a human acknowledges.
  if (settings.antiFlappingMs > 0 && outcome !== 'cancelled') {
    status.blockedUntil = new Date(Date.now() + settings.antiFlappingMs).toISOString();
    setPhase('cooldown');
    story(`automatic recovery blocked until ${status.blockedUntil}`);
    await condition(() => acknowledged !== undefined || cancelled !== undefined, settings.antiFlappingMs);
    if (acknowledged) story(`block lifted by ${acknowledged.by}: ${acknowledged.reason}`);
    status.blockedUntil = undefined;
    setPhase(good ? 'completed' : 'failed');
  }
  return { outcome, strategy, story: status.story };
}

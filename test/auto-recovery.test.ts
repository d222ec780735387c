// Auto-recovery under time skipping: every strategy, escalation path, approval / rejection /
// timeout, signals mid-backoff, anti-flapping; timer durations asserted from the history.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureType } from '../src/decisions/failure-classification.js';
import { autoRecovery } from '../src/workflows/auto-recovery.js';
import {
  acknowledgeSignal,
  approveSignal,
  cancelSignal,
  failureObservedSignal,
  rejectSignal,
  statusQuery,
  type FailureContext,
} from '../src/workflows/definitions.js';
import { recoveryFakes, recoverySettings, registerSearchAttributes, timersOf } from './support/recovery-fakes.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
  await registerSearchAttributes(env);
});
afterAll(() => env?.teardown());

const failure = (failureType: FailureType, consecutiveFailures: number): FailureContext => ({
  failureType,
  reason: `test ${failureType}`,
  consecutiveFailures,
  unhealthy: [{ check: 'mysql_connectivity', side: 'primary', error: { code: 'ECONNREFUSED', message: 'refused' } }],
  backupFit: true,
  observedAt: '2026-12-04T00:00:00Z',
});

async function start(fakes: ReturnType<typeof recoveryFakes>, first: FailureContext, settings = recoverySettings) {
  const taskQueue = uniqueId('recovery');
  const worker = await projectWorker(env, taskQueue, fakes.activities);
  const handle = await env.client.workflow.signalWithStart(autoRecovery, {
    taskQueue,
    workflowId: uniqueId('recovery-acode'),
    args: [{ systemId: 'acode', settings }],
    signal: failureObservedSignal,
    signalArgs: [first],
  });
  return { handle, worker, taskQueue };
}

const within = (v: number | undefined, min: number, max: number): boolean => v !== undefined && v >= min && v <= max;
const noCooldown = { ...recoverySettings, antiFlappingMs: 0 };

describe('retry_primary_with_backoff', () => {
  it('waits 5 then 15 minutes (plus jitter), finds the primary healthy, syncs it', async () => {
    const fakes = recoveryFakes({ primaryHealthyFromCheck: 2 });
    const { handle, worker } = await start(fakes, failure('connection_timeout', 1), noCooldown);
    const result = await worker.runUntil(handle.result());
    expect(result).toMatchObject({ outcome: 'recovered', strategy: 'retry_primary_with_backoff' });
    const timers = await timersOf(handle);
    expect(within(timers[0], 300_000, 330_000)).toBe(true);
    expect(within(timers[1], 900_000, 960_000)).toBe(true);
    expect(timers.slice(2)).toEqual([60_000]); // the primary sync's poll
    expect(fakes.calls.syncs).toEqual(['primary']);
    expect(fakes.notices.at(-1)?.notice.title).toBe('Auto-recovery succeeded (recovered)');
    expect(fakes.notices.at(-1)?.page?.action).toBe('resolve');
  });

  it('after 5, 15 and 30 minutes without recovery, escalates to the backup', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('network_partition', 1), noCooldown);
    const result = await worker.runUntil(handle.result());
    expect(result.outcome).toBe('failed_over');
    const timers = await timersOf(handle);
    expect(within(timers[0], 300_000, 330_000)).toBe(true);
    expect(within(timers[1], 900_000, 960_000)).toBe(true);
    expect(within(timers[2], 1_800_000, 1_860_000)).toBe(true);
    expect(fakes.statuses).toEqual({ primary: 'inactive', backup: 'active' });
    expect(result.story.join('\n')).toContain('all retries failed: escalating to the backup');
  });

  it('answers queries mid-backoff, and a worse observation interrupts the timer and fails over', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('connection_timeout', 1), noCooldown);
    const result = await worker.runUntil(async () => {
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.phase !== 'backing_off'; i++) status = await handle.query(statusQuery);
      expect(status).toMatchObject({ phase: 'backing_off', strategy: 'retry_primary_with_backoff', attempts: 1 });
      expect(status.nextTimerAt).toBeDefined();
      await handle.signal(failureObservedSignal, failure('connection_timeout', 3));
      return handle.result();
    });
    expect(result.outcome).toBe('failed_over');
    expect(result.story.join('\n')).toMatch(/interrupted: the observations now call for activate_backup_immediately/);
    // Only the interrupted backoff: the sync polls run in the failover child's own history.
    expect(await timersOf(handle)).toHaveLength(1);
  });

  it('is cancelled by a signal mid-backoff', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('connection_timeout', 1), noCooldown);
    const result = await worker.runUntil(async () => {
      await handle.signal(cancelSignal, { by: 'ana', reason: 'maintenance' });
      return handle.result();
    });
    expect(result.outcome).toBe('cancelled');
    expect(result.story.join('\n')).toContain('cancelled by ana: maintenance');
  });
});

describe('other strategies', () => {
  it('authentication_failed rotates credentials with a stable rotation id, then syncs the primary', async () => {
    const fakes = recoveryFakes({ primaryHealthyFromCheck: 1 });
    const { handle, worker } = await start(fakes, failure('authentication_failed', 3), noCooldown);
    const result = await worker.runUntil(handle.result());
    expect(result).toMatchObject({ outcome: 'recovered', strategy: 'rotate_credentials_and_retry' });
    expect(fakes.calls.rotations).toEqual([`${handle.workflowId}/${(await handle.describe()).runId}/1`]);
    expect(fakes.calls.failovers).toBe(0);
  });

  it('resource_exhaustion closes idle connections, then finds the primary healthy and syncs it', async () => {
    const fakes = recoveryFakes({ primaryHealthyFromCheck: 1 });
    const { handle, worker } = await start(fakes, failure('resource_exhaustion', 3), noCooldown);
    const result = await worker.runUntil(handle.result());
    expect(result).toMatchObject({ outcome: 'recovered', strategy: 'scale_resources_and_retry' });
    expect(fakes.calls.reliefs).toBe(1);
    expect(await timersOf(handle)).toEqual([60_000]); // no backoff: only the sync poll
    expect(result.story.join('\n')).toContain('closed 4 connection(s) idle over 300 s');
    expect(fakes.calls.failovers).toBe(0);
  });

  it('schema_change_detected retries on the backoff timers, then asks a human: never a failover', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('schema_change_detected', 1), noCooldown);
    const result = await worker.runUntil(async () => {
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 200 && status.phase !== 'awaiting_approval'; i++) {
        await env.sleep('10 minutes');
        status = await handle.query(statusQuery);
      }
      expect(status.strategy).toBe('refresh_schema_and_retry');
      await handle.signal(rejectSignal, { by: 'carla', reason: 'schema migration in progress' });
      return handle.result();
    });
    expect(result.outcome).toBe('rejected');
    expect(fakes.calls.failovers).toBe(0);
    expect(fakes.calls.schemaRefreshes).toBe(1);
    expect(result.story.join('\n')).toContain(
      'source source_mysql_acode schema refreshed (2 streams); still missing: t1.CNPJ_Loja',
    );
    const timers = await timersOf(handle);
    expect(within(timers[2], 1_800_000, 1_860_000)).toBe(true);
  });

  it('mysql_server_down fails over at once through the child workflow', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('mysql_server_down', 3), noCooldown);
    const result = await worker.runUntil(handle.result());
    expect(result).toMatchObject({ outcome: 'failed_over', strategy: 'activate_backup_immediately' });
    expect(result.story.join('\n')).toContain('failover: backup connection activated');
    expect(fakes.calls.failovers).toBe(1);
  });

  it('mysql_server_down below the threshold retries the primary first, and fails over when an observation reaches it', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('mysql_server_down', 1), noCooldown);
    const result = await worker.runUntil(async () => {
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.phase !== 'backing_off'; i++) status = await handle.query(statusQuery);
      expect(status.strategy).toBe('retry_primary_with_backoff');
      await handle.signal(failureObservedSignal, failure('mysql_server_down', 3));
      return handle.result();
    });
    expect(result).toMatchObject({ outcome: 'failed_over', strategy: 'activate_backup_immediately' });
    expect(fakes.calls.failovers).toBe(1);
  });

  it('never fails over to an unfit backup: it pages a human, who approves', async () => {
    const fakes = recoveryFakes({ backupFit: false });
    const { handle, worker } = await start(fakes, failure('mysql_server_down', 3), noCooldown);
    const result = await worker.runUntil(async () => {
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.phase !== 'awaiting_approval'; i++) status = await handle.query(statusQuery);
      expect(status.story.join('\n')).toMatch(/backup not fit to take over: the replica does not answer/);
      await handle.signal(approveSignal, { by: 'ana', reason: 'run the emergency procedure' });
      return handle.result();
    });
    // Approved: the emergency procedure runs as a child; with both sides down it fails clearly and alerts.
    expect(result.outcome).toBe('emergency_failed');
    expect(result.story.join('\n')).toContain('neither the primary nor the replica answers');
    expect(fakes.notices.map((n) => n.notice.title)).toContain('EMERGENCY: no source reachable for the emergency dump');
    expect(fakes.calls.dumps).toEqual([]);
    expect(fakes.calls.failovers).toBe(0);
    expect(fakes.notices.find((n) => n.notice.title === 'Manual intervention required')?.page).toMatchObject({
      action: 'trigger',
    });
  });
});

describe('manual intervention (>= 5 consecutive failures)', () => {
  it('approved: runs the emergency procedure as a child, dumping from the replica while the primary is down', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('connection_timeout', 5), noCooldown);
    const result = await worker.runUntil(async () => {
      await handle.signal(approveSignal, { by: 'ana', reason: 'extract the data now' });
      return handle.result();
    });
    expect(result.outcome).toBe('emergency_completed');
    expect(fakes.calls.dumps).toEqual(['t1@backup']);
    expect(result.story.join('\n')).toMatch(
      /emergency dump: t1 42 rows -> s3:\/\/emergency\/\d{4}\/\d\d\/\d\d\/acode_emergency_/,
    );
    expect(fakes.notices.find((n) => n.notice.title === 'Emergency recovery: data extracted')?.withContacts).toBe(true);
  });

  it('re-pages at each approval timeout, then closes on rejection with the reason', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('connection_timeout', 5), noCooldown);
    const result = await worker.runUntil(async () => {
      await env.sleep('35 minutes'); // past one approval timeout
      await handle.signal(rejectSignal, { by: 'bruno', reason: 'known maintenance window' });
      return handle.result();
    });
    expect(result.outcome).toBe('rejected');
    const pages = fakes.notices.filter((n) => n.notice.title.startsWith('Manual intervention'));
    expect(pages.map((p) => p.notice.title)).toEqual([
      'Manual intervention required',
      'Manual intervention still required (page 2)',
    ]);
    expect(new Set(pages.map((p) => p.page?.incidentId)).size).toBe(1);
    expect(result.story.join('\n')).toContain('rejected by bruno: known maintenance window');
  });

  it('gives up waiting at the configured limit', async () => {
    const fakes = recoveryFakes();
    const { handle, worker } = await start(fakes, failure('unknown', 6), noCooldown);
    const result = await worker.runUntil(handle.result());
    expect(result.outcome).toBe('unresolved');
    expect(fakes.notices.filter((n) => n.notice.title.startsWith('Manual intervention'))).toHaveLength(8); // 4 h / 30 min
  });
});

describe('anti-flapping', () => {
  it('blocks automatic recovery after a run until a human acknowledges; signals never start a twin', async () => {
    const fakes = recoveryFakes({ primaryHealthyFromCheck: 1 });
    const { handle, worker, taskQueue } = await start(fakes, failure('connection_timeout', 1));
    const result = await worker.runUntil(async () => {
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 100 && status.phase !== 'cooldown'; i++) {
        await env.sleep('1 minute');
        status = await handle.query(statusQuery);
      }
      expect(status.blockedUntil).toBeDefined();
      const again = await env.client.workflow.signalWithStart(autoRecovery, {
        taskQueue,
        workflowId: handle.workflowId,
        args: [{ systemId: 'acode', settings: recoverySettings }],
        signal: failureObservedSignal,
        signalArgs: [failure('connection_timeout', 1)],
      });
      expect(again.signaledRunId).toBe((await handle.describe()).runId);
      await handle.signal(acknowledgeSignal, { by: 'ana', reason: 'root cause fixed' });
      return handle.result();
    });
    expect(result.outcome).toBe('recovered');
    const story = result.story.join('\n');
    expect(story).toContain('failure observed during the anti-flapping block');
    expect(story).toContain('block lifted by ana: root cause fixed');
    expect(fakes.calls.syncs).toEqual(['primary']);
  });

  it('shows strategy and phase as search attributes', async () => {
    const fakes = recoveryFakes({ primaryHealthyFromCheck: 1 });
    const { handle, worker } = await start(fakes, failure('connection_timeout', 1), noCooldown);
    await worker.runUntil(handle.result());
    const sa = (await handle.describe()).typedSearchAttributes;
    expect(sa.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['RecoveryStrategy', 'retry_primary_with_backoff'],
        ['RecoveryPhase', 'completed'],
        ['FailureType', 'connection_timeout'],
      ]),
    );
  });
});

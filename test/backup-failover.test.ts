// The backup failover workflow: every branch under time skipping with activities stubbed at the
// boundary, and the main path end to end on the real stack.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../src/activities/index.js';
import type { NotificationRequest } from '../src/activities/notifications.js';
import type {
  ConnectionResponse,
  ConnectionStatus,
  JobResponse,
  JobStatus,
} from '../src/integrations/airbyte/api-types.js';
import { backupFailover } from '../src/workflows/backup-failover.js';
import { simulator } from './support/airbyte.js';
import { syncSettings, timersOf } from './support/recovery-fakes.js';
import { realStackSuite, sandboxConfigPollingEverySecond } from './support/real-stack-suite.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';

const settings = syncSettings;

/** A fake Airbyte at the activity boundary: each sync job ends as its script says after N polls. */
function fakeActivities(
  jobScript: { outcome: JobStatus; polls: number }[],
  opts: {
    clean?: boolean;
    failDeactivate?: boolean;
    failure?: { failureType: string; retryable: boolean; message: string };
  } = {},
) {
  const statuses: Record<'primary' | 'backup', ConnectionStatus> = { primary: 'active', backup: 'inactive' };
  const jobs: { job: JobResponse; pollsLeft: number; outcome: JobStatus }[] = [];
  const notices: NotificationRequest[] = [];
  const cancelled: number[] = [];
  const conn = (side: 'primary' | 'backup'): ConnectionResponse =>
    ({ connectionId: side, status: statuses[side] }) as ConnectionResponse;
  const activities: Partial<Activities> = {
    getFailoverSettings: () => Promise.resolve(settings),
    getAirbyteConnection: (_s, side) => Promise.resolve(conn(side)),
    setAirbyteConnectionStatus: (_s, side, status) => {
      if (opts.failDeactivate && side === 'primary' && status === 'inactive') {
        return Promise.reject(Object.assign(new Error('Airbyte down'), { name: 'AirbyteDown' }));
      }
      statuses[side] = status;
      return Promise.resolve(conn(side));
    },
    triggerSync: () => {
      const script = jobScript[jobs.length] ?? { outcome: 'succeeded', polls: 1 };
      const job = {
        jobId: jobs.length + 1,
        status: 'running',
        jobType: 'sync',
        startTime: '',
        connectionId: 'backup',
      } as JobResponse;
      jobs.push({ job, pollsLeft: script.polls, outcome: script.outcome });
      return Promise.resolve({ job, adopted: false });
    },
    getSyncJob: (_s, jobId) => {
      const j = jobs[jobId - 1];
      if (!j) throw new Error(`no job ${jobId}`);
      j.pollsLeft -= 1;
      if (j.pollsLeft <= 0 && j.outcome !== 'running') j.job = { ...j.job, status: j.outcome, rowsSynced: 1540 };
      return Promise.resolve(j.job);
    },
    getSyncJobFailure: () => Promise.resolve(opts.failure ?? null),
    cancelSyncJob: (_s, jobId) => {
      cancelled.push(jobId);
      return Promise.resolve({ ...jobs[jobId - 1]?.job, status: 'cancelled' } as JobResponse);
    },
    validateBackup: () =>
      Promise.resolve({
        bucket: 'b',
        day: '2026-12-04',
        streams: [],
        clean: opts.clean ?? true,
        problems: opts.clean === false ? ['farmarcas_si_analitico_diario: 12 % null cells (limit 10 %)'] : [],
      }),
    sendNotification: (_s, req) => {
      notices.push(req);
      return Promise.resolve([{ channel: 'slack', ok: true, attempts: 1 }]);
    },
  };
  return { activities, statuses, jobs, notices, cancelled };
}

describe('backupFailover under time skipping', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  async function runFailover(fake: ReturnType<typeof fakeActivities>) {
    const taskQueue = uniqueId('failover');
    const worker = await projectWorker(env, taskQueue, fake.activities);
    const handle = await env.client.workflow.start(backupFailover, {
      taskQueue,
      workflowId: uniqueId('failover-acode'),
      args: [{ systemId: 'acode', reason: 'primary MySQL down (3 consecutive failed checks)' }],
    });
    const result = await worker.runUntil(handle.result());
    const timersMs = await timersOf(handle);
    return { result, timersMs };
  }

  it('deactivates the primary, activates the backup, polls the sync every 60 s, validates, notifies', async () => {
    const fake = fakeActivities([{ outcome: 'succeeded', polls: 3 }]);
    const { result, timersMs } = await runFailover(fake);
    expect(result).toMatchObject({ status: 'succeeded', jobId: 1, rowsSynced: 1540, compensated: false });
    expect(fake.statuses).toEqual({ primary: 'inactive', backup: 'active' });
    expect(timersMs).toEqual([60_000, 60_000, 60_000]);
    expect(fake.notices.map((n) => [n.notice.severity, n.notice.title])).toEqual([
      ['warning', 'Backup system activated'],
    ]);
    expect(fake.notices[0]?.notice.temporalUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/failover-acode-/,
    );
    expect(result.steps.map((s) => s.replace(/^\S+ /, ''))).toEqual([
      'primary connection deactivated',
      'backup connection activated',
      'backup sync triggered: job 1 (attempt 1/3)',
      'job 1 succeeded, 1540 rows',
      'backup validated: clean',
    ]);
  });

  it('retries a failed sync after 5 then 10 minutes (seed policy: 5 -> 20 min, x2)', async () => {
    const fake = fakeActivities([
      { outcome: 'failed', polls: 1 },
      { outcome: 'failed', polls: 1 },
      { outcome: 'succeeded', polls: 1 },
    ]);
    const { result, timersMs } = await runFailover(fake);
    expect(result.status).toBe('succeeded');
    expect(fake.jobs).toHaveLength(3);
    expect(timersMs).toEqual([60_000, 300_000, 60_000, 600_000, 60_000]);
  });

  it('does not retry a sync that failed for a reason Airbyte marks not retryable', async () => {
    const fake = fakeActivities([{ outcome: 'failed', polls: 1 }], {
      failure: { failureType: 'config_error', retryable: false, message: 'Access denied for user' },
    });
    const { result, timersMs } = await runFailover(fake);
    expect(result).toMatchObject({ status: 'failed', compensated: true });
    expect(fake.jobs).toHaveLength(1);
    expect(timersMs).toEqual([60_000]);
    expect(result.steps.map((s) => s.replace(/^\S+ /, ''))).toContain(
      'not retried: config_error: Access denied for user',
    );
  });

  it('gives up after 3 failed syncs and restores the connection statuses', async () => {
    const fake = fakeActivities([
      { outcome: 'failed', polls: 1 },
      { outcome: 'failed', polls: 1 },
      { outcome: 'failed', polls: 1 },
    ]);
    const { result } = await runFailover(fake);
    expect(result).toMatchObject({ status: 'failed', compensated: true, error: 'backup sync ended failed' });
    expect(fake.statuses).toEqual({ primary: 'active', backup: 'inactive' });
    const last = fake.notices.at(-1);
    expect(last?.notice).toMatchObject({ severity: 'critical', title: 'Backup activation FAILED' });
    expect(last?.notice.whatIsBeingDone).toContain(
      'restored to their previous statuses (primary active, backup inactive)',
    );
    expect(last?.withContacts).toBe(true);
  });

  it('cancels a sync still running at the 120-minute timeout, then compensates', async () => {
    const fake = fakeActivities([{ outcome: 'running', polls: 1 }]);
    const { result, timersMs } = await runFailover(fake);
    expect(result).toMatchObject({ status: 'failed', compensated: true });
    expect(result.error).toMatch(/timed out after 120 minutes/);
    expect(fake.cancelled).toEqual([1]);
    expect(timersMs).toHaveLength(120);
    expect(fake.statuses).toEqual({ primary: 'active', backup: 'inactive' });
  });

  it('does not trust a backup whose data is not clean', async () => {
    const fake = fakeActivities([{ outcome: 'succeeded', polls: 1 }], { clean: false });
    const { result } = await runFailover(fake);
    expect(result).toMatchObject({ status: 'failed', compensated: true });
    expect(result.error).toContain('12 % null cells');
    expect(fake.statuses).toEqual({ primary: 'active', backup: 'inactive' });
  });

  it('changes nothing, and says so, when the primary cannot even be deactivated', async () => {
    const fake = fakeActivities([], { failDeactivate: true });
    const { result } = await runFailover(fake);
    expect(result).toMatchObject({ status: 'failed', compensated: false });
    expect(fake.statuses).toEqual({ primary: 'active', backup: 'inactive' });
    expect(fake.notices.at(-1)?.notice.whatIsBeingDone).toBe('No connection was changed.');
  });
});

describe('backupFailover end to end on the real stack', () => {
  const { env: realEnv, sink } = realStackSuite();

  it('fails over to the backup connection, whose sync really lands validated Parquet on S3', async () => {
    const env = realEnv();
    const { config } = await sandboxConfigPollingEverySecond();
    const taskQueue = uniqueId('failover-e2e');
    const worker = await projectWorker(env, taskQueue, createActivities(config));
    const result = await worker.runUntil(
      env.client.workflow.execute(backupFailover, {
        taskQueue,
        workflowId: uniqueId('failover-acode'),
        args: [{ systemId: 'acode', reason: 'end-to-end test' }],
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.validation?.clean).toBe(true);
    expect(result.validation?.streams.every((s) => s.files > 0 && s.rows > 0)).toBe(true);
    const state = await simulator.state();
    expect(state.connections.map((c) => [c.connectionId, c.status])).toEqual([
      ['connection_mysql_s3_acode', 'inactive'],
      ['connection_mysql_s3_acode_backup', 'active'],
    ]);
    const slack = await sink.requests('/slack');
    expect(slack.map((r) => r.body).join()).toContain('Backup system activated');
  });
});

// Return to the primary after a failover: its branches under time skipping with stubbed
// activities, and on the real stack the whole story: the monitor sees the pipeline on the backup
// with a healthy primary, the return, and the monitor sees everything healthy again.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../src/activities/index.js';
import type { JobResponse } from '../src/integrations/airbyte/api-types.js';
import { returnToPrimary } from '../src/workflows/return-to-primary.js';
import { healthMonitoring } from '../src/workflows/health-monitoring.js';
import { monitoringSettings } from '../src/activities/settings.js';
import { simulator } from './support/airbyte.js';
import { recoveryFakes } from './support/recovery-fakes.js';
import { realStackSuite, sandboxConfigPollingEverySecond } from './support/real-stack-suite.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';

describe('returnToPrimary under time skipping', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  /** Starts from a failed-over pipeline: primary connection inactive, backup active. */
  async function run(fakes: ReturnType<typeof recoveryFakes>, overrides: Partial<Activities> = {}) {
    fakes.statuses.primary = 'inactive';
    fakes.statuses.backup = 'active';
    const taskQueue = uniqueId('failback');
    const worker = await projectWorker(env, taskQueue, { ...fakes.activities, ...overrides });
    return worker.runUntil(
      env.client.workflow.execute(returnToPrimary, {
        taskQueue,
        workflowId: uniqueId('failback-acode'),
        args: [{ systemId: 'acode', reason: 'primary repaired', by: 'ana' }],
      }),
    );
  }

  it.each<[string, number | undefined, Partial<Activities>, string, { primary: string; backup: string }, RegExp]>([
    [
      'primary healthy: primary on, backup off, synced, confirmed, told',
      1,
      {},
      'succeeded',
      { primary: 'active', backup: 'inactive' },
      /^Back on the primary$/,
    ],
    [
      'primary still failing: refused, nothing changed, nobody paged',
      undefined,
      {},
      'refused',
      { primary: 'inactive', backup: 'active' },
      /^$/,
    ],
    [
      'the primary sync fails: connections put back, a human told',
      1,
      {
        getSyncJob: (_s, jobId) =>
          Promise.resolve({
            jobId,
            status: 'failed',
            jobType: 'sync',
            startTime: '',
            connectionId: 'primary',
          } as JobResponse),
      },
      'failed',
      { primary: 'inactive', backup: 'active' },
      /^Return to the primary FAILED$/,
    ],
  ])('%s', async (_name, primaryHealthyFromCheck, overrides, status, statuses, notice) => {
    const fakes = recoveryFakes(primaryHealthyFromCheck === undefined ? {} : { primaryHealthyFromCheck });
    const result = await run(fakes, overrides);
    expect(result.status).toBe(status);
    expect(fakes.statuses).toEqual(statuses);
    expect(fakes.notices.map((n) => n.notice.title).join()).toMatch(notice);
    if (status === 'refused') expect(fakes.calls.syncs).toEqual([]);
    else expect(fakes.calls.syncs).toEqual(['primary']);
  });
});

describe('returnToPrimary on the real stack', () => {
  const { env: realEnv, sink } = realStackSuite();

  it('gives the pipeline back to the primary connection, whose sync lands fresh Parquet in production', async () => {
    const env = realEnv();
    const { config, acode } = await sandboxConfigPollingEverySecond();
    const activities = createActivities(config);
    await activities.setAirbyteConnectionStatus('acode', 'primary', 'inactive');
    await activities.setAirbyteConnectionStatus('acode', 'backup', 'active');
    const taskQueue = uniqueId('failback-e2e');
    const worker = await projectWorker(env, taskQueue, activities);
    const monitor = () =>
      env.client.workflow.execute(healthMonitoring, {
        taskQueue,
        workflowId: uniqueId('health-acode'),
        args: [{ systemId: 'acode', settings: monitoringSettings(acode, config.temporal.ui_url) }],
      });
    const { before, result, after } = await worker.runUntil(async () => ({
      // The monitor sees the failed-over pipeline and a healthy primary: ready for the return.
      before: await monitor(),
      result: await env.client.workflow.execute(returnToPrimary, {
        taskQueue,
        workflowId: uniqueId('failback-acode'),
        args: [{ systemId: 'acode', reason: 'primary repaired', by: 'test' }],
      }),
      after: await monitor(),
    }));
    expect(before.action).toBe('primary_ready_for_return');
    expect(after.action).toBe('all_systems_healthy');
    expect(result.status).toBe('succeeded');
    expect(result.steps.join('\n')).toMatch(/primary checks pass[\s\S]*job \d+ succeeded[\s\S]*production data fresh/);
    const state = await simulator.state();
    expect(state.connections.map((c) => [c.connectionId, c.status])).toEqual([
      ['connection_mysql_s3_acode', 'active'],
      ['connection_mysql_s3_acode_backup', 'inactive'],
    ]);
    expect(state.jobs.map((j) => [j.response.connectionId, j.response.status])).toEqual([
      ['connection_mysql_s3_acode', 'succeeded'],
    ]);
    const slack = (await sink.requests('/slack')).map((r) => r.body).join();
    expect(slack).toContain('Primary healthy again: ready for the return');
    expect(slack).toContain('Back on the primary');
  });
});

// Monitoring schedules on the real Temporal dev server: idempotent sync from the config, and the
// consecutive-failure count carried from one scheduled run to the next (the schedule's lastResult).
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../src/activities/index.js';
import type { CheckRequest } from '../src/activities/checks.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig } from '../src/config/schema.js';
import { localConfigPath } from '../src/stack/paths.js';
import { syncSchedules } from '../src/temporal/schedules.js';
import { archiveScheduleId, continuousScheduleId, monitoringScheduleId } from '../src/workflows/definitions.js';
import type { HealthRunResult } from '../src/workflows/health-monitoring.js';
import { devServerEnv, projectWorker, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let config: GuardianConfig;
const systemId = uniqueId('sched')
  .toLowerCase()
  .replace(/[^a-z0-9-]/g, '-')
  .slice(0, 40);

beforeAll(async () => {
  env = await devServerEnv();
  config = await loadConfig(localConfigPath);
  const system = config.systems[0];
  if (!system) throw new Error('no system');
  system.id = systemId;
  system.health_check.fast_confirmation.enabled = false;
  config.temporal.task_queue = uniqueId('schedules');
});
afterAll(async () => {
  for (const id of [monitoringScheduleId(systemId), continuousScheduleId(systemId), archiveScheduleId(systemId)]) {
    await env.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  }
  await env?.teardown();
});

/** A primary that is down, a backup that is up. */
const downPrimary: Partial<Activities> = {
  runChecks: (_s, requests?: CheckRequest[]) =>
    Promise.resolve(
      (
        requests ?? [
          { check: 'mysql_connectivity', side: 'primary' },
          { check: 'mysql_connectivity', side: 'backup' },
        ]
      ).map((r) => ({
        check: r.check,
        side: r.side,
        target: 'fake',
        status: r.side === 'primary' ? ('unhealthy' as const) : ('healthy' as const),
        value: null,
        unit: '',
        warnThreshold: null,
        failThreshold: null,
        ...(r.side === 'primary' ? { error: { code: 'CHECK_TIMEOUT', message: 'no answer' } } : {}),
        durationMs: 1,
        checkedAt: new Date().toISOString(),
      })),
    ),
  signalRecovery: (id) => Promise.resolve({ workflowId: `recovery-${id}`, runId: 'r' }),
  sendNotification: () => Promise.resolve([]),
};

describe('monitoring schedules', () => {
  it('are created, then updated in place, from the config', async () => {
    expect(await syncSchedules(env.client, config)).toEqual([
      { scheduleId: monitoringScheduleId(systemId), action: 'created' },
      { scheduleId: continuousScheduleId(systemId), action: 'created' },
      { scheduleId: archiveScheduleId(systemId), action: 'created' },
    ]);
    expect(await syncSchedules(env.client, config)).toEqual([
      { scheduleId: monitoringScheduleId(systemId), action: 'updated' },
      { scheduleId: continuousScheduleId(systemId), action: 'updated' },
      { scheduleId: archiveScheduleId(systemId), action: 'updated' },
    ]);
    const d = await env.client.schedule.getHandle(monitoringScheduleId(systemId)).describe();
    expect(d.spec.calendars?.[0]).toMatchObject({ minute: [{ start: 0, end: 59, step: 5 }] });
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.action.type).toBe('startWorkflow');
    // The archive: daily at 03:00 UTC, the archiveSnapshots workflow of this system.
    const archive = await env.client.schedule.getHandle(archiveScheduleId(systemId)).describe();
    expect(archive.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 3, end: 3, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
    });
    expect(archive.action).toMatchObject({ workflowType: 'archiveSnapshots', args: [{ systemId }] });
    expect(archive.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });
  });

  it('carry the consecutive-failure count from one run to the next', async () => {
    const worker = await projectWorker(env, config.temporal.task_queue, downPrimary);
    const schedule = env.client.schedule.getHandle(monitoringScheduleId(systemId));
    // Paused, so only the runs triggered here happen (a trigger runs even a paused schedule).
    await schedule.pause('test');
    await env.client.schedule.getHandle(continuousScheduleId(systemId)).pause('test');
    const results = await worker.runUntil(async () => {
      const out: HealthRunResult[] = [];
      for (let n = 1; n <= 2; n++) {
        // The scheduler hands a run's result to the next only once it has seen that run close.
        for (let i = 0; i < 100 && (await schedule.describe()).info.runningActions.length > 0; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        await schedule.trigger(ScheduleOverlapPolicy.SKIP);
        let actions = (await schedule.describe()).info.recentActions;
        for (let i = 0; i < 100 && actions.length < n; i++) {
          await new Promise((r) => setTimeout(r, 100));
          actions = (await schedule.describe()).info.recentActions;
        }
        const run = actions[n - 1]?.action;
        if (!run) throw new Error('the schedule started no run');
        out.push((await env.client.workflow.getHandle(run.workflow.workflowId).result()) as HealthRunResult);
      }
      return out;
    });
    expect(results.map((r) => [r.consecutiveFailures, r.action])).toEqual([
      [1, 'warning_alert'],
      [2, 'warning_alert'],
    ]);
    expect(results[0]?.failure?.failureType).toBe('connection_timeout');
  });
});

// Health monitoring under time skipping: consecutive failures carried across scheduled runs,
// fast confirmation, the decision matrix, signal-with-start of the recovery, alert noise control.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../src/activities/index.js';
import type { NotificationRequest } from '../src/activities/notifications.js';
import type { MonitoringSettings } from '../src/activities/settings.js';
import type { CheckRequest } from '../src/activities/checks.js';
import type { CheckResult } from '../src/checks/types.js';
import type { FailureContext } from '../src/workflows/definitions.js';
import { healthMonitoring } from '../src/workflows/health-monitoring.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';
import { timersOf } from './support/recovery-fakes.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(() => env?.teardown());

const settings = (confirm: boolean): MonitoringSettings => ({
  systemName: 'ACODE',
  temporalUiUrl: 'http://127.0.0.1:8233',
  consecutiveFailuresThreshold: 3,
  fastConfirmation: { enabled: confirm, rechecks: 2, intervalMs: 20_000 },
  reminderIntervalMs: 4 * 3_600_000,
});

type World = { primaryUp: boolean; backupUp: boolean };

function fakes(world: World) {
  const signals: FailureContext[] = [];
  const notices: NotificationRequest[] = [];
  let rounds = 0;
  const check = (r: CheckRequest): CheckResult => {
    const up = r.side === 'primary' ? world.primaryUp : world.backupUp;
    return {
      check: r.check,
      side: r.side,
      target: 'fake',
      status: up ? 'healthy' : 'unhealthy',
      value: null,
      unit: '',
      warnThreshold: null,
      failThreshold: null,
      ...(up ? {} : { error: { code: 'ECONNREFUSED', message: 'refused' } }),
      ...(r.check === 'backup_replication'
        ? {
            details: {
              // The replica's IO thread follows the primary.
              io_running: world.primaryUp ? 'Yes' : 'Connecting',
              sql_running: up ? 'Yes' : 'No',
              last_io_errno: world.primaryUp ? 0 : 2003,
              last_sql_errno: 0,
            },
          }
        : {}),
      durationMs: 1,
      checkedAt: '2026-12-04T00:00:00Z',
    };
  };
  const activities: Partial<Activities> = {
    runChecks: (_s, requests) => {
      rounds += 1;
      const all: CheckRequest[] = requests ?? [
        { check: 'mysql_connectivity', side: 'primary' },
        { check: 'mysql_connectivity', side: 'backup' },
        { check: 'data_freshness', side: 'backup' },
        { check: 'backup_replication', side: 'backup' },
      ];
      return Promise.resolve(all.map(check));
    },
    signalRecovery: (systemId, f) => {
      signals.push(f);
      return Promise.resolve({ workflowId: `recovery-${systemId}`, runId: 'run-1' });
    },
    sendNotification: (_s, req) => {
      notices.push(req);
      return Promise.resolve([{ channel: 'slack', ok: true, attempts: 1 }]);
    },
  };
  return { activities, signals, notices, rounds: () => rounds };
}

/** One monitoring run (the count across scheduled runs is tested with a real schedule). */
async function tick(f: ReturnType<typeof fakes>, confirm: boolean) {
  const taskQueue = uniqueId('health');
  const worker = await projectWorker(env, taskQueue, f.activities);
  const handle = await env.client.workflow.start(healthMonitoring, {
    taskQueue,
    workflowId: uniqueId('health-acode'),
    args: [{ systemId: 'acode', settings: settings(confirm) }],
  });
  const result = await worker.runUntil(handle.result());
  return { result, timers: await timersOf(handle) };
}

describe('healthMonitoring', () => {
  it('a healthy run is one activity and no timer, and resets the count', async () => {
    const f = fakes({ primaryUp: true, backupUp: true });
    const { result, timers } = await tick(f, true);
    expect(result).toMatchObject({ action: 'all_systems_healthy', consecutiveFailures: 0, rechecks: 0, failure: null });
    expect(f.rounds()).toBe(1);
    expect(timers).toEqual([]);
    expect(f.signals).toEqual([]);
    expect(f.notices).toEqual([]);
  });

  it('with fast confirmation, a dead primary reaches the threshold in one run: 2 re-checks 20 s apart, then failover', async () => {
    const f = fakes({ primaryUp: false, backupUp: true });
    const { result, timers } = await tick(f, true);
    expect(result).toMatchObject({ action: 'trigger_backup_failover', consecutiveFailures: 3, rechecks: 2 });
    expect(result.failure?.failureType).toBe('mysql_server_down');
    expect(result.backup.fit).toBe(true);
    expect(timers).toEqual([20_000, 20_000]);
    expect(f.signals).toHaveLength(1);
    expect(f.signals[0]).toMatchObject({ failureType: 'mysql_server_down', consecutiveFailures: 3, backupFit: true });
    // The recovery speaks for the failover: the monitor sends nothing itself.
    expect(f.notices).toEqual([]);
  });

  it('without confirmation, the seed behaviour: one failure per run, a warning, the recovery signalled', async () => {
    const f = fakes({ primaryUp: false, backupUp: true });
    const { result, timers } = await tick(f, false);
    expect(result).toMatchObject({ action: 'warning_alert', consecutiveFailures: 1, rechecks: 0 });
    expect(timers).toEqual([]);
    expect(f.signals).toHaveLength(1);
    expect(f.notices.map((n) => [n.notice.severity, n.notice.title])).toEqual([['warning', 'Primary showing issues']]);
  });

  it('both sides down at the threshold: emergency, paged, with contacts', async () => {
    const f = fakes({ primaryUp: false, backupUp: false });
    const { result } = await tick(f, true);
    expect(result.action).toBe('emergency_alert');
    expect(f.notices).toHaveLength(1);
    expect(f.notices[0]).toMatchObject({
      withContacts: true,
      page: { action: 'trigger', incidentId: 'run-1' },
      notice: { severity: 'critical' },
    });
  });

  it('a blip clears itself during confirmation, with no signal and no alert', async () => {
    const world = { primaryUp: false, backupUp: true };
    const f = fakes(world);
    const original = f.activities.runChecks;
    let n = 0;
    f.activities.runChecks = (s, r) => {
      n += 1;
      world.primaryUp = n >= 2;
      return original?.(s, r) ?? Promise.resolve([]);
    };
    const { result, timers } = await tick(f, true);
    expect(result).toMatchObject({ action: 'all_systems_healthy', consecutiveFailures: 0, rechecks: 1 });
    expect(timers).toEqual([20_000]);
    expect(f.signals).toEqual([]);
  });

  it.each<[string, boolean, string, string]>([
    ['primary still down', false, 'running_on_backup', 'Running on the backup'],
    ['primary healthy again', true, 'primary_ready_for_return', 'Primary healthy again: ready for the return'],
  ])(
    'on the backup after a failover, %s: no re-checks, no recovery signal, one notice',
    async (_name, primaryUp, action, title) => {
      const f = fakes({ primaryUp, backupUp: true });
      const original = f.activities.runChecks;
      f.activities.runChecks = async (s, r) => [
        ...((await original?.(s, r)) ?? []),
        ...(['primary', 'backup'] as const).map((side): CheckResult => ({
          check: 'airbyte_connection',
          side,
          target: 'fake',
          status: side === 'primary' ? 'unhealthy' : 'healthy',
          value: 0,
          unit: 'ratio',
          warnThreshold: null,
          failThreshold: null,
          details: { connection_status: side === 'primary' ? 'inactive' : 'active' },
          durationMs: 1,
          checkedAt: '2026-12-04T00:00:00Z',
        })),
      ];
      const { result, timers } = await tick(f, true);
      expect(result).toMatchObject({ action, rechecks: 0 });
      expect(timers).toEqual([]);
      expect(f.signals).toEqual([]);
      expect(f.notices.map((n) => n.notice.title)).toEqual([title]);
      expect(f.notices[0]?.notice.nextSteps.join()).toContain('acode-guardian failback acode');
    },
  );
});

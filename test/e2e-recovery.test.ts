// End to end on the real local stack: Temporal dev server, a real worker with the real
// activities, MariaDB primary and replica, S3, the Airbyte simulator and the webhook sink.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../src/activities/index.js';
import { recoverySettings } from '../src/activities/settings.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig } from '../src/config/schema.js';
import { mariaInstance, startMaria, stopMaria, waitForReplicaCatchUp, waitForReplicaIo } from '../src/stack/mariadb.js';
import { localConfigPath } from '../src/stack/paths.js';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';
import { autoRecovery } from '../src/workflows/auto-recovery.js';
import { failureObservedSignal, recoveryWorkflowId, statusQuery } from '../src/workflows/definitions.js';
import { healthMonitoring } from '../src/workflows/health-monitoring.js';
import { monitoringSettings } from '../src/activities/settings.js';
import { simulator } from './support/airbyte.js';
import { artifactPath, withPage } from './support/browser.js';
import { devServerEnv, projectWorker, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;
/** The system id of the failover scenario, whose recovery the browser test looks for. */
let failedOverSystem: string | undefined;
const sink = new WebhookSinkClient();

/** The local config with short durations, under a system id of its own (its own workflow ids). */
async function e2eConfig(): Promise<GuardianConfig> {
  const config = await loadConfig(localConfigPath);
  const s = config.systems[0];
  if (!s) throw new Error('no system');
  s.id = uniqueId('e2e').toLowerCase().slice(0, 40);
  s.sync_retry_policy.job_poll_interval_seconds = 1;
  s.health_check.fast_confirmation.interval_seconds = 1;
  s.recovery.backoff_minutes = [0.1, 0.1, 0.1];
  s.recovery.anti_flapping_minutes = 0;
  config.temporal.task_queue = uniqueId('e2e');
  return config;
}

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await simulator.reset();
  await env?.teardown();
});
beforeEach(async () => {
  await simulator.reset();
  await sink.clear();
});

describe('end to end', () => {
  it('primary stopped -> 3 failed checks -> recovery fails over: backup active, synced from the replica, validated, Slack told', async () => {
    const config = await e2eConfig();
    const system =
      config.systems[0] ??
      (() => {
        throw new Error('no system');
      })();
    const worker = await projectWorker(env, config.temporal.task_queue, createActivities(config));
    const primary = mariaInstance('primary');
    await worker.runUntil(async () => {
      const healthy = await env.client.workflow.execute(healthMonitoring, {
        taskQueue: config.temporal.task_queue,
        workflowId: uniqueId(`health-${system.id}`),
        args: [{ systemId: system.id, settings: monitoringSettings(system, config.temporal.ui_url) }],
      });
      expect(healthy.action).toBe('all_systems_healthy');

      await stopMaria(primary);
      try {
        await waitForReplicaIo(false);
        const run = await env.client.workflow.execute(healthMonitoring, {
          taskQueue: config.temporal.task_queue,
          workflowId: uniqueId(`health-${system.id}`),
          args: [{ systemId: system.id, settings: monitoringSettings(system, config.temporal.ui_url) }],
        });
        expect(run).toMatchObject({ action: 'trigger_backup_failover', consecutiveFailures: 3, rechecks: 2 });
        expect(run.failure?.failureType).toBe('mysql_server_down');
        expect(run.recovery?.workflowId).toBe(recoveryWorkflowId(system.id));

        const recovery = await env.client.workflow
          .getHandle<typeof autoRecovery>(recoveryWorkflowId(system.id))
          .result();
        expect(recovery).toMatchObject({ outcome: 'failed_over', strategy: 'activate_backup_immediately' });
      } finally {
        await startMaria(primary);
        await waitForReplicaIo(true);
        await waitForReplicaCatchUp();
      }
    });
    const state = await simulator.state();
    expect(state.connections.map((c) => [c.connectionId, c.status])).toEqual([
      ['connection_mysql_s3_acode', 'inactive'],
      ['connection_mysql_s3_acode_backup', 'active'],
    ]);
    expect(state.jobs.map((j) => [j.response.connectionId, j.response.status])).toEqual([
      ['connection_mysql_s3_acode_backup', 'succeeded'],
    ]);
    const slack = (await sink.requests('/slack')).map((r) => JSON.parse(r.body) as { text: string });
    expect(slack.map((m) => m.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Backup system activated'),
        expect.stringContaining('Auto-recovery succeeded (failed over)'),
      ]),
    );
    failedOverSystem = system.id;
  }, 180_000);

  it('the Temporal Web UI finds that recovery by its search attributes (headless Chromium), screenshot saved', async () => {
    if (!failedOverSystem) throw new Error('needs the failover scenario above');
    const workflowId = recoveryWorkflowId(failedOverSystem);
    const query = `AcodeSystem="${failedOverSystem}" AND FailureType="mysql_server_down" AND RecoveryStrategy="activate_backup_immediately" AND RecoveryPhase="completed"`;
    const shot = artifactPath('e2e-recovery-run.png');
    rmSync(shot, { force: true });
    const attributes = await withPage(async (page) => {
      const listUrl = `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
      const run = page.getByRole('link', { name: workflowId, exact: true });
      // Visibility is eventually consistent: the list may need a reload or two.
      for (let i = 0; i < 10 && !(await run.isVisible()); i++) {
        await page.goto(listUrl);
        await run.waitFor({ timeout: 2000 }).catch(() => undefined);
      }
      await page.screenshot({ path: artifactPath('e2e-recovery-list.png') });
      await run.click();
      await page.getByText('Search Attributes', { exact: true }).click();
      // The section renders after the click: read the page until it shows the attributes (or 10 s pass).
      let text = '';
      for (let i = 0; i < 40 && !text.includes('"AcodeSystem"'); i++) {
        if (i > 0) await page.waitForTimeout(250);
        text = await page.locator('main').innerText();
      }
      await page.screenshot({ path: shot });
      return text;
    });
    for (const [key, value] of [
      ['AcodeSystem', failedOverSystem],
      ['FailureType', 'mysql_server_down'],
      ['RecoveryStrategy', 'activate_backup_immediately'],
      ['RecoveryPhase', 'completed'],
    ])
      expect(attributes).toContain(`"${key}": "${value}"`);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  }, 60_000);

  it('a worker killed during a backoff timer: a new worker completes the recovery with no duplicated sync or notification', async () => {
    const config = await e2eConfig();
    const system =
      config.systems[0] ??
      (() => {
        throw new Error('no system');
      })();
    const taskQueue = config.temporal.task_queue;
    const handle = await env.client.workflow.signalWithStart(autoRecovery, {
      taskQueue,
      workflowId: recoveryWorkflowId(system.id),
      args: [{ systemId: system.id, settings: recoverySettings(system, config.temporal.ui_url) }],
      signal: failureObservedSignal,
      signalArgs: [
        {
          failureType: 'connection_timeout',
          reason: 'e2e: blip',
          consecutiveFailures: 1,
          unhealthy: [],
          backupFit: true,
          observedAt: new Date().toISOString(),
        },
      ],
    });
    const first = await projectWorker(env, taskQueue, createActivities(config));
    const running = first.run();
    for (let i = 0; i < 100 && (await handle.query(statusQuery).catch(() => undefined))?.phase !== 'backing_off'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    first.shutdown();
    await running;
    const second = await projectWorker(env, taskQueue, createActivities(config));
    const result = await second.runUntil(handle.result());
    expect(result).toMatchObject({ outcome: 'recovered', strategy: 'retry_primary_with_backoff' });
    const state = await simulator.state();
    expect(state.jobs.map((j) => [j.response.connectionId, j.response.status])).toEqual([
      ['connection_mysql_s3_acode', 'succeeded'],
    ]);
    const successes = (await sink.requests('/slack')).filter((r) => r.body.includes('Auto-recovery succeeded'));
    expect(successes).toHaveLength(1);
  }, 120_000);
});

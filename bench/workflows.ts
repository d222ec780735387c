// Benchmark of the workflows on the real local stack (run with `npm run bench:workflows`):
// Temporal cost (history events, billable actions) of a healthy monitoring run and of a
// failover, wall time of a healthy check run, and the time from the primary's death to the
// backup sync being triggered, with fast confirmation on and off. Prints figures; asserts nothing.
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../src/activities/index.js';
import { monitoringSettings } from '../src/activities/settings.js';
import { loadConfig } from '../src/config/load.js';
import { loopbackOnlyVar } from '../src/integrations/loopback.js';
import { AirbyteSimulatorControl } from '../src/stack/airbyte-simulator/control-client.js';
import { mariaInstance, startMaria, stopMaria, waitForReplicaCatchUp } from '../src/stack/mariadb.js';
import { localConfigPath } from '../src/stack/paths.js';
import { loadStackSecretsIntoEnv } from '../src/stack/secrets.js';
import { loopback, ports } from '../src/stack/services.js';
import { stackUp } from '../src/stack/stack.js';
import { recoveryWorkflowId } from '../src/workflows/definitions.js';
import { healthMonitoring } from '../src/workflows/health-monitoring.js';

process.env[loopbackOnlyVar] = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Temporal Cloud bills these history events as actions (workflow start, activities, timers, signals, children, search attribute upserts). */
const billable = new Set([
  'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
  'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
  'EVENT_TYPE_TIMER_STARTED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
  'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
]);

async function historyCost(client: Client, workflowId: string): Promise<{ events: number; actions: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const types = (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
  return { events: types.length, actions: types.filter((t) => billable.has(String(t))).length };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  loadStackSecretsIntoEnv();
  console.log('bringing up the local stack...');
  await stackUp(() => undefined);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: `${loopback}:${ports.temporal}` });
  const simulator = new AirbyteSimulatorControl();
  await simulator.reset();
  const config = await loadConfig(localConfigPath);
  const system = config.systems[0];
  if (!system) throw new Error('no system configured');
  system.id = `bench-${Date.now()}`;
  system.recovery.anti_flapping_minutes = 0;
  system.sync_retry_policy.job_poll_interval_seconds = 1;
  config.temporal.task_queue = `bench-${Date.now()}`;
  const taskQueue = config.temporal.task_queue;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: createActivities(config),
  });
  const run = (confirm: boolean, id: string) =>
    env.client.workflow.execute(healthMonitoring, {
      taskQueue,
      workflowId: id,
      args: [
        {
          systemId: system.id,
          settings: {
            ...monitoringSettings(system, config.temporal.ui_url),
            fastConfirmation: {
              ...monitoringSettings(system, config.temporal.ui_url).fastConfirmation,
              enabled: confirm,
            },
          },
        },
      ],
    });

  await worker.runUntil(async () => {
    // Healthy runs.
    const walls: number[] = [];
    let healthyId = '';
    for (let i = 0; i < 7; i++) {
      healthyId = `bench-healthy-${Date.now()}-${i}`;
      const t = performance.now();
      await run(true, healthyId);
      walls.push(performance.now() - t);
    }
    const healthy = await historyCost(env.client, healthyId);
    console.log(`\nhealthy monitoring run: ${healthy.events} history events, ${healthy.actions} billable actions`);
    console.log(
      `healthy check run wall time: median ${median(walls).toFixed(0)} ms over ${walls.length} runs (min ${Math.min(...walls).toFixed(0)}, max ${Math.max(...walls).toFixed(0)})`,
    );

    // The primary dies; fast confirmation on: one run reaches the threshold.
    const primary = mariaInstance('primary');
    const intervalMin = 5;
    const confirmS =
      system.health_check.fast_confirmation.interval_seconds * system.health_check.fast_confirmation.rechecks;
    await stopMaria(primary);
    const died = performance.now();
    let triggerAt: number;
    try {
      const result = await run(true, `bench-outage-${Date.now()}`);
      const crossed = performance.now();
      const recovery: WorkflowHandle = env.client.workflow.getHandle(recoveryWorkflowId(system.id));
      // The backup sync is triggered when the simulator sees the job.
      for (;;) {
        const state = await simulator.state();
        if (state.jobs.some((j) => j.response.connectionId === system.airbyte.backup_connection_id)) {
          triggerAt = performance.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await recovery.result();
      const failover = await historyCost(env.client, `${recoveryWorkflowId(system.id)}-failover-0`);
      const rec = await historyCost(env.client, recoveryWorkflowId(system.id));
      console.log(
        `\noutage run: action ${result.action} after ${result.rechecks} re-checks, classified ${result.failure?.failureType}`,
      );
      console.log(
        `failover: recovery ${rec.events} events / ${rec.actions} actions, failover child ${failover.events} events / ${failover.actions} actions`,
      );
      console.log(
        `from the threshold-crossing check to the backup sync trigger: ${(triggerAt - crossed).toFixed(0)} ms (includes finishing the monitoring run)`,
      );
      const measured = (triggerAt - died) / 1000;
      console.log(`\ntime from the primary's death to the backup sync trigger (${intervalMin}-minute schedule):`);
      console.log(
        `  fast confirmation ON : measured ${measured.toFixed(1)} s from the first failed check (${confirmS} s of re-checks); plus the wait for the next tick, 0..${intervalMin} min: ${measured.toFixed(0)} s to ${(measured + intervalMin * 60).toFixed(0)} s`,
      );
      const perRun = measured - confirmS;
      console.log(
        `  fast confirmation OFF: 3 scheduled runs; 2 x ${intervalMin} min + ${perRun.toFixed(1)} s measured for the last run and the trigger, plus 0..${intervalMin} min: ${(2 * intervalMin * 60 + perRun).toFixed(0)} s to ${(3 * intervalMin * 60 + perRun).toFixed(0)} s`,
      );
    } finally {
      await startMaria(primary);
      await new Promise((r) => setTimeout(r, 6000));
      await waitForReplicaCatchUp(60_000).catch(() => undefined);
      await simulator.reset();
    }
  });
  await env.teardown();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

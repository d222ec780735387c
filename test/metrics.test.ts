// The worker's Prometheus endpoint and structured logs, on the real worker process against the
// local stack: a health round and an escalated recovery (paged, rejected by a human), then the
// endpoint is scraped for the SDK's series and every project series, and the log lines are read.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRound } from '../src/activities/checks.js';
import { monitoringSettings, recoverySettings } from '../src/activities/settings.js';
import { parseConfig } from '../src/config/load.js';
import { metricNames } from '../src/observability/metrics.js';
import { ports } from '../src/stack/services.js';
import { localConfigPath } from '../src/stack/paths.js';
import { autoRecovery } from '../src/workflows/auto-recovery.js';
import {
  failureObservedSignal,
  recoveryWorkflowId,
  rejectSignal,
  searchAttributeKeys,
  statusQuery,
} from '../src/workflows/definitions.js';
import { healthMonitoring, type HealthRunResult } from '../src/workflows/health-monitoring.js';
import { readFileSync } from 'node:fs';
import { samplesOf, scrape, type Sample } from './support/prometheus.js';
import { devServerEnv, uniqueId } from './support/temporal.js';
import { freePort, startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

let env: TestWorkflowEnvironment;
let worker: WorkerProcess;
let health: HealthRunResult;
let samples: Sample[];

beforeAll(async () => {
  env = await devServerEnv();
  // PagerDuty on a port nobody listens on, so notifications both succeed (Slack) and fail.
  const deadPort = await freePort();
  worker = await startWorkerProcess({
    logLevel: 'debug',
    overrides: [
      ['system.notifications.pagerduty.events_url', `http://127.0.0.1:${deadPort}/v2/enqueue`],
      ['system.recovery.anti_flapping_minutes', 0],
    ],
  });
  const { system, config, systemId, taskQueue } = worker;
  const typedSearchAttributes = [{ key: searchAttributeKeys.system, value: systemId }];

  health = await env.client.workflow.execute(healthMonitoring, {
    taskQueue,
    workflowId: uniqueId(`health-${systemId}`),
    args: [{ systemId, settings: monitoringSettings(system, config.temporal.ui_url) }],
    typedSearchAttributes,
  });

  // Five consecutive failures: the recovery pages a human at once, who rejects.
  const recovery = await env.client.workflow.signalWithStart(autoRecovery, {
    taskQueue,
    workflowId: recoveryWorkflowId(systemId),
    args: [{ systemId, settings: recoverySettings(system, config.temporal.ui_url) }],
    signal: failureObservedSignal,
    signalArgs: [
      {
        failureType: 'connection_timeout',
        reason: 'metrics test: five timeouts',
        consecutiveFailures: 5,
        unhealthy: [],
        backupFit: true,
        observedAt: new Date().toISOString(),
      },
    ],
    typedSearchAttributes,
  });
  for (
    let i = 0;
    i < 150 && (await recovery.query(statusQuery).catch(() => undefined))?.phase !== 'awaiting_approval';
    i++
  ) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await recovery.signal(rejectSignal, { by: 'metrics-test', reason: 'known maintenance' });
  expect(await recovery.result()).toMatchObject({ outcome: 'rejected', strategy: 'emergency_manual_intervention' });

  samples = await scrape(worker.metricsUrl);
}, 150_000);

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

describe('metrics endpoint', () => {
  it('serves the SDK metrics (temporal_*) with the project metrics on one endpoint', () => {
    const sdk = new Set(samples.filter((s) => s.name.startsWith('temporal_')).map((s) => s.name));
    expect([...sdk]).toEqual(
      expect.arrayContaining([
        'temporal_workflow_completed',
        'temporal_activity_execution_latency_count',
        'temporal_workflow_task_execution_latency_count',
      ]),
    );
    const ours = samplesOf(samples, metricNames.checkStatus, { system: worker.systemId });
    expect(ours[0]?.labels).toMatchObject({ taskQueue: worker.taskQueue, namespace: 'default' });
  });

  it('has the status of every check of the round, per system, check and side', () => {
    const unhealthy = new Set(health.unhealthy.map((u) => `${u.side}/${u.check}`));
    for (const { check, side } of fullRound) {
      const [sample, ...more] = samplesOf(samples, metricNames.checkStatus, { system: worker.systemId, check, side });
      expect(more, `${side}/${check}`).toEqual([]);
      // 0 healthy, 1 warning, 2 unhealthy: 2 exactly for the checks the run reported unhealthy.
      expect(sample?.value === 2, `${side}/${check}: ${sample?.value}`).toBe(unhealthy.has(`${side}/${check}`));
      expect([0, 1, 2]).toContain(sample?.value);
    }
  });

  it('has the replication lag and the data and S3 freshness ages, in seconds', () => {
    const one = (name: string, side: string): number => {
      const found = samplesOf(samples, name, { system: worker.systemId, side });
      expect(found, `${name}{side=${side}}`).toHaveLength(1);
      return found[0]?.value ?? NaN;
    };
    expect(one(metricNames.replicationLag, 'backup')).toBeGreaterThanOrEqual(0);
    // The sandbox loads a fresh day of data when its newest batch is over an hour old: well under 2 days.
    for (const side of ['primary', 'backup']) {
      const age = one(metricNames.dataFreshnessAge, side);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(2 * 86_400);
    }
    expect(one(metricNames.s3FreshnessAge, 'primary')).toBeGreaterThanOrEqual(0);
  });

  it('has the consecutive failures of the health monitor', () => {
    expect(
      samplesOf(samples, metricNames.consecutiveFailures, { system: worker.systemId }).map((s) => s.value),
    ).toEqual([health.consecutiveFailures]);
  });

  it('counts recoveries started by failure type and finished by outcome and strategy', () => {
    const system = worker.systemId;
    expect(
      samplesOf(samples, metricNames.recoveriesStarted, { system }).map((s) => [s.labels.failure_type, s.value]),
    ).toEqual([['connection_timeout', 1]]);
    expect(
      samplesOf(samples, metricNames.recoveriesFinished, { system }).map((s) => [
        s.labels.outcome,
        s.labels.strategy,
        s.value,
      ]),
    ).toEqual([['rejected', 'emergency_manual_intervention', 1]]);
  });

  it('counts notifications sent and failed, by channel', () => {
    const count = (channel: string, outcome: string): number | undefined =>
      samplesOf(samples, metricNames.notifications, { system: worker.systemId, channel, outcome })[0]?.value;
    // Paged for approval, told of the rejection (an acknowledge), told of the end: 3 Slack posts, 2 PagerDuty events.
    expect(count('slack', 'sent')).toBe(3);
    expect(count('pagerduty', 'failed')).toBe(2);
    expect(count('slack', 'failed')).toBeUndefined();
  });

  it('listens where the sandbox config says by default', () => {
    const local = parseConfig(readFileSync(localConfigPath, 'utf8'), localConfigPath);
    expect(local.metrics.prometheus_bind).toBe(`127.0.0.1:${ports.workerMetrics}`);
  });
});

describe('worker logs', () => {
  it('are JSON lines, and every line about a workflow or an activity names the system, the workflow and the run', () => {
    const lines = worker.logs();
    // The SDK logs "Activity started" before the activity's arguments (and so its system) are known.
    const aboutRuns = lines.filter((l) => l.workflowId !== undefined && l.msg !== 'Activity started');
    expect(aboutRuns.filter((l) => l.system !== worker.systemId || typeof l.runId !== 'string')).toEqual([]);
    const kinds = (pick: (l: Record<string, unknown>) => boolean): number => aboutRuns.filter(pick).length;
    expect(kinds((l) => l.sdkComponent === 'workflow' || l.workflowType === 'autoRecovery')).toBeGreaterThan(0);
    expect(kinds((l) => l.activityType === 'runChecks')).toBeGreaterThan(0);
    // Lines of the integrations (pino, not the SDK) carry them too.
    expect(kinds((l) => l.module === 'notify' && l.msg === 'notification failed')).toBeGreaterThan(0);
    expect(
      worker
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('{')),
    ).toEqual([]);
  });
});

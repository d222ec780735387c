import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longSleepWorkflow, greetingWorkflow } from './fixtures/workflows.js';
import { bundle, devServerEnv, timeSkippingEnv, uniqueId } from './support/temporal.js';

let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundle(fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url)));
});

describe('Temporal dev server of the local stack', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await devServerEnv();
  });
  afterAll(() => env?.teardown());

  it('runs a workflow through a real worker and returns its result', async () => {
    const taskQueue = uniqueId('stack-test');
    const workflowId = uniqueId('greeting');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: { greet: (name: string) => Promise.resolve(`hello ${name}`) },
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(greetingWorkflow, { taskQueue, workflowId, args: ['operator'] }),
    );
    expect(result).toBe(`hello operator from ${workflowId}`);
    const described = await env.client.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('COMPLETED');
  });

  it('has the project search attributes registered', async () => {
    const res = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(res.customAttributes ?? {})).toEqual(
      expect.arrayContaining(['AcodeSystem', 'FailureType', 'RecoveryStrategy', 'RecoveryPhase']),
    );
  });
});

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('completes a 30-minute durable sleep in seconds of real time', async () => {
    const taskQueue = uniqueId('skip-test');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
    // Without time skipping this would wait 30 real minutes and hit the test timeout.
    const slept = await worker.runUntil(
      env.client.workflow.execute(longSleepWorkflow, { taskQueue, workflowId: uniqueId('sleep') }),
    );
    expect(slept).toBeGreaterThanOrEqual(30 * 60_000);
  });
});

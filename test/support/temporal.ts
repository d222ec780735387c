// Temporal test environments that never download anything: the dev server of the local stack,
// and the time-skipping server binary from the project venv.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  Runtime,
  DefaultLogger,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { timeSkippingServerPath } from '../../src/stack/temporal.js';
import { loopback, ports } from '../../src/stack/services.js';

let runtimeInstalled = false;

/** Runtime.install may be called once per process; test files share one process per worker. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // another file of this process installed it already
  }
  runtimeInstalled = true;
}

export function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
  });
}

export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({ address: `${loopback}:${ports.temporal}` });
}

export function bundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
}

let projectBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** A worker of the project's workflows (bundled once per test file) and `activities` on `taskQueue`. */
export async function projectWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
): Promise<Worker> {
  projectBundle ??= bundle(fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url)));
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await projectBundle,
    activities,
  });
}

export const uniqueId = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

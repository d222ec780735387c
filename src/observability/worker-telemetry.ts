// The worker's logs and metrics: the Temporal runtime logs through pino and serves one Prometheus
// endpoint with the SDK's metrics and the project's (src/observability/metrics.ts); interceptors
// put the system, workflow id and run id on every line of workflows and activities.
import type { RuntimeOptions, WorkerInterceptors } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { GuardianConfig } from '../config/schema.js';
import { activityLogContext } from './activity-context.js';
import { temporalLogger } from './logger.js';

export const workerInterceptors: WorkerInterceptors = {
  activity: [activityLogContext],
  workflowModules: [fileURLToPath(new URL('../workflows/log-interceptors.ts', import.meta.url))],
};

export function runtimeOptions({ prometheus_bind }: GuardianConfig['metrics']): RuntimeOptions {
  return {
    logger: temporalLogger(),
    ...(prometheus_bind ? { telemetryOptions: { metrics: { prometheus: { bindAddress: prometheus_bind } } } } : {}),
  };
}

/** Where Prometheus scrapes the worker, for the startup log line; null when the endpoint is off. */
export const metricsUrl = ({ prometheus_bind }: GuardianConfig['metrics']): string | null =>
  prometheus_bind ? `http://${prometheus_bind}/metrics` : null;

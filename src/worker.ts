// The worker: serves the configured task queue with the project's workflows and activities.
// Connection from TEMPORAL_* env vars (see src/temporal/connection.ts); config from --config,
// ACODE_GUARDIAN_CONFIG, or the local sandbox config.
import { Runtime, Worker, type NativeConnection } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { configPathFromEnv, loadConfig } from './config/load.js';
import type { GuardianConfig } from './config/schema.js';
import { logger } from './observability/logger.js';
import { metricsUrl, runtimeOptions, workerInterceptors } from './observability/worker-telemetry.js';
import { connectWorker, describeTarget, temporalTarget } from './temporal/connection.js';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** The worker of a config: its task queue, every workflow, its activities, the logging interceptors. */
export function createWorker(
  config: GuardianConfig,
  connection: NativeConnection,
  namespace: string,
  activities = createActivities(config),
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: config.temporal.task_queue,
    workflowsPath,
    activities,
    interceptors: workerInterceptors,
  });
}

export async function runWorker(configPath = configPathFromEnv()): Promise<void> {
  const config = await loadConfig(configPath);
  Runtime.install(runtimeOptions(config.metrics));
  const target = temporalTarget(config.temporal.namespace);
  const connection = await connectWorker(target);
  try {
    const worker = await createWorker(config, connection, target.namespace);
    logger.info(
      {
        configPath,
        taskQueue: config.temporal.task_queue,
        systems: config.systems.map((s) => s.id),
        metrics: metricsUrl(config.metrics),
      },
      `worker serving ${describeTarget(target)}`,
    );
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runWorker().catch((err: unknown) => {
    logger.error({ err }, 'worker failed');
    process.exit(1);
  });
}

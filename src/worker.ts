// The worker: serves the configured task queue with the project's workflows and activities.
// Connection from TEMPORAL_* env vars (see src/temporal/connection.ts); config from --config,
// ACODE_GUARDIAN_CONFIG, or the local sandbox config.
import { Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { configPathFromEnv, loadConfig } from './config/load.js';
import { logger, temporalLogger } from './observability/logger.js';
import { connectWorker, describeTarget, temporalTarget } from './temporal/connection.js';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export async function runWorker(configPath = configPathFromEnv()): Promise<void> {
  const config = await loadConfig(configPath);
  Runtime.install({ logger: temporalLogger() });
  const target = temporalTarget(config.temporal.namespace);
  const connection = await connectWorker(target);
  try {
    const worker = await Worker.create({
      connection,
      namespace: target.namespace,
      taskQueue: config.temporal.task_queue,
      workflowsPath,
      activities: createActivities(config),
    });
    logger.info(
      { configPath, taskQueue: config.temporal.task_queue, systems: config.systems.map((s) => s.id) },
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

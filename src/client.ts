// The operator CLI: `acode-guardian <command>` (or `npm run cli -- <command>`).
import { Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { configPathFromEnv, loadConfig } from './config/load.js';
import { localConfigPath } from './stack/paths.js';
import { stackDown, stackStatus, stackUp } from './stack/stack.js';
import { runWorker } from './worker.js';
import { createActivities } from './activities/index.js';
import type { CheckResult } from './checks/types.js';
import { renderCheckTable } from './cli/check-table.js';
import { registerProcedureCommands } from './cli/procedures.js';
import { registerRecoveryCommands } from './cli/recovery.js';
import { registerScheduleCommands } from './cli/schedules.js';
import { registerStorageCommands } from './cli/storage.js';
import {
  output,
  positiveNumber,
  useSandboxSecretsFor,
  withConfigOptions,
  withTemporal,
  type ConfigOptions,
} from './cli/context.js';
import { runDemo } from './demo/demo.js';
import { logger, temporalLogger } from './observability/logger.js';
import { syncSchedules } from './temporal/schedules.js';

/** One round of checks, run here rather than on a worker: the same code the workflows call. */
async function runChecksNow(configPath: string, systemId: string): Promise<CheckResult[]> {
  useSandboxSecretsFor(configPath);
  const config = await loadConfig(configPath);
  return createActivities(config).runChecks(systemId);
}

export function buildCli(): Command {
  const program = new Command('acode-guardian')
    .description('Self-healing controller for MySQL -> Airbyte -> S3 ingestion pipelines, on Temporal')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the guardian on the local sandbox: bring up the stack, sync the schedules, then serve the worker')
    .action(async () => {
      useSandboxSecretsFor(localConfigPath);
      await stackUp();
      const config = await loadConfig(localConfigPath);
      for (const system of config.systems) {
        console.log(
          `\nHealth of ${system.name}:\n${renderCheckTable(await runChecksNow(localConfigPath, system.id))}\n`,
        );
      }
      for (const s of await withTemporal(localConfigPath, (client) => syncSchedules(client, config))) {
        console.log(`schedule ${s.scheduleId}: ${s.action}`);
      }
      console.log(`Temporal Web UI: ${config.temporal.ui_url}  (Ctrl-C stops the worker; the stack keeps running)`);
      await runWorker(localConfigPath);
    });

  program
    .command('demo')
    .description(
      'the embedded demo: bring up the local stack and a worker, stop the MariaDB primary, and narrate the recovery',
    )
    .option('--keep', 'keep the stack, the worker and the demo schedule running afterwards (Ctrl-C to stop)')
    .option('--interval <seconds>', 'interval of the demo health-monitoring schedule', '15')
    .option('--timeout <seconds>', 'give up if the recovery has no outcome this long after the failure', '300')
    .action(async (opts: { keep?: boolean; interval: string; timeout: string }) => {
      const intervalSeconds = positiveNumber('--interval', opts.interval);
      const timeoutMs = positiveNumber('--timeout', opts.timeout) * 1000;
      // The narration is the output: the worker's own logs only when something goes wrong.
      logger.level = process.env.LOG_LEVEL ?? 'warn';
      // Node 20 support is the README's business; the warning would cut the narration in two.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      Runtime.install({ logger: temporalLogger() });
      await runDemo({ keep: Boolean(opts.keep), intervalSeconds, timeoutMs });
    });

  withConfigOptions(
    program
      .command('check')
      .description('run the health checks of a system now, from this machine, and print the result table')
      .argument('<system>', 'system id from the config'),
  ).action(async (systemId: string, opts: ConfigOptions) => {
    const results = await runChecksNow(opts.config ?? configPathFromEnv(), systemId);
    console.log(opts.json ? JSON.stringify(results, null, 2) : renderCheckTable(results));
    if (results.some((r) => r.status === 'unhealthy')) process.exitCode = 2;
  });

  program
    .command('worker')
    .description(
      'run the worker only (config from --config or ACODE_GUARDIAN_CONFIG; Temporal from TEMPORAL_* env vars)',
    )
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { config?: string }) => {
      const configPath = opts.config ?? configPathFromEnv();
      useSandboxSecretsFor(configPath);
      await runWorker(configPath);
    });

  const config = program.command('config').description('configuration files');
  config
    .command('validate')
    .description('validate a configuration file and list its systems')
    .argument('[path]', 'configuration file', configPathFromEnv())
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts: { json?: boolean }) => {
      const systems = (await loadConfig(path)).systems.map((s) => s.id);
      output(
        opts.json,
        { path, valid: true, systems },
        () => `${path}: valid, ${systems.length} system(s): ${systems.join(', ')}`,
      );
    });

  const stack = program
    .command('stack')
    .description('the local sandbox stack (Temporal, MariaDB primary + replica, S3, webhook sink)');
  stack
    .command('up')
    .description('start every service; idempotent, running services are kept')
    .action(async () => {
      await stackUp();
    });
  stack
    .command('down')
    .description('stop every service; data under .data/ is kept')
    .action(async () => {
      await stackDown();
    });
  stack
    .command('status')
    .description('each service, its address, pid and whether it answers (exit 1 if one does not)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = await stackStatus();
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else console.table(rows.map((r) => ({ ...r, pid: r.pid ?? '-', answers: r.answers ? 'yes' : 'NO' })));
      if (rows.some((r) => !r.answers)) process.exitCode = 1;
    });

  registerScheduleCommands(program);
  registerRecoveryCommands(program);
  registerStorageCommands(program);
  registerProcedureCommands(program);
  return program;
}

/** Runs the CLI on process.argv; errors are printed as one clear line, exit code 1. */
export async function main(argv = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

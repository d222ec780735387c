// The real worker (src/worker.ts) in a child process, as production runs it: its own Temporal
// runtime (so its Prometheus endpoint and pino logger are the production ones, whatever runtime
// this test process installed), a config derived from config/local.yaml under a system id and task
// queue of its own, and every line it writes kept for the test to read.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import type { GuardianConfig, SystemConfig } from '../../src/config/schema.js';
import { localConfigPath, repoRoot } from '../../src/stack/paths.js';
import { uniqueId } from './temporal.js';

/** A free loopback port (closed again at once; nothing else here binds ephemeral ports on purpose). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type RawConfig = Record<string, unknown>;

/** Sets a nested key of the raw YAML document, creating the objects on the way. */
function setPath(target: RawConfig, keys: string[], value: unknown): void {
  const last = keys.at(-1) as string;
  let node = target;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as RawConfig;
  node[last] = value;
}

export interface WorkerProcessOptions {
  /** Raw config overrides, paths under systems[0] prefixed 'system.'; e.g. ['system.recovery.backoff_minutes', [0.1]]. */
  overrides?: [string, unknown][];
  logLevel?: string;
}

export interface WorkerProcess {
  /** The config the worker runs with, as it parsed it. */
  config: GuardianConfig;
  system: SystemConfig;
  systemId: string;
  taskQueue: string;
  metricsUrl: string;
  /** Every line the worker wrote to stdout and stderr so far. */
  output(): string;
  /** Its stdout lines that are JSON (pino), parsed. */
  logs(): Record<string, unknown>[];
  /** SIGTERM (the worker drains and exits), SIGKILL after 20 s; removes the config file. */
  stop(): Promise<void>;
}

export async function startWorkerProcess(opts: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const raw = parse(readFileSync(localConfigPath, 'utf8')) as RawConfig;
  const systems = raw.systems as RawConfig[];
  const system = systems[0] as RawConfig;
  raw.systems = [system];
  const systemId = uniqueId('obs').toLowerCase().slice(0, 40);
  const taskQueue = uniqueId('obs');
  const metricsPort = await freePort();
  system.id = systemId;
  setPath(raw, ['temporal', 'task_queue'], taskQueue);
  setPath(raw, ['metrics', 'prometheus_bind'], `127.0.0.1:${metricsPort}`);
  for (const [key, value] of opts.overrides ?? []) {
    const [head, ...rest] = key.split('.');
    if (head === 'system') setPath(system, rest, value);
    else setPath(raw, key.split('.'), value);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acode-worker-'));
  const configPath = path.join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(raw));
  const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/worker.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ACODE_GUARDIAN_CONFIG: configPath, LOG_LEVEL: opts.logLevel ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const logs = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when it logs that it serves the task queue (after bundling the workflows).
  const deadline = Date.now() + 90_000;
  while (!logs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('worker serving'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the worker did not start (exit ${child.exitCode}):\n${text.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    config,
    system: config.systems[0] as SystemConfig,
    systemId,
    taskQueue,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    output: () => text,
    logs,
    stop,
  };
}

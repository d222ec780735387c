// The local sandbox stack: every real service the main job, the demo and the tests use, on
// loopback, with pid files and logs under .data/. `up` is idempotent: what runs is kept.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SystemConfig } from '../config/schema.js';
import { AirbyteClient, isTerminal } from '../integrations/airbyte/client.js';
import { SystemRegistry } from '../activities/context.js';
import { applyStorage } from '../activities/storage.js';
import { loadConfig } from '../config/load.js';
import { upMariaDb, mariaInstance, stopMaria, rootConnection } from './mariadb.js';
import { isPortOpen, runningPid, startDetached, stopPid, waitUntil } from './process.js';
import { downS3, s3PidFile, sandboxS3Client, upS3 } from './s3.js';
import { ensureStackSecrets } from './secrets.js';
import { downTemporal, temporalPidFile, upTemporal } from './temporal.js';
import { localConfigPath, repoRoot, serviceDir } from './paths.js';
import { loopback, ports } from './services.js';
import { WebhookSinkClient } from './webhook-sink-client.js';
import { AirbyteSimulatorControl } from './airbyte-simulator/control-client.js';

/** Sandbox data: a week of sales for 20 stores, so freshness checks see recent rows. */
const defaultSeed = { days: 7, storesPerDay: 20, productsPerStore: 10 };

/** One primary sync through the simulator, as Airbyte's schedule would run it, awaited to its end. */
export async function syncPrimaryNow(system: SystemConfig, env: Record<string, string>): Promise<string> {
  const { production } = system.s3.buckets;
  const client = new AirbyteClient({
    apiUrl: system.airbyte.api_url,
    auth: {
      type: 'client_credentials',
      clientId: env.AIRBYTE_CLIENT_ID ?? '',
      clientSecret: env.AIRBYTE_CLIENT_SECRET ?? '',
    },
    timeoutMs: 10_000,
  });
  const { job } = await client.triggerSync(system.airbyte.primary_connection_id);
  let current = job;
  for (let i = 0; i < 600 && !isTerminal(current); i++) {
    await delay(100);
    current = await client.getJob(job.jobId);
  }
  if (current.status !== 'succeeded') throw new Error(`the primary sync of ${system.id} ended ${current.status}`);
  return `${system.id}: primary sync job ${job.jobId} copied ${current.rowsSynced ?? 0} rows to s3://${production.name}/${production.prefix}`;
}

/**
 * A fresh sandbox has an empty production bucket (moto keeps nothing across restarts), which
 * the s3_uploads check rightly calls unhealthy: one primary sync fills it.
 */
async function primeProductionData(system: SystemConfig, env: Record<string, string>): Promise<string | undefined> {
  const { production } = system.s3.buckets;
  const s3 = sandboxS3Client(env);
  try {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: production.name, Prefix: production.prefix, MaxKeys: 1 }),
    );
    if (page.KeyCount) return undefined;
  } finally {
    s3.destroy();
  }
  return `first sync: ${await syncPrimaryNow(system, env)}`;
}

/** A service of the stack that is one of this project's own Node programs (run through tsx). */
interface NodeService {
  name: string;
  script: string;
  port: number;
  args: string[];
  healthy: () => Promise<boolean>;
}

const nodeServices: NodeService[] = [
  {
    name: 'webhook-sink',
    script: 'src/stack/webhook-sink-main.ts',
    port: ports.webhookSink,
    args: [],
    healthy: () => new WebhookSinkClient().healthy(),
  },
  {
    name: 'airbyte-simulator',
    script: 'src/stack/airbyte-simulator/main.ts',
    port: ports.airbyte,
    args: [localConfigPath],
    healthy: () => new AirbyteSimulatorControl().healthy(),
  },
];

const pidFileOf = (svc: NodeService): string => path.join(serviceDir(svc.name), `${svc.name}.pid`);
const logFileOf = (svc: NodeService): string => path.join(serviceDir(svc.name), `${svc.name}.log`);

async function upNodeService(svc: NodeService, env: Record<string, string>): Promise<string> {
  const address = `http://${loopback}:${svc.port}`;
  if (runningPid(pidFileOf(svc)) !== undefined && (await svc.healthy())) return `${svc.name}: running on ${address}`;
  if (await isPortOpen(svc.port)) throw new Error(`port ${svc.port} is taken by a process the stack did not start`);
  startDetached({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(repoRoot, svc.script), String(svc.port), ...svc.args],
    cwd: repoRoot,
    env: { ...process.env, ...env },
    pidFile: pidFileOf(svc),
    logFile: logFileOf(svc),
  });
  await waitUntil(svc.name, svc.healthy, { timeoutMs: 30_000, pidFile: pidFileOf(svc), logFile: logFileOf(svc) });
  return `${svc.name}: started on ${address}`;
}

export async function stackUp(log: (line: string) => void = console.log): Promise<Record<string, string>> {
  const secrets = ensureStackSecrets();
  const config = await loadConfig(localConfigPath);
  const buckets = [...new Set(config.systems.flatMap((s) => Object.values(s.s3.buckets).map((b) => b.name)))];
  // Temporal first: it takes longest to start and needs nothing else.
  log(await upTemporal());
  for (const line of await upMariaDb(secrets, defaultSeed)) log(line);
  log(await upS3(secrets, buckets));
  // The sandbox buckets carry their storage policies, as production's do after `storage apply`.
  const registry = new SystemRegistry(config, { ...process.env, ...secrets });
  for (const system of config.systems) {
    const { changes } = await applyStorage(registry.get(system.id));
    log(`storage policies of ${system.id}: ${changes.length ? `${changes.length} setting(s) applied` : 'in place'}`);
  }
  // The simulator reads MySQL and writes S3, so it starts last.
  for (const svc of nodeServices) log(await upNodeService(svc, secrets));
  for (const system of config.systems) {
    const primed = await primeProductionData(system, secrets);
    if (primed) log(primed);
  }
  return secrets;
}

export async function stackDown(log: (line: string) => void = console.log): Promise<void> {
  const stops: [string, () => Promise<boolean>][] = [
    ...nodeServices.map((svc): [string, () => Promise<boolean>] => [svc.name, () => stopPid(pidFileOf(svc))]),
    ['S3 server', downS3],
    ['MariaDB replica', () => stopMaria(mariaInstance('replica'))],
    ['MariaDB primary', () => stopMaria(mariaInstance('primary'))],
    ['Temporal dev server', downTemporal],
  ];
  for (const [name, stop] of stops) log(`${name}: ${(await stop()) ? 'stopped' : 'was not running'}`);
}

export interface ServiceStatus {
  service: string;
  address: string;
  pid: number | undefined;
  answers: boolean;
}

async function mariaAnswers(role: 'primary' | 'replica'): Promise<boolean> {
  try {
    const conn = await rootConnection(mariaInstance(role));
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

export async function stackStatus(): Promise<ServiceStatus[]> {
  const tcp = (port: number): string => `${loopback}:${port}`;
  return [
    {
      service: 'temporal',
      address: tcp(ports.temporal),
      pid: runningPid(temporalPidFile),
      answers: await isPortOpen(ports.temporal),
    },
    {
      service: 'temporal-ui',
      address: `http://${tcp(ports.temporalUi)}`,
      pid: runningPid(temporalPidFile),
      answers: await isPortOpen(ports.temporalUi),
    },
    {
      service: 'mariadb-primary',
      address: tcp(ports.mariadbPrimary),
      pid: runningPid(mariaInstance('primary').pidFile),
      answers: await mariaAnswers('primary'),
    },
    {
      service: 'mariadb-replica',
      address: tcp(ports.mariadbReplica),
      pid: runningPid(mariaInstance('replica').pidFile),
      answers: await mariaAnswers('replica'),
    },
    {
      service: 's3',
      address: `http://${tcp(ports.s3)}`,
      pid: runningPid(s3PidFile),
      answers: await isPortOpen(ports.s3),
    },
    ...(await Promise.all(
      nodeServices.map(async (svc) => ({
        service: svc.name,
        address: `http://${tcp(svc.port)}`,
        pid: runningPid(pidFileOf(svc)),
        answers: await svc.healthy(),
      })),
    )),
  ];
}

// The quarantine and the data-corruption recovery on the real stack: the Temporal dev server, the
// S3 server, the webhook sink. A real worker process is killed (SIGKILL) in the middle of moving
// 2,100 objects; a new worker's retry finishes the move: every object is in quarantine exactly
// once with its content, nothing is left in production. A backup whose Parquet files are mostly
// nulls stops the recovery before the restore, with a critical Slack message and a PagerDuty page.
// Everything runs under prefixes of its own (a config variant), removed afterwards.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SchemaElement } from 'hyparquet';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createActivities } from '../src/activities/index.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig, SystemConfig } from '../src/config/schema.js';
import { dayPrefix } from '../src/integrations/airbyte/path-format.js';
import { incidentKey } from '../src/integrations/notify/pagerduty.js';
import { listAll } from '../src/integrations/s3/list.js';
import { parseManifest } from '../src/integrations/s3/quarantine-layout.js';
import { writeParquet } from '../src/stack/airbyte-simulator/sync.js';
import { localConfigPath, repoRoot } from '../src/stack/paths.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { deletePrefix, fillPrefix } from '../src/stack/s3-fixtures.js';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';
import { dataCorruptionRecovery } from '../src/workflows/data-corruption-recovery.js';
import { dataCorruptionStatusQuery } from '../src/workflows/definitions.js';
import { simulator } from './support/airbyte.js';
import { devServerEnv, projectWorker, uniqueId } from './support/temporal.js';

const s3 = sandboxS3Client(process.env as Record<string, string>);
const sink = new WebhookSinkClient();
const dir = mkdtempSync(path.join(os.tmpdir(), 'acode-quarantine-'));
const roots: string[] = [];
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  for (const root of roots) {
    for (const bucket of ['farmarcas-production-bronze', 'farmarcas-quarantine', 'farmarcas-backup-acode']) {
      await deletePrefix(s3, bucket, root);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  s3.destroy();
  await env?.teardown();
});

/** The sandbox config with a task queue and production, quarantine and backup prefixes of its own. */
async function configVariant(): Promise<{
  configPath: string;
  config: GuardianConfig;
  system: SystemConfig;
  root: string;
}> {
  const root = `qtest/${uniqueId('q')}/`;
  roots.push(root);
  const raw = parse(readFileSync(localConfigPath, 'utf8')) as {
    temporal: Record<string, unknown>;
    metrics?: Record<string, unknown>;
    systems: { s3: { buckets: Record<string, { prefix: string }> } }[];
  };
  raw.systems = raw.systems.slice(0, 1);
  raw.temporal.task_queue = uniqueId('quarantine');
  raw.metrics = { prometheus_bind: null };
  const buckets = raw.systems[0]?.s3.buckets ?? {};
  for (const [name, prefix] of [
    ['production', `${root}production/`],
    ['quarantine', `${root}quarantine/`],
    ['backup', `${root}backup/`],
  ] as const) {
    const b = buckets[name];
    if (b) b.prefix = prefix;
  }
  const configPath = path.join(dir, `${uniqueId('config')}.yaml`);
  writeFileSync(configPath, stringify(raw));
  const config = await loadConfig(configPath);
  return { configPath, config, system: config.systems[0] as SystemConfig, root };
}

async function keysUnder(bucket: string, prefix: string) {
  const out = new Map<string, string>();
  for await (const o of listAll(s3, bucket, prefix)) if (o.Key) out.set(o.Key, o.ETag ?? '');
  return out;
}

/** The real worker (src/worker.ts) in a child process, ready once it serves its task queue. */
async function startWorkerProcess(configPath: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/worker.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ACODE_GUARDIAN_CONFIG: configPath, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  while (!output.includes('worker serving')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start (exit ${child.exitCode}):\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    kill: async (): Promise<void> => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('quarantine on the real stack', () => {
  it('finishes the move after the worker is killed mid-way: each object in quarantine exactly once, none left in production', async () => {
    const { configPath, config, system } = await configVariant();
    const { production, quarantine } = system.s3.buckets;
    const count = 2100;
    const objects = await fillPrefix(s3, production.name, production.prefix, count);

    const first = await startWorkerProcess(configPath);
    let killed = false;
    try {
      const handle = await env.client.workflow.start(dataCorruptionRecovery, {
        taskQueue: config.temporal.task_queue,
        workflowId: uniqueId('quarantine-acode'),
        args: [{ systemId: system.id, reason: 'test: worker killed mid-quarantine', by: 'test', quarantineOnly: true }],
      });
      // Kill once the first chunk is moved and the second is being copied.
      const deadline = Date.now() + 120_000;
      let copies = 0;
      while (copies < 1300) {
        if (Date.now() > deadline) throw new Error(`only ${copies} objects copied after 2 minutes`);
        await new Promise((r) => setTimeout(r, 250));
        copies = (await keysUnder(quarantine.name, quarantine.prefix)).size;
      }
      // The status query shows the move in progress (the activity reports each chunk it finishes).
      let status = await handle.query(dataCorruptionStatusQuery);
      for (let i = 0; i < 20 && !status.inProgress; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = await handle.query(dataCorruptionStatusQuery);
      }
      expect(status.inProgress).toMatchObject({ unit: 'objects', total: count });
      expect(status.inProgress?.done).toBeGreaterThanOrEqual(1000);
      expect(status.inProgress?.what).toBe(`quarantine of s3://${production.name}/${production.prefix}`);
      await first.kill();
      killed = true;
      const atKill = {
        production: (await keysUnder(production.name, production.prefix)).size,
        quarantine: (await keysUnder(quarantine.name, quarantine.prefix)).size - 1, // minus the manifest
      };
      expect(atKill.production).toBeGreaterThan(0);
      expect(atKill.quarantine).toBeLessThan(count);

      // A new worker takes the activity over once its heartbeat times out, and resumes.
      const second = await projectWorker(env, config.temporal.task_queue, createActivities(config));
      const result = await second.runUntil(async () => {
        const done = await handle.result();
        expect((await handle.query(dataCorruptionStatusQuery)).inProgress).toBeUndefined();
        return done;
      });
      expect(result.outcome).toBe('quarantined');
      expect(result.quarantine).toMatchObject({ objects: count, resumed: true });
      expect(result.quarantine.alreadyQuarantined).toBeGreaterThanOrEqual(atKill.quarantine);
      expect(result.quarantine.copied + result.quarantine.alreadyQuarantined).toBe(count);

      // Nothing left in production.
      expect((await keysUnder(production.name, production.prefix)).size).toBe(0);
      // Every object exactly once, with its own bytes (its ETag is the MD5 of what was written).
      const folder = result.quarantine.destination.replace(`s3://${quarantine.name}/`, '');
      const moved = await keysUnder(quarantine.name, quarantine.prefix);
      const data = [...moved].filter(([k]) => k.startsWith(`${folder}data/`));
      expect(moved.size).toBe(count + 1);
      expect(data).toHaveLength(count);
      const expected = new Map(
        [...objects].map(([key, body]) => [
          `${folder}data/${key.slice(production.prefix.length)}`,
          `"${createHash('md5').update(body).digest('hex')}"`,
        ]),
      );
      expect(new Map(data)).toEqual(expected);
      // The manifest, written first, lists them all.
      const manifestKey = result.quarantine.manifest.replace(`s3://${quarantine.name}/`, '');
      const res = await s3.send(new GetObjectCommand({ Bucket: quarantine.name, Key: manifestKey }));
      const manifest = parseManifest(await (res.Body?.transformToString('utf8') ?? ''), manifestKey);
      expect(manifest.entries.map((e) => e.key).sort()).toEqual([...objects.keys()].sort());
    } finally {
      if (!killed) await first.kill();
    }
  }, 300_000);

  it('stops before the restore when the backup is mostly nulls, and alerts Slack and PagerDuty critically', async () => {
    const { config, system } = await configVariant();
    const { production, backup } = system.s3.buckets;
    await fillPrefix(s3, production.name, production.prefix, 20);
    // Today's backup partition of both streams: 100 rows each, most cells null.
    for (const table of system.mysql.tables) {
      const schema: SchemaElement[] = table.expected_columns.map((name) =>
        name === table.primary_key
          ? { name, type: 'INT64', repetition_type: 'REQUIRED' }
          : { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      );
      const rows = Array.from({ length: 100 }, (_, i) =>
        Object.fromEntries(
          table.expected_columns.map((c) => [c, c === table.primary_key ? i + 1 : i % 5 === 0 ? `v${i}` : null]),
        ),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: backup.name,
          Key: `${dayPrefix(backup.prefix, backup.path_format, table.name, new Date())}_0.parquet`,
          Body: writeParquet(schema, rows, new Date()),
        }),
      );
    }
    const connectionsBefore = (await simulator.state()).connections.map((c) => [c.connectionId, c.status]);
    const reason = `test: corrupt data ${uniqueId('marker')}`;
    const worker = await projectWorker(env, config.temporal.task_queue, createActivities(config));
    const handle = await env.client.workflow.start(dataCorruptionRecovery, {
      taskQueue: config.temporal.task_queue,
      workflowId: uniqueId('quarantine-acode'),
      args: [{ systemId: system.id, reason, by: 'test' }],
    });
    const result = await worker.runUntil(handle.result());

    expect(result.outcome).toBe('backup_not_clean');
    expect(result.quarantine.objects).toBe(20);
    expect(result.validation?.problems.join('\n')).toMatch(/% null cells \(limit 10 %\)/);
    expect(result.restore).toBeUndefined();
    // No restore: no child started, the connections untouched.
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
    expect((await simulator.state()).connections.map((c) => [c.connectionId, c.status])).toEqual(connectionsBefore);

    const slack = (await sink.requests('/slack')).map((r) => r.body).filter((b) => b.includes(reason));
    expect(slack.some((b) => b.includes('CRITICAL: data corruption in production AND in the backup'))).toBe(true);
    expect(slack.some((b) => b.includes('STOP ALL DOWNSTREAM PROCESSES NOW'))).toBe(true);
    const { runId } = await handle.describe();
    const pages = (await sink.requests('/pagerduty')).map((r) => r.body);
    expect(pages.some((b) => b.includes(incidentKey(system.id, runId)) && b.includes('"trigger"'))).toBe(true);
  }, 180_000);
});

// The emergency procedure on the real stack: dumps from the primary, from the replica when the
// primary is down, fails clearly when both are; the SQL dump loads with the `mariadb` client into
// a fresh database and yields the same rows; the CSV parses back to the same rows.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type mysql from 'mysql2/promise';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../src/activities/index.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig } from '../src/config/schema.js';
import { parseCsv } from '../src/integrations/dump-format.js';
import { dailyTable, productsTable } from '../src/stack/acode-data.js';
import { mariaInstance, rootConnection, startMaria, stopMaria, waitForReplicaCatchUp } from '../src/stack/mariadb.js';
import { localConfigPath } from '../src/stack/paths.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { acodeDatabase } from '../src/stack/services.js';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';
import type { ActivityProgress } from '../src/workflows/definitions.js';
import { emergencyProcedure } from '../src/workflows/emergency-procedure.js';
import { devServerEnv, projectWorker, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let config: GuardianConfig;
const sink = new WebhookSinkClient();
const s3 = sandboxS3Client(process.env as Record<string, string>);

beforeAll(async () => {
  env = await devServerEnv();
  config = await loadConfig(localConfigPath);
  config.temporal.task_queue = uniqueId('emergency');
});
afterAll(async () => {
  s3.destroy();
  await env?.teardown();
});
beforeEach(() => sink.clear());

async function runProcedure(workflowId = uniqueId('emergency-acode')) {
  const worker = await projectWorker(env, config.temporal.task_queue, createActivities(config));
  return worker.runUntil(
    env.client.workflow.execute(emergencyProcedure, {
      taskQueue: config.temporal.task_queue,
      workflowId,
      args: [{ systemId: 'acode', reason: 'test', by: 'ana' }],
    }),
  );
}

async function object(uri: string): Promise<Buffer> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await res.Body?.transformToByteArray()) ?? []);
}

async function recentRows(conn: mysql.Connection, db: string, table: string): Promise<unknown[][]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>({
    sql: `SELECT * FROM ${db}.${table} WHERE Data_Processamento >= NOW() - INTERVAL 7 DAY ORDER BY idpk`,
    rowsAsArray: true,
    // As the dump reads them: dates as the server writes them, not as JS Dates.
    dateStrings: true,
  });
  return rows as unknown as unknown[][];
}

describe('emergency procedure', () => {
  it('dumps the last 7 days from the primary: the SQL reloads to the same rows, the CSV parses back to them', async () => {
    const workflowId = uniqueId('emergency-acode');
    const result = await runProcedure(workflowId);
    expect(result.source).toBe('primary');
    // Each table's dump reported its rows to the run (the status query shows them while it runs).
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const reports = (history.events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((s) => s?.signalName === 'activityProgress')
      .map((s) => defaultPayloadConverter.fromPayload<ActivityProgress>(s?.input?.payloads?.[0] ?? {}));
    expect(reports.map((r) => [r.what, r.done, r.unit])).toEqual(
      result.tables.map((t) => [`dump of ${t.table} from the primary`, t.rowsWritten, 'rows']),
    );
    expect(result.tables.map((t) => t.table)).toEqual([dailyTable, productsTable]);
    const root = await rootConnection(mariaInstance('primary'));
    const restoreDb = `restore_${Date.now()}`;
    try {
      for (const t of result.tables) {
        expect(t.rowsWritten).toBe(t.rowsSelected);
        expect(t.rowsWritten).toBeGreaterThan(0);
        expect(t.sql.key).toMatch(
          /^s3:\/\/farmarcas-emergency-backup\/acode\/\d{4}\/\d\d\/\d\d\/acode_emergency_\d{8}_\d{6}_/,
        );
        const expected = await recentRows(root, acodeDatabase, t.table);
        // CSV: header, then the same rows (as text; NULL as null).
        const csv = parseCsv(gunzipSync(await object(t.csv.key)).toString('utf8'));
        expect(csv[0]?.[0]).toBe('idpk');
        expect(csv.slice(1)).toEqual(
          expected.map((r) => r.map((v) => (v === null ? null : String(v as string | number)))),
        );
        // SQL: loaded by the real client into a fresh database.
        await root.query(`CREATE DATABASE IF NOT EXISTS ${restoreDb}`);
        const load = spawnSync('mariadb', [`--socket=${mariaInstance('primary').socket}`, '-uroot', restoreDb], {
          input: gunzipSync(await object(t.sql.key)),
        });
        expect(load.stderr.toString()).toBe('');
        expect(load.status).toBe(0);
        expect(await recentRows(root, restoreDb, t.table)).toEqual(expected);
      }
    } finally {
      await root.query(`DROP DATABASE IF EXISTS ${restoreDb}`);
      await root.end();
    }
    const slack = (await sink.requests('/slack')).map((r) => r.body).join();
    expect(slack).toContain('Emergency recovery: data extracted');
    expect(slack).toContain('+55 11 99999-0004');
  }, 120_000);

  it('dumps from the read-only replica when the primary is down', async () => {
    const primary = mariaInstance('primary');
    await stopMaria(primary);
    try {
      const result = await runProcedure();
      expect(result.source).toBe('backup');
      expect(result.tables.every((t) => t.source.startsWith('backup 127.0.0.1:13307') && t.rowsWritten > 0)).toBe(true);
      expect(result.story.join('\n')).toMatch(/primary: DOWN \(ECONNREFUSED\)/);
    } finally {
      await startMaria(primary);
      await new Promise((r) => setTimeout(r, 6000));
      await waitForReplicaCatchUp(30_000);
    }
  }, 120_000);

  it('fails clearly, and alerts, when both sides are down', async () => {
    const primary = mariaInstance('primary');
    const replica = mariaInstance('replica');
    await stopMaria(primary);
    await stopMaria(replica);
    try {
      const err = await runProcedure().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause?.message).toBe(
        'emergency dump: neither the primary nor the replica answers',
      );
      expect((await sink.requests('/slack')).map((r) => r.body).join()).toContain('no source reachable');
    } finally {
      await startMaria(primary);
      await startMaria(replica);
      await new Promise((r) => setTimeout(r, 6000));
      await waitForReplicaCatchUp(30_000);
    }
  }, 120_000);
});

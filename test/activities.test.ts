import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../src/activities/index.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig } from '../src/config/schema.js';
import { canLogin } from '../src/integrations/mysql-accounts.js';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';
import { mariaInstance, rootConnection } from '../src/stack/mariadb.js';
import { localConfigPath } from '../src/stack/paths.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { mysqlAccounts } from '../src/stack/services.js';
import { simulator, simulatorClient, waitForJob } from './support/airbyte.js';
import { primaryEndpoint } from './support/mysql.js';

let config: GuardianConfig;
let activities: Activities;
const env = new MockActivityEnvironment();
const runIn = <A extends unknown[], R>(
  e: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => e.run(fn, ...args);
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => runIn(env, fn, ...args);

beforeAll(async () => {
  config = await loadConfig(localConfigPath);
  activities = createActivities(config);
});
beforeEach(() => simulator.reset());

describe('check activities on the real stack', () => {
  it('runs the full round concurrently, every check healthy once the primary has synced', async () => {
    const client = simulatorClient();
    await waitForJob(client, (await client.triggerSync('connection_mysql_s3_acode')).job.jobId);
    const results = await run(activities.runChecks, 'acode');
    expect(results.map((r) => `${r.side}/${r.check}`)).toEqual([
      'primary/mysql_connectivity',
      'primary/data_freshness',
      'primary/airbyte_connection',
      'primary/s3_uploads',
      'primary/resource_utilization',
      'primary/schema',
      'backup/mysql_connectivity',
      'backup/data_freshness',
      'backup/airbyte_connection',
      'backup/backup_replication',
      'backup/resource_utilization',
    ]);
    expect(results.filter((r) => r.status !== 'healthy').map((r) => [r.check, r.side, r.error])).toEqual([]);
    const freshness = results.find((r) => r.check === 'data_freshness');
    expect(freshness).toMatchObject({ warnThreshold: 18, failThreshold: 24, unit: 'hours' });
  });

  it('runs a single check on request', async () => {
    const r = await run(activities.runCheck, 'acode', { check: 'backup_replication', side: 'backup' });
    expect(r).toMatchObject({ check: 'backup_replication', status: 'healthy', failThreshold: 600 });
  });

  it('names the unknown system', async () => {
    await expect(run(activities.runChecks, 'nope')).rejects.toThrow(/unknown system "nope"; configured systems: acode/);
  });
});

describe('backup sync and validation', () => {
  it('syncs the backup connection from the replica and validates it clean by reading every file', async () => {
    const client = simulatorClient();
    await run(activities.setAirbyteConnectionStatus, 'acode', 'backup', 'active');
    const { job } = await run(activities.triggerSync, 'acode', 'backup');
    const done = await waitForJob(client, job.jobId);
    expect(done.status).toBe('succeeded');
    const heartbeats: unknown[] = [];
    const watched = new MockActivityEnvironment();
    watched.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const v = await runIn(watched, activities.validateBackup, 'acode');
    expect(v.problems).toEqual([]);
    expect(v.clean).toBe(true);
    expect(v.streams.map((s) => s.stream)).toEqual([
      'farmarcas_si_analitico_diario',
      'farmarcas_si_analitico_diario_produtos',
    ]);
    expect(v.streams.reduce((n, s) => n + s.rows, 0)).toBe(done.rowsSynced);
    expect(v.streams[0]?.prefix).toMatch(
      /^origin=backup\/database=bronze_acode_backup\/backup_farmarcas_si_analitico_diario\/backup_dt=\d{4}-\d\d-\d\d\/$/,
    );
    expect(heartbeats.length).toBeGreaterThan(0);
  });

  it('finds a corrupt file and missing data in a backup partition', async () => {
    const s3 = sandboxS3Client(process.env as Record<string, string>);
    const day = '2001-02-03';
    await s3.send(
      new PutObjectCommand({
        Bucket: 'farmarcas-backup-acode',
        Key: `origin=backup/database=bronze_acode_backup/backup_farmarcas_si_analitico_diario/backup_dt=${day}/backup_file_farmarcas_si_analitico_diario_0.parquet`,
        Body: 'PAR1 not really parquet',
      }),
    );
    s3.destroy();
    const v = await run(activities.validateBackup, 'acode', day);
    expect(v.clean).toBe(false);
    expect(v.problems).toEqual([
      'farmarcas_si_analitico_diario: 0 rows (minimum 1)',
      expect.stringMatching(/^farmarcas_si_analitico_diario: unreadable file .*_0\.parquet: /),
      expect.stringMatching(
        /^farmarcas_si_analitico_diario_produtos: no backup files under s3:\/\/farmarcas-backup-acode\//,
      ),
    ]);
  });
});

describe('credential rotation', () => {
  const original = process.env[mysqlAccounts.app.passwordEnv] ?? '';
  afterAll(async () => {
    const root = await rootConnection(mariaInstance('primary'));
    await root.query("ALTER USER ?@'%' IDENTIFIED BY ?", [mysqlAccounts.app.user, original]);
    await root.end();
    await simulator.reset();
  });

  it('sets a new password, verifies it, updates the Airbyte source, and never returns it', async () => {
    const rotationId = `test-${Date.now()}`;
    const result = await run(activities.rotateCredentials, 'acode', rotationId);
    expect(result).toEqual({ account: 'userfarmarcasac02@%', verified: true, airbyteSourceUpdated: true });
    expect(JSON.stringify(result)).not.toMatch(/password/i);
    // The old password no longer logs in; the worker's checks use the new one.
    expect(await canLogin(primaryEndpoint(), 3000)).toBe(false);
    const check = await run(activities.runCheck, 'acode', { check: 'mysql_connectivity', side: 'primary' });
    expect(check.status).toBe('healthy');
    // The simulator's source got the new password: a primary sync logs in with it.
    const client = simulatorClient();
    expect((await waitForJob(client, (await client.triggerSync('connection_mysql_s3_acode')).job.jobId)).status).toBe(
      'succeeded',
    );
    // A retry of the same rotation converges on the same password.
    await expect(run(activities.rotateCredentials, 'acode', rotationId)).resolves.toMatchObject({ verified: true });
    expect((await run(activities.runCheck, 'acode', { check: 'mysql_connectivity', side: 'primary' })).status).toBe(
      'healthy',
    );
  });

  it('refuses when the admin account is not configured', async () => {
    const bare = structuredClone(config);
    delete bare.systems[0]?.mysql.admin;
    await expect(run(createActivities(bare).rotateCredentials, 'acode', 'x')).rejects.toThrow(
      /mysql\.admin, mysql\.rotated_account and mysql\.rotation_key must be configured/,
    );
  });
});

describe('notification activity', () => {
  const sink = new WebhookSinkClient();
  beforeEach(() => sink.clear());
  // Faults left unconsumed would leak into other test files that use the same sink.
  afterEach(() => sink.clear());

  it('sends Slack with the escalation contacts, and pages PagerDuty with a stable incident key', async () => {
    const notice = {
      severity: 'critical' as const,
      title: 'Primary down',
      whatHappened: 'x',
      whatIsBeingDone: 'y',
      nextSteps: ['z'],
    };
    const outcomes = await run(activities.sendNotification, 'acode', {
      notice,
      withContacts: true,
      page: { incidentId: 'inc-1', action: 'trigger' },
    });
    expect(outcomes.map((o) => [o.channel, o.ok])).toEqual([
      ['slack', true],
      ['pagerduty', true],
    ]);
    await run(activities.sendNotification, 'acode', { notice, page: { incidentId: 'inc-1', action: 'resolve' } });
    const slack = await sink.requests('/slack');
    expect(slack[0]?.body).toContain('+55 11 99999-0004');
    const pages = (await sink.requests('/pagerduty')).map(
      (r) => JSON.parse(r.body) as { dedup_key: string; event_action: string },
    );
    expect(pages.map((p) => p.event_action)).toEqual(['trigger', 'resolve']);
    expect(new Set(pages.map((p) => p.dedup_key)).size).toBe(1);
  });

  it('reports a failed channel without failing', async () => {
    await sink.inject({ pathPrefix: '/slack', count: 5, fault: { kind: 'status', status: 500 } });
    const outcomes = await run(activities.sendNotification, 'acode', {
      notice: { severity: 'warning', title: 't', whatHappened: 'x', whatIsBeingDone: 'y', nextSteps: [] },
    });
    expect(outcomes).toEqual([expect.objectContaining({ channel: 'slack', ok: false, status: 500 })]);
    expect(JSON.stringify(outcomes)).not.toContain(process.env.SLACK_WEBHOOK_URL ?? 'unset');
  });
});

describe('connection pressure relief', () => {
  it('closes connections idle past the limit, never replication or the admin', async () => {
    const relaxed = structuredClone(config);
    const acode = relaxed.systems[0];
    if (!acode) throw new Error('no system');
    acode.recovery.idle_connection_kill_seconds = 1;
    const idle = await Promise.all([1, 2, 3].map(() => mysql.createConnection(primaryEndpoint())));
    await new Promise((r) => setTimeout(r, 2500));
    const relief = await run(createActivities(relaxed).relieveConnectionPressure, 'acode');
    expect(relief.byUser.userfarmarcasac02).toBeGreaterThanOrEqual(3);
    expect(relief.byUser.replication_acode).toBeUndefined();
    for (const c of idle) await expect(c.query('SELECT 1')).rejects.toBeDefined();
    const replication = await run(activities.runCheck, 'acode', { check: 'backup_replication', side: 'backup' });
    expect(replication.status).toBe('healthy');
  });
});

describe('schema refresh activity', () => {
  it('names expected columns the source no longer has', async () => {
    const strict = structuredClone(config);
    strict.systems[0]?.mysql.tables[0]?.expected_columns.push('Coluna_Removida');
    const r = await run(createActivities(strict).refreshSourceSchema, 'acode');
    expect(r).toMatchObject({
      sourceId: 'source_mysql_acode',
      missing: ['farmarcas_si_analitico_diario.Coluna_Removida'],
    });
    expect(r.streams).toBeGreaterThanOrEqual(2);
  });
});

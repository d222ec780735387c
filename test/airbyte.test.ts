import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type mysql from 'mysql2/promise';
import { request } from 'undici';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkAirbyteConnection } from '../src/checks/airbyte.js';
import { AirbyteApiError, AirbyteClient, deriveConfigApiUrl } from '../src/integrations/airbyte/client.js';
import { secretMask } from '../src/integrations/airbyte/api-types.js';
import { dailyTable, productsTable } from '../src/stack/acode-data.js';
import { mariaInstance, rootConnection } from '../src/stack/mariadb.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { acodeDatabase } from '../src/stack/services.js';
import { simulator, simulatorClient, waitForJob } from './support/airbyte.js';

const primaryConnection = 'connection_mysql_s3_acode';
const backupConnection = 'connection_mysql_s3_acode_backup';

async function sourceRowCount(): Promise<number> {
  const conn = await rootConnection(mariaInstance('primary'));
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM ${acodeDatabase}.${dailyTable}) + (SELECT COUNT(*) FROM ${acodeDatabase}.${productsTable}) AS n`,
    );
    return Number(rows[0]?.n);
  } finally {
    await conn.end();
  }
}

beforeEach(() => simulator.reset());

describe('Airbyte client against the simulator', () => {
  it('exchanges client credentials for a token and reads a connection', async () => {
    const conn = await simulatorClient().getConnection(primaryConnection);
    expect(conn).toMatchObject({
      connectionId: primaryConnection,
      status: 'active',
      schedule: { scheduleType: 'manual' },
    });
    expect(conn.configurations.streams.map((s) => s.name)).toEqual([dailyTable, productsTable]);
  });

  it('drops a token the server no longer accepts and fetches a new one', async () => {
    const client = simulatorClient();
    await client.getConnection(primaryConnection);
    await simulator.reset(); // forgets every issued token
    await expect(client.getConnection(primaryConnection)).resolves.toMatchObject({ connectionId: primaryConnection });
  });

  it('reuses a token until a minute before it expires, then fetches a new one', async () => {
    let now = Date.now();
    const client = simulatorClient({ now: () => now });
    await client.getConnection(primaryConnection);
    await client.getConnection(primaryConnection);
    expect((await simulator.state()).tokensIssued).toBe(1);
    now += 841_000; // 900 s token: within the 60 s margin now
    await client.getConnection(primaryConnection);
    expect((await simulator.state()).tokensIssued).toBe(2);
  });

  it('times out a slow answer and retries it', async () => {
    const waits: number[] = [];
    const client = simulatorClient({ timeoutMs: 300, sleep: (ms) => Promise.resolve(void waits.push(ms)) });
    await client.getConnection(primaryConnection);
    await simulator.inject({ kind: 'slow', count: 1, delayMs: 2500 });
    await expect(client.getConnection(primaryConnection)).resolves.toMatchObject({ connectionId: primaryConnection });
    expect(waits).toHaveLength(1);
  });

  it('reports bad credentials and unknown ids with the API problem title', async () => {
    const bad = new AirbyteClient({
      apiUrl: simulator.publicApiUrl,
      auth: { type: 'bearer', token: 'nope' },
      timeoutMs: 2000,
    });
    const refusal = await bad.getConnection(primaryConnection).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AirbyteApiError);
    expect(refusal).toMatchObject({ status: 401, title: 'invalid-api-key' });
    await expect(simulatorClient().getConnection('missing')).rejects.toMatchObject({
      status: 404,
      title: 'resource-not-found',
    });
  });

  it('retries 5xx, and honours Retry-After on 429', async () => {
    const waits: number[] = [];
    const client = simulatorClient({ maxAttempts: 4, sleep: (ms) => Promise.resolve(void waits.push(ms)) });
    await client.getConnection(primaryConnection); // token first
    await simulator.inject({ kind: 'http', count: 2, status: 503, pathPrefix: '/connections' });
    await simulator.inject({ kind: 'http', count: 1, status: 429, retryAfterSeconds: 3, pathPrefix: '/connections' });
    await expect(client.getConnection(primaryConnection)).resolves.toMatchObject({ connectionId: primaryConnection });
    expect(waits).toHaveLength(3);
    expect(waits[2]).toBe(50); // Retry-After 3 s, capped by maxDelayMs in this test
  });

  it('never retries other 4xx', async () => {
    const waits: number[] = [];
    const client = simulatorClient({ sleep: (ms) => Promise.resolve(void waits.push(ms)) });
    await client.setConnectionStatus(backupConnection, 'inactive');
    await expect(client.triggerSync(backupConnection)).rejects.toMatchObject({ status: 409, title: 'state-conflict' });
    expect(waits).toEqual([]);
  });

  it('runs a sync that really copies every MySQL row into Parquet on S3', async () => {
    const client = simulatorClient();
    const { job, adopted } = await client.triggerSync(primaryConnection);
    expect(adopted).toBe(false);
    expect(['pending', 'running']).toContain(job.status);
    expect(job.duration === undefined).toBe(job.status === 'pending');
    const done = await waitForJob(client, job.jobId);
    expect(done).toMatchObject({ status: 'succeeded', rowsSynced: await sourceRowCount() });
    expect(done.lastUpdatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const s3 = sandboxS3Client(process.env as Record<string, string>);
    const listed = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'farmarcas-production-bronze',
        Prefix: `origin=airbyte/database=bronze_acode/${dailyTable}/`,
      }),
    );
    expect((listed.Contents ?? []).some((o) => o.Key?.endsWith('_0.parquet'))).toBe(true);
    s3.destroy();
  });

  it('attaches to the running job instead of failing when a sync is already running', async () => {
    await simulator.tune({ attemptDelayMs: 1500 });
    const client = simulatorClient();
    const first = await client.triggerSync(primaryConnection);
    const raw = await request(`${simulator.publicApiUrl}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
      body: JSON.stringify({ connectionId: primaryConnection, jobType: 'sync' }),
    });
    expect(raw.statusCode).toBe(409);
    expect(await raw.body.json()).toMatchObject({
      title: 'try-again-later',
      data: { message: `A sync is already running for: ${primaryConnection}` },
    });
    const second = await client.triggerSync(primaryConnection);
    expect(second).toMatchObject({ adopted: true, job: { jobId: first.job.jobId } });
    await waitForJob(client, first.job.jobId);
  });

  it('retries failed attempts within one job, and fails the job after the last attempt', async () => {
    const client = simulatorClient();
    await simulator.inject({ kind: 'jobs', count: 1, failureType: 'system_error', message: 'Connection timeout' });
    const recovered = await waitForJob(client, (await client.triggerSync(primaryConnection)).job.jobId);
    expect(recovered.status).toBe('succeeded');
    await simulator.inject({ kind: 'jobs', count: 3, failureType: 'transient_error', message: 'mysql lock timeout' });
    const failed = await waitForJob(client, (await client.triggerSync(primaryConnection)).job.jobId);
    expect(failed.status).toBe('failed');
    const { jobs } = await simulator.state();
    expect(jobs.map((j) => j.attempts.map((a) => a.attempt.status))).toEqual([
      ['failed', 'succeeded'],
      ['failed', 'failed', 'failed'],
    ]);
    expect(jobs[1]?.attempts[0]?.attempt.failureSummary?.failures[0]).toMatchObject({
      externalMessage: 'mysql lock timeout',
      retryable: true,
    });
  });

  it('fails a job at once on a config_error, as Airbyte does, and says why through the Config API', async () => {
    const client = simulatorClient();
    await simulator.inject({ kind: 'jobs', count: 1, failureType: 'config_error', message: 'Access denied' });
    const failed = await waitForJob(client, (await client.triggerSync(primaryConnection)).job.jobId);
    expect(failed.status).toBe('failed');
    expect(await client.jobFailure(failed.jobId)).toEqual({
      failureType: 'config_error',
      retryable: false,
      message: 'Access denied',
    });
    expect((await simulator.state()).jobs[0]?.attempts).toHaveLength(1);
  });

  it('cancels a running job, and leaves an ended job as it is', async () => {
    await simulator.tune({ attemptDelayMs: 5000 });
    const client = simulatorClient();
    const { job } = await client.triggerSync(primaryConnection);
    const cancelled = await client.cancelJob(job.jobId);
    expect(cancelled.status).toBe('cancelled');
    expect(await client.cancelJob(job.jobId)).toMatchObject({ status: 'cancelled' });
  });

  it('lists jobs oldest first by default, newest first on request, with paging links', async () => {
    const client = simulatorClient();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await waitForJob(client, (await client.triggerSync(primaryConnection)).job.jobId)).jobId);
    const [first, second, third] = ids;
    const newest = await client.listJobs(primaryConnection, { limit: 2 });
    expect(newest.data.map((j) => j.jobId)).toEqual([third, second]);
    expect(newest.next).toContain('offset=2');
    const oldest = await client.listJobs(primaryConnection, { limit: 2, newestFirst: false });
    expect(oldest.data.map((j) => j.jobId)).toEqual([first, second]);
    expect(oldest.previous).toBe('');
    await expect(client.listJobs(primaryConnection, { limit: 101 })).rejects.toMatchObject({
      status: 400,
      title: 'bad-request',
    });
  });

  it('patches a source configuration by merging, and masks secrets on read', async () => {
    const client = simulatorClient();
    await client.patchSourceConfiguration('source_mysql_acode', { port: 13306 });
    const source = await client.getSource('source_mysql_acode');
    expect(source.configuration).toMatchObject({
      host: '127.0.0.1',
      port: 13306,
      username: 'userfarmarcasac02',
      password: secretMask,
    });
  });
});

describe('deriveConfigApiUrl', () => {
  it.each([
    ['http://airbyte:8000/api/public/v1', 'http://airbyte:8000/api/v1'],
    ['https://api.airbyte.com/v1', 'https://cloud.airbyte.com/api/v1'],
    ['http://old-oss:8006/v1', undefined],
  ])('%s -> %s', (api, config) => {
    expect(deriveConfigApiUrl(api)).toBe(config);
  });
});

describe('airbyte_connection check', () => {
  it('is healthy for the active primary and the inactive backup', async () => {
    const client = simulatorClient();
    const primary = await checkAirbyteConnection(
      client,
      primaryConnection,
      'primary',
      { warn: 0.075, fail: 0.1 },
      5000,
    );
    const backup = await checkAirbyteConnection(client, backupConnection, 'backup', { warn: 0.075, fail: 0.1 }, 5000);
    expect(primary).toMatchObject({ status: 'healthy', value: 0, details: { connection_status: 'active' } });
    expect(backup).toMatchObject({ status: 'healthy', details: { connection_status: 'inactive' } });
  });

  it('is unhealthy when the error rate of recent jobs reaches the threshold', async () => {
    const client = simulatorClient();
    await waitForJob(client, (await client.triggerSync(primaryConnection)).job.jobId);
    await simulator.inject({ kind: 'jobs', count: 3, failureType: 'system_error', message: 'boom' });
    await waitForJob(client, (await client.triggerSync(primaryConnection)).job.jobId);
    const r = await checkAirbyteConnection(client, primaryConnection, 'primary', { warn: 0.075, fail: 0.1 }, 5000);
    expect(r).toMatchObject({ status: 'unhealthy', value: 0.5, error: { code: 'SYNC_ERROR_RATE' } });
  });

  it('is unhealthy when the primary connection is not active', async () => {
    const client = simulatorClient();
    await client.setConnectionStatus(primaryConnection, 'inactive');
    const r = await checkAirbyteConnection(client, primaryConnection, 'primary', { warn: 0.075, fail: 0.1 }, 5000);
    expect(r).toMatchObject({ status: 'unhealthy', error: { code: 'CONNECTION_NOT_ACTIVE' } });
  });

  it('reports an unreachable API as unhealthy with the error', async () => {
    const dead = new AirbyteClient({
      apiUrl: 'http://127.0.0.1:9/api/public/v1',
      auth: { type: 'bearer', token: 't' },
      timeoutMs: 1000,
      maxAttempts: 1,
    });
    const r = await checkAirbyteConnection(dead, primaryConnection, 'primary', { warn: 0.075, fail: 0.1 }, 5000);
    expect(r).toMatchObject({ status: 'unhealthy', error: { code: 'ECONNREFUSED' } });
  });
});

async function token(): Promise<string> {
  const res = await request(`${simulator.publicApiUrl}/applications/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: process.env.AIRBYTE_CLIENT_ID ?? '',
      client_secret: process.env.AIRBYTE_CLIENT_SECRET ?? '',
    }).toString(),
  });
  return ((await res.body.json()) as { access_token: string }).access_token;
}

describe('schema refresh', () => {
  it('re-discovers the source schema through the Config API, from the live database', async () => {
    const root = await rootConnection(mariaInstance('primary'));
    try {
      await root.query(
        `CREATE TABLE IF NOT EXISTS ${acodeDatabase}.discover_probe (idpk INT PRIMARY KEY, Novo_Campo VARCHAR(10))`,
      );
      const { catalog } = await simulatorClient().discoverSchema('source_mysql_acode');
      const probe = catalog.streams.find((s) => s.stream.name === 'discover_probe');
      expect(Object.keys(probe?.stream.jsonSchema.properties ?? {})).toEqual(['idpk', 'Novo_Campo']);
      expect(catalog.streams.map((s) => s.stream.name)).toEqual(expect.arrayContaining([dailyTable, productsTable]));
    } finally {
      await root.query(`DROP TABLE IF EXISTS ${acodeDatabase}.discover_probe`);
      await root.end();
    }
  });
});

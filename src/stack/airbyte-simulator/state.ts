// The simulator's model: connections, sources, jobs and attempts with the real job lifecycle
// (pending -> running -> (incomplete -> running)* -> succeeded | failed, cancel -> cancelled),
// one active job per connection, and injectable job failures.
import type { S3Client } from '@aws-sdk/client-s3';
import type {
  AttemptRead,
  ConnectionResponse,
  ConnectionStatus,
  JobResponse,
  JobStatus,
  SourceConfiguration,
  SourceResponse,
} from '../../integrations/airbyte/api-types.js';
import { secretMask, terminalJobStatuses } from '../../integrations/airbyte/api-types.js';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { DiscoveredCatalog } from '../../integrations/airbyte/api-types.js';
import { runSync, type SyncDestination, type SyncStream } from './sync.js';

export interface SimConnectionSeed {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  status: ConnectionStatus;
  streams: SyncStream[];
  destination: SyncDestination;
}

export interface SimSourceSeed {
  sourceId: string;
  name: string;
  /** MySQL source configuration: host, port, database, username, password, ... */
  configuration: SourceConfiguration;
}

export interface SimulatorSeed {
  workspaceId: string;
  connections: SimConnectionSeed[];
  sources: SimSourceSeed[];
}

/** A job failure to inject: the next `count` attempts fail with this reason. */
export interface JobFaultRule {
  count: number;
  failureType: 'system_error' | 'config_error' | 'transient_error';
  message: string;
}

export interface SimTuning {
  /** Time a job stays pending before its first attempt runs. */
  pendingMs: number;
  /** Extra time every attempt takes, to simulate long syncs. */
  attemptDelayMs: number;
  /** Backoff between failed attempts (Airbyte: 10 s x 3^n; short here). */
  attemptBackoffMs: number;
  maxAttempts: number;
}

export const defaultTuning: SimTuning = { pendingMs: 200, attemptDelayMs: 0, attemptBackoffMs: 500, maxAttempts: 3 };

interface Job {
  jobId: number;
  connectionId: string;
  status: JobStatus;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  rowsSynced: number;
  bytesSynced: number;
  attempts: AttemptRead[];
  abort: AbortController;
}

interface Connection extends SimConnectionSeed {
  createdAt: number;
}

interface Source extends SimSourceSeed {
  createdAt: number;
}

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function isoDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `PT${Math.floor(s / 3600)}H${Math.floor((s % 3600) / 60)}M${s % 60}S`;
}

const secretKeys = new Set(['password', 'client_secret', 'secret_access_key', 'tunnel_user_password']);

/** PATCH semantics of the real API: objects merged recursively, scalars and arrays replaced. */
function deepMerge(into: SourceConfiguration, patch: SourceConfiguration): SourceConfiguration {
  const out: SourceConfiguration = { ...into };
  for (const [k, v] of Object.entries(patch)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as SourceConfiguration, v as SourceConfiguration)
        : v;
  }
  return out;
}

function masked(config: SourceConfiguration): SourceConfiguration {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k,
      secretKeys.has(k)
        ? secretMask
        : v && typeof v === 'object' && !Array.isArray(v)
          ? masked(v as SourceConfiguration)
          : v,
    ]),
  );
}

export class SimulatorState {
  private connections = new Map<string, Connection>();
  private sources = new Map<string, Source>();
  private jobs: Job[] = [];
  private nextJobId = 1;
  jobFaults: JobFaultRule[] = [];
  tuning: SimTuning = { ...defaultTuning };

  constructor(
    private readonly seed: SimulatorSeed,
    private readonly s3: S3Client,
  ) {
    this.reset();
  }

  reset(): void {
    for (const j of this.jobs) j.abort.abort();
    const now = Date.now();
    this.connections = new Map(this.seed.connections.map((c) => [c.connectionId, { ...c, createdAt: now }]));
    this.sources = new Map(
      this.seed.sources.map((s) => [s.sourceId, { ...s, configuration: { ...s.configuration }, createdAt: now }]),
    );
    this.jobs = [];
    this.jobFaults = [];
    this.tuning = { ...defaultTuning };
  }

  seedConnectionIds(): string[] {
    return [...this.connections.keys()];
  }

  connection(id: string): ConnectionResponse | undefined {
    const c = this.connections.get(id);
    if (!c) return undefined;
    return {
      connectionId: c.connectionId,
      name: c.name,
      sourceId: c.sourceId,
      destinationId: c.destinationId,
      workspaceId: this.seed.workspaceId,
      status: c.status,
      schedule: { scheduleType: 'manual' },
      configurations: {
        streams: c.streams.map((s) => ({
          name: s.name,
          syncMode: c.destination.mode === 'overwrite' ? 'full_refresh_overwrite' : 'incremental_append',
        })),
      },
      createdAt: Math.floor(c.createdAt / 1000),
      tags: [],
    };
  }

  setConnectionStatus(id: string, status: ConnectionStatus): void {
    const c = this.connections.get(id);
    if (c) c.status = status;
  }

  source(id: string): SourceResponse | undefined {
    const s = this.sources.get(id);
    if (!s) return undefined;
    return {
      sourceId: s.sourceId,
      name: s.name,
      sourceType: 'mysql',
      definitionId: '435bb9a5-7887-4809-aa58-28c27df0d7ad',
      workspaceId: this.seed.workspaceId,
      configuration: masked(s.configuration),
      createdAt: Math.floor(s.createdAt / 1000),
    };
  }

  /** PATCH merges; PUT replaces but keeps stored secrets sent back as the mask. */
  updateSource(id: string, configuration: SourceConfiguration, mode: 'merge' | 'replace', name?: string): void {
    const s = this.sources.get(id);
    if (!s) return;
    if (mode === 'merge') {
      s.configuration = deepMerge(s.configuration, configuration);
    } else {
      s.configuration = Object.fromEntries(
        Object.entries(configuration).map(([k, v]) => [k, v === secretMask ? s.configuration[k] : v]),
      );
    }
    if (name) s.name = name;
  }

  /** Config API discover_schema: the source database's tables and columns, read from MySQL now. */
  async discoverSchema(sourceId: string): Promise<DiscoveredCatalog | undefined> {
    const source = this.sources.get(sourceId);
    if (!source) return undefined;
    const cfg = source.configuration;
    const conn = await mysql.createConnection({
      host: String(cfg.host),
      port: Number(cfg.port),
      user: String(cfg.username),
      password: String(cfg.password),
      database: String(cfg.database),
      connectTimeout: 10_000,
    });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        'SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS d FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
        [String(cfg.database)],
      );
      const tables = new Map<string, Record<string, { type: string }>>();
      for (const r of rows) {
        const props = tables.get(String(r.t)) ?? {};
        props[String(r.c)] = {
          type: ['int', 'bigint', 'decimal', 'double', 'float', 'tinyint', 'smallint', 'mediumint'].includes(
            String(r.d),
          )
            ? 'number'
            : 'string',
        };
        tables.set(String(r.t), props);
      }
      return {
        catalogId: randomUUID(),
        catalog: {
          streams: [...tables].map(([name, properties]) => ({
            stream: {
              name,
              namespace: String(cfg.database),
              jsonSchema: { type: 'object', properties },
              supportedSyncModes: ['full_refresh', 'incremental'],
            },
          })),
        },
      };
    } finally {
      await conn.end();
    }
  }

  activeJob(connectionId: string): Job | undefined {
    return this.jobs.find((j) => j.connectionId === connectionId && !terminalJobStatuses.includes(j.status));
  }

  job(jobId: number): Job | undefined {
    return this.jobs.find((j) => j.jobId === jobId);
  }

  listJobs(
    filter: { connectionId?: string; status?: string },
    order: 'ASC' | 'DESC',
    field: 'createdAt' | 'updatedAt',
  ): Job[] {
    const picked = this.jobs.filter(
      (j) =>
        (!filter.connectionId || j.connectionId === filter.connectionId) &&
        (!filter.status || j.status === filter.status),
    );
    const sorted = [...picked].sort((a, b) => a[field] - b[field] || a.jobId - b.jobId);
    return order === 'DESC' ? sorted.reverse() : sorted;
  }

  jobResponse(j: Job): JobResponse {
    const terminal = terminalJobStatuses.includes(j.status);
    return {
      jobId: j.jobId,
      status: j.status,
      jobType: 'sync',
      startTime: iso(j.createdAt),
      connectionId: j.connectionId,
      ...(terminal ? { lastUpdatedAt: iso(j.updatedAt) } : {}),
      ...(j.status !== 'pending' ? { duration: isoDuration(j.updatedAt - j.createdAt) } : {}),
      bytesSynced: j.bytesSynced,
      rowsSynced: j.rowsSynced,
    };
  }

  /** Config API view of a job, with its attempts. */
  jobInfo(j: Job): { job: Record<string, unknown>; attempts: { attempt: AttemptRead }[] } {
    return {
      job: {
        id: j.jobId,
        configType: 'sync',
        configId: j.connectionId,
        createdAt: Math.floor(j.createdAt / 1000),
        updatedAt: Math.floor(j.updatedAt / 1000),
        ...(j.startedAt ? { startedAt: Math.floor(j.startedAt / 1000) } : {}),
        status: j.status,
        aggregatedStats: {
          recordsEmitted: j.rowsSynced,
          bytesEmitted: j.bytesSynced,
          recordsCommitted: j.rowsSynced,
          bytesCommitted: j.bytesSynced,
        },
      },
      attempts: j.attempts.map((attempt) => ({ attempt })),
    };
  }

  startSync(connectionId: string): Job {
    const now = Date.now();
    const job: Job = {
      jobId: this.nextJobId++,
      connectionId,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      rowsSynced: 0,
      bytesSynced: 0,
      attempts: [],
      abort: new AbortController(),
    };
    this.jobs.push(job);
    void this.runJob(job);
    return job;
  }

  /** Cancels the connection's current run, as the real server does. */
  cancel(job: Job): void {
    const now = Date.now();
    job.abort.abort();
    const running = job.attempts.find((a) => a.status === 'running');
    if (running) Object.assign(running, { status: 'failed', updatedAt: now / 1000, endedAt: now / 1000 });
    job.status = 'cancelled';
    job.updatedAt = now;
  }

  private nextFault(): JobFaultRule | undefined {
    const rule = this.jobFaults[0];
    if (!rule) return undefined;
    rule.count -= 1;
    if (rule.count <= 0) this.jobFaults.shift();
    return rule;
  }

  private async runJob(job: Job): Promise<void> {
    const wait = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        job.abort.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    await wait(this.tuning.pendingMs);
    for (let n = 0; n < this.tuning.maxAttempts && !job.abort.signal.aborted; n++) {
      const started = Date.now();
      const attempt: AttemptRead = { id: n, status: 'running', createdAt: started / 1000, updatedAt: started / 1000 };
      job.attempts.push(attempt);
      job.status = 'running';
      job.startedAt ??= started;
      job.updatedAt = started;
      const failure = await this.runAttempt(job, wait);
      if (job.abort.signal.aborted) return;
      const ended = Date.now();
      Object.assign(attempt, {
        updatedAt: ended / 1000,
        endedAt: ended / 1000,
        recordsSynced: job.rowsSynced,
        bytesSynced: job.bytesSynced,
      });
      job.updatedAt = ended;
      if (!failure) {
        attempt.status = 'succeeded';
        job.status = 'succeeded';
        return;
      }
      attempt.status = 'failed';
      attempt.failureSummary = {
        failures: [
          {
            failureOrigin: 'source',
            failureType: failure.failureType,
            externalMessage: failure.message,
            retryable: failure.failureType !== 'config_error',
            timestamp: ended,
          },
        ],
        partialSuccess: false,
      };
      // config_error is never retried by Airbyte: the job fails at once.
      if (failure.failureType === 'config_error' || n === this.tuning.maxAttempts - 1) {
        job.status = 'failed';
        return;
      }
      job.status = 'incomplete';
      await wait(this.tuning.attemptBackoffMs);
    }
  }

  private async runAttempt(
    job: Job,
    wait: (ms: number) => Promise<void>,
  ): Promise<Omit<JobFaultRule, 'count'> | undefined> {
    if (this.tuning.attemptDelayMs > 0) await wait(this.tuning.attemptDelayMs);
    const injected = this.nextFault();
    if (injected) return injected;
    const conn = this.connections.get(job.connectionId);
    const source = conn && this.sources.get(conn.sourceId);
    if (!conn || !source) return { failureType: 'config_error', message: 'connection or source no longer exists' };
    const cfg = source.configuration;
    try {
      const result = await runSync(
        {
          host: String(cfg.host),
          port: Number(cfg.port),
          database: String(cfg.database),
          username: String(cfg.username),
          password: String(cfg.password),
        },
        conn.streams,
        conn.destination,
        this.s3,
        job.abort.signal,
        (rows, bytes) => Object.assign(job, { rowsSynced: rows, bytesSynced: bytes, updatedAt: Date.now() }),
      );
      Object.assign(job, { rowsSynced: result.rows, bytesSynced: result.bytes });
      return undefined;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // Bad credentials or a missing table are configuration problems; the rest may pass on retry.
      const config =
        e.code === 'ER_ACCESS_DENIED_ERROR' || e.code === 'ER_BAD_DB_ERROR' || /does not exist/.test(e.message ?? '');
      return { failureType: config ? 'config_error' : 'system_error', message: e.message ?? String(err) };
    }
  }
}

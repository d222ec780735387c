// Client of the Airbyte public API v1 (shared/reference/airbyte-api.md): bearer-token auth (static,
// or client credentials exchanged for a token and refreshed before expiry), timeouts on every
// call, retries on 5xx / 429 / network errors, and sync triggering that never creates a twin job.
import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay, HttpError, requestWithRetry, type RequestOptions, type RetryPolicy } from '../http.js';
import type {
  AttemptRead,
  DiscoveredCatalog,
  ConnectionResponse,
  ConnectionStatus,
  JobResponse,
  JobsResponse,
  SourceConfiguration,
  SourceResponse,
  TokenResponse,
} from './api-types.js';
import { terminalJobStatuses } from './api-types.js';

export type AirbyteAuth =
  { type: 'bearer'; token: string } | { type: 'client_credentials'; clientId: string; clientSecret: string };

export interface AirbyteClientOptions extends Pick<
  RetryPolicy,
  'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'sleep' | 'onRetry'
> {
  /** Public API base, e.g. http://airbyte:8000/api/public/v1 or https://api.airbyte.com/v1. */
  apiUrl: string;
  /** Config API base, the only API that shows why a job failed; derived from apiUrl when absent. */
  configApiUrl?: string;
  auth: AirbyteAuth;
  timeoutMs: number;
  now?: () => number;
}

/** A refusal of the API with its problem title (try-again-later, state-conflict, resource-not-found...). */
export class AirbyteApiError extends Error {
  override readonly name = 'AirbyteApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly title: string | undefined,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface TriggeredSync {
  job: JobResponse;
  /** True when a job already running for the connection was adopted instead of starting one. */
  adopted: boolean;
}

/** A token is refreshed this long before it expires (the SDK's margin). */
const refreshMarginMs = 60_000;

const problemTitle = (excerpt: string | undefined): string | undefined => {
  const m = /"title"\s*:\s*"([^"]+)"/.exec(excerpt ?? '');
  return m?.[1];
};

export const isTerminal = (job: JobResponse): boolean => terminalJobStatuses.includes(job.status);

export interface JobFailure {
  failureType: string;
  retryable: boolean;
  message: string;
}

/** Self-hosted: /api/public/v1 -> /api/v1; Cloud: api.airbyte.com/v1 -> cloud.airbyte.com/api/v1. */
export function deriveConfigApiUrl(apiUrl: string): string | undefined {
  if (/\/api\/public\/v1\/?$/.test(apiUrl)) return apiUrl.replace(/\/api\/public\/v1\/?$/, '/api/v1');
  if (/^https:\/\/api\.airbyte\.com\/v1\/?$/.test(apiUrl)) return 'https://cloud.airbyte.com/api/v1';
  return undefined;
}

export class AirbyteClient {
  private token?: { value: string; expiresAt: number };
  private readonly now: () => number;

  constructor(private readonly opts: AirbyteClientOptions) {
    this.now = opts.now ?? Date.now;
  }

  private async bearer(): Promise<string> {
    const auth = this.opts.auth;
    if (auth.type === 'bearer') return auth.token;
    if (this.token && this.now() + refreshMarginMs < this.token.expiresAt) return this.token.value;
    const res = await requestWithRetry({
      ...this.retryPolicy(),
      url: `${this.opts.apiUrl}/applications/token`,
      method: 'POST',
      json: { client_id: auth.clientId, client_secret: auth.clientSecret, grant_type: 'client_credentials' },
    }).catch((e: unknown) => {
      throw this.wrap(e, 'token request');
    });
    const body = res.json<TokenResponse>();
    this.token = { value: body.access_token, expiresAt: this.now() + body.expires_in * 1000 };
    return body.access_token;
  }

  private retryPolicy(): RetryPolicy {
    const { maxAttempts, baseDelayMs, maxDelayMs, sleep, onRetry, timeoutMs } = this.opts;
    return { maxAttempts, baseDelayMs, maxDelayMs, sleep, onRetry, timeoutMs };
  }

  private wrap(e: unknown, what: string): Error {
    if (e instanceof HttpError) {
      const title = problemTitle(e.bodyExcerpt);
      const code = e.status === undefined ? (e.code ?? 'NETWORK_ERROR') : (title ?? `HTTP_${e.status}`);
      return new AirbyteApiError(`Airbyte ${what}: ${e.message}`, e.status, title, code);
    }
    return e instanceof Error ? e : new Error(String(e));
  }

  /** One API call; on 401 the cached token is dropped and the call made once more. */
  /** One API call, to the public API or (with `base`) the Config API. */
  private async call<T>(what: string, req: Omit<RequestOptions, 'url'> & { path: string; base?: string }): Promise<T> {
    const { path, base = this.opts.apiUrl, ...rest } = req;
    for (let tryAuth = 0; ; tryAuth++) {
      const token = await this.bearer();
      try {
        const res = await requestWithRetry({
          ...this.retryPolicy(),
          ...rest,
          url: `${base}${path}`,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        });
        return res.json<T>();
      } catch (e) {
        if (
          e instanceof HttpError &&
          e.status === 401 &&
          this.opts.auth.type === 'client_credentials' &&
          tryAuth === 0
        ) {
          this.token = undefined;
          continue;
        }
        throw this.wrap(e, what);
      }
    }
  }

  getConnection(connectionId: string): Promise<ConnectionResponse> {
    return this.call('get connection', { path: `/connections/${encodeURIComponent(connectionId)}` });
  }

  setConnectionStatus(
    connectionId: string,
    status: Extract<ConnectionStatus, 'active' | 'inactive'>,
  ): Promise<ConnectionResponse> {
    return this.call('set connection status', {
      path: `/connections/${encodeURIComponent(connectionId)}`,
      method: 'PATCH',
      json: { status },
    });
  }

  getJob(jobId: number): Promise<JobResponse> {
    return this.call('get job', { path: `/jobs/${jobId}` });
  }

  listJobs(
    connectionId: string,
    opts: { limit?: number; offset?: number; newestFirst?: boolean } = {},
  ): Promise<JobsResponse> {
    const q = new URLSearchParams({
      connectionId,
      jobType: 'sync',
      limit: String(opts.limit ?? 20),
      offset: String(opts.offset ?? 0),
      orderBy: opts.newestFirst === false ? 'createdAt|ASC' : 'createdAt|DESC',
    });
    return this.call('list jobs', { path: `/jobs?${q.toString()}` });
  }

  /** The connection's newest job that has not ended, if any. */
  async runningJob(connectionId: string): Promise<JobResponse | undefined> {
    const { data } = await this.listJobs(connectionId, { limit: 5 });
    return data.find((j) => !isTerminal(j));
  }

  /**
   * Starts a sync, or adopts the one already running. POST /jobs is never blindly retried: after a
   * timeout or 5xx the job may exist, so the connection's running job is looked up first.
   */
  async triggerSync(connectionId: string): Promise<TriggeredSync> {
    const attempts = this.opts.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const job = await this.call<JobResponse>('trigger sync', {
          path: '/jobs',
          method: 'POST',
          json: { connectionId, jobType: 'sync' },
          maxAttempts: 1,
        });
        return { job, adopted: false };
      } catch (e) {
        const err = e as AirbyteApiError;
        const maybeCreated = err.status === undefined || err.status >= 500 || err.status === 429;
        if (err.title === 'try-again-later' || maybeCreated) {
          const running = await this.runningJob(connectionId);
          if (running) return { job: running, adopted: true };
        }
        const retry = (err.title === 'try-again-later' || maybeCreated) && attempt < attempts;
        if (!retry) throw e;
        const wait = backoffDelay(attempt, this.opts.baseDelayMs ?? 500, this.opts.maxDelayMs ?? 30_000, Math.random);
        this.opts.onRetry?.(attempt, wait, err.code);
        await (this.opts.sleep ?? delay)(wait);
      }
    }
  }

  /** Cancels a job that is still running; a job already ended is returned as it is. */
  async cancelJob(jobId: number): Promise<JobResponse> {
    const current = await this.getJob(jobId);
    if (isTerminal(current)) return current;
    try {
      return await this.call('cancel job', { path: `/jobs/${jobId}`, method: 'DELETE' });
    } catch (e) {
      if ((e as AirbyteApiError).title === 'state-conflict') return this.getJob(jobId);
      throw e;
    }
  }

  /**
   * Why a job failed, from its last attempt (Config API: the public API hides attempts).
   * Undefined when the Config API cannot tell; callers then treat the failure as retryable.
   */
  async jobFailure(jobId: number): Promise<JobFailure | undefined> {
    const base = this.configApiUrl();
    if (!base) return undefined;
    try {
      const info = await this.call<{ attempts?: { attempt: AttemptRead }[] }>('job failure', {
        base,
        path: '/jobs/get_without_logs',
        method: 'POST',
        json: { id: jobId },
      });
      const failure = info.attempts?.at(-1)?.attempt.failureSummary?.failures[0];
      return (
        failure && { failureType: failure.failureType, retryable: failure.retryable, message: failure.externalMessage }
      );
    } catch {
      return undefined;
    }
  }

  /**
   * Re-discovers a source's schema bypassing Airbyte's cache (Config API discover_schema with
   * disable_cache), so the connection sees changed tables; Airbyte then propagates non-breaking
   * changes on the next sync, per the connection's nonBreakingSchemaUpdatesBehavior.
   */
  discoverSchema(sourceId: string): Promise<DiscoveredCatalog> {
    const base = this.configApiUrl();
    if (!base) {
      throw new AirbyteApiError('no Config API URL: set airbyte.config_api_url', undefined, undefined, 'NO_CONFIG_API');
    }
    return this.call('discover schema', {
      base,
      path: '/sources/discover_schema',
      method: 'POST',
      json: { sourceId, disable_cache: true },
    });
  }

  private configApiUrl(): string | undefined {
    return this.opts.configApiUrl ?? deriveConfigApiUrl(this.opts.apiUrl);
  }

  getSource(sourceId: string): Promise<SourceResponse> {
    return this.call('get source', { path: `/sources/${encodeURIComponent(sourceId)}` });
  }

  /** PATCH merges into the stored configuration, so only the given keys change (e.g. the password). */
  async patchSourceConfiguration(sourceId: string, configuration: SourceConfiguration): Promise<void> {
    await this.call('update source', {
      path: `/sources/${encodeURIComponent(sourceId)}`,
      method: 'PATCH',
      json: { configuration },
    });
  }
}

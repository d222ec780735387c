// The one HTTP JSON client of the integrations (Slack, PagerDuty, Airbyte): per-attempt timeouts,
// retries with capped exponential backoff and full jitter, Retry-After, and errors that never
// carry a secret URL path (a Slack webhook URL's path is its credential).
import { setTimeout as delay } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { guardEndpoint } from './loopback.js';

export interface RetryPolicy {
  /** Total attempts, the first included (default 3). */
  maxAttempts?: number;
  /** Backoff ceiling of the first retry; doubles each retry (default 500 ms). */
  baseDelayMs?: number;
  /** Cap of any wait, Retry-After included (default 30 s). */
  maxDelayMs?: number;
  /**
   * Per attempt: applied to both waiting for headers and for each body chunk (default 10 s).
   * undici checks these on a coarse clock, so a timeout may fire up to ~1 s late.
   */
  timeoutMs?: number;
  /** Aborts the whole exchange, waits included; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Which HTTP statuses are retried; default 429 and 5xx. Network errors are always retried. */
  retryOn?: (status: number) => boolean;
  /** Called before each wait, so the caller can log the retry. */
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
  /** Waits between attempts; injectable so tests record delays instead of sleeping. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RequestOptions extends RetryPolicy {
  url: string;
  /** Default GET. Retried like any other method: callers of non-idempotent calls set maxAttempts 1. */
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  /** Sent as the JSON body, with content-type application/json. */
  json?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json<T>(): T;
  attempts: number;
}

export interface HttpErrorDetails {
  /** Origin plus a redacted path, safe to log. */
  url: string;
  attempts: number;
  /** The last HTTP status, absent when the last attempt got no response. */
  status?: number;
  /** The last network error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT...). */
  code?: string;
  bodyExcerpt?: string;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly url: string;
  readonly attempts: number;
  readonly status?: number;
  readonly code?: string;
  readonly bodyExcerpt?: string;

  constructor(message: string, details: HttpErrorDetails) {
    super(message);
    this.url = details.url;
    this.attempts = details.attempts;
    this.status = details.status;
    this.code = details.code;
    this.bodyExcerpt = details.bodyExcerpt;
  }
}

// Transient by nature: the same request may well succeed a moment later.
const retryableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const excerptLength = 300;

const defaultRetryOn = (status: number): boolean => status === 429 || status >= 500;

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (e) {
    // Reject with the caller's reason (Temporal's CancelledFailure, say), not Node's AbortError.
    signal?.throwIfAborted();
    throw e;
  }
}

/**
 * Origin plus the first path segment; the rest becomes `***`, e.g.
 * https://hooks.slack.com/services/*** . Query, fragment and userinfo are dropped.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[invalid URL]';
  }
  const segments = parsed.pathname.split('/').filter(Boolean);
  if (segments.length === 0) return parsed.origin;
  return `${parsed.origin}/${segments.length > 1 ? `${segments[0]}/` : ''}***`;
}

/** Milliseconds to wait per a Retry-After header (delay-seconds or HTTP-date); undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Date.parse is lenient ('1.5' is a date to it); an HTTP-date always names its month.
  if (!/[a-z]/i.test(v)) return undefined;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))], attempt being the one that failed (1-based). */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  return Math.round(random() * Math.min(max, base * 2 ** (attempt - 1)));
}

type AttemptResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; text: string }
  | { kind: 'network'; code: string };

const flattenHeaders = (headers: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]])),
  );

const errorCode = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'UNKNOWN';
};

async function attemptOnce(
  opts: RequestOptions & Required<Pick<RequestOptions, 'method' | 'timeoutMs'>>,
): Promise<AttemptResult> {
  const headers = { ...opts.headers, ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }) };
  try {
    const res = await request(opts.url, {
      method: opts.method,
      headers,
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: opts.signal,
    });
    const text = await res.body.text();
    return { kind: 'response', status: res.statusCode, headers: flattenHeaders(res.headers), text };
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    // Only the code is kept: messages of other errors could quote the request URL.
    return { kind: 'network', code: errorCode(e) };
  }
}

/**
 * Sends a request, retrying network errors, 429 and 5xx (or what `retryOn` says); resolves with a
 * 2xx response, otherwise throws an HttpError once the attempts are spent or the failure is final.
 */
export async function requestWithRetry(opts: RequestOptions): Promise<HttpResponse> {
  const maxAttempts = opts.maxAttempts ?? 3;
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const retryOn = opts.retryOn ?? defaultRetryOn;
  const sleep = opts.sleep ?? defaultSleep;
  const safeUrl = redactUrl(opts.url);
  const method = opts.method ?? 'GET';
  guardEndpoint(opts.url, `${method} ${safeUrl}`);
  const timeoutMs = opts.timeoutMs ?? 10_000;

  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    const result = await attemptOnce({ ...opts, method, timeoutMs });
    if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
      const { status, headers, text } = result;
      return { status, headers, text, json: <T>() => JSON.parse(text) as T, attempts: attempt };
    }
    const retryable = result.kind === 'network' ? retryableCodes.has(result.code) : retryOn(result.status);
    const reason = result.kind === 'network' ? result.code : `HTTP ${result.status}`;
    if (!retryable || attempt >= maxAttempts) {
      const excerpt = result.kind === 'response' ? result.text.slice(0, excerptLength) : undefined;
      throw new HttpError(
        `${method} ${safeUrl} failed after ${attempt} attempt(s): ${reason}${excerpt ? `: ${excerpt}` : ''}`,
        {
          url: safeUrl,
          attempts: attempt,
          ...(result.kind === 'response' ? { status: result.status, bodyExcerpt: excerpt } : { code: result.code }),
        },
      );
    }
    const retryAfter =
      result.kind === 'response' ? parseRetryAfter(result.headers['retry-after'], Date.now()) : undefined;
    const delayMs =
      retryAfter === undefined
        ? backoffDelay(attempt, baseDelayMs, maxDelayMs, Math.random)
        : Math.min(retryAfter, maxDelayMs);
    opts.onRetry?.(attempt, delayMs, retryAfter === undefined ? reason : `${reason}, Retry-After ${delayMs} ms`);
    await sleep(delayMs, opts.signal);
  }
}

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  HttpError,
  parseRetryAfter,
  redactUrl,
  requestWithRetry,
  type RequestOptions,
} from '../src/integrations/http.js';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';

const sink = new WebhookSinkClient();

/** A path of its own per test, so tests (and other users of the shared sink) never see each other's faults. */
const uniquePath = (service: 'slack' | 'pagerduty'): string => `/${service}/${randomUUID()}`;

/** Records the waits instead of sleeping, and the retries as onRetry reports them. */
function recorder(): Pick<RequestOptions, 'sleep' | 'onRetry'> & { delays: number[]; reasons: string[] } {
  const delays: number[] = [];
  const reasons: string[] = [];
  return {
    delays,
    reasons,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    onRetry: (_attempt, _delayMs, reason) => reasons.push(reason),
  };
}

const answers = async (path: string): Promise<(number | 'hung')[]> =>
  (await sink.requests(path)).map((r) => r.answeredWith);

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const cases: { value: string | undefined; expected: number | undefined }[] = [
    { value: '1', expected: 1000 },
    { value: '0', expected: 0 },
    { value: ' 120 ', expected: 120_000 },
    { value: 'Sun, 01 Mar 2026 12:00:05 GMT', expected: 5000 },
    { value: 'Sun, 01 Mar 2026 11:59:00 GMT', expected: 0 },
    { value: '1.5', expected: undefined },
    { value: '-3', expected: undefined },
    { value: 'soon', expected: undefined },
    { value: '', expected: undefined },
    { value: undefined, expected: undefined },
  ];
  it.each(cases)('$value -> $expected ms', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  const cases: { attempt: number; random: number; expected: number }[] = [
    { attempt: 1, random: 1, expected: 100 },
    { attempt: 2, random: 1, expected: 200 },
    { attempt: 3, random: 1, expected: 400 },
    { attempt: 4, random: 0.5, expected: 400 },
    { attempt: 5, random: 1, expected: 1000 },
    { attempt: 3, random: 0, expected: 0 },
    { attempt: 5000, random: 1, expected: 1000 },
  ];
  it.each(cases)(
    'attempt $attempt, random $random -> $expected ms (base 100, max 1000)',
    ({ attempt, random, expected }) => {
      expect(backoffDelay(attempt, 100, 1000, () => random)).toBe(expected);
    },
  );
});

describe('redactUrl', () => {
  const cases: { url: string; expected: string }[] = [
    { url: 'https://hooks.slack.com/services/T000/B000/secret', expected: 'https://hooks.slack.com/services/***' },
    { url: 'https://events.pagerduty.com/v2/enqueue', expected: 'https://events.pagerduty.com/v2/***' },
    { url: 'https://user:pw@api.example.com/token?key=secret#x', expected: 'https://api.example.com/***' },
    { url: 'http://127.0.0.1:18000/', expected: 'http://127.0.0.1:18000' },
    { url: 'not a url', expected: '[invalid URL]' },
  ];
  it.each(cases)('$url -> $expected', ({ url, expected }) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('requestWithRetry against the webhook sink', () => {
  const fast = { baseDelayMs: 10, maxDelayMs: 2000, timeoutMs: 2000 };

  it('retries a 503 and succeeds on the second attempt', async () => {
    const path = uniquePath('slack');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'status', status: 503 } });
    const r = recorder();
    const res = await requestWithRetry({
      ...fast,
      ...r,
      method: 'POST',
      url: `${sink.baseUrl}${path}`,
      json: { text: 'hi' },
    });
    expect(res).toMatchObject({ status: 200, text: 'ok', attempts: 2 });
    expect(r.reasons).toEqual(['HTTP 503']);
    expect(r.delays[0]).toBeLessThanOrEqual(fast.baseDelayMs);
    expect(await answers(path)).toEqual([503, 200]);
    const [first] = await sink.requests(path);
    expect(first?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(first?.body ?? '')).toEqual({ text: 'hi' });
  });

  it('waits what Retry-After says on a 429', async () => {
    const path = uniquePath('slack');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    const r = recorder();
    const res = await requestWithRetry({ ...fast, ...r, method: 'POST', url: `${sink.baseUrl}${path}`, json: {} });
    expect(res.attempts).toBe(2);
    expect(r.delays).toEqual([1000]);
    expect(r.reasons).toEqual(['HTTP 429, Retry-After 1000 ms']);
  });

  it('caps Retry-After at maxDelayMs', async () => {
    const path = uniquePath('slack');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 3600 } });
    const r = recorder();
    await requestWithRetry({ ...fast, ...r, method: 'POST', url: `${sink.baseUrl}${path}`, json: {} });
    expect(r.delays).toEqual([fast.maxDelayMs]);
  });

  it('does not retry a 400', async () => {
    const path = uniquePath('slack');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'status', status: 400, body: 'invalid_payload' } });
    const r = recorder();
    const call = requestWithRetry({ ...fast, ...r, method: 'POST', url: `${sink.baseUrl}${path}`, json: {} });
    await expect(call).rejects.toMatchObject({
      name: 'HttpError',
      status: 400,
      attempts: 1,
      bodyExcerpt: 'invalid_payload',
    });
    expect(r.delays).toEqual([]);
    expect(await answers(path)).toEqual([400]);
  });

  it('retries what retryOn says, and only that', async () => {
    const path = uniquePath('slack');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'status', status: 409 } });
    const res = await requestWithRetry({
      ...fast,
      ...recorder(),
      url: `${sink.baseUrl}${path}`,
      retryOn: (s) => s === 409,
    });
    expect(res.attempts).toBe(2);
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'status', status: 503 } });
    const call = requestWithRetry({ ...fast, ...recorder(), url: `${sink.baseUrl}${path}`, retryOn: (s) => s === 409 });
    await expect(call).rejects.toMatchObject({ status: 503, attempts: 1 });
  });

  it('times out a hung attempt and retries it', async () => {
    const path = uniquePath('pagerduty');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'hang' } });
    const r = recorder();
    const res = await requestWithRetry({
      ...fast,
      ...r,
      timeoutMs: 300,
      method: 'POST',
      url: `${sink.baseUrl}${path}`,
      json: { dedup_key: 'k1' },
    });
    expect(res.status).toBe(202);
    expect(res.json<{ dedup_key: string }>().dedup_key).toBe('k1');
    expect(r.reasons).toEqual(['UND_ERR_HEADERS_TIMEOUT']);
    expect(await answers(path)).toEqual(['hung', 202]);
  });

  it('retries a refused connection, then reports its code', async () => {
    const r = recorder();
    const call = requestWithRetry({ ...fast, ...r, url: 'http://127.0.0.1:1/nothing/here' });
    await expect(call).rejects.toMatchObject({ code: 'ECONNREFUSED', attempts: 3, status: undefined });
    expect(r.reasons).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('stops at once when the caller aborts, with the caller reason', async () => {
    const path = uniquePath('slack');
    await sink.inject({ pathPrefix: path, count: 1, fault: { kind: 'hang' } });
    const reason = new Error('workflow cancelled');
    const aborted = new AbortController();
    setTimeout(() => aborted.abort(reason), 100);
    const call = requestWithRetry({ ...fast, url: `${sink.baseUrl}${path}`, signal: aborted.signal });
    await expect(call).rejects.toBe(reason);
    expect(await answers(path)).toEqual(['hung']);
  });

  it('keeps the secret path out of the final error', async () => {
    const secret = `xoxb${randomUUID().replaceAll('-', '')}`;
    const base = uniquePath('slack');
    const url = `${sink.baseUrl}${base}/services/T0000/B0000/${secret}?token=${secret}`;
    await sink.inject({ pathPrefix: base, count: 3, fault: { kind: 'status', status: 503 } });
    const error = await requestWithRetry({ ...fast, ...recorder(), method: 'POST', url, json: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, attempts: 3, url: `${sink.baseUrl}/slack/***` });
    expect((error as HttpError).message).toContain(
      `POST ${sink.baseUrl}/slack/*** failed after 3 attempt(s): HTTP 503`,
    );
    for (const text of [(error as HttpError).message, (error as HttpError).stack, JSON.stringify(error)]) {
      expect(text).not.toContain(secret);
    }
  });
});

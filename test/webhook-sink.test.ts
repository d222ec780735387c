import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookSinkClient } from '../src/stack/webhook-sink-client.js';

const sink = new WebhookSinkClient();
const post = (path: string, body: unknown, timeoutMs = 5000) =>
  request(`${sink.baseUrl}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    headersTimeout: timeoutMs,
  });

beforeEach(() => sink.clear());
// Faults left unconsumed would leak into other test files that use the same sink.
afterEach(() => sink.clear());

describe('webhook sink of the local stack', () => {
  it('records a POST with its body and answers like Slack', async () => {
    const res = await post('/slack/services/T1/B1/x', { text: 'hello' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    const [recorded] = await sink.requests('/slack');
    expect(recorded).toMatchObject({ method: 'POST', path: '/slack/services/T1/B1/x', answeredWith: 200 });
    expect(JSON.parse(recorded?.body ?? '{}')).toEqual({ text: 'hello' });
  });

  it('answers PagerDuty events with 202 and the dedup key', async () => {
    const res = await post('/pagerduty/v2/enqueue', { event_action: 'trigger', dedup_key: 'acode-incident-1' });
    expect(res.statusCode).toBe(202);
    expect(await res.body.json()).toMatchObject({ status: 'success', dedup_key: 'acode-incident-1' });
  });

  it('fails the next requests as told: 5xx, then 429 with Retry-After, then normal again', async () => {
    await sink.inject({ pathPrefix: '/slack', count: 1, fault: { kind: 'status', status: 503 } });
    await sink.inject({ pathPrefix: '/slack', count: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 7 } });
    const first = await post('/slack/a', { n: 1 });
    const second = await post('/slack/a', { n: 2 });
    const third = await post('/slack/a', { n: 3 });
    expect(first.statusCode).toBe(503);
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('7');
    expect(third.statusCode).toBe(200);
    await Promise.all([first, second, third].map((r) => r.body.dump()));
    expect((await sink.requests('/slack')).map((r) => r.answeredWith)).toEqual([503, 429, 200]);
  });

  it('hangs when told to, so callers must time out', async () => {
    await sink.inject({ pathPrefix: '/pagerduty', count: 1, fault: { kind: 'hang' } });
    await expect(post('/pagerduty/v2/enqueue', { event_action: 'trigger' }, 500)).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect((await sink.requests('/pagerduty')).map((r) => r.answeredWith)).toEqual(['hung']);
  });

  it('leaves paths without a fault untouched', async () => {
    await sink.inject({ pathPrefix: '/pagerduty', count: 1, fault: { kind: 'status', status: 500 } });
    const res = await post('/slack/x', {});
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });
});

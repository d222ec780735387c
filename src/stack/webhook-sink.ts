// A webhook sink for the local stack: records every request it receives (standing in for Slack
// and PagerDuty endpoints) and can be told to fail the next requests (5xx, 429 with Retry-After,
// or hang), so notification code is tested over real HTTP.
import http from 'node:http';

export interface RecordedRequest {
  seq: number;
  receivedAt: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The status the sink answered with, or 'hung' when it never answered. */
  answeredWith: number | 'hung';
}

export type Fault = { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string } | { kind: 'hang' };

export interface FaultRule {
  /** Requests whose path starts with this prefix are affected ('/' for all). */
  pathPrefix: string;
  /** How many matching requests fail before the sink answers normally again. */
  count: number;
  fault: Fault;
}

export const controlPrefix = '/__sink';

const pagerDutyAccepted = (body: string): string => {
  let dedupKey: unknown;
  try {
    dedupKey = (JSON.parse(body) as { dedup_key?: unknown }).dedup_key;
  } catch {
    dedupKey = undefined;
  }
  return JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey ?? `sink-${Date.now()}` });
};

/** The normal answer of the service a path stands for. */
function normalAnswer(path: string, body: string): { status: number; type: string; body: string } {
  if (path.startsWith('/pagerduty')) return { status: 202, type: 'application/json', body: pagerDutyAccepted(body) };
  return { status: 200, type: 'text/plain', body: 'ok' };
}

export function createWebhookSink(): http.Server {
  const recorded: RecordedRequest[] = [];
  let faults: FaultRule[] = [];
  let seq = 0;
  const hung = new Set<http.ServerResponse>();

  const json = (res: http.ServerResponse, status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };

  const control = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): void => {
    const route = `${req.method} ${url.pathname.slice(controlPrefix.length)}`;
    if (route === 'GET /requests') {
      const prefix = url.searchParams.get('pathPrefix') ?? '/';
      return json(
        res,
        200,
        recorded.filter((r) => r.path.startsWith(prefix)),
      );
    }
    if (route === 'DELETE /requests') {
      recorded.length = 0;
      faults = [];
      for (const r of hung) r.destroy();
      hung.clear();
      return json(res, 200, { cleared: true });
    }
    if (route === 'POST /faults') {
      const rule = JSON.parse(body) as FaultRule;
      if (!rule.pathPrefix?.startsWith('/') || !(rule.count > 0) || !rule.fault) {
        return json(res, 400, { error: 'expected { pathPrefix: "/...", count: N > 0, fault: {...} }' });
      }
      faults.push(rule);
      return json(res, 200, { faults });
    }
    if (route === 'GET /health') return json(res, 200, { ok: true, recorded: recorded.length });
    return json(res, 404, { error: `unknown control route ${route}` });
  };

  // Idle keep-alive sockets outlive the clients' own keep-alive (undici: 4 s), so a client never
  // reuses a socket the server is closing at that moment (a spurious ECONNRESET and retry).
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://sink');
      if (url.pathname.startsWith(controlPrefix)) {
        try {
          control(req, res, url, body);
        } catch (e) {
          json(res, 400, { error: (e as Error).message });
        }
        return;
      }
      const rule = faults.find((f) => url.pathname.startsWith(f.pathPrefix));
      if (rule) {
        rule.count -= 1;
        if (rule.count <= 0) faults = faults.filter((f) => f !== rule);
      }
      const entry: RecordedRequest = {
        seq: ++seq,
        receivedAt: new Date().toISOString(),
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body,
        answeredWith: 'hung',
      };
      recorded.push(entry);
      const fault = rule?.fault;
      if (fault?.kind === 'hang') {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (fault?.kind === 'status') {
        entry.answeredWith = fault.status;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: 'injected fault' }));
        return;
      }
      const answer = normalAnswer(url.pathname, body);
      entry.answeredWith = answer.status;
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  return server;
}

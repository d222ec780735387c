// HTTP face of the Airbyte simulator: the public API v1 under /api/public/v1 (and /v1), the few
// Config API calls under /api/v1, and a control API under /__sim for tests and the demo.
// Paths, bodies, status codes and problem JSON follow shared/reference/airbyte-api.md.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { ConnectionStatus, Problem, TokenResponse } from '../../integrations/airbyte/api-types.js';
import { terminalJobStatuses } from '../../integrations/airbyte/api-types.js';
import type { JobFaultRule, SimTuning, SimulatorState } from './state.js';

export interface HttpFaultRule {
  count: number;
  status: number;
  retryAfterSeconds?: number;
  /** Only requests whose public path (e.g. /jobs) starts with this; all when absent. */
  pathPrefix?: string;
}

export interface SlowRule {
  count: number;
  delayMs: number;
}

export type SimFault =
  ({ kind: 'jobs' } & JobFaultRule) | ({ kind: 'http' } & HttpFaultRule) | ({ kind: 'slow' } & SlowRule);

export interface SimulatorCredentials {
  clientId: string;
  clientSecret: string;
}

class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }
}

const docs = 'https://reference.airbyte.com/reference/errors';
const problems = {
  badRequest: (message: string): Problem => ({
    status: 400,
    type: `${docs}#bad-request`,
    title: 'bad-request',
    detail: 'The request could not be understood by the server due to malformed syntax.',
    data: { message },
  }),
  unauthorized: (): Problem => ({
    status: 401,
    type: `${docs}#invalid-api-key`,
    title: 'invalid-api-key',
    detail: 'The API key provided is invalid or has expired.',
  }),
  notFound: (resourceType: string, resourceId: string): Problem => ({
    status: 404,
    type: `${docs}#resource-not-found`,
    title: 'resource-not-found',
    detail: 'The requested resource could not be found.',
    data: { resourceType, resourceId },
  }),
  stateConflict: (message: string): Problem => ({
    status: 409,
    type: `${docs}#409-state-conflict`,
    title: 'state-conflict',
    detail: 'State conflict',
    data: { message },
  }),
  tryAgainLater: (message: string): Problem => ({
    status: 409,
    type: `${docs}#try-again-later`,
    title: 'try-again-later',
    detail: 'Please try again later.',
    data: { message },
  }),
  locked: (connectionId: string, statusReason: string): Problem => ({
    status: 409,
    type: 'error:connection/locked',
    title: 'Connection is locked',
    detail: 'Connection is locked',
    data: { connectionId, statusReason },
  }),
  unprocessable: (message: string): Problem => ({
    status: 422,
    type: `${docs}#unprocessable-entity`,
    title: 'unprocessable-entity',
    detail: 'The request was well-formed but contained invalid data.',
    data: { message },
  }),
  unexpected: (message: string): Problem => ({
    status: 500,
    type: docs,
    title: 'unexpected-problem',
    detail: 'An unexpected problem has occurred.',
    data: { message },
  }),
  unavailable: (): Problem => ({
    status: 503,
    type: docs,
    title: 'service-unavailable',
    detail: 'Service unavailable.',
  }),
};

const connectionStatuses: ConnectionStatus[] = ['active', 'inactive', 'deprecated', 'locked'];

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  rawBody: string;
  headers: http.IncomingHttpHeaders;
  origin: string;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  text?: boolean;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

function objectBody(req: Request): Record<string, unknown> {
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) return req.body as Record<string, unknown>;
  throw new HttpProblem(problems.badRequest('A JSON object body is required'));
}

export function createAirbyteSimulator(state: SimulatorState, creds: SimulatorCredentials): http.Server {
  const tokens = new Map<string, number>();
  let tokenTtlSeconds = 900;
  let tokensIssued = 0;
  let httpFaults: HttpFaultRule[] = [];
  let slowRules: SlowRule[] = [];

  const takeRule = <T extends { count: number }>(rules: T[], match: (r: T) => boolean): [T | undefined, T[]] => {
    const rule = rules.find(match);
    if (!rule) return [undefined, rules];
    rule.count -= 1;
    return [rule, rule.count <= 0 ? rules.filter((r) => r !== rule) : rules];
  };

  function issueToken(req: Request): Reply {
    let fields: Record<string, unknown> = {};
    if (String(req.headers['content-type']).includes('application/x-www-form-urlencoded')) {
      fields = Object.fromEntries(new URLSearchParams(req.rawBody));
    } else if (req.body && typeof req.body === 'object') {
      fields = req.body as Record<string, unknown>;
    }
    if (fields.client_id !== creds.clientId || fields.client_secret !== creds.clientSecret) {
      return { status: 401, body: { errorId: randomBytes(16).toString('hex') } };
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + tokenTtlSeconds * 1000);
    tokensIssued += 1;
    const body: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: tokenTtlSeconds };
    return ok(body);
  }

  function authorize(req: Request): void {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const expires = m?.[1] ? tokens.get(m[1]) : undefined;
    if (expires === undefined || expires < Date.now()) throw new HttpProblem(problems.unauthorized());
  }

  function listJobs(req: Request): Reply {
    const limit = Number(req.query.get('limit') ?? 20);
    const offset = Number(req.query.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new HttpProblem(problems.badRequest('limit must be between 1 and 100'));
    if (!Number.isInteger(offset) || offset < 0) throw new HttpProblem(problems.badRequest('offset must be >= 0'));
    const [field = 'createdAt', dir = 'ASC'] = (req.query.get('orderBy') ?? 'createdAt|ASC').split('|');
    const f =
      field.toLowerCase() === 'updatedat' ? 'updatedAt' : field.toLowerCase() === 'createdat' ? 'createdAt' : undefined;
    const d = dir.toUpperCase();
    if (!f || (d !== 'ASC' && d !== 'DESC'))
      throw new HttpProblem(problems.badRequest(`Invalid orderBy: ${req.query.get('orderBy')}`));
    const all = state.listJobs(
      { connectionId: req.query.get('connectionId') ?? undefined, status: req.query.get('status') ?? undefined },
      d,
      f,
    );
    const data = all.slice(offset, offset + limit).map((j) => state.jobResponse(j));
    const page = (o: number): string => {
      const q = new URLSearchParams(req.query);
      q.set('limit', String(limit));
      q.set('offset', String(o));
      return `${req.origin}${req.path}?${q.toString()}`;
    };
    return ok({
      data,
      next: data.length > 0 ? page(offset + limit) : '',
      previous: offset > 0 ? page(Math.max(0, offset - limit)) : '',
    });
  }

  function triggerSync(req: Request): Reply {
    const body = objectBody(req);
    const connectionId = body.connectionId;
    const jobType = body.jobType;
    if (typeof connectionId !== 'string' || typeof jobType !== 'string') {
      throw new HttpProblem(problems.badRequest('connectionId and jobType are required'));
    }
    if (jobType === 'refresh')
      throw new HttpProblem(problems.unprocessable('Refreshes are not supported in the public API'));
    if (jobType !== 'sync') throw new HttpProblem(problems.badRequest(`Unsupported jobType ${jobType}`));
    const conn = state.connection(connectionId);
    if (!conn) throw new HttpProblem(problems.notFound('connection', connectionId));
    if (conn.status !== 'active') throw new HttpProblem(problems.stateConflict('Could not fulfill request'));
    if (state.activeJob(connectionId))
      throw new HttpProblem(problems.tryAgainLater(`A sync is already running for: ${connectionId}`));
    return ok(state.jobResponse(state.startSync(connectionId)));
  }

  function publicRoute(req: Request, path: string): Reply {
    if (req.method === 'GET' && path === '/health') return { status: 200, body: 'Successful operation', text: true };
    if (req.method === 'POST' && path === '/applications/token') return issueToken(req);
    authorize(req);
    const [, resource, id] = path.split('/');
    if (resource === 'connections' && id) {
      const conn = state.connection(id);
      if (!conn) throw new HttpProblem(problems.notFound('connection', id));
      if (req.method === 'GET') return ok(conn);
      if (req.method === 'PATCH') {
        if (conn.status === 'locked') throw new HttpProblem(problems.locked(id, conn.statusReason ?? 'locked'));
        const status = objectBody(req).status;
        if (status !== undefined) {
          if (!connectionStatuses.includes(status as ConnectionStatus)) {
            throw new HttpProblem(problems.unprocessable(`Invalid status: ${JSON.stringify(status)}`));
          }
          state.setConnectionStatus(id, status as ConnectionStatus);
        }
        return ok(state.connection(id));
      }
    }
    if (resource === 'jobs' && !id) {
      if (req.method === 'POST') return triggerSync(req);
      if (req.method === 'GET') return listJobs(req);
    }
    if (resource === 'jobs' && id) {
      const job = /^\d+$/.test(id) ? state.job(Number(id)) : undefined;
      if (!job) throw new HttpProblem(problems.notFound('job', id));
      if (req.method === 'GET') return ok(state.jobResponse(job));
      if (req.method === 'DELETE') {
        if (terminalJobStatuses.includes(job.status))
          throw new HttpProblem(problems.stateConflict('Job is not currently running'));
        state.cancel(job);
        return ok(state.jobResponse(job));
      }
    }
    if (resource === 'sources' && id) {
      if (!state.source(id)) throw new HttpProblem(problems.notFound('source', id));
      if (req.method === 'GET') return ok(state.source(id));
      if (req.method === 'PATCH' || req.method === 'PUT') {
        const body = objectBody(req);
        const configuration = body.configuration;
        if (req.method === 'PUT' && (typeof body.name !== 'string' || !configuration)) {
          throw new HttpProblem(problems.badRequest('name and configuration are required'));
        }
        if (
          configuration !== undefined &&
          (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration))
        ) {
          throw new HttpProblem(problems.unprocessable('configuration must be an object'));
        }
        const { sourceType: _ignored, ...config } = (configuration ?? {}) as Record<string, unknown>;
        state.updateSource(
          id,
          config,
          req.method === 'PATCH' ? 'merge' : 'replace',
          typeof body.name === 'string' ? body.name : undefined,
        );
        return ok(state.source(id));
      }
    }
    throw new HttpProblem(problems.notFound('route', `${req.method} ${path}`));
  }

  async function configRoute(req: Request, path: string): Promise<Reply> {
    if (req.method === 'GET' && path === '/health') return ok({ available: true });
    authorize(req);
    const body = objectBody(req);
    if (path === '/jobs/get_without_logs' || path === '/jobs/get') {
      const job = state.job(Number(body.id));
      if (!job) return { status: 404, body: { errorId: randomBytes(16).toString('hex') } };
      return ok(state.jobInfo(job));
    }
    if (path === '/sources/discover_schema') {
      const catalog = await state.discoverSchema(String(body.sourceId));
      if (!catalog) return { status: 404, body: { errorId: randomBytes(16).toString('hex') } };
      return ok(catalog);
    }
    if (path === '/connections/get') {
      const conn = state.connection(String(body.connectionId));
      if (!conn) return { status: 404, body: { errorId: randomBytes(16).toString('hex') } };
      return ok(conn);
    }
    return { status: 404, body: { errorId: randomBytes(16).toString('hex') } };
  }

  function controlRoute(req: Request, path: string): Reply {
    if (req.method === 'GET' && path === '/health') return ok({ ok: true });
    if (req.method === 'GET' && path === '/state') {
      return ok({
        connections: state.seedConnectionIds().map((id) => state.connection(id)),
        jobs: state
          .listJobs({}, 'ASC', 'createdAt')
          .map((j) => ({ ...state.jobInfo(j), response: state.jobResponse(j) })),
        faults: { jobs: state.jobFaults, http: httpFaults, slow: slowRules },
        tokensIssued,
      });
    }
    if (req.method === 'POST' && path === '/reset') {
      state.reset();
      tokens.clear();
      tokensIssued = 0;
      httpFaults = [];
      slowRules = [];
      tokenTtlSeconds = 900;
      return ok({ reset: true });
    }
    if (req.method === 'POST' && path === '/faults') {
      const fault = objectBody(req) as unknown as SimFault;
      if (!(fault.count > 0)) throw new HttpProblem(problems.badRequest('count must be > 0'));
      if (fault.kind === 'jobs')
        state.jobFaults.push({ count: fault.count, failureType: fault.failureType, message: fault.message });
      else if (fault.kind === 'http') httpFaults.push(fault);
      else if (fault.kind === 'slow') slowRules.push(fault);
      else throw new HttpProblem(problems.badRequest('kind must be jobs, http or slow'));
      return ok({ accepted: fault });
    }
    if (req.method === 'POST' && path === '/tuning') {
      const t = objectBody(req) as Partial<SimTuning> & { tokenTtlSeconds?: number };
      const { tokenTtlSeconds: ttl, ...tuning } = t;
      if (ttl !== undefined) tokenTtlSeconds = ttl;
      Object.assign(state.tuning, tuning);
      return ok({ tuning: state.tuning, tokenTtlSeconds });
    }
    throw new HttpProblem(problems.notFound('route', `${req.method} ${path}`));
  }

  async function route(req: Request): Promise<Reply> {
    if (req.path.startsWith('/__sim/')) return controlRoute(req, req.path.slice('/__sim'.length));
    const publicPath = ['/api/public/v1', '/v1'].find((p) => req.path.startsWith(`${p}/`));
    if (publicPath) {
      const path = req.path.slice(publicPath.length);
      let slow: SlowRule | undefined;
      [slow, slowRules] = takeRule(slowRules, () => true);
      if (slow) await new Promise((r) => setTimeout(r, slow.delayMs));
      let fault: HttpFaultRule | undefined;
      [fault, httpFaults] = takeRule(httpFaults, (f) => !f.pathPrefix || path.startsWith(f.pathPrefix));
      if (fault?.status === 429) {
        // The real server's rate limit answer is not a problem body.
        return {
          status: 429,
          body: { message: 'You are being rate limited.' },
          ...(fault.retryAfterSeconds !== undefined
            ? { headers: { 'retry-after': String(fault.retryAfterSeconds) } }
            : {}),
        };
      }
      if (fault) {
        const p =
          fault.status === 503
            ? problems.unavailable()
            : { ...problems.unexpected('injected fault'), status: fault.status };
        return {
          status: fault.status,
          body: p,
          ...(fault.retryAfterSeconds !== undefined
            ? { headers: { 'retry-after': String(fault.retryAfterSeconds) } }
            : {}),
        };
      }
      return publicRoute(req, path);
    }
    if (req.path.startsWith('/api/v1/')) return configRoute(req, req.path.slice('/api/v1'.length));
    throw new HttpProblem(problems.notFound('route', `${req.method} ${req.path}`));
  }

  // Idle keep-alive sockets outlive the clients' own keep-alive (undici: 4 s), so a client never
  // reuses a socket the server is closing at that moment (a spurious ECONNRESET and retry).
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? 'localhost'}`);
      const send = (r: Reply): void => {
        res.writeHead(r.status, { 'content-type': r.text ? 'text/plain' : 'application/json', ...r.headers });
        res.end(r.text ? String(r.body) : JSON.stringify(r.body));
      };
      let body: unknown;
      try {
        body =
          rawBody && !String(incoming.headers['content-type']).includes('x-www-form-urlencoded')
            ? JSON.parse(rawBody)
            : undefined;
      } catch {
        send({ status: 400, body: problems.badRequest('Malformed JSON body') });
        return;
      }
      const req: Request = {
        method: incoming.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body,
        rawBody,
        headers: incoming.headers,
        origin: url.origin,
      };
      route(req).then(send, (err: unknown) => {
        const p =
          err instanceof HttpProblem
            ? err.problem
            : problems.unexpected(err instanceof Error ? err.message : String(err));
        send({ status: p.status, body: p });
      });
    });
  });
  return server;
}

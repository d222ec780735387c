// MySQL / MariaDB access for checks and procedures (mysql2). Credentials arrive resolved from
// the environment by the caller; they are never logged or returned.
import mysql from 'mysql2/promise';
import { guardEndpoint } from './loopback.js';

export interface MysqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export const describeEndpoint = (ep: Pick<MysqlEndpoint, 'host' | 'port'>): string => `${ep.host}:${ep.port}`;

/**
 * Opens a connection bounded by `timeoutMs` (connectTimeout covers TCP and the handshake, so a
 * host that accepts TCP and never answers fails too). On abort the socket is destroyed.
 */
export async function connect(ep: MysqlEndpoint, timeoutMs: number, signal?: AbortSignal): Promise<mysql.Connection> {
  signal?.throwIfAborted();
  guardEndpoint(ep.host, `MySQL ${describeEndpoint(ep)}`);
  const pending = mysql.createConnection({
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    database: ep.database,
    connectTimeout: timeoutMs,
    // DATETIME values stay strings: ages are computed by the server, so the clocks never mix.
    dateStrings: true,
    supportBigNumbers: true,
  });
  const conn = await pending;
  if (signal) {
    const onAbort = (): void => conn.destroy();
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    conn.once('end', () => signal.removeEventListener('abort', onAbort));
  }
  return conn;
}

/** Runs `fn` on a fresh connection and always closes it. */
export async function withConnection<T>(
  ep: MysqlEndpoint,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  fn: (conn: mysql.Connection) => Promise<T>,
): Promise<T> {
  const conn = await connect(ep, timeoutMs, signal);
  try {
    return await fn(conn);
  } finally {
    conn.destroy();
  }
}

/** Quotes an identifier (table, column); config validation has already restricted its characters. */
export const id = (name: string): string => mysql.escapeId(name);

export type Row = mysql.RowDataPacket;

// MySQL checks of the seed: connectivity, data freshness, replication of the backup, resource
// utilization, and the shape of the source tables.
import type { Connection } from 'mysql2/promise';
import { describeEndpoint, id, withConnection, type MysqlEndpoint, type Row } from '../integrations/mysql.js';
import { CheckFailure, runCheck } from './run.js';
import type { CheckResult, DetailValue, Side, Thresholds } from './types.js';

export interface TableSpec {
  name: string;
  freshnessColumn: string;
  /** Columns that must exist; the check fails on any missing one. */
  expectedColumns: string[];
}

export function checkConnectivity(ep: MysqlEndpoint, side: Side, timeoutMs: number): Promise<CheckResult> {
  return runCheck(
    { check: 'mysql_connectivity', side, target: describeEndpoint(ep), unit: 'ms', warn: null, fail: null, timeoutMs },
    async (signal) => {
      const started = Date.now();
      const version = await withConnection(ep, timeoutMs, signal, async (conn) => {
        const [rows] = await conn.query<Row[]>('SELECT 1 AS ok, VERSION() AS version');
        return String(rows[0]?.version ?? '');
      });
      return { value: Date.now() - started, details: { version } };
    },
  );
}

/** Age in hours of the newest row of each table, measured by the server's own clock; the worst table counts. */
export function checkDataFreshness(
  ep: MysqlEndpoint,
  side: Side,
  tables: TableSpec[],
  hours: Thresholds,
  timeoutMs: number,
): Promise<CheckResult> {
  return runCheck(
    {
      check: 'data_freshness',
      side,
      target: `${describeEndpoint(ep)}/${ep.database}`,
      unit: 'hours',
      ...hours,
      timeoutMs,
    },
    (signal) =>
      withConnection(ep, timeoutMs, signal, async (conn) => {
        const details: Record<string, DetailValue> = {};
        let worst = 0;
        for (const t of tables) {
          const [rows] = await conn.query<Row[]>(
            `SELECT TIMESTAMPDIFF(SECOND, MAX(${id(t.freshnessColumn)}), NOW()) AS age_s, MAX(${id(t.freshnessColumn)}) AS newest FROM ${id(t.name)}`,
          );
          const row = rows[0];
          if (row?.age_s === null || row?.age_s === undefined) {
            throw new CheckFailure('NO_DATA', `table ${t.name} has no rows`, details);
          }
          const ageHours = Number(row.age_s) / 3600;
          details[`${t.name}.age_hours`] = Math.round(ageHours * 100) / 100;
          details[`${t.name}.newest`] = String(row.newest);
          worst = Math.max(worst, ageHours);
        }
        const stale = hours.fail !== null && worst >= hours.fail;
        return {
          value: worst,
          details,
          ...(stale
            ? {
                error: {
                  code: 'STALE_DATA',
                  message: `newest data is ${worst.toFixed(1)} h old (limit ${hours.fail} h)`,
                },
              }
            : {}),
        };
      }),
  );
}

/** SHOW REPLICA STATUS with both column namings: MariaDB / MySQL < 8.0.22 (Slave_*, *_Master) and MySQL 8.0.22+ (Replica_*, *_Source). */
export interface ReplicaStatus {
  ioRunning: string;
  sqlRunning: string;
  lagSeconds: number | null;
  lastIoErrno: number;
  lastIoError: string;
  lastSqlErrno: number;
  lastSqlError: string;
  sqlDelaySeconds: number;
}

export function parseReplicaStatus(row: Record<string, unknown>): ReplicaStatus {
  const pick = (...names: string[]): string | number | null | undefined =>
    names.map((n) => row[n] as string | number | null | undefined).find((v) => v !== undefined);
  const num = (v: string | number | null | undefined): number =>
    v === null || v === undefined || v === '' ? 0 : Number(v);
  const lag = pick('Seconds_Behind_Source', 'Seconds_Behind_Master');
  return {
    ioRunning: String(pick('Replica_IO_Running', 'Slave_IO_Running') ?? 'No'),
    sqlRunning: String(pick('Replica_SQL_Running', 'Slave_SQL_Running') ?? 'No'),
    lagSeconds: lag === null || lag === undefined ? null : Number(lag),
    lastIoErrno: num(pick('Last_IO_Errno')),
    lastIoError: String(pick('Last_IO_Error') ?? ''),
    lastSqlErrno: num(pick('Last_SQL_Errno')),
    lastSqlError: String(pick('Last_SQL_Error') ?? ''),
    sqlDelaySeconds: num(pick('SQL_Delay')),
  };
}

async function readReplicaStatus(conn: Connection): Promise<Record<string, unknown> | undefined> {
  try {
    const [rows] = await conn.query<Row[]>('SHOW REPLICA STATUS');
    return rows[0];
  } catch (err) {
    // MySQL before 8.0.22 knows only the old statement.
    if ((err as { code?: string }).code !== 'ER_PARSE_ERROR') throw err;
    const [rows] = await conn.query<Row[]>('SHOW SLAVE STATUS');
    return rows[0];
  }
}

/** The backup is fit only with both replication threads running and lag under the threshold. */
export function checkReplication(ep: MysqlEndpoint, lagSeconds: Thresholds, timeoutMs: number): Promise<CheckResult> {
  return runCheck(
    {
      check: 'backup_replication',
      side: 'backup',
      target: describeEndpoint(ep),
      unit: 'seconds',
      ...lagSeconds,
      timeoutMs,
    },
    (signal) =>
      withConnection(ep, timeoutMs, signal, async (conn) => {
        const row = await readReplicaStatus(conn);
        if (!row) throw new CheckFailure('NOT_A_REPLICA', 'the backup server has no replication configured');
        const s = parseReplicaStatus(row);
        const details: Record<string, DetailValue> = {
          io_running: s.ioRunning,
          sql_running: s.sqlRunning,
          last_io_errno: s.lastIoErrno,
          last_io_error: s.lastIoError,
          last_sql_errno: s.lastSqlErrno,
          last_sql_error: s.lastSqlError,
          sql_delay_seconds: s.sqlDelaySeconds,
        };
        if (s.ioRunning !== 'Yes' || s.sqlRunning !== 'Yes') {
          const why = [s.lastIoError, s.lastSqlError].filter(Boolean).join('; ');
          return {
            value: s.lagSeconds,
            status: 'unhealthy',
            details,
            error: {
              code: 'REPLICATION_STOPPED',
              message: `IO thread ${s.ioRunning}, SQL thread ${s.sqlRunning}${why ? `: ${why}` : ''}`,
            },
          };
        }
        if (s.lagSeconds === null) {
          return {
            value: null,
            status: 'unhealthy',
            details,
            error: { code: 'REPLICATION_LAG_UNKNOWN', message: 'replication lag is unknown' },
          };
        }
        const lagging = lagSeconds.fail !== null && s.lagSeconds >= lagSeconds.fail;
        return {
          value: s.lagSeconds,
          details,
          ...(lagging
            ? {
                error: {
                  code: 'REPLICATION_LAG',
                  message: `replica is ${s.lagSeconds} s behind (limit ${lagSeconds.fail} s)`,
                },
              }
            : {}),
        };
      }),
  );
}

/** Connection saturation (Threads_connected / max_connections) plus other pressure signals as details. */
export function checkResources(
  ep: MysqlEndpoint,
  side: Side,
  saturation: Thresholds,
  timeoutMs: number,
): Promise<CheckResult> {
  return runCheck(
    { check: 'resource_utilization', side, target: describeEndpoint(ep), unit: 'ratio', ...saturation, timeoutMs },
    (signal) =>
      withConnection(ep, timeoutMs, signal, async (conn) => {
        const [status] = await conn.query<Row[]>(
          `SHOW GLOBAL STATUS WHERE Variable_name IN
            ('Threads_connected', 'Threads_running', 'Max_used_connections', 'Innodb_row_lock_current_waits', 'Aborted_connects')`,
        );
        const [[vars]] = await conn.query<Row[]>('SELECT @@max_connections AS max_connections');
        const stat = Object.fromEntries(status.map((r) => [String(r.Variable_name).toLowerCase(), Number(r.Value)]));
        const max = Number(vars?.max_connections);
        const ratio = (stat.threads_connected ?? 0) / max;
        const over = saturation.fail !== null && ratio >= saturation.fail;
        return {
          value: Math.round(ratio * 1000) / 1000,
          details: { ...stat, max_connections: max },
          ...(over
            ? {
                error: {
                  code: 'CONNECTION_SATURATION',
                  message: `${stat.threads_connected}/${max} connections in use`,
                },
              }
            : {}),
        };
      }),
  );
}

/** Every configured table exists with its expected columns. */
export function checkSchema(
  ep: MysqlEndpoint,
  side: Side,
  tables: TableSpec[],
  timeoutMs: number,
): Promise<CheckResult> {
  return runCheck(
    {
      check: 'schema',
      side,
      target: `${describeEndpoint(ep)}/${ep.database}`,
      unit: 'missing columns',
      warn: null,
      fail: 1,
      timeoutMs,
    },
    (signal) =>
      withConnection(ep, timeoutMs, signal, async (conn) => {
        const [rows] = await conn.query<Row[]>(
          'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)',
          [ep.database, tables.map((t) => t.name)],
        );
        const present = new Set(rows.map((r) => `${String(r.t)}.${String(r.c)}`));
        const missing = tables.flatMap((t) =>
          [...new Set([...t.expectedColumns, t.freshnessColumn])]
            .filter((c) => !present.has(`${t.name}.${c}`))
            .map((c) => `${t.name}.${c}`),
        );
        return {
          value: missing.length,
          details: { missing: missing.join(', ') || null },
          ...(missing.length
            ? { error: { code: 'SCHEMA_CHANGED', message: `missing columns: ${missing.join(', ')}` } }
            : {}),
        };
      }),
  );
}

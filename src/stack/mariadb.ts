// MariaDB primary and read-only replica with GTID replication, as two local instances
// (verified recipe in shared/reference/local-services.md). Every step is idempotent.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { acodeSchemaSql, dailyTable, fillAcodeTables } from './acode-data.js';
import { runningPid, startDetached, stopPid, waitUntil } from './process.js';
import { serviceDir } from './paths.js';
import { acodeDatabase, loopback, mysqlAccounts, ports } from './services.js';

const run = promisify(execFile);

export type MariaRole = 'primary' | 'replica';

export interface MariaInstance {
  role: MariaRole;
  port: number;
  serverId: number;
  dir: string;
  datadir: string;
  socket: string;
  pidFile: string;
  logFile: string;
}

export function mariaInstance(role: MariaRole): MariaInstance {
  const dir = path.join(serviceDir('mariadb'), role);
  return {
    role,
    port: role === 'primary' ? ports.mariadbPrimary : ports.mariadbReplica,
    serverId: role === 'primary' ? 1 : 2,
    dir,
    datadir: path.join(dir, 'data'),
    socket: path.join(dir, 'mariadbd.sock'),
    pidFile: path.join(dir, 'mariadbd.pid'),
    logFile: path.join(dir, 'mariadbd.err'),
  };
}

const mariadbBinary = (name: string): string =>
  ['/usr/sbin', '/usr/bin'].map((d) => path.join(d, name)).find((p) => existsSync(p)) ?? name;

/** Root over the unix socket: the only root login left once the instance is set up. */
export function rootConnection(inst: MariaInstance): Promise<mysql.Connection> {
  return mysql.createConnection({ socketPath: inst.socket, user: 'root', multipleStatements: false });
}

async function answers(inst: MariaInstance): Promise<boolean> {
  try {
    const conn = await rootConnection(inst);
    await conn.query('SELECT 1');
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

export async function startMaria(inst: MariaInstance): Promise<'started' | 'running'> {
  if (runningPid(inst.pidFile) !== undefined && (await answers(inst))) return 'running';
  mkdirSync(inst.dir, { recursive: true });
  if (!existsSync(path.join(inst.datadir, 'mysql'))) {
    await run(mariadbBinary('mariadb-install-db'), [
      '--user=root',
      `--datadir=${inst.datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
  }
  // mariadbd writes its own pid file; the launcher records the same pid before it does.
  startDetached({
    command: mariadbBinary('mariadbd'),
    args: [
      '--no-defaults',
      '--user=root',
      `--datadir=${inst.datadir}`,
      `--port=${inst.port}`,
      `--bind-address=${loopback}`,
      `--socket=${inst.socket}`,
      `--pid-file=${inst.pidFile}`,
      `--server-id=${inst.serverId}`,
      `--log-bin=${path.join(inst.dir, 'binlog')}`,
      '--binlog-format=ROW',
      `--log-error=${inst.logFile}`,
      '--max-connections=100',
      '--innodb-buffer-pool-size=128M',
      ...(inst.role === 'replica' ? ['--read-only=1'] : []),
    ],
    pidFile: inst.pidFile,
    logFile: path.join(inst.dir, 'stdout.log'),
  });
  await waitUntil(`MariaDB ${inst.role} on port ${inst.port}`, () => answers(inst), {
    timeoutMs: 60_000,
    pidFile: inst.pidFile,
    logFile: inst.logFile,
  });
  return 'started';
}

export const stopMaria = (inst: MariaInstance): Promise<boolean> => stopPid(inst.pidFile, 30_000);

/**
 * Local-only hardening, kept out of the binlog so it never replicates: drop the anonymous
 * users (they shadow 'repl'@'%' from 127.0.0.1) and every root login except the socket one.
 */
async function hardenInstance(conn: mysql.Connection): Promise<void> {
  await conn.query('SET SESSION sql_log_bin = 0');
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT User, Host FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost')",
  );
  for (const r of rows) await conn.query('DROP USER ?@?', [r.User as string, r.Host as string]);
  await conn.query('SET SESSION sql_log_bin = 1');
}

/**
 * Accounts and schema go through the primary's binlog, so the replica receives them by
 * replication. Passwords are passed as bound values, never formatted into SQL.
 */
async function setUpPrimary(conn: mysql.Connection, env: Record<string, string>): Promise<void> {
  const pw = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`stack secret ${name} is missing from .data/secrets.env`);
    return v;
  };
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${acodeDatabase} CHARACTER SET utf8mb4`);
  await conn.query(`USE ${acodeDatabase}`);
  for (const ddl of acodeSchemaSql) await conn.query(ddl);
  const grants: Record<keyof typeof mysqlAccounts, string[]> = {
    app: [`GRANT SELECT, SHOW VIEW ON ${acodeDatabase}.* TO ?@'%'`, "GRANT PROCESS, SLAVE MONITOR ON *.* TO ?@'%'"],
    backup: [`GRANT SELECT, SHOW VIEW ON ${acodeDatabase}.* TO ?@'%'`, "GRANT PROCESS, SLAVE MONITOR ON *.* TO ?@'%'"],
    // Credential rotation and resource handling need to manage accounts and connections.
    admin: ["GRANT CREATE USER, PROCESS, RELOAD, CONNECTION ADMIN, SLAVE MONITOR ON *.* TO ?@'%'"],
    replication: ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@'%'"],
  };
  for (const [key, account] of Object.entries(mysqlAccounts) as [
    keyof typeof mysqlAccounts,
    { user: string; passwordEnv: string },
  ][]) {
    await conn.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [account.user, pw(account.passwordEnv)]);
    await conn.query("ALTER USER ?@'%' IDENTIFIED BY ?", [account.user, pw(account.passwordEnv)]);
    for (const grant of grants[key]) await conn.query(grant, [account.user]);
  }
}

/** Configures GTID replication on first run; restarts stopped threads on later runs. */
async function setUpReplica(conn: mysql.Connection, env: Record<string, string>): Promise<void> {
  const [status] = await conn.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
  const current = status[0];
  if (current === undefined) {
    await conn.query("SET GLOBAL gtid_slave_pos = ''");
    await conn.query(
      'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 5',
      [
        loopback,
        ports.mariadbPrimary,
        mysqlAccounts.replication.user,
        env[mysqlAccounts.replication.passwordEnv] ?? '',
      ],
    );
  }
  if (current?.Slave_IO_Running !== 'Yes' || current.Slave_SQL_Running !== 'Yes') {
    // A replica left delayed or stopped by a test is put back to normal.
    await conn.query('STOP SLAVE');
    await conn.query('CHANGE MASTER TO MASTER_DELAY = 0');
    await conn.query('START SLAVE');
  }
}

/** Waits until the replica's IO thread is (or is no longer) connected to the primary. */
export async function waitForReplicaIo(connected: boolean, timeoutMs = 30_000): Promise<void> {
  const replica = await rootConnection(mariaInstance('replica'));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [[row]] = await replica.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
      if ((String(row?.Slave_IO_Running) === 'Yes') === connected) return;
      if (Date.now() > deadline)
        throw new Error(
          `the replica IO thread did not ${connected ? 'reconnect' : 'disconnect'} within ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await replica.end();
  }
}

/** Waits until the replica has applied everything the primary wrote so far. */
export async function waitForReplicaCatchUp(timeoutMs = 30_000): Promise<void> {
  const primary = await rootConnection(mariaInstance('primary'));
  const replica = await rootConnection(mariaInstance('replica'));
  try {
    const [[pos]] = await primary.query<mysql.RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
    const [[res]] = await replica.query<mysql.RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, ?) AS r', [
      String(pos?.pos ?? ''),
      timeoutMs / 1000,
    ]);
    if (Number(res?.r) !== 0) throw new Error(`replica did not catch up with the primary within ${timeoutMs} ms`);
  } finally {
    await primary.end();
    await replica.end();
  }
}

export interface SeedOptions {
  days: number;
  storesPerDay: number;
  productsPerStore: number;
  seed?: number;
}

export async function upMariaDb(env: Record<string, string>, seed: SeedOptions): Promise<string[]> {
  const notes: string[] = [];
  for (const role of ['primary', 'replica'] as const) {
    const inst = mariaInstance(role);
    notes.push(`MariaDB ${role}: ${await startMaria(inst)} on ${loopback}:${inst.port}`);
    const conn = await rootConnection(inst);
    try {
      await hardenInstance(conn);
      if (role === 'primary') await setUpPrimary(conn, env);
      else await setUpReplica(conn, env);
    } finally {
      await conn.end();
    }
  }
  const primary = await rootConnection(mariaInstance('primary'));
  try {
    await primary.query(`USE ${acodeDatabase}`);
    const [[newest]] = await primary.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n, TIMESTAMPDIFF(MINUTE, MAX(Data_Processamento), NOW()) AS age_min FROM ${dailyTable}`,
    );
    // Empty: seed the week. Older than an hour: load today's batch, as ACODE's daily processing
    // would, so a sandbox kept for days still has fresh data.
    const fill =
      Number(newest?.n) === 0
        ? seed
        : Number(newest?.age_min) > 60
          ? { ...seed, days: 1, seed: Date.now() % 2 ** 31 }
          : undefined;
    if (fill) {
      const counts = await fillAcodeTables(primary, fill);
      notes.push(
        `${fill.days === seed.days ? 'seeded' : 'loaded a fresh day:'} ${Object.entries(counts)
          .map(([t, n]) => `${n} rows in ${t}`)
          .join(', ')}`,
      );
    }
  } finally {
    await primary.end();
  }
  await waitForReplicaCatchUp();
  return notes;
}

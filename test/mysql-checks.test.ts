import type { Connection } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkConnectivity,
  checkDataFreshness,
  checkReplication,
  checkResources,
  checkSchema,
  parseReplicaStatus,
  type TableSpec,
} from '../src/checks/mysql.js';
import { classifyFailure } from '../src/decisions/failure-classification.js';
import { dailyTable, productsTable } from '../src/stack/acode-data.js';
import {
  mariaInstance,
  rootConnection,
  startMaria,
  stopMaria,
  waitForReplicaCatchUp,
  waitForReplicaIo,
} from '../src/stack/mariadb.js';
import { acodeDatabase } from '../src/stack/services.js';
import { primaryEndpoint, replicaEndpoint } from './support/mysql.js';
import { silentListener } from './support/silent-listener.js';

const acodeTables: TableSpec[] = [dailyTable, productsTable].map((name) => ({
  name,
  freshnessColumn: 'Data_Processamento',
  expectedColumns: ['idpk', 'Data_Processamento', 'CNPJ_Loja'],
}));
const seedThresholds = { freshnessHours: { warn: 18, fail: 24 }, lagSeconds: { warn: 300, fail: 600 } };

let primaryRoot: Connection;
let replicaRoot: Connection;

beforeAll(async () => {
  primaryRoot = await rootConnection(mariaInstance('primary'));
  replicaRoot = await rootConnection(mariaInstance('replica'));
  await primaryRoot.query(`USE ${acodeDatabase}`);
});

afterAll(async () => {
  await primaryRoot.end();
  await replicaRoot.end();
});

describe('mysql_connectivity', () => {
  it('is healthy on the primary and the replica, with latency and version', async () => {
    for (const [ep, side] of [
      [primaryEndpoint(), 'primary'],
      [replicaEndpoint(), 'backup'],
    ] as const) {
      const r = await checkConnectivity(ep, side, 5000);
      expect(r).toMatchObject({ check: 'mysql_connectivity', side, status: 'healthy', unit: 'ms' });
      expect(r.details?.version).toMatch(/MariaDB/);
    }
  });

  it('reports a wrong password as ER_ACCESS_DENIED_ERROR (1045): the server is alive', async () => {
    const r = await checkConnectivity({ ...primaryEndpoint(), password: 'definitely-wrong' }, 'primary', 5000);
    expect(r).toMatchObject({ status: 'unhealthy', error: { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 } });
    expect(classifyFailure([r])?.failureType).toBe('authentication_failed');
  });

  it('fails at the timeout against a host that accepts TCP but never answers', async () => {
    const silent = await silentListener();
    try {
      const r = await checkConnectivity({ ...primaryEndpoint(), port: silent.port }, 'primary', 800);
      expect(r.status).toBe('unhealthy');
      expect(['CHECK_TIMEOUT', 'ETIMEDOUT']).toContain(r.error?.code);
      expect(r.durationMs).toBeGreaterThanOrEqual(700);
    } finally {
      await silent.close();
    }
  });

  it('sees a stopped primary as refused, and with the replica as witness classifies it as down', async () => {
    const primary = mariaInstance('primary');
    await stopMaria(primary);
    try {
      const r = await checkConnectivity(primaryEndpoint(), 'primary', 3000);
      expect(r).toMatchObject({ status: 'unhealthy', error: { code: 'ECONNREFUSED' } });
      await waitForReplicaIo(false);
      const repl = await checkReplication(replicaEndpoint(), seedThresholds.lagSeconds, 3000);
      expect(repl).toMatchObject({ status: 'unhealthy', error: { code: 'REPLICATION_STOPPED' } });
      expect(repl.details?.last_io_errno).toBe(2003);
      expect(classifyFailure([r, repl])?.failureType).toBe('mysql_server_down');
    } finally {
      await startMaria(primary);
      await waitForReplicaIo(true);
      await primaryRoot.end();
      primaryRoot = await rootConnection(primary);
      await primaryRoot.query(`USE ${acodeDatabase}`);
    }
  });
});

describe('data_freshness', () => {
  const probeFreshness = () =>
    checkDataFreshness(
      primaryEndpoint(),
      'primary',
      [{ name: 'freshness_probe', freshnessColumn: 'Data_Processamento', expectedColumns: [] }],
      seedThresholds.freshnessHours,
      5000,
    );
  afterAll(() => primaryRoot.query('DROP TABLE IF EXISTS freshness_probe'));

  it('is healthy on the seeded tables, measuring the worst table', async () => {
    const r = await checkDataFreshness(primaryEndpoint(), 'primary', acodeTables, seedThresholds.freshnessHours, 5000);
    expect(r).toMatchObject({ status: 'healthy', unit: 'hours', warnThreshold: 18, failThreshold: 24 });
    // The stack loads a fresh day whenever the newest batch is over an hour old.
    expect(r.value).toBeLessThan(18);
    expect(Object.keys(r.details ?? {})).toContain(`${productsTable}.age_hours`);
  });

  it('is unhealthy when the newest row is older than the threshold', async () => {
    await primaryRoot.query(
      'CREATE TABLE IF NOT EXISTS freshness_probe (idpk INT PRIMARY KEY, Data_Processamento DATETIME)',
    );
    await primaryRoot.query('REPLACE INTO freshness_probe VALUES (1, NOW() - INTERVAL 30 HOUR)');
    const r = await probeFreshness();
    expect(r).toMatchObject({ status: 'unhealthy', error: { code: 'STALE_DATA' } });
    expect(r.value).toBeCloseTo(30, 0);
  });

  it('is unhealthy on an empty table', async () => {
    await primaryRoot.query('DELETE FROM freshness_probe');
    expect(await probeFreshness()).toMatchObject({ status: 'unhealthy', error: { code: 'NO_DATA' } });
  });
});

describe('backup_replication', () => {
  afterAll(async () => {
    await replicaRoot.query('STOP SLAVE');
    await replicaRoot.query('CHANGE MASTER TO MASTER_DELAY = 0');
    await replicaRoot.query('START SLAVE');
    await waitForReplicaCatchUp();
  });

  it('is healthy with both threads running and no lag', async () => {
    await waitForReplicaCatchUp();
    const r = await checkReplication(replicaEndpoint(), seedThresholds.lagSeconds, 5000);
    expect(r).toMatchObject({ status: 'healthy', value: 0, details: { io_running: 'Yes', sql_running: 'Yes' } });
  });

  it('is unhealthy when the SQL thread is stopped', async () => {
    await replicaRoot.query('STOP SLAVE SQL_THREAD');
    const r = await checkReplication(replicaEndpoint(), seedThresholds.lagSeconds, 5000);
    expect(r).toMatchObject({
      status: 'unhealthy',
      error: { code: 'REPLICATION_STOPPED' },
      details: { sql_running: 'No' },
    });
    await replicaRoot.query('START SLAVE SQL_THREAD');
  });

  it('is unhealthy when the replica lags past the threshold (MASTER_DELAY)', async () => {
    await replicaRoot.query('STOP SLAVE');
    await replicaRoot.query('CHANGE MASTER TO MASTER_DELAY = 120');
    await replicaRoot.query('START SLAVE');
    await primaryRoot.query(`UPDATE ${dailyTable} SET Qtd_Cupons = Qtd_Cupons WHERE idpk = 1`);
    await primaryRoot.query('CREATE TABLE IF NOT EXISTS lag_probe (n INT)');
    // Lag is now minus the timestamp of the event the SQL thread is holding back.
    const lagLimit = { warn: 1, fail: 3 };
    let r = await checkReplication(replicaEndpoint(), lagLimit, 5000);
    for (let i = 0; i < 40 && r.status !== 'unhealthy'; i++) {
      await delay(250);
      r = await checkReplication(replicaEndpoint(), lagLimit, 5000);
    }
    expect(r).toMatchObject({
      status: 'unhealthy',
      error: { code: 'REPLICATION_LAG' },
      details: { sql_delay_seconds: 120 },
    });
    expect(r.value).toBeGreaterThanOrEqual(3);
    await replicaRoot.query('STOP SLAVE');
    await replicaRoot.query('CHANGE MASTER TO MASTER_DELAY = 0');
    await replicaRoot.query('START SLAVE');
    await primaryRoot.query('DROP TABLE IF EXISTS lag_probe');
  });

  it('reads both column namings of SHOW REPLICA STATUS', () => {
    const mysql8 = {
      Replica_IO_Running: 'Yes',
      Replica_SQL_Running: 'No',
      Seconds_Behind_Source: null,
      Last_IO_Errno: 0,
      Last_SQL_Errno: 1062,
      Last_SQL_Error: 'Duplicate entry',
    };
    const mariadb = {
      Slave_IO_Running: 'Connecting',
      Slave_SQL_Running: 'Yes',
      Seconds_Behind_Master: '12',
      Last_IO_Errno: '2003',
      SQL_Delay: '0',
    };
    expect(parseReplicaStatus(mysql8)).toMatchObject({
      ioRunning: 'Yes',
      sqlRunning: 'No',
      lagSeconds: null,
      lastSqlErrno: 1062,
    });
    expect(parseReplicaStatus(mariadb)).toMatchObject({
      ioRunning: 'Connecting',
      sqlRunning: 'Yes',
      lagSeconds: 12,
      lastIoErrno: 2003,
    });
  });
});

describe('resource_utilization', () => {
  const held: Connection[] = [];
  afterAll(async () => {
    await Promise.all(held.map((c) => c.end()));
    await primaryRoot.query('SET GLOBAL max_connections = 100');
  });

  it('is healthy at low connection saturation', async () => {
    const r = await checkResources(primaryEndpoint(), 'primary', { warn: 0.8, fail: 0.95 }, 5000);
    expect(r).toMatchObject({ status: 'healthy', unit: 'ratio', details: { max_connections: 100 } });
  });

  it('is unhealthy when connections saturate, and 1040 is classified as resource exhaustion', async () => {
    // Other processes of the stack (the simulator's pool, the replica's IO thread) open and close
    // connections on their own, so fill by observation with a margin both ways: 3 slots left free,
    // the check takes one and reads (max - 2) / max = 0.95 even if two others come or go meanwhile.
    const max = 40;
    await primaryRoot.query(`SET GLOBAL max_connections = ${max}`);
    const threadsConnected = async (): Promise<number> => {
      const [[row]] = await primaryRoot.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Threads_connected'");
      return Number(row?.Value);
    };
    for (let open = await threadsConnected(); open < max - 3; open = await threadsConnected()) {
      for (let i = open; i < max - 3; i++) held.push(await mysql.createConnection(primaryEndpoint()));
    }
    const r = await checkResources(primaryEndpoint(), 'primary', { warn: 0.6, fail: 0.9 }, 5000);
    expect(r).toMatchObject({ status: 'unhealthy', error: { code: 'CONNECTION_SATURATION' } });
    expect(r.value).toBeGreaterThanOrEqual(0.9);
    // Fill the remaining slots: the next login is refused with 1040.
    for (let i = 0; i < max; i++) {
      const extra = await mysql.createConnection(primaryEndpoint()).catch(() => undefined);
      if (!extra) break;
      held.push(extra);
    }
    const refused = await checkConnectivity(primaryEndpoint(), 'primary', 5000);
    expect(refused).toMatchObject({ status: 'unhealthy', error: { code: 'ER_CON_COUNT_ERROR', errno: 1040 } });
    expect(classifyFailure([refused])?.failureType).toBe('resource_exhaustion');
  });
});

describe('schema', () => {
  afterAll(() => primaryRoot.query('DROP TABLE IF EXISTS schema_probe'));

  it('is healthy when every expected column exists', async () => {
    const r = await checkSchema(primaryEndpoint(), 'primary', acodeTables, 5000);
    expect(r).toMatchObject({ status: 'healthy', value: 0 });
  });

  it('names the missing columns when a table lost one', async () => {
    await primaryRoot.query(
      'CREATE TABLE IF NOT EXISTS schema_probe (idpk INT PRIMARY KEY, Data_Processamento DATETIME)',
    );
    const r = await checkSchema(
      primaryEndpoint(),
      'primary',
      [{ name: 'schema_probe', freshnessColumn: 'Data_Processamento', expectedColumns: ['idpk', 'CNPJ_Loja'] }],
      5000,
    );
    expect(r).toMatchObject({
      status: 'unhealthy',
      value: 1,
      error: { code: 'SCHEMA_CHANGED', message: 'missing columns: schema_probe.CNPJ_Loja' },
    });
    expect(classifyFailure([r])?.failureType).toBe('schema_change_detected');
  });
});

// Benchmark of the emergency dump (run with `npm run bench:dump`): the real dumpTableToS3 activity
// against `mariadb-dump | gzip` of the same rows (at gzip's default level 6 and at level 1, the one
// our dump uses), in the same run, for 1M and 5M rows (or the sizes in BENCH_DUMP_ROWS, e.g.
// 100000,500000). The rows live in a database of their own on the sandbox primary, kept out of the
// binlog so the replica and the acode database are untouched; the table, its account and the S3
// objects are removed afterwards. Each of our dumps runs in a child process, so its peak RSS is its
// own (BENCH_PROF=<dir> writes its CPU profile there). Prints figures; asserts nothing.
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { SystemRegistry } from '../src/activities/context.js';
import { createEmergencyDumpActivities, type TableDump } from '../src/activities/emergency-dump.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig } from '../src/config/schema.js';
import { loopbackOnlyVar } from '../src/integrations/loopback.js';
import { listAll } from '../src/integrations/s3/list.js';
import { deleteKeys } from '../src/integrations/s3/objects.js';
import { acodeSchemaSql, cities, dailyTable } from '../src/stack/acode-data.js';
import { mariaInstance, rootConnection } from '../src/stack/mariadb.js';
import { localConfigPath } from '../src/stack/paths.js';
import { loadStackSecretsIntoEnv } from '../src/stack/secrets.js';
import { loopback, ports } from '../src/stack/services.js';

process.env[loopbackOnlyVar] = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const benchDatabase = 'bench_dump';
const benchUser = 'acode_bench_dump';
const passwordEnv = 'BENCH_DUMP_MYSQL_PASSWORD';
/** The parent's; its dump children get it in their environment, so the parent finds and removes their objects. */
const prefixEnv = 'BENCH_DUMP_PREFIX';
const emergencyPrefix = process.env[prefixEnv] ?? `bench/dump-${Date.now()}/`;
process.env[prefixEnv] = emergencyPrefix;
const days = 7;
const where = `Data_Processamento >= NOW() - INTERVAL ${days} DAY`;
const fillChunk = 250_000;
const sizes = (process.env.BENCH_DUMP_ROWS ?? '1000000,5000000').split(',').map(Number);

interface Figures {
  rows: number;
  tool: string;
  seconds: number;
  /** User plus system CPU of the client side (for mariadb-dump, with gzip); less sensitive to other load than wall time. */
  cpuSeconds: number;
  peakRssKiB: number;
  /** RSS of our child when the activity starts (Node, tsx, the SDKs), so the dump's own share shows. */
  startRssKiB?: number;
  outputBytes: number;
}

/** The sandbox system pointed at the bench database, its own account and a bench prefix of the emergency bucket. */
async function benchConfig(): Promise<GuardianConfig> {
  const config = await loadConfig(localConfigPath);
  const system = config.systems[0];
  if (!system) throw new Error(`${localConfigPath}: no system configured`);
  const table = system.mysql.tables.find((t) => t.name === dailyTable);
  if (!table) throw new Error(`${localConfigPath}: table ${dailyTable} is not configured`);
  system.mysql.primary = {
    ...system.mysql.primary,
    user: benchUser,
    password: { env: passwordEnv },
    database: benchDatabase,
  };
  system.mysql.tables = [table];
  system.s3.buckets.emergency = { ...system.s3.buckets.emergency, prefix: emergencyPrefix };
  return config;
}

// ---- child: one run of the real activity -------------------------------------------------------

async function child(rows: number): Promise<void> {
  const config = await benchConfig();
  const systemId = config.systems[0]?.id ?? '';
  const { dumpTableToS3 } = createEmergencyDumpActivities(new SystemRegistry(config));
  const env = new MockActivityEnvironment();
  let lastReport = 0;
  env.on('heartbeat', (d: { rowsWritten: number; rowsEstimated: number }) => {
    if (performance.now() - lastReport < 5000) return;
    lastReport = performance.now();
    console.log(
      `  dumpTableToS3: ${d.rowsWritten.toLocaleString('en')} of about ${d.rowsEstimated.toLocaleString('en')} rows`,
    );
  });
  const startRssKiB = process.memoryUsage().rss / 1024;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const dump: TableDump = await env.run(dumpTableToS3, systemId, {
    table: dailyTable,
    side: 'primary' as const,
    days,
    dumpId: `bench_${rows}`,
    datePath: new Date().toISOString().slice(0, 10).replaceAll('-', '/'),
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (dump.rowsWritten !== rows) throw new Error(`dumped ${dump.rowsWritten} rows, ${rows} expected`);
  const figures: Figures = {
    rows,
    tool: 'dumpTableToS3 (SQL+CSV gzip to S3)',
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssKiB: process.resourceUsage().maxRSS,
    startRssKiB,
    outputBytes: dump.sql.bytes + dump.csv.bytes,
  };
  process.send?.(figures, () => process.exit(0));
}

// ---- parent --------------------------------------------------------------------------------------

const elt = (i: number): string =>
  `ELT(1 + seq % ${cities.length}, ${cities.map((p) => `'${p[i] ?? ''}'`).join(', ')})`;

/** Rows from ids `from`..`to` built by the server from a SEQUENCE table: 500 stores, processed within the last 6 days. */
const fillSql = (from: number, to: number): string => `
  INSERT INTO ${dailyTable} (idpk, Data_Processamento, Data_Venda, CNPJ_Loja, Codigo_Loja, Nome_Loja, UF, Cidade,
    Qtd_Cupons, Qtd_Itens, Valor_Bruto, Valor_Desconto, Valor_Liquido, Ticket_Medio)
  SELECT seq, NOW() - INTERVAL (seq % 518400) SECOND, CURDATE() - INTERVAL (1 + seq % 6) DAY,
    LPAD(11222333000100 + (seq % 500) * 101, 14, '0'), 1000 + seq % 500,
    CONCAT('Farmarcas Loja ', 1000 + seq % 500, ' ', ${elt(1)}), ${elt(0)}, ${elt(1)},
    50 + seq % 400, 100 + seq % 1500, 1000 + (seq * 7919 % 900000) / 100, (seq * 31 % 5000) / 100,
    1000 + (seq * 7919 % 900000) / 100 - (seq * 31 % 5000) / 100, 20 + (seq * 13 % 8000) / 100
  FROM seq_${from}_to_${to}`;

/** Root on the primary, waiting up to two minutes for it to answer; nothing it does reaches the binlog, so the replica never sees the bench. */
async function rootSession(): Promise<Connection> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const root = await rootConnection(mariaInstance('primary'));
      await root.query('SET SESSION sql_log_bin = 0');
      return root;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function fillTo(root: Connection, from: number, rows: number): Promise<void> {
  const started = performance.now();
  for (let at = from; at < rows; at += fillChunk) {
    await root.query(fillSql(at + 1, Math.min(at + fillChunk, rows)));
    const done = Math.min(at + fillChunk, rows);
    const rate = (done - from) / ((performance.now() - started) / 1000);
    console.log(`  filled ${done.toLocaleString('en')} rows (${Math.round(rate).toLocaleString('en')} rows/s)`);
  }
}

function runChild(rows: number): Promise<Figures> {
  const proc: ChildProcess = fork(fileURLToPath(import.meta.url), ['child', String(rows)], {
    execArgv: [
      ...process.execArgv,
      ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
    ],
  });
  return new Promise((resolve, reject) => {
    let figures: Figures | undefined;
    proc.on('message', (m: Figures) => (figures = m));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      figures ? resolve(figures) : reject(new Error(`dump child for ${rows} rows exited with ${code}`)),
    );
  });
}

/** mariadb-dump of the same rows, piped through gzip into a file; /usr/bin/time records mariadb-dump's peak RSS. */
async function mariadbDump(rows: number, dir: string, password: string, gzipLevel: 1 | 6): Promise<Figures> {
  const out = path.join(dir, `mariadb-dump-${rows}-${gzipLevel}.sql.gz`);
  const dumpTime = path.join(dir, 'mariadb-dump.time');
  const gzipTime = path.join(dir, 'gzip.time');
  /** Peak RSS KiB and CPU seconds of one process, as /usr/bin/time -f '%M %U %S' wrote them. */
  const usage = (file: string): { rssKiB: number; cpu: number } => {
    const [rss, user, sys] = (readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
    return { rssKiB: rss ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN) };
  };
  const started = performance.now();
  const dump = spawn(
    '/usr/bin/time',
    [
      '-f',
      '%M %U %S',
      '-o',
      dumpTime,
      'mariadb-dump',
      `--host=${loopback}`,
      `--port=${ports.mariadbPrimary}`,
      `--user=${benchUser}`,
      '--single-transaction',
      '--no-tablespaces',
      '--order-by-primary',
      `--where=${where}`,
      benchDatabase,
      dailyTable,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MYSQL_PWD: password } },
  );
  const gzip = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', gzipTime, 'gzip', `-${gzipLevel}`, '-c'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  dump.stdout.pipe(gzip.stdin);
  const exitCode = async (p: ChildProcess): Promise<number | null> => ((await once(p, 'exit')) as [number | null])[0];
  const [dumpCode, gzipCode] = await Promise.all([
    exitCode(dump),
    exitCode(gzip),
    pipeline(gzip.stdout, createWriteStream(out)),
  ]);
  const seconds = (performance.now() - started) / 1000;
  if (dumpCode !== 0 || gzipCode !== 0) throw new Error(`mariadb-dump exited ${dumpCode}, gzip exited ${gzipCode}`);
  const figures: Figures = {
    rows,
    tool: `mariadb-dump | gzip -${gzipLevel} (SQL to file)`,
    seconds,
    cpuSeconds: usage(dumpTime).cpu + usage(gzipTime).cpu,
    peakRssKiB: usage(dumpTime).rssKiB,
    outputBytes: statSync(out).size,
  };
  rmSync(out);
  return figures;
}

function printTable(results: Figures[]): void {
  const header = ['rows', 'tool', 'seconds', 'rows/s', 'CPU s', 'RSS at start MiB', 'peak RSS MiB', 'output MiB'];
  const lines = results.map((r) => [
    r.rows.toLocaleString('en'),
    r.tool,
    r.seconds.toFixed(1),
    Math.round(r.rows / r.seconds).toLocaleString('en'),
    r.cpuSeconds.toFixed(1),
    r.startRssKiB === undefined ? '-' : (r.startRssKiB / 1024).toFixed(0),
    (r.peakRssKiB / 1024).toFixed(0),
    (r.outputBytes / 1024 / 1024).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}

/** Fills the table up to `rows`, then dumps it with both tools. */
async function benchSize(rows: number, dir: string, password: string): Promise<Figures[]> {
  const root = await rootSession();
  try {
    await root.query(`USE ${benchDatabase}`);
    const [[count]] = await root.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${dailyTable}`);
    console.log(`\n${rows.toLocaleString('en')} rows: filling ${benchDatabase}.${dailyTable}...`);
    await fillTo(root, Number(count?.n ?? 0), rows);
    // Both tools then read from a warm page cache.
    await root.query(`SELECT SUM(LENGTH(Nome_Loja)) FROM ${dailyTable}`);
  } finally {
    root.destroy();
  }
  // gzip's default level, as an operator would run it, and level 1, the level our dump uses.
  console.log('  mariadb-dump | gzip -6...');
  const theirs = await mariadbDump(rows, dir, password, 6);
  console.log('  dumpTableToS3 (child process)...');
  const ours = await runChild(rows);
  console.log('  mariadb-dump | gzip -1...');
  return [theirs, ours, await mariadbDump(rows, dir, password, 1)];
}

async function parent(): Promise<void> {
  loadStackSecretsIntoEnv();
  const password = randomBytes(18).toString('base64url');
  process.env[passwordEnv] = password;
  const config = await benchConfig();
  const s3 = new SystemRegistry(config).get(config.systems[0]?.id ?? '').s3();
  const { name: bucket } = config.systems[0]?.s3.buckets.emergency ?? { name: '' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-dump-'));
  const removeBenchObjects = async (): Promise<void> => {
    const keys: string[] = [];
    for await (const o of listAll(s3, bucket, emergencyPrefix)) if (o.Key) keys.push(o.Key);
    await deleteKeys(s3, bucket, keys);
  };
  const results: Figures[] = [];
  try {
    const root = await rootSession();
    await root.query(`DROP DATABASE IF EXISTS ${benchDatabase}`);
    await root.query(`CREATE DATABASE ${benchDatabase}`);
    await root.query(`USE ${benchDatabase}`);
    await root.query(acodeSchemaSql[0] ?? '');
    await root.query(`DROP USER IF EXISTS ?@'%'`, [benchUser]);
    await root.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [benchUser, password]);
    await root.query(`GRANT SELECT, SHOW VIEW ON ${benchDatabase}.* TO ?@'%'`, [benchUser]);
    await root.end();
    for (const rows of sizes) {
      // Other work on the sandbox stops the primary now and then (the emergency tests do): a size
      // whose run loses the primary is run again once it answers; the rows filled so far stay.
      for (let attempt = 1; ; attempt++) {
        try {
          results.push(...(await benchSize(rows, dir, password)));
          break;
        } catch (err) {
          if (attempt === 3) throw err;
          console.log(
            `  lost the primary (${err instanceof Error ? err.message : String(err)}); running ${rows} again`,
          );
        } finally {
          await removeBenchObjects();
        }
      }
      console.log('');
      printTable(results);
    }
  } finally {
    // A fresh session: other work on the sandbox may have restarted the primary meanwhile.
    await removeBenchObjects();
    const root = await rootSession();
    await root.query(`DROP DATABASE IF EXISTS ${benchDatabase}`);
    await root.query(`DROP USER IF EXISTS ?@'%'`, [benchUser]);
    await root.end();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nmachine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

const [mode, arg] = process.argv.slice(2);
(mode === 'child' ? child(Number(arg)) : parent()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

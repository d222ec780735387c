// Benchmark of backup validation (run with `npm run bench:parquet`): rows per second of the real
// validateBackup activity (hyparquet over S3 ranged reads, plus null and duplicate counting) and of
// a reference reader, parquet-wasm (the Rust arrow-rs Parquet reader in WebAssembly) decoding the
// same S3 objects into Arrow, in the same run. The files are written as the Airbyte simulator
// writes them (GZIP, 10,000-row groups, 100,000 rows a file) under a bench prefix of the backup
// bucket, and removed afterwards. BENCH_PARQUET_ROWS sets the row count (default 1,000,000).
// Prints figures; asserts nothing.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import os from 'node:os';
import { readParquet } from 'parquet-wasm/node';
import { createBackupValidationActivities, type BackupValidation } from '../src/activities/backup-validation.js';
import { SystemRegistry } from '../src/activities/context.js';
import { loadConfig } from '../src/config/load.js';
import { formatPath } from '../src/integrations/airbyte/path-format.js';
import { loopbackOnlyVar } from '../src/integrations/loopback.js';
import { s3AsyncBuffer } from '../src/integrations/parquet/s3-buffer.js';
import { compressors } from '../src/integrations/parquet/validate.js';
import { listAll } from '../src/integrations/s3/list.js';
import { deleteKeys } from '../src/integrations/s3/objects.js';
import { dailyColumns, dailyTable, generateAcodeRows } from '../src/stack/acode-data.js';
import { parquetElement, writeParquet, type ColumnInfo } from '../src/stack/airbyte-simulator/sync.js';
import { localConfigPath } from '../src/stack/paths.js';
import { loadStackSecretsIntoEnv } from '../src/stack/secrets.js';

process.env[loopbackOnlyVar] = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const totalRows = Number(process.env.BENCH_PARQUET_ROWS ?? 1_000_000);
const rowsPerFile = 100_000;
const backupPrefix = `bench/parquet-${Date.now()}/`;
const rounds = 2;

/** The daily table's columns as information_schema describes them, mapped to Parquet as the simulator maps them. */
const dailyTypes: Record<string, string> = {
  idpk: 'bigint',
  Data_Processamento: 'datetime',
  Data_Venda: 'date',
  Codigo_Loja: 'int',
  Qtd_Cupons: 'int',
  Qtd_Itens: 'int',
  Valor_Bruto: 'decimal',
  Valor_Desconto: 'decimal',
  Valor_Liquido: 'decimal',
  Ticket_Medio: 'decimal',
};
const columns: ColumnInfo[] = ['idpk', ...dailyColumns].map((name) => ({
  name,
  dataType: dailyTypes[name] ?? 'varchar',
  nullable: false,
}));

interface Figures {
  reader: string;
  seconds: number;
  cpuSeconds: number;
  rows: number;
}

async function timed(reader: string, read: () => Promise<number>): Promise<Figures> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const rows = await read();
  const cpu = process.cpuUsage(cpuBefore);
  return { reader, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows };
}

/** Writes `totalRows` generated rows of the daily table as the simulator's backup sync would; returns the keys. */
async function writeBackupFiles(s3: S3Client, bucket: string, pathFormat: string, at: Date): Promise<string[]> {
  const schema = columns.map(parquetElement);
  const base = backupPrefix + formatPath(pathFormat, dailyTable, at);
  const keys: string[] = [];
  let file: Record<string, unknown>[] = [];
  let idpk = 0;
  const flush = async (): Promise<void> => {
    const key = `${base}_${keys.length}.parquet`;
    const body = writeParquet(schema, file, at);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    keys.push(key);
    console.log(`  wrote ${key.split('/').at(-1)}: ${file.length.toLocaleString('en')} rows, ${body.byteLength} bytes`);
    file = [];
  };
  // Ten days of sales with a tenth of the rows each: every row a different store and time, so no duplicates.
  const storesPerDay = Math.ceil(totalRows / 10);
  for (const { table, rows } of generateAcodeRows({ days: 10, storesPerDay, productsPerStore: 0, now: at })) {
    if (table !== dailyTable) continue;
    for (const row of rows) {
      if (idpk >= totalRows) break;
      idpk += 1;
      file.push(Object.fromEntries<unknown>([['idpk', idpk], ...dailyColumns.map((c, i) => [c, row[i]] as const)]));
      if (file.length >= rowsPerFile) await flush();
    }
  }
  if (file.length > 0) await flush();
  return keys;
}

/** hyparquet alone, as validation drives it (ranged reads, a row group at a time), without the null and duplicate counting. */
async function readWithHyparquet(s3: S3Client, bucket: string, keys: readonly string[]): Promise<number> {
  let rows = 0;
  for (const key of keys) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const file = s3AsyncBuffer(s3, bucket, key, head.ContentLength ?? 0);
    const metadata = await parquetMetadataAsync(file);
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      await parquetRead({
        file,
        metadata,
        compressors,
        rowStart: start,
        rowEnd: end,
        onComplete: (r) => (rows += r.length),
      });
      start = end;
    }
  }
  return rows;
}

/** The reference: each whole object fetched, decoded into Arrow by parquet-wasm, its rows counted. */
async function readWithParquetWasm(s3: S3Client, bucket: string, keys: readonly string[]): Promise<number> {
  let rows = 0;
  for (const key of keys) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await res.Body?.transformToByteArray();
    if (!bytes) throw new Error(`empty body reading s3://${bucket}/${key}`);
    const table = readParquet(bytes);
    for (const batch of table.recordBatches()) {
      rows += batch.numRows;
      batch.free();
    }
    table.free();
  }
  return rows;
}

async function main(): Promise<void> {
  loadStackSecretsIntoEnv();
  const config = await loadConfig(localConfigPath);
  const system = config.systems[0];
  if (!system) throw new Error(`${localConfigPath}: no system configured`);
  const table = system.mysql.tables.find((t) => t.name === dailyTable);
  if (!table) throw new Error(`${localConfigPath}: table ${dailyTable} is not configured`);
  system.mysql.tables = [table];
  const backup = { ...system.s3.buckets.backup, prefix: backupPrefix };
  system.s3.buckets.backup = backup;
  system.backup_validation.min_rows = totalRows;
  const registry = new SystemRegistry(config);
  const s3 = registry.get(system.id).s3();
  const { validateBackup } = createBackupValidationActivities(registry);
  const at = new Date();
  const day = at.toISOString().slice(0, 10);
  const results: Figures[] = [];
  try {
    console.log(
      `writing ${totalRows.toLocaleString('en')} rows of ${dailyTable} to s3://${backup.name}/${backupPrefix}...`,
    );
    const keys = await writeBackupFiles(s3, backup.name, backup.path_format, at);
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round}: validateBackup...`);
      results.push(
        await timed('validateBackup (hyparquet, S3 ranged reads, nulls and duplicates)', async () => {
          const env = new MockActivityEnvironment();
          const validation: BackupValidation = await env.run(() => validateBackup(system.id, day));
          if (!validation.clean) throw new Error(`validation found problems: ${validation.problems.join('; ')}`);
          return validation.streams.reduce((n, s) => n + s.rows, 0);
        }),
      );
      console.log(`round ${round}: hyparquet alone...`);
      results.push(
        await timed('hyparquet alone (the same reads, rows only)', () => readWithHyparquet(s3, backup.name, keys)),
      );
      console.log(`round ${round}: parquet-wasm...`);
      results.push(
        await timed('parquet-wasm readParquet to Arrow (whole-object GETs)', () =>
          readWithParquetWasm(s3, backup.name, keys),
        ),
      );
    }
  } finally {
    const keys: string[] = [];
    for await (const o of listAll(s3, backup.name, backupPrefix)) if (o.Key) keys.push(o.Key);
    await deleteKeys(s3, backup.name, keys);
  }
  const header = ['reader', 'rows', 'seconds', 'rows/s', 'CPU s'];
  const lines = results.map((r) => [
    r.reader,
    r.rows.toLocaleString('en'),
    r.seconds.toFixed(2),
    Math.round(r.rows / r.seconds).toLocaleString('en'),
    r.cpuSeconds.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  console.log('');
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  console.log(
    `\nmachine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

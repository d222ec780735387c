// What a sync of the simulator really does, as Airbyte's MySQL source and S3 destination
// (Parquet, GZIP) would: read each stream's table from MySQL in primary-key order, write Parquet
// parts under the destination's bucket path and path format, and, in overwrite mode, remove the
// stream's previous files once the new ones are all written.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { deleteKeys } from '../../integrations/s3/objects.js';
import { listAll } from '../../integrations/s3/list.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { randomUUID } from 'node:crypto';
import { formatPath, streamPrefix } from '../../integrations/airbyte/path-format.js';
import { gzipSync } from 'node:zlib';
import mysql from 'mysql2/promise';

export interface SyncSource {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
}

export interface SyncDestination {
  bucket: string;
  /** Fixed prefix of every object, ending in '/' (Airbyte's s3_bucket_path). */
  bucketPath: string;
  /** Airbyte's s3_path_format, e.g. backup_${STREAM_NAME}/backup_dt=${YEAR}-${MONTH}-${DAY}/backup_file_${STREAM_NAME}. */
  pathFormat: string;
  mode: 'append' | 'overwrite';
}

export interface SyncStream {
  name: string;
  primaryKey: string;
}

export interface SyncResult {
  rows: number;
  bytes: number;
  files: string[];
}

const pageSize = 10_000;
const rowsPerFile = 100_000;

export interface ColumnInfo {
  name: string;
  dataType: string;
  nullable: boolean;
}

/** MySQL column type -> Parquet schema element, as Airbyte's JSON-schema -> Parquet mapping does. */
export function parquetElement(col: ColumnInfo): SchemaElement {
  const repetition_type = col.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (col.dataType) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'bigint':
      return { name: col.name, type: 'INT64', repetition_type };
    case 'decimal':
    case 'float':
    case 'double':
      return { name: col.name, type: 'DOUBLE', repetition_type };
    case 'date':
      return { name: col.name, type: 'INT32', converted_type: 'DATE', repetition_type };
    case 'datetime':
    case 'timestamp':
      return { name: col.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type };
    default:
      return { name: col.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
  }
}

const airbyteColumns: SchemaElement[] = [
  { name: '_airbyte_raw_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: '_airbyte_extracted_at', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
];

/** mysql2 gives DATE/DATETIME as strings (dateStrings), big numbers and decimals as strings. */
function toParquetValue(el: SchemaElement, v: string | number | null | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (el.converted_type === 'DATE') return Math.floor(new Date(`${v}T00:00:00Z`).getTime() / 86_400_000);
  if (el.converted_type === 'TIMESTAMP_MILLIS') return BigInt(new Date(`${String(v).replace(' ', 'T')}Z`).getTime());
  if (el.type === 'INT64') return BigInt(v);
  if (el.type === 'DOUBLE') return Number(v);
  return String(v);
}

export function writeParquet(schema: SchemaElement[], rows: Record<string, unknown>[], extractedAt: Date): Uint8Array {
  const columns = [...schema, ...airbyteColumns];
  const buffer = parquetWriteBuffer({
    schema: [{ name: 'root', num_children: columns.length }, ...columns],
    columnData: columns.map((el) => ({
      name: el.name,
      data:
        el.name === '_airbyte_raw_id'
          ? rows.map(() => randomUUID())
          : el.name === '_airbyte_extracted_at'
            ? rows.map(() => BigInt(extractedAt.getTime()))
            : rows.map((r) => toParquetValue(el, r[el.name] as string | number | null | undefined)),
    })),
    codec: 'GZIP',
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
    rowGroupSize: 10_000,
    createdBy: 'acode-guardian airbyte-simulator',
  });
  return new Uint8Array(buffer);
}

async function columnsOf(conn: mysql.Connection, database: string, table: string): Promise<ColumnInfo[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [database, table],
  );
  if (rows.length === 0) throw new Error(`Table ${database}.${table} does not exist`);
  return rows.map((r) => ({ name: String(r.name), dataType: String(r.dataType), nullable: r.nullable === 'YES' }));
}

export async function runSync(
  source: SyncSource,
  streams: SyncStream[],
  dest: SyncDestination,
  s3: S3Client,
  signal: AbortSignal,
  onProgress: (rows: number, bytes: number) => void,
): Promise<SyncResult> {
  const conn = await mysql.createConnection({
    host: source.host,
    port: source.port,
    user: source.username,
    password: source.password,
    database: source.database,
    connectTimeout: 10_000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const onAbort = (): void => conn.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const result: SyncResult = { rows: 0, bytes: 0, files: [] };
  const extractedAt = new Date();
  try {
    for (const stream of streams) {
      const columns = await columnsOf(conn, source.database, stream.name);
      const schema = columns.map(parquetElement);
      const base = dest.bucketPath + formatPath(dest.pathFormat, stream.name, extractedAt);
      const written: string[] = [];
      let buffered: Record<string, unknown>[] = [];
      const flush = async (): Promise<void> => {
        if (buffered.length === 0) return;
        const body = writeParquet(schema, buffered, extractedAt);
        const key = `${base}_${written.length}.parquet`;
        await s3.send(
          new PutObjectCommand({
            Bucket: dest.bucket,
            Key: key,
            Body: body,
            ContentType: 'application/vnd.apache.parquet',
          }),
        );
        written.push(key);
        result.bytes += body.byteLength;
        buffered = [];
        onProgress(result.rows, result.bytes);
      };
      let after: string | number = -1;
      for (;;) {
        signal.throwIfAborted();
        const [page] = await conn.query<mysql.RowDataPacket[]>(
          `SELECT ${columns.map((c) => mysql.escapeId(c.name)).join(', ')} FROM ${mysql.escapeId(stream.name)} WHERE ${mysql.escapeId(stream.primaryKey)} > ? ORDER BY ${mysql.escapeId(stream.primaryKey)} LIMIT ${pageSize}`,
          [after],
        );
        if (page.length === 0) break;
        buffered.push(...page);
        result.rows += page.length;
        after = page[page.length - 1]?.[stream.primaryKey] as string | number;
        if (buffered.length >= rowsPerFile) await flush();
      }
      await flush();
      if (dest.mode === 'overwrite') {
        const previous: string[] = [];
        for await (const o of listAll(s3, dest.bucket, streamPrefix(dest.bucketPath, dest.pathFormat, stream.name))) {
          if (o.Key && !written.includes(o.Key)) previous.push(o.Key);
        }
        await deleteKeys(s3, dest.bucket, previous);
      }
      result.files.push(...written);
    }
    return result;
  } finally {
    signal.removeEventListener('abort', onAbort);
    conn.destroy();
  }
}

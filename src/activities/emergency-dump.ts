// The emergency dump of one table (seed: "Cenário 1"): the last N days by the freshness column,
// read in one consistent snapshot and streamed, as gzip SQL and gzip CSV at once, into multipart
// uploads to the emergency bucket. Memory stays flat whatever the table size: rows flow through
// with backpressure, a batch at a time. Heartbeats carry the rows written so far.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { heartbeat } from '@temporalio/activity';
import type { Connection as CoreConnection, RowDataPacket } from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import { once } from 'node:events';
import { PassThrough, type TransformOptions, type Writable } from 'node:stream';
import { createGzip, type ZlibOptions } from 'node:zlib';
import type { Side } from '../checks/types.js';
import { csvLine, sqlEpilogue, sqlInsert, sqlPreamble, type Cell } from '../integrations/dump-format.js';
import { describeEndpoint, id, withConnection } from '../integrations/mysql.js';
import { uploadStream } from '../integrations/s3/objects.js';
import type { SystemRegistry } from './context.js';

export interface DumpTableRequest {
  table: string;
  side: Side;
  days: number;
  /** Names the dump's files, e.g. acode_emergency_20261204_101500; the same on a retry. */
  dumpId: string;
  /** YYYY/MM/DD of the dump, as the seed's layout acode/YYYY/MM/DD/... */
  datePath: string;
}

export interface DumpedFile {
  key: string;
  bytes: number;
}

export interface TableDump {
  table: string;
  source: string;
  rowsSelected: number;
  rowsWritten: number;
  sql: DumpedFile;
  csv: DumpedFile;
}

const batchRows = 1000;

/**
 * Level 1: a third of the CPU of the default level for files about a tenth larger; in an emergency
 * the dump's speed counts more than its size. Large buffers let rows be read and encoded while
 * the previous batches are compressed on the thread pool, instead of taking turns.
 */
const gzipOptions: ZlibOptions & TransformOptions = {
  level: 1,
  chunkSize: 256 * 1024,
  writableHighWaterMark: 4 * 1024 * 1024,
};

/** Streaming rows needs the callback connection under the promise wrapper (there at run time, missing from its typings). */
const coreConnection = (conn: PromiseConnection): CoreConnection =>
  (conn as unknown as { connection: CoreConnection }).connection;

async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export function createEmergencyDumpActivities(systems: SystemRegistry) {
  return {
    dumpTableToS3: async (systemId: string, req: DumpTableRequest): Promise<TableDump> => {
      const ctx = systems.get(systemId);
      const table = ctx.system.mysql.tables.find((t) => t.name === req.table);
      if (!table) throw new Error(`table ${req.table} is not configured for system ${systemId}`);
      const { name: bucket, prefix } = ctx.system.s3.buckets.emergency;
      const base = `${prefix}${req.datePath}/${req.dumpId}_${table.name}`;
      const ep = ctx.mysql(req.side);
      const s3 = ctx.s3();
      // A dump may run for a long time: the connection gets its own generous timeout.
      return withConnection(ep, ctx.timeoutMs, undefined, async (conn) => {
        await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
        const where = `${id(table.freshness_column)} >= NOW() - INTERVAL ? DAY`;
        const [[count]] = await conn.query<RowDataPacket[]>(
          `SELECT COUNT(*) AS n FROM ${id(table.name)} WHERE ${where}`,
          [req.days],
        );
        const rowsSelected = Number(count?.n ?? 0);
        const [[create]] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${id(table.name)}`);
        const [columnRows] = await conn.query<RowDataPacket[]>(
          'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
          [ep.database, table.name],
        );
        const columns = columnRows.map((r) => String(r.c));

        const sqlGzip = createGzip(gzipOptions);
        const csvGzip = createGzip(gzipOptions);
        const sqlBody = sqlGzip.pipe(new PassThrough());
        const csvBody = csvGzip.pipe(new PassThrough());
        const uploads = Promise.all([
          uploadStream(s3, { bucket, key: `${base}.sql.gz` }, sqlBody, {
            contentType: 'application/sql',
            partSize: 5 * 1024 * 1024,
          }),
          uploadStream(s3, { bucket, key: `${base}.csv.gz` }, csvBody, {
            contentType: 'text/csv',
            partSize: 5 * 1024 * 1024,
          }),
        ]);
        // An upload that fails must not leave the row loop waiting on a stream nobody reads.
        uploads.catch(() => {
          sqlGzip.destroy();
          csvGzip.destroy();
        });

        await write(sqlGzip, sqlPreamble(table.name, String(create?.['Create Table'] ?? ''), describeEndpoint(ep)));
        await write(csvGzip, csvLine(columns));
        let rowsWritten = 0;
        let batch: Cell[][] = [];
        const flush = async (): Promise<void> => {
          const rows = batch;
          batch = [];
          if (rows.length === 0) return;
          // One write a batch per file: every write to a gzip stream is a trip to the thread pool.
          await Promise.all([
            write(sqlGzip, sqlInsert(table.name, columns, rows)),
            write(csvGzip, rows.map(csvLine).join('')),
          ]);
          rowsWritten += rows.length;
          heartbeat({ table: table.name, rowsWritten, rowsSelected });
        };
        // Rows arrive as events, not through an async iterator: a promise per row costs more than
        // the row itself. The connection is paused while a full batch is written (backpressure).
        const core = coreConnection(conn);
        await new Promise<void>((resolve, reject) => {
          core
            .query({
              sql: `SELECT * FROM ${id(table.name)} WHERE ${where} ORDER BY ${id(table.primary_key)}`,
              values: [req.days],
              rowsAsArray: true,
            })
            .on('result', (row) => {
              batch.push(row as Cell[]);
              if (batch.length < batchRows) return;
              core.pause();
              flush().then(() => core.resume(), reject);
            })
            .on('error', reject)
            .on('end', () => resolve());
        });
        await flush();
        await conn.query('COMMIT');
        await write(sqlGzip, sqlEpilogue);
        sqlGzip.end();
        csvGzip.end();
        const [sqlBytes, csvBytes] = await uploads;

        if (rowsWritten !== rowsSelected) {
          throw new Error(`${table.name}: ${rowsWritten} rows written but ${rowsSelected} selected`);
        }
        for (const [key, bytes] of [
          [`${base}.sql.gz`, sqlBytes],
          [`${base}.csv.gz`, csvBytes],
        ] as const) {
          const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          if (head.ContentLength !== bytes)
            throw new Error(`s3://${bucket}/${key} holds ${head.ContentLength} bytes, ${bytes} were sent`);
        }
        return {
          table: table.name,
          source: `${req.side} ${describeEndpoint(ep)}`,
          rowsSelected,
          rowsWritten,
          sql: { key: `s3://${bucket}/${base}.sql.gz`, bytes: sqlBytes },
          csv: { key: `s3://${bucket}/${base}.csv.gz`, bytes: csvBytes },
        };
      });
    },
  };
}

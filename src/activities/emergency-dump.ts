// The emergency dump of one table (seed: "Cenário 1"): the last N days by the freshness column,
// read in one consistent snapshot and streamed, as gzip SQL and gzip CSV at once, into multipart
// uploads to the emergency bucket. Memory stays flat whatever the table size: rows flow through
// with backpressure, a chunk of encoded bytes at a time. Heartbeats carry the rows written so far.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { heartbeat } from '@temporalio/activity';
import type { RowDataPacket } from 'mysql2';
import { once } from 'node:events';
import { PassThrough, type TransformOptions, type Writable } from 'node:stream';
import { createGzip, type ZlibOptions } from 'node:zlib';
import type { Side } from '../checks/types.js';
import { DumpEncoder, sqlEpilogue, sqlPreamble, type ByteSink } from '../integrations/dump-format.js';
import { queryRowBytes } from '../integrations/mysql-row-bytes.js';
import { describeEndpoint, id, withConnection } from '../integrations/mysql.js';
import { uploadStream } from '../integrations/s3/objects.js';
import type { SystemRegistry } from './context.js';
import { progressReporter, type ProgressReport } from './progress.js';

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

/**
 * Level 1: a third of the CPU of the default level for files about a tenth larger; in an emergency
 * the dump's speed counts more than its size. memLevel 9 makes level 1 a sixth faster again, for
 * the same size. Output chunks as large as the encoder's take one trip to the thread pool each,
 * and a large write buffer lets rows be read and encoded while the previous chunks compress.
 */
const gzipOptions: ZlibOptions & TransformOptions = {
  level: 1,
  memLevel: 9,
  chunkSize: 1024 * 1024,
  writableHighWaterMark: 4 * 1024 * 1024,
};

/** Writes with backpressure; `consumed` runs once the stream is done with the chunk's bytes. */
async function write(stream: Writable, chunk: string | Buffer, consumed?: () => void): Promise<void> {
  if (!stream.write(chunk, consumed)) await once(stream, 'drain');
}

/** A chunk of the encoder's file to its gzip stream; gzip has read it all when the write's callback runs, so its buffer serves again. */
const writeChunk = (stream: Writable, sink: ByteSink): Promise<void> => {
  const chunk = sink.take();
  return write(stream, chunk, () => sink.recycle(chunk));
};

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
        const select = `SELECT * FROM ${id(table.name)} WHERE ${id(table.freshness_column)} >= NOW() - INTERVAL ? DAY ORDER BY ${id(table.primary_key)}`;
        // The optimizer's estimate of the rows, for progress only: counting them first would read
        // them once more before the dump starts (14 % of a 5M-row dump).
        const [[plan]] = await conn.query<RowDataPacket[]>(`EXPLAIN ${select}`, [req.days]);
        const rowsEstimated = Number(plan?.rows ?? 0);
        const [[create]] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${id(table.name)}`);

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
        let encoder: DumpEncoder | undefined;
        let rowsWritten = 0;
        const progress = progressReporter();
        const rowsSoFar = (): ProgressReport => ({
          what: `dump of ${table.name} from the ${req.side}`,
          done: rowsWritten,
          total: rowsEstimated,
          estimated: true,
          unit: 'rows',
        });
        const flush = async (): Promise<void> => {
          if (!encoder) return;
          await Promise.all([writeChunk(sqlGzip, encoder.sql), writeChunk(csvGzip, encoder.csv)]);
          heartbeat({ table: table.name, rowsWritten, rowsEstimated });
          progress.report(rowsSoFar());
        };
        // Cells stay the server's bytes, encoded as the result's column types say; reading pauses
        // while a full chunk of encoded bytes is written (backpressure).
        await queryRowBytes(conn, select, [req.days], {
          fields: (fields) => (encoder = new DumpEncoder(table.name, fields)),
          row: (row) => {
            encoder?.row(row);
            rowsWritten++;
            return encoder?.full ? flush() : undefined;
          },
        });
        // The rows the SELECT returned, as the server counted them while it sent them. (MySQL 8.0.17
        // deprecates FOUND_ROWS in favour of COUNT(*), which would read the rows again; MariaDB keeps it.)
        const [[found]] = await conn.query<RowDataPacket[]>('SELECT FOUND_ROWS() AS n');
        const rowsSelected = Number(found?.n ?? -1);
        encoder?.end();
        await flush();
        await progress.final(rowsSoFar());
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

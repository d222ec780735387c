// Rows of a result as the bytes the server sent, for the emergency dump. mysql2 turns every cell
// into a Buffer (or a string, number or Date), which costs more than the rest of the dump put
// together, and the dump would only copy those bytes again. mysql2 has no public raw mode, so the
// query's row parser (`_rowParser`, the same since mysql2 1.x) is replaced by one that hands each
// row packet over untouched. Should an upgrade of mysql2 stop using it, the first row fails the
// query with an error that says so, never a wrong dump.
import type { Connection as CoreConnection, FieldPacket } from 'mysql2';
import type { Connection } from 'mysql2/promise';

/** A row of the text protocol: `buf[start, end)` holds one length-encoded string (or NULL) per column. */
export interface RowBytes {
  buf: Buffer;
  start: number;
  end: number;
}

/** The part of mysql2's Packet a row parser receives. */
interface Mysql2Packet {
  buffer: Buffer;
  offset: number;
  end: number;
}

export interface RowBytesHandler {
  /** The result's columns, before the first row. */
  fields(fields: FieldPacket[]): void;
  /** One row, valid only during the call; a promise pauses reading until it settles. */
  row(row: RowBytes): Promise<void> | undefined;
}

/** Runs `sql` and hands its rows to `handler` as bytes, with backpressure; resolves after the last row. */
export function queryRowBytes(
  promiseConn: Connection,
  sql: string,
  values: unknown[],
  handler: RowBytesHandler,
): Promise<void> {
  // Streaming rows needs the callback connection under the promise wrapper (there at run time, missing from its typings).
  const conn = (promiseConn as unknown as { connection: CoreConnection }).connection;
  return new Promise((resolve, reject) => {
    let failed = false;
    // After a failure the connection is dropped: a paused or still streaming query would hold it.
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      reject(err instanceof Error ? err : new Error(String(err)));
      conn.destroy();
    };
    const row: RowBytes = { buf: Buffer.alloc(0), start: 0, end: 0 };
    const parser = {
      next(packet: Mysql2Packet): null {
        row.buf = packet.buffer;
        row.start = packet.offset;
        row.end = packet.end;
        const wait = handler.row(row);
        if (wait) {
          conn.pause();
          wait.then(() => conn.resume(), fail);
        }
        return null;
      },
    };
    const query = conn.query({ sql, values, rowsAsArray: true, typeCast: false });
    Object.defineProperty(query, '_rowParser', { get: () => parser, set: () => undefined, configurable: true });
    query
      .on('fields', (fields: FieldPacket[]) => handler.fields(fields))
      .on('result', (parsed: unknown) => {
        if (parsed !== null)
          fail(
            new Error(
              'mysql2 parsed a row itself: its row parser hook changed, see src/integrations/mysql-row-bytes.ts',
            ),
          );
      })
      .on('error', fail)
      .on('end', () => {
        if (!failed) resolve();
      });
  });
}

/**
 * Walks the cells of a text-protocol row: `cell(i, buf, start, end)` for each value's bytes,
 * `cell(i, buf, -1, -1)` for NULL. Lengths are length-encoded integers (1, 3, 4 or 9 bytes); 0xfb is NULL.
 */
export function forEachCell(
  { buf, start, end }: RowBytes,
  columns: number,
  cell: (index: number, buf: Buffer, start: number, end: number) => void,
): void {
  let at = start;
  for (let i = 0; i < columns; i++) {
    const first = buf[at] ?? 0xff;
    let length: number;
    if (first < 0xfb) {
      length = first;
      at += 1;
    } else if (first === 0xfb) {
      cell(i, buf, -1, -1);
      at += 1;
      continue;
    } else if (first === 0xfc) {
      length = buf.readUInt16LE(at + 1);
      at += 3;
    } else if (first === 0xfd) {
      length = buf.readUIntLE(at + 1, 3);
      at += 4;
    } else if (first === 0xfe) {
      length = Number(buf.readBigUInt64LE(at + 1));
      at += 9;
    } else throw new Error(`row bytes: column ${i} starts with 0x${first.toString(16)}, not a length`);
    if (at + length > end) throw new Error(`row bytes: column ${i} runs past the end of the row`);
    cell(i, buf, at, at + length);
    at += length;
  }
}

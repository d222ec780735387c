// Encoders of the emergency dump: SQL that `mariadb` / `mysql` can load (schema plus multi-row
// INSERTs, values escaped as mysql2 and mariadb-dump escape them) and CSV per RFC 4180 (header
// row, CRLF, quotes doubled). Rows are encoded from the bytes the server sent (the text protocol's
// row packets), both files in one pass over each cell: building a JS value per cell, then escaping
// and encoding it back to bytes twice, cost more than reading the rows.
// Text arrives in the connection's character set, utf8mb4 (mysql2's default), which the SQL file
// declares and CSV readers expect; dates stay the server's text, as mariadb-dump writes them.
import mysql, { type FieldPacket } from 'mysql2';
import { forEachCell, type RowBytes } from './mysql-row-bytes.js';

/** What the encoders need of a result column: mysql2's column definition. */
export type DumpColumn = Pick<FieldPacket, 'name' | 'columnType' | 'characterSet'>;

/** Numbers go unquoted; text is escaped (SQL) or quoted when needed (CSV); binary is X'hex' (SQL) and base64 (CSV). */
export type ColumnKind = 'number' | 'text' | 'binary';

const { Types, Charsets } = mysql;
const numberTypes = new Set([
  Types.TINY,
  Types.SHORT,
  Types.LONG,
  Types.INT24,
  Types.LONGLONG,
  Types.YEAR,
  Types.FLOAT,
  Types.DOUBLE,
  Types.DECIMAL,
  Types.NEWDECIMAL,
]);
/** Sent as ASCII text although their column definitions carry the binary charset. */
const textTypes = new Set([Types.DATE, Types.NEWDATE, Types.DATETIME, Types.TIMESTAMP, Types.TIME, Types.JSON]);

export function columnKind(column: DumpColumn): ColumnKind {
  const type = column.columnType ?? -1;
  if (numberTypes.has(type)) return 'number';
  if (textTypes.has(type) || column.characterSet !== Charsets.BINARY) return 'text';
  return 'binary';
}

/** Header of a SQL dump file: the session settings a loader needs, then the table's schema. */
export function sqlPreamble(table: string, createStatement: string, source: string): string {
  return [
    `-- acode-guardian emergency dump of ${table} from ${source}, ${new Date().toISOString()}`,
    '/*!40101 SET NAMES utf8mb4 */;',
    "/*!40103 SET TIME_ZONE='+00:00' */;",
    'SET FOREIGN_KEY_CHECKS=0;',
    `${createStatement.replace(/^CREATE TABLE /, 'CREATE TABLE IF NOT EXISTS ')};`,
    '',
  ].join('\n');
}

export const sqlEpilogue = 'SET FOREIGN_KEY_CHECKS=1;\n';

/**
 * An INSERT is closed once it holds this many bytes, as mariadb-dump does at its default
 * net_buffer_length: few statements, each far below a loader's max_allowed_packet.
 */
const maxInsertBytes = 1024 * 1024;

// Bytes that need care, flagged per format so one scan of a cell serves both. All are ASCII, and
// UTF-8 never uses ASCII bytes inside a multi-byte character, so scanning bytes is safe.
const sqlEscaped = 1;
const csvQuoted = 2;
const byteFlags = new Uint8Array(256);
/** The letter after the backslash in SQL, as mysql2's escape writes it. */
const sqlEscapeLetter = new Uint8Array(256);
for (const [byte, letter] of [
  [0x00, '0'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0d, 'r'],
  [0x1a, 'Z'],
  [0x22, '"'],
  [0x27, "'"],
  [0x5c, '\\'],
] as const) {
  byteFlags[byte] = sqlEscaped;
  sqlEscapeLetter[byte] = letter.charCodeAt(0);
}
for (const c of '",\r\n') byteFlags[c.charCodeAt(0)] = (byteFlags[c.charCodeAt(0)] ?? 0) | csvQuoted;

const quote = 0x22;
const apostrophe = 0x27;
const backslash = 0x5c;
const comma = 0x2c;
const closeParen = 0x29;
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const sqlNull = ascii('NULL');
const sqlRowSeparator = ascii(',\n(');
const sqlStatementEnd = ascii(';\n');
const crlf = ascii('\r\n');
const csvEmpty = ascii('""');

/** Bytes of a file gathered before they go to its gzip stream: every write there is a trip to the thread pool. */
const chunkBytes = 1024 * 1024;
/** Room past `chunkBytes` for the row that fills a chunk, so it rarely has to grow. */
const chunkHeadroom = 64 * 1024;

const sinkBytes = chunkBytes + chunkHeadroom;

/**
 * Bytes of one file accumulated between writes to its gzip stream. `take` hands the bytes over and
 * goes on in another buffer: the stream keeps the chunk until it has compressed it, then `recycle`
 * gives the buffer back (fresh megabytes for every chunk would cost a garbage collection every few
 * hundred milliseconds). The encoder writes into `buf` directly in its per-byte loops (after
 * `reserve`), where a call per byte would cost.
 */
export class ByteSink {
  buf: Buffer = Buffer.allocUnsafe(sinkBytes);
  length = 0;
  private readonly spare: Buffer[] = [];

  get full(): boolean {
    return this.length >= chunkBytes;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    this.reserve(n);
    // A loop beats the native copy's call overhead for the short values most cells hold.
    if (n < 32) for (let j = 0; j < n; j++) this.buf[this.length + j] = src[start + j] ?? 0;
    else src.copy(this.buf, this.length, start, end);
    this.length += n;
  }

  ascii(s: string): void {
    this.reserve(s.length);
    this.length += this.buf.write(s, this.length, 'latin1');
  }

  take(): Buffer {
    const out = this.buf.subarray(0, this.length);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(sinkBytes);
    this.length = 0;
    return out;
  }

  /** Takes back a chunk `take` returned, once nothing reads it any more; a grown buffer is let go. */
  recycle(chunk: Buffer): void {
    if (chunk.byteOffset === 0 && chunk.buffer.byteLength === sinkBytes)
      this.spare.push(Buffer.from(chunk.buffer, 0, sinkBytes));
  }
}

/**
 * Encodes the rows of one table into its SQL file (multi-row INSERTs) and its CSV file (a header
 * row, then one line a row) at once. NULL is NULL in SQL and an empty unquoted CSV field; an empty
 * string is '' and "" so the two stay apart.
 */
export class DumpEncoder {
  readonly sql = new ByteSink();
  readonly csv = new ByteSink();
  private readonly kinds: ColumnKind[];
  private readonly insertHead: Buffer;
  /** Bytes of the open INSERT; 0 when none is open. */
  private insertBytes = 0;

  constructor(table: string, columns: readonly DumpColumn[]) {
    this.kinds = columns.map(columnKind);
    const names = columns.map((c) => mysql.escapeId(c.name)).join(',');
    this.insertHead = Buffer.from(`INSERT INTO ${mysql.escapeId(table)} (${names}) VALUES\n(`, 'utf8');
    columns.forEach((c, i) => {
      if (i > 0) this.csv.byte(comma);
      this.csvText(Buffer.from(c.name, 'utf8'));
    });
    this.csv.bytes(crlf);
  }

  /** Encodes one row, as its text-protocol packet carries it. */
  row(row: RowBytes): void {
    const rowStart = this.sql.length;
    this.sql.bytes(this.insertBytes === 0 ? this.insertHead : sqlRowSeparator);
    forEachCell(row, this.kinds.length, this.cell);
    this.sql.byte(closeParen);
    this.csv.bytes(crlf);
    this.insertBytes += this.sql.length - rowStart;
    if (this.insertBytes >= maxInsertBytes) this.end();
  }

  /** One cell into both files; `start` is -1 for NULL. Bound once: it is called for every cell. */
  private readonly cell = (i: number, buf: Buffer, start: number, end: number): void => {
    const sql = this.sql;
    const csv = this.csv;
    // Room for the comma, the value and its apostrophes (or NULL): the common cells need no more.
    const n = start < 0 ? 4 : end - start;
    sql.reserve(n + 3);
    csv.reserve(n + 1);
    if (i > 0) {
      sql.buf[sql.length++] = comma;
      csv.buf[csv.length++] = comma;
    }
    const kind = this.kinds[i];
    if (start < 0) sql.bytes(sqlNull);
    else if (kind === 'number') this.copyPlain(buf, start, end, false);
    else if (kind === 'binary') {
      sql.ascii(`X'${buf.toString('hex', start, end)}'`);
      csv.ascii(start === end ? '""' : buf.toString('base64', start, end));
    } else if (start === end || !this.copyPlain(buf, start, end, true)) {
      this.sqlText(buf, start, end);
      this.csvText(buf, start, end);
    }
  };

  /** True when a chunk of either file is ready: time to `take` both and write them. */
  get full(): boolean {
    return this.sql.full || this.csv.full;
  }

  /** Closes the open INSERT, if any; call after the last row. */
  end(): void {
    if (this.insertBytes === 0) return;
    this.sql.bytes(sqlStatementEnd);
    this.insertBytes = 0;
  }

  /**
   * The common case in one loop: a number, or a non-empty text cell with no byte that needs care
   * (between apostrophes in SQL), copied into both files while it is scanned. Returns false,
   * having written nothing, for text that needs escaping or quoting; numbers never do. The caller
   * has reserved the room.
   */
  private copyPlain(cell: Buffer, start: number, end: number, apostrophes: boolean): boolean {
    const n = end - start;
    const sql = this.sql;
    const csv = this.csv;
    const sb = sql.buf;
    const cb = csv.buf;
    const sp = apostrophes ? sql.length + 1 : sql.length;
    const cp = csv.length;
    let flags = 0;
    for (let j = 0; j < n; j++) {
      const b = cell[start + j] ?? 0;
      flags |= byteFlags[b] ?? 0;
      sb[sp + j] = b;
      cb[cp + j] = b;
    }
    if (flags !== 0) return false;
    if (apostrophes) {
      sb[sp - 1] = apostrophe;
      sb[sp + n] = apostrophe;
      sql.length = sp + n + 1;
    } else sql.length = sp + n;
    csv.length = cp + n;
    return true;
  }

  /** Text between apostrophes, with mysql2's backslash escapes. */
  private sqlText(cell: Buffer, start: number, end: number): void {
    const sql = this.sql;
    sql.byte(apostrophe);
    for (let j = start; j < end; j++) {
      const b = cell[j] ?? 0;
      if ((byteFlags[b] ?? 0) & sqlEscaped) {
        sql.byte(backslash);
        sql.byte(sqlEscapeLetter[b] ?? 0);
      } else sql.byte(b);
    }
    sql.byte(apostrophe);
  }

  /** An RFC 4180 field: quoted, quotes doubled, when it holds a quote, comma or line break; "" when empty. */
  private csvText(cell: Buffer, start = 0, end = cell.length): void {
    const csv = this.csv;
    let flags = 0;
    for (let j = start; j < end; j++) flags |= byteFlags[cell[j] ?? 0] ?? 0;
    if (start === end) return csv.bytes(csvEmpty);
    if ((flags & csvQuoted) === 0) return csv.bytes(cell, start, end);
    csv.byte(quote);
    for (let j = start; j < end; j++) {
      const b = cell[j] ?? 0;
      if (b === quote) csv.byte(quote);
      csv.byte(b);
    }
    csv.byte(quote);
  }
}

/** Parses RFC 4180 text back into rows (used to verify what was written, and by tests). */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',' || c === '\r') {
      if (c === ',') {
        row.push(field === '' && !wasQuoted ? null : field);
        field = '';
        wasQuoted = false;
      }
    } else if (c === '\n') {
      row.push(field === '' && !wasQuoted ? null : field);
      rows.push(row);
      row = [];
      field = '';
      wasQuoted = false;
    } else field += c;
  }
  return rows;
}

import mysql from 'mysql2';
import { describe, expect, it } from 'vitest';
import { columnKind, DumpEncoder, parseCsv, type DumpColumn } from '../src/integrations/dump-format.js';
import { forEachCell, type RowBytes } from '../src/integrations/mysql-row-bytes.js';

const { Types, Charsets } = mysql;
/** Column definitions as the server sends them: numbers and dates carry the binary charset too. */
const utf8mb4 = 224;
const text = (name: string): DumpColumn => ({ name, columnType: Types.VAR_STRING, characterSet: utf8mb4 });
const integer = (name: string): DumpColumn => ({ name, columnType: Types.LONGLONG, characterSet: Charsets.BINARY });

/** A length-encoded integer of the MySQL protocol, in its shortest form unless `width` asks for more bytes. */
function lengthBytes(n: number, width?: 1 | 3 | 4 | 9): Buffer {
  const w = width ?? (n < 0xfb ? 1 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 9);
  const b = Buffer.alloc(w);
  if (w === 1) b.writeUInt8(n, 0);
  else if (w === 3) b.writeUInt16LE(n, b.writeUInt8(0xfc, 0));
  else if (w === 4) b.writeUIntLE(n, b.writeUInt8(0xfd, 0), 3);
  else b.writeBigUInt64LE(BigInt(n), b.writeUInt8(0xfe, 0));
  return b;
}

/** A text-protocol row packet (values, or null for NULL), between bytes that are not part of it. */
function textRow(cells: (string | Buffer | null)[], widths: (1 | 3 | 4 | 9 | undefined)[] = []): RowBytes {
  const parts = cells.map((c, i) => {
    if (c === null) return Buffer.from([0xfb]);
    const bytes = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
    return Buffer.concat([lengthBytes(bytes.length, widths[i]), bytes]);
  });
  const body = Buffer.concat(parts);
  return { buf: Buffer.concat([Buffer.from('head'), body, Buffer.from('tail')]), start: 4, end: 4 + body.length };
}

function encode(columns: DumpColumn[], rows: (string | null)[][]): { sql: string; csv: string } {
  const encoder = new DumpEncoder('t', columns);
  for (const r of rows) encoder.row(textRow(r));
  encoder.end();
  return { sql: encoder.sql.take().toString('utf8'), csv: encoder.csv.take().toString('utf8') };
}

describe('cells of a text-protocol row', () => {
  const cellsOf = (row: RowBytes, columns: number): (string | null)[] => {
    const out: (string | null)[] = [];
    forEachCell(row, columns, (_i, buf, start, end) => out.push(start < 0 ? null : buf.toString('utf8', start, end)));
    return out;
  };

  it.each([
    ['one-byte lengths, NULL and empty', ['a', null, '', 'São'], []],
    ['a 250-byte value (the longest one-byte length)', ['x'.repeat(250)], []],
    ['a 251-byte value (0xfc, two bytes)', ['x'.repeat(251)], []],
    ['a 70,000-byte value (0xfd, three bytes)', ['y'.repeat(70_000)], []],
    ['an eight-byte length (0xfe)', ['z'.repeat(10), 'w'], [9, 4]],
  ] as const)('%s', (_n, cells, widths) => {
    expect(cellsOf(textRow([...cells], [...widths]), cells.length)).toEqual(cells);
  });

  it('refuses a row whose cell runs past its end, naming the column', () => {
    const row = textRow(['ab', 'cd']);
    expect(() => cellsOf({ ...row, end: row.end - 1 }, 2)).toThrow(/column 1 runs past the end/);
  });

  it('refuses a byte that cannot start a cell', () => {
    expect(() => cellsOf({ buf: Buffer.from([0xff]), start: 0, end: 1 }, 1)).toThrow(/column 0 starts with 0xff/);
  });
});

describe('column kinds, from the result column definitions', () => {
  it.each([
    ['BIGINT', integer('c'), 'number'],
    ['DECIMAL', { name: 'c', columnType: Types.NEWDECIMAL, characterSet: Charsets.BINARY }, 'number'],
    ['DATETIME', { name: 'c', columnType: Types.DATETIME, characterSet: Charsets.BINARY }, 'text'],
    ['DATE', { name: 'c', columnType: Types.DATE, characterSet: Charsets.BINARY }, 'text'],
    ['VARCHAR', text('c'), 'text'],
    ['BLOB', { name: 'c', columnType: Types.BLOB, characterSet: Charsets.BINARY }, 'binary'],
    ['TEXT', { name: 'c', columnType: Types.BLOB, characterSet: utf8mb4 }, 'text'],
  ] as const)('%s', (_n, column, kind) => {
    expect(columnKind(column)).toBe(kind);
  });
});

describe('CSV (RFC 4180)', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['comma', 'a,b', '"a,b"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['newline', 'a\nb', '"a\nb"'],
    ['carriage return', 'a\r\nb', '"a\r\nb"'],
    ['empty string', '', '""'],
    ['null', null, ''],
    ['accents', 'São Paulo', 'São Paulo'],
  ])('%s', (_n, value, expected) => {
    expect(encode([text('c')], [[value]]).csv).toBe(`c\r\n${expected}\r\n`);
  });

  it('writes numbers and dates as the server sends them', () => {
    const columns = [
      { name: 'n', columnType: Types.NEWDECIMAL, characterSet: Charsets.BINARY },
      { name: 'd', columnType: Types.DATETIME, characterSet: Charsets.BINARY },
    ];
    expect(encode(columns, [['12.50', '2026-12-04 10:15:00']]).csv).toBe('n,d\r\n12.50,2026-12-04 10:15:00\r\n');
  });

  it('parses back what it writes, keeping NULL and empty apart', () => {
    const rows = [
      ['1', 'a,b', null],
      ['2', '', 'line1\r\nline2 "q"'],
    ];
    const { csv } = encode([integer('id'), text('name'), text('note')], rows);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parseCsv(csv)).toEqual([['id', 'name', 'note'], ...rows]);
  });
});

describe('SQL inserts', () => {
  it('escapes values and identifiers, never trusting the data', () => {
    const rows = [
      ['1', "O'Brien"],
      ['2', null],
      ['3', 'x\\y; DROP TABLE t; --'],
      ['4', '\0\b\t\n\r\x1a"'],
    ];
    expect(encode([integer('id'), text('name')], rows).sql).toBe(
      "INSERT INTO `t` (`id`,`name`) VALUES\n(1,'O\\'Brien'),\n(2,NULL),\n(3,'x\\\\y; DROP TABLE t; --'),\n" +
        "(4,'\\0\\b\\t\\n\\r\\Z\\\"');\n",
    );
  });

  it('escapes as mysql2 does, byte for byte', () => {
    const value = 'a\'b"c\\d\0e\nf\rg\x1ah\bi\tj São';
    expect(encode([text('c')], [[value]]).sql).toBe(`INSERT INTO \`t\` (\`c\`) VALUES\n(${mysql.escape(value)});\n`);
  });

  it('writes binary as hex in SQL and base64 in CSV, empty apart from NULL', () => {
    const encoder = new DumpEncoder('t', [{ name: 'b', columnType: Types.BLOB, characterSet: Charsets.BINARY }]);
    for (const v of [Buffer.from([0x00, 0xff, 0x27]), Buffer.alloc(0), null]) encoder.row(textRow([v]));
    encoder.end();
    expect(encoder.sql.take().toString()).toBe("INSERT INTO `t` (`b`) VALUES\n(X'00ff27'),\n(X''),\n(NULL);\n");
    expect(encoder.csv.take().toString()).toBe('b\r\nAP8n\r\n""\r\n\r\n');
  });

  it('starts a new INSERT once one holds a megabyte', () => {
    const long = 'x'.repeat(100_000);
    const { sql } = encode(
      [text('c')],
      Array.from({ length: 25 }, () => [long]),
    );
    expect(sql.match(/^INSERT INTO/gm)).toHaveLength(3);
    expect(sql.endsWith(');\n')).toBe(true);
  });
});

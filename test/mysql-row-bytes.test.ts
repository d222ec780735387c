// Rows read as the server's bytes (src/integrations/mysql-row-bytes.ts) and encoded by the dump,
// against the real MariaDB: awkward values of every column kind survive a round trip through the
// SQL file (loaded by the `mariadb` client) and the CSV file; reading pauses for the handler's
// promise; a failing handler fails the query.
import type mysql from 'mysql2/promise';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DumpEncoder, parseCsv, sqlEpilogue, sqlPreamble } from '../src/integrations/dump-format.js';
import { forEachCell, queryRowBytes } from '../src/integrations/mysql-row-bytes.js';
import { mariaInstance, rootConnection } from '../src/stack/mariadb.js';

const db = `row_bytes_${Date.now()}`;
const restoreDb = `${db}_restore`;
let root: mysql.Connection;

const schema = `CREATE TABLE awkward (
  id BIGINT UNSIGNED PRIMARY KEY,
  name VARCHAR(200) NULL,
  note MEDIUMTEXT NULL,
  raw MEDIUMBLOB NULL,
  doc JSON NULL,
  amount DECIMAL(20,6) NULL,
  ratio DOUBLE NULL,
  at DATETIME(6) NULL,
  flags BIT(8) NULL
) DEFAULT CHARSET=utf8mb4`;

/** Each row exercises something: quotes and escapes, NULLs, empties, long values (2- and 3-byte lengths), binary, unicode. */
const rows: unknown[][] = [
  [
    1,
    `O'Brien "quoted", back\\slash`,
    'line1\r\nline2\ttab\0nul\x1a',
    Buffer.from([0, 0xff, 0x27, 0x5c]),
    '{"a": [1, "x\\"y"]}',
    '-12.345678',
    1.5e-10,
    '2026-12-04 10:15:00.123456',
    0b1010_0101,
  ],
  [2, null, null, null, null, null, null, null, null],
  [3, '', '', Buffer.alloc(0), '[]', '0.000000', 0, '1970-01-01 00:00:01.000000', 0],
  [
    4,
    'São Paulo 🚀 ção',
    'é'.repeat(200),
    Buffer.alloc(300, 0xab),
    '"text"',
    '99999999999999.999999',
    -1.7976931348623157e308,
    '2038-01-19 03:14:07.999999',
    255,
  ],
  [5, 'x'.repeat(200), 'y'.repeat(70_000), Buffer.alloc(70_000, 0x01), '{}', '1', 3, '2000-02-29 00:00:00.000000', 1],
  [18446744073709551615n, 'max id', ',;"', null, null, null, null, null, null],
];

/** The table's rows as the server renders them, binary as hex, so two databases compare exactly. */
async function snapshot(database: string): Promise<unknown[][]> {
  const [result] = await root.query<mysql.RowDataPacket[]>({
    sql: `SELECT id, name, note, HEX(raw), doc, amount, ratio, at, flags + 0 FROM ${database}.awkward ORDER BY id`,
    rowsAsArray: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  return result as unknown as unknown[][];
}

beforeAll(async () => {
  // Everything here replicates, the client's load of the dump too, so the replica stays in step.
  root = await rootConnection(mariaInstance('primary'));
  await root.query(`CREATE DATABASE ${db}`);
  await root.query(`USE ${db}`);
  await root.query(schema);
  for (const r of rows) await root.query('INSERT INTO awkward VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', r);
});

afterAll(async () => {
  await root.query(`DROP DATABASE IF EXISTS ${db}`);
  await root.query(`DROP DATABASE IF EXISTS ${restoreDb}`);
  await root.end();
});

describe('rows as the server sent them', () => {
  it('dump SQL reloads into a fresh database as the same rows, CSV parses back to them', async () => {
    let encoder: DumpEncoder | undefined;
    await queryRowBytes(root, `SELECT * FROM ${db}.awkward WHERE id > ? ORDER BY id`, [0], {
      fields: (fields) => (encoder = new DumpEncoder('awkward', fields)),
      row: (row) => void encoder?.row(row),
    });
    if (!encoder) throw new Error('no columns arrived');
    encoder.end();
    const sql = sqlPreamble('awkward', schema, 'test') + encoder.sql.take().toString('utf8') + sqlEpilogue;

    await root.query(`CREATE DATABASE ${restoreDb}`);
    const load = spawnSync('mariadb', [`--socket=${mariaInstance('primary').socket}`, '-uroot', restoreDb], {
      input: sql,
    });
    expect(load.stderr.toString()).toBe('');
    expect(await snapshot(restoreDb)).toEqual(await snapshot(db));

    // CSV: text as text, binary as base64, NULL as an empty unquoted field.
    const [asText] = await root.query<mysql.RowDataPacket[]>({
      sql: `SELECT id, name, note, TO_BASE64(raw), doc, amount, ratio, at, flags FROM ${db}.awkward ORDER BY id`,
      rowsAsArray: true,
      typeCast: (field) => (field.type === 'BIT' ? field.string('latin1') : field.string('utf8')),
    });
    const csv = parseCsv(encoder.csv.take().toString('utf8'));
    expect(csv[0]).toEqual(['id', 'name', 'note', 'raw', 'doc', 'amount', 'ratio', 'at', 'flags']);
    const expected = (asText as unknown as (string | null)[][]).map((r) =>
      // TO_BASE64 wraps lines at 76 characters; the dump writes one line.
      r.map((v, i) =>
        i === 3 && v !== null
          ? v.replaceAll('\n', '')
          : i === 8 && v !== null
            ? Buffer.from(v, 'latin1').toString('base64')
            : v,
      ),
    );
    expect(csv.slice(1)).toEqual(expected);
  });

  it('hands over every cell, long ones included, and waits for the handler before reading on', async () => {
    const seen: { id: string; noteBytes: number }[] = [];
    let pending = 0;
    await queryRowBytes(root, `SELECT id, note FROM ${db}.awkward ORDER BY id`, [], {
      fields: () => undefined,
      row: (row) => {
        expect(pending).toBe(0);
        const cells: [string, number] = ['', -1];
        forEachCell(row, 2, (i, buf, start, end) => {
          if (i === 0) cells[0] = buf.toString('ascii', start, end);
          else cells[1] = start < 0 ? -1 : end - start;
        });
        seen.push({ id: cells[0], noteBytes: cells[1] });
        pending++;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            pending--;
            resolve();
          }, 5),
        );
      },
    });
    expect(seen).toEqual([
      { id: '1', noteBytes: 21 },
      { id: '2', noteBytes: -1 },
      { id: '3', noteBytes: 0 },
      { id: '4', noteBytes: 400 },
      { id: '5', noteBytes: 70_000 },
      { id: '18446744073709551615', noteBytes: 3 },
    ]);
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('upload failed'))],
    [
      'throws',
      () => {
        throw new Error('upload failed');
      },
    ],
  ] as const)('fails the query when the handler %s, reading no row after it', async (_n, failingRow) => {
    const conn = await rootConnection(mariaInstance('primary'));
    let rows = 0;
    try {
      const failing = queryRowBytes(conn, `SELECT * FROM ${db}.awkward`, [], {
        fields: () => undefined,
        row: () => {
          rows++;
          return failingRow();
        },
      });
      await expect(failing).rejects.toThrow('upload failed');
      expect(rows).toBe(1);
    } finally {
      conn.destroy();
    }
  });
});

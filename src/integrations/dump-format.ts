// Encoders of the emergency dump: SQL that `mariadb` / `mysql` can load (schema plus multi-row
// INSERTs, values escaped by mysql2) and CSV per RFC 4180 (header row, CRLF, quotes doubled).
import mysql from 'mysql2';

export type Cell = string | number | bigint | boolean | null | Date | Buffer;

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

/** One multi-row INSERT; identifiers and values go through mysql2's escaping, never raw. */
export function sqlInsert(table: string, columns: readonly string[], rows: readonly Cell[][]): string {
  // Plain concatenation, not map/join: this runs for every row of a dump, and arrays per row cost.
  let sql = `INSERT INTO ${mysql.escapeId(table)} (${columns.map((c) => mysql.escapeId(c)).join(',')}) VALUES\n`;
  let first = true;
  for (const row of rows) {
    sql += first ? '(' : ',\n(';
    first = false;
    let sep = '';
    for (const v of row) {
      sql += sep + (typeof v === 'number' ? String(v) : mysql.escape(v));
      sep = ',';
    }
    sql += ')';
  }
  return `${sql};\n`;
}

const csvNeedsQuotes = /[",\r\n]/;

/** RFC 4180 field. NULL is an empty unquoted field; an empty string is "" so the two stay apart. */
export function csvField(v: Cell): string {
  if (typeof v === 'number') return String(v);
  if (v === null) return '';
  const s = v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('base64') : String(v);
  if (s === '') return '""';
  return csvNeedsQuotes.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(cells: readonly Cell[]): string {
  let line = '';
  let sep = '';
  for (const v of cells) {
    line += sep + csvField(v);
    sep = ',';
  }
  return `${line}\r\n`;
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

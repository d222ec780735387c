import { describe, expect, it } from 'vitest';
import { csvField, csvLine, parseCsv, sqlInsert } from '../src/integrations/dump-format.js';

describe('CSV (RFC 4180)', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['comma', 'a,b', '"a,b"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['newline', 'a\nb', '"a\nb"'],
    ['carriage return', 'a\r\nb', '"a\r\nb"'],
    ['empty string', '', '""'],
    ['null', null, ''],
    ['number', 12.5, '12.5'],
    ['accents', 'São Paulo', 'São Paulo'],
  ])('%s', (_n, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('parses back what it writes, keeping NULL and empty apart', () => {
    const rows = [
      ['id', 'name', 'note'],
      ['1', 'a,b', null],
      ['2', '', 'line1\r\nline2 "q"'],
    ];
    const text = rows.map((r) => csvLine(r)).join('');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual(rows);
  });
});

describe('SQL inserts', () => {
  it('escapes values and identifiers, never trusting the data', () => {
    expect(
      sqlInsert(
        't',
        ['id', 'name'],
        [
          [1, "O'Brien"],
          [2, null],
          [3, 'x\\y; DROP TABLE t; --'],
        ],
      ),
    ).toBe("INSERT INTO `t` (`id`,`name`) VALUES\n(1,'O\\'Brien'),\n(2,NULL),\n(3,'x\\\\y; DROP TABLE t; --');\n");
  });
});

import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SchemaElement } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectS3Parquet } from '../src/integrations/parquet/validate.js';
import { RowFingerprintSet } from '../src/integrations/parquet/row-set.js';
import { writeParquet } from '../src/stack/airbyte-simulator/sync.js';
import { sandboxS3Client } from '../src/stack/s3.js';

const s3 = sandboxS3Client(process.env as Record<string, string>);
const bucket = 'farmarcas-backup-acode';
const prefix = `parquet-test/${Date.now()}/`;
afterAll(() => s3.destroy());

const schema: SchemaElement[] = [
  { name: 'idpk', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'CNPJ_Loja', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'Valor_Total', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
];

const rows = (n: number, make: (i: number) => Record<string, unknown>): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => make(i));

async function put(name: string, body: Uint8Array): Promise<{ key: string; bytes: number }> {
  const key = `${prefix}${name}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { key, bytes: body.byteLength };
}

const inspect = (o: { key: string; bytes: number }, seen = new RowFingerprintSet()) =>
  inspectS3Parquet(s3, bucket, o.key, o.bytes, ['idpk', 'CNPJ_Loja', 'Valor_Total'], seen);

describe('Parquet validation over S3 (ranged reads, row group by row group)', () => {
  it('reads every row group of a clean GZIP file: rows, no nulls, no duplicates', async () => {
    const file = await put(
      'clean.parquet',
      writeParquet(
        schema,
        rows(25_000, (i) => ({ idpk: i + 1, CNPJ_Loja: `cnpj-${i}`, Valor_Total: i * 1.5 })),
        new Date(),
      ),
    );
    const r = await inspect(file);
    expect(r).toMatchObject({ rows: 25_000, rowGroups: 3, nullCells: 0, duplicateRows: 0, missingColumns: [] });
    expect(r.error).toBeUndefined();
    expect(r.columns).toEqual(['idpk', 'CNPJ_Loja', 'Valor_Total', '_airbyte_raw_id', '_airbyte_extracted_at']);
  });

  it('measures the null fraction of the data columns', async () => {
    const file = await put(
      'nulls.parquet',
      writeParquet(
        schema,
        rows(100, (i) => ({ idpk: i, CNPJ_Loja: i % 2 ? null : 'x', Valor_Total: null })),
        new Date(),
      ),
    );
    const r = await inspect(file);
    // 50 null CNPJ + 100 null Valor_Total over 300 data cells.
    expect(r.nullCells).toBe(150);
    expect(r.nullFraction).toBeCloseTo(0.5, 5);
  });

  it('counts duplicate rows, ignoring Airbyte metadata columns, across the files of a stream', async () => {
    const a = await put(
      'dup-a.parquet',
      writeParquet(
        schema,
        rows(10, (i) => ({ idpk: i % 7, CNPJ_Loja: 'same', Valor_Total: 1 })),
        new Date(),
      ),
    );
    const b = await put(
      'dup-b.parquet',
      writeParquet(
        schema,
        rows(5, (i) => ({ idpk: i, CNPJ_Loja: 'same', Valor_Total: 1 })),
        new Date(),
      ),
    );
    const seen = new RowFingerprintSet();
    expect((await inspect(a, seen)).duplicateRows).toBe(3);
    expect((await inspect(b, seen)).duplicateRows).toBe(5);
    expect(seen.count).toBe(7);
  });

  it('reports a corrupt file instead of throwing', async () => {
    const good = writeParquet(
      schema,
      rows(10, (i) => ({ idpk: i, CNPJ_Loja: 'x', Valor_Total: 1 })),
      new Date(),
    );
    const truncated = await put('truncated.parquet', good.slice(0, good.byteLength - 20));
    const garbage = await put('garbage.parquet', new TextEncoder().encode('this is not parquet at all, only text'));
    for (const f of [truncated, garbage]) {
      const r = await inspect(f);
      expect(r.error).toMatch(/parquet/i);
      expect(r.rows).toBe(0);
    }
  });

  it('names the stream columns a file lacks', async () => {
    const narrow: SchemaElement[] = [{ name: 'idpk', type: 'INT64', repetition_type: 'REQUIRED' }];
    const file = await put(
      'narrow.parquet',
      writeParquet(
        narrow,
        rows(3, (i) => ({ idpk: i })),
        new Date(),
      ),
    );
    expect((await inspect(file)).missingColumns).toEqual(['CNPJ_Loja', 'Valor_Total']);
  });
});

// The quarantine layout and its manifest: where things go, and clear errors on a bad manifest.
import { describe, expect, it } from 'vitest';
import {
  parseManifest,
  quarantineKey,
  quarantineLayout,
  renderManifest,
  type ManifestHeader,
} from '../src/integrations/s3/quarantine-layout.js';

const header: ManifestHeader = {
  manifest: 1,
  quarantineId: 'acode_quarantine_20261204_101500',
  sourceBucket: 'farmarcas-production-bronze',
  sourcePrefix: 'origin=airbyte/database=bronze_acode/',
  createdAt: '2026-12-04T10:15:00.000Z',
  objects: 2,
  bytes: 30,
};
const entries = [
  { key: 'origin=airbyte/database=bronze_acode/t1/a.parquet', size: 10, etag: '"abc"' },
  { key: 'origin=airbyte/database=bronze_acode/t2/b.parquet', size: 20 },
];

describe('quarantine layout', () => {
  it('puts the manifest and the data under <prefix>YYYY/MM/DD/<id>/, keyed below the production prefix', () => {
    const layout = quarantineLayout('acode/', '2026/12/04', header.quarantineId);
    expect(layout).toEqual({
      folder: 'acode/2026/12/04/acode_quarantine_20261204_101500/',
      manifestKey: 'acode/2026/12/04/acode_quarantine_20261204_101500/manifest.jsonl',
      dataPrefix: 'acode/2026/12/04/acode_quarantine_20261204_101500/data/',
    });
    expect(quarantineKey(layout, header.sourcePrefix, entries[0]?.key ?? '')).toBe(
      'acode/2026/12/04/acode_quarantine_20261204_101500/data/t1/a.parquet',
    );
  });

  it.each([
    ['../x', '2026/12/04', /quarantine id '..\/x' must be/],
    ['ok', '20261204', /quarantine date '20261204' must be YYYY\/MM\/DD/],
  ])('refuses id %s, date %s', (id, date, message) => {
    expect(() => quarantineLayout('acode/', date, id)).toThrow(message);
  });

  it('renders and parses the manifest back', () => {
    expect(parseManifest(renderManifest(header, entries), 'm')).toEqual({ header, entries });
  });

  it.each([
    ['not JSON', '{"manifest":1\n', /m: line 1 is not JSON/],
    ['no header', `${JSON.stringify(entries[0])}\n`, /m: the first line is not a version-1 manifest header/],
    [
      'a truncated manifest',
      renderManifest(header, entries).split('\n').slice(0, 2).join('\n'),
      /m: the header announces 2 objects, 1 are listed/,
    ],
    [
      'a bad entry',
      renderManifest({ ...header, objects: 1 }, [{ key: 'k', size: 'big' } as unknown as (typeof entries)[0]]),
      /m: line 2 is not an entry/,
    ],
  ])('names the problem in %s', (_what, text, message) => {
    expect(() => parseManifest(text, 'm')).toThrow(message);
  });
});

// Progress lines of `--wait` (src/cli/progress.ts): the line for each kind of report, and the loop
// that prints a line only when it changes and stops when the run ends.
import { describe, expect, it } from 'vitest';
import { printProgressUntil, progressLine } from '../src/cli/progress.js';
import type { ActivityProgress } from '../src/workflows/definitions.js';

const at = '2026-12-04T10:00:00.000Z';

describe('progressLine', () => {
  it.each<[string, Omit<ActivityProgress, 'at'>, string]>([
    [
      'rows of an estimate',
      { what: 'dump of t from the primary', done: 1234, total: 5000, estimated: true, unit: 'rows' },
      'dump of t from the primary: 1,234 of about 5,000 rows (24 %)',
    ],
    [
      'objects of a known total',
      { what: 'quarantine of s3://b/p/', done: 2100, total: 2100, unit: 'objects' },
      'quarantine of s3://b/p/: 2,100 of 2,100 objects (100 %)',
    ],
    [
      'past an estimate that was low',
      { what: 'dump of t from the backup', done: 6000, total: 5000, estimated: true, unit: 'rows' },
      'dump of t from the backup: 6,000 of about 5,000 rows (100 %)',
    ],
    ['no total', { what: 'dump of t from the primary', done: 7, unit: 'rows' }, 'dump of t from the primary: 7 rows'],
    [
      'an estimate of zero',
      { what: 'dump of t from the primary', done: 3, total: 0, estimated: true, unit: 'rows' },
      'dump of t from the primary: 3 rows',
    ],
  ])('%s', (_name, progress, line) => {
    expect(progressLine({ ...progress, at })).toBe(line);
  });
});

describe('printProgressUntil', () => {
  it('prints each change once, skips failed reads, and stops when the run ends', async () => {
    const reads: (ActivityProgress | undefined | Error)[] = [
      undefined,
      { what: 'w', done: 1, unit: 'rows', at },
      { what: 'w', done: 1, unit: 'rows', at },
      new Error('query failed'),
      { what: 'w', done: 2, unit: 'rows', at },
    ];
    let finish = (): void => undefined;
    const ended = new Promise<void>((resolve) => (finish = resolve));
    const printed: string[] = [];
    let calls = 0;
    const read = (): Promise<ActivityProgress | undefined> => {
      const next = reads[calls++];
      if (calls >= reads.length) finish();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    };
    await printProgressUntil(ended, read, (l) => printed.push(l), 1);
    expect(calls).toBe(reads.length);
    expect(printed.map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''))).toEqual(['w: 1 rows', 'w: 2 rows']);
  });

  it('returns when the run fails, without waiting out the interval (ten minutes here, the test allows ten seconds)', async () => {
    let reads = 0;
    const read = (): Promise<undefined> => {
      reads++;
      return Promise.resolve(undefined);
    };
    await printProgressUntil(Promise.reject(new Error('failed')), read, () => undefined, 600_000);
    expect(reads).toBe(1);
  }, 10_000);
});

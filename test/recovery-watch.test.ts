// What `recovery watch` prints, as plain functions of two statuses.
import { describe, expect, it } from 'vitest';
import { changeLines, recoveryOver, statusLine, watchExitCode } from '../src/cli/recovery-watch.js';
import type { RecoveryStatus } from '../src/workflows/definitions.js';

const base: RecoveryStatus = { systemId: 'acode', phase: 'analyzing', attempts: 0, story: ['t0 failure observed'] };

describe('changeLines', () => {
  it.each<[string, RecoveryStatus | undefined, RecoveryStatus, string[]]>([
    [
      'first status: header and the whole story',
      undefined,
      base,
      ['== phase analyzing, 0 attempt(s)', 't0 failure observed'],
    ],
    ['nothing changed: nothing printed', base, { ...base, story: [...base.story] }, []],
    ['a new story line only', base, { ...base, story: [...base.story, 't1 x'] }, ['t1 x']],
    [
      'phase, strategy and timer change',
      base,
      {
        ...base,
        phase: 'backing_off',
        strategy: 'retry_primary_with_backoff',
        attempts: 1,
        nextTimerAt: '2026-12-04T10:05:00.000Z',
      },
      [
        '== phase backing_off, strategy retry_primary_with_backoff, 1 attempt(s), next timer at 2026-12-04T10:05:00.000Z',
      ],
    ],
  ])('%s', (_name, prev, next, expected) => {
    expect(changeLines(prev, next)).toEqual(expected);
  });
});

describe('statusLine', () => {
  const now = new Date('2026-12-04T10:00:00.000Z');
  it.each<[Partial<RecoveryStatus>, string]>([
    [{}, 'analyzing | attempts 0'],
    [
      {
        phase: 'backing_off',
        strategy: 'retry_primary_with_backoff',
        attempts: 2,
        nextTimerAt: '2026-12-04T10:04:59.600Z',
      },
      'backing_off | retry_primary_with_backoff | attempts 2 | next timer in 05:00',
    ],
    [{ phase: 'cooldown', blockedUntil: '2026-12-04T11:30:05.000Z' }, 'cooldown | attempts 0 | blocked for 1:30:05'],
    [{ nextTimerAt: '2026-12-04T09:59:00.000Z' }, 'analyzing | attempts 0 | next timer in 00:00'],
  ])('%j', (change, expected) => {
    expect(statusLine({ ...base, ...change }, now)).toBe(expected);
  });
});

describe('end of a watch', () => {
  it.each<[RecoveryStatus['outcome'], boolean, number]>([
    [undefined, false, 2],
    ['recovered', true, 0],
    ['failed_over', true, 0],
    ['emergency_completed', true, 2],
    ['rejected', true, 2],
    ['cancelled', true, 2],
    ['unresolved', true, 2],
  ])('outcome %s: over %s, exit %i', (outcome, over, code) => {
    const s = { ...base, ...(outcome ? { outcome } : {}) };
    expect(recoveryOver(s)).toBe(over);
    expect(watchExitCode(s)).toBe(code);
  });
});

// `recovery watch <system>`: follows a recovery run live. Each poll queries the run's status; what
// changed is printed as lines (new story steps, phase/strategy/attempt changes), and on a terminal
// a status line below them counts down to the next durable timer.
import type { WorkflowHandle } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusQuery, type RecoveryStatus } from '../workflows/definitions.js';

/** The lines to print when the status moves from `prev` to `next`. */
export function changeLines(prev: RecoveryStatus | undefined, next: RecoveryStatus): string[] {
  const lines: string[] = [];
  if (
    prev?.phase !== next.phase ||
    prev.strategy !== next.strategy ||
    prev.attempts !== next.attempts ||
    prev.nextTimerAt !== next.nextTimerAt
  ) {
    const parts = [`phase ${next.phase}`];
    if (next.strategy) parts.push(`strategy ${next.strategy}`);
    parts.push(`${next.attempts} attempt(s)`);
    if (next.nextTimerAt) parts.push(`next timer at ${next.nextTimerAt}`);
    lines.push(`== ${parts.join(', ')}`);
  }
  lines.push(...next.story.slice(prev?.story.length ?? 0));
  return lines;
}

const clock = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mmss = `${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
};

/** One line for a terminal: where the run is, with a countdown to its next timer. */
export function statusLine(s: RecoveryStatus, now: Date): string {
  const parts = [s.phase, ...(s.strategy ? [s.strategy] : []), `attempts ${s.attempts}`];
  if (s.nextTimerAt) parts.push(`next timer in ${clock(Date.parse(s.nextTimerAt) - now.getTime())}`);
  if (s.blockedUntil) parts.push(`blocked for ${clock(Date.parse(s.blockedUntil) - now.getTime())}`);
  return parts.join(' | ');
}

/** The recovery itself is over once it has an outcome (the run may stay open for anti-flapping). */
export const recoveryOver = (s: RecoveryStatus): boolean => s.outcome !== undefined;

/** 0 when the pipeline was brought back, 2 when the recovery ended any other way. */
export const watchExitCode = (s: RecoveryStatus): number =>
  s.outcome === 'recovered' || s.outcome === 'failed_over' ? 0 : 2;

export interface WatchOptions {
  intervalMs: number;
  /** NDJSON: one status object a change. */
  json: boolean;
  /** Redraw a status line with a countdown (only on a terminal). */
  live: boolean;
  write: (text: string) => void;
}

/** Follows the run until its recovery is over or the run closes; returns the last status. */
export async function watchRecovery(handle: WorkflowHandle, o: WatchOptions): Promise<RecoveryStatus> {
  let prev: RecoveryStatus | undefined;
  let drawn = false;
  for (;;) {
    const next = await handle.query(statusQuery);
    const lines = changeLines(prev, next);
    if (o.json) {
      if (lines.length > 0) o.write(`${JSON.stringify(next)}\n`);
    } else {
      if (drawn && lines.length > 0) o.write('\r\x1b[K');
      if (lines.length > 0) o.write(`${lines.join('\n')}\n`);
      if (o.live) {
        o.write(`\r\x1b[K${statusLine(next, new Date())}`);
        drawn = true;
      }
    }
    prev = next;
    const open = (await handle.describe()).status.name === 'RUNNING';
    if (recoveryOver(next) || !open) {
      if (drawn) o.write('\n');
      return next;
    }
    await sleep(o.intervalMs);
  }
}

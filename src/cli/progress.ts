// Progress of a procedure while `--wait` waits for it: the run's status query says how far its
// long activity has come (rows dumped, objects quarantined); a line is printed when that changes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActivityProgress } from '../workflows/definitions.js';

/** "dump of t from the primary: 1,234 of about 5,000 rows (25 %)". */
export function progressLine(p: ActivityProgress): string {
  const n = (v: number): string => v.toLocaleString('en');
  if (p.total === undefined || p.total <= 0) return `${p.what}: ${n(p.done)} ${p.unit}`;
  const percent = Math.min(100, Math.floor((p.done / p.total) * 100));
  return `${p.what}: ${n(p.done)} of ${p.estimated ? 'about ' : ''}${n(p.total)} ${p.unit} (${percent} %)`;
}

/**
 * Reads the progress every `intervalMs` until `ended` settles and prints each new line with the
 * time. A failed read (the run between workflow tasks, a worker restarting) is skipped.
 */
export async function printProgressUntil(
  ended: Promise<unknown>,
  read: () => Promise<ActivityProgress | undefined>,
  print: (line: string) => void,
  intervalMs = 2000,
): Promise<void> {
  let over = false;
  const settled = ended.then(
    () => void (over = true),
    () => void (over = true),
  );
  // The pause between reads ends with the run, so nothing keeps the command alive after it.
  const pause = new AbortController();
  let last = '';
  while (!over) {
    const progress = await read().catch(() => undefined);
    const line = progress ? progressLine(progress) : '';
    if (line && line !== last) print(`${new Date().toISOString().slice(11, 19)} ${line}`);
    last = line;
    await Promise.race([settled, sleep(intervalMs, undefined, { signal: pause.signal }).catch(() => undefined)]);
  }
  pause.abort();
}

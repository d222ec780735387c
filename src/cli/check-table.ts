// The health-check table an operator reads in a terminal.
import type { CheckResult } from '../checks/types.js';

const fmt = (v: number | null): string => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(3));

export function renderCheckTable(results: readonly CheckResult[]): string {
  const rows = results.map((r) => [
    r.side,
    r.check,
    r.status === 'healthy' ? 'ok' : r.status.toUpperCase(),
    `${fmt(r.value)} ${r.unit}`,
    `${fmt(r.warnThreshold)} / ${fmt(r.failThreshold)}`,
    `${r.durationMs} ms`,
    r.error ? `${r.error.code}: ${r.error.message}` : r.target,
  ]);
  const header = ['side', 'check', 'status', 'value', 'warn / fail', 'took', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

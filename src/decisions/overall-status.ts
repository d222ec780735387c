// Overall status of the seed's continuous monitoring (determine_overall_status), over its four
// groups: primary, backup, Airbyte and S3 data. A group is 'error' when a check could not measure
// at all (no value), 'unhealthy' when a measurement is over its limit, 'warning' past the warn level.
import type { CheckResult } from '../checks/types.js';

export type GroupStatus = 'healthy' | 'warning' | 'unhealthy' | 'error';
export type OverallStatus = 'healthy' | 'warning' | 'degraded' | 'error';
export type Group = 'primary' | 'backup' | 'airbyte' | 's3_data';

export function groupOf(r: CheckResult): Group {
  if (r.check === 'airbyte_connection') return 'airbyte';
  if (r.check === 's3_uploads') return 's3_data';
  return r.side;
}

export function groupStatus(results: readonly CheckResult[]): GroupStatus {
  if (results.some((r) => r.status === 'unhealthy' && r.value === null)) return 'error';
  if (results.some((r) => r.status === 'unhealthy')) return 'unhealthy';
  if (results.some((r) => r.status === 'warning')) return 'warning';
  return 'healthy';
}

/** Seed: all healthy -> healthy; any error -> error; any unhealthy -> degraded; else warning. */
export function overallStatus(results: readonly CheckResult[]): {
  overall: OverallStatus;
  groups: Record<Group, GroupStatus>;
} {
  const groups = Object.fromEntries(
    (['primary', 'backup', 'airbyte', 's3_data'] as const).map((g) => [
      g,
      groupStatus(results.filter((r) => groupOf(r) === g)),
    ]),
  ) as Record<Group, GroupStatus>;
  const statuses = Object.values(groups);
  const overall: OverallStatus = statuses.every((s) => s === 'healthy')
    ? 'healthy'
    : statuses.includes('error')
      ? 'error'
      : statuses.includes('unhealthy')
        ? 'degraded'
        : 'warning';
  return { overall, groups };
}

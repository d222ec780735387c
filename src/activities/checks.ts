// Health-check activities: each takes a system id (and side) and returns a structured CheckResult.
// `runChecks` runs a whole round concurrently in one activity, so a healthy monitoring run costs
// a single activity in workflow history.
import { checkAirbyteConnection } from '../checks/airbyte.js';
import {
  checkConnectivity,
  checkDataFreshness,
  checkReplication,
  checkResources,
  checkSchema,
} from '../checks/mysql.js';
import { checkS3Freshness } from '../checks/s3.js';
import type { CheckName, CheckResult, Side } from '../checks/types.js';
import { activityMeter } from '../observability/activity-context.js';
import { recordCheckResults } from '../observability/metrics.js';
import type { SystemRegistry } from './context.js';

export interface CheckRequest {
  check: CheckName;
  side: Side;
}

/** The seed's six checks on both sides, plus the schema of the source tables. */
export const fullRound: CheckRequest[] = [
  { check: 'mysql_connectivity', side: 'primary' },
  { check: 'data_freshness', side: 'primary' },
  { check: 'airbyte_connection', side: 'primary' },
  { check: 's3_uploads', side: 'primary' },
  { check: 'resource_utilization', side: 'primary' },
  { check: 'schema', side: 'primary' },
  { check: 'mysql_connectivity', side: 'backup' },
  { check: 'data_freshness', side: 'backup' },
  { check: 'airbyte_connection', side: 'backup' },
  { check: 'backup_replication', side: 'backup' },
  { check: 'resource_utilization', side: 'backup' },
];

export function createCheckActivities(systems: SystemRegistry) {
  async function runOne(systemId: string, { check, side }: CheckRequest): Promise<CheckResult> {
    const ctx = systems.get(systemId);
    const hc = ctx.system.health_check;
    const t = ctx.timeoutMs;
    switch (check) {
      case 'mysql_connectivity':
        return checkConnectivity(ctx.mysql(side), side, t);
      case 'data_freshness':
        return checkDataFreshness(
          ctx.mysql(side),
          side,
          ctx.tables(),
          ctx.thresholds(hc.data_freshness_threshold_hours),
          t,
        );
      case 'backup_replication':
        return checkReplication(ctx.mysql('backup'), ctx.thresholds(hc.replication_lag_threshold_minutes * 60), t);
      case 'resource_utilization':
        return checkResources(ctx.mysql(side), side, hc.connection_saturation, t);
      case 'schema':
        return checkSchema(ctx.mysql(side), side, ctx.tables(), t);
      case 'airbyte_connection':
        return checkAirbyteConnection(
          ctx.airbyte(),
          ctx.connectionId(side),
          side,
          ctx.thresholds(hc.error_rate_threshold),
          t,
        );
      case 's3_uploads': {
        const b = side === 'primary' ? ctx.system.s3.buckets.production : ctx.system.s3.buckets.backup;
        return checkS3Freshness(ctx.s3(), side, b.name, b.prefix, ctx.thresholds(hc.s3_freshness_threshold_hours), t);
      }
    }
  }

  return {
    /** One check now, e.g. the primary's connectivity during a backoff retry. */
    runCheck: async (systemId: string, request: CheckRequest): Promise<CheckResult> => {
      const result = await runOne(systemId, request);
      recordCheckResults(activityMeter(), systemId, [result]);
      return result;
    },

    /** A round of checks, concurrently, each bounded by the check timeout. Default: the full round. */
    runChecks: async (systemId: string, requests: CheckRequest[] = fullRound): Promise<CheckResult[]> => {
      const results = await Promise.all(requests.map((r) => runOne(systemId, r)));
      recordCheckResults(activityMeter(), systemId, results);
      return results;
    },
  };
}

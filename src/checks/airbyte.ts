// airbyte_connection: the connection's status and the error rate of its recent sync jobs.
import type { AirbyteClient } from '../integrations/airbyte/client.js';
import { runCheck } from './run.js';
import type { CheckResult, Side, Thresholds } from './types.js';

/** Jobs looked at for the error rate. */
const recentJobs = 20;

/**
 * The primary connection must be active; the backup connection is inactive by design until a
 * failover, so for it only a deprecated or locked status is a failure.
 */
export function checkAirbyteConnection(
  client: AirbyteClient,
  connectionId: string,
  side: Side,
  errorRate: Thresholds,
  timeoutMs: number,
): Promise<CheckResult> {
  return runCheck(
    { check: 'airbyte_connection', side, target: connectionId, unit: 'ratio', ...errorRate, timeoutMs },
    async () => {
      const conn = await client.getConnection(connectionId);
      const { data } = await client.listJobs(connectionId, { limit: recentJobs });
      const ended = data.filter((j) => j.status === 'succeeded' || j.status === 'failed' || j.status === 'cancelled');
      const failed = ended.filter((j) => j.status === 'failed').length;
      const rate = ended.length === 0 ? 0 : failed / ended.length;
      const details = {
        connection_status: conn.status,
        recent_jobs: ended.length,
        failed_jobs: failed,
        last_job_status: data[0]?.status ?? null,
      };
      const badStatus =
        side === 'primary' ? conn.status !== 'active' : conn.status === 'deprecated' || conn.status === 'locked';
      if (badStatus) {
        return {
          value: rate,
          status: 'unhealthy',
          details,
          error: { code: 'CONNECTION_NOT_ACTIVE', message: `connection is ${conn.status}` },
        };
      }
      const over = errorRate.fail !== null && rate >= errorRate.fail;
      return {
        value: Math.round(rate * 1000) / 1000,
        details,
        ...(over
          ? { error: { code: 'SYNC_ERROR_RATE', message: `${failed} of the last ${ended.length} sync jobs failed` } }
          : {}),
      };
    },
  );
}

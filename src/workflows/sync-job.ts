// One Airbyte sync of a connection, followed to its end on durable timers: poll at the configured
// interval, cancel the job at the timeout. Used by the failover and by the recovery's primary sync.
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { FailoverSettings } from '../activities/settings.js';
import type { Side } from '../checks/types.js';
import type { JobResponse } from '../integrations/airbyte/api-types.js';

const api = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

const ended = (j: JobResponse): boolean =>
  j.status === 'succeeded' || j.status === 'failed' || j.status === 'cancelled';

export async function syncToEnd(
  systemId: string,
  side: Side,
  settings: Pick<FailoverSettings, 'jobPollIntervalMs' | 'jobTimeoutMs'>,
  step: (line: string) => void,
  label: string,
): Promise<JobResponse> {
  const { job, adopted } = await api.triggerSync(systemId, side);
  step(`${side} sync ${adopted ? 'adopted' : 'triggered'}: job ${job.jobId}${label ? ` (${label})` : ''}`);
  const deadline = Date.now() + settings.jobTimeoutMs;
  let current = job;
  while (!ended(current)) {
    if (Date.now() >= deadline) {
      await api.cancelSyncJob(systemId, job.jobId);
      step(`job ${job.jobId} cancelled after ${settings.jobTimeoutMs / 60_000} minutes`);
      throw ApplicationFailure.nonRetryable(
        `${side} sync job ${job.jobId} timed out after ${settings.jobTimeoutMs / 60_000} minutes`,
        'SyncTimeout',
      );
    }
    await sleep(settings.jobPollIntervalMs);
    current = await api.getSyncJob(systemId, job.jobId);
  }
  step(`job ${job.jobId} ${current.status}${current.rowsSynced !== undefined ? `, ${current.rowsSynced} rows` : ''}`);
  return current;
}

// Return to the primary after a failover (the seed's "plan the return to the primary when it is
// healthy"), started by an operator: only when every primary check passes, activate the primary
// connection before deactivating the backup one (the pipeline is never without a connection), sync
// the primary, and confirm fresh production data landed. If a step fails, the connection statuses
// are put back as they were and a human is told.
import { ApplicationFailure } from '@temporalio/workflow';
import type { CheckRequest } from '../activities/checks.js';
import type { CheckResult } from '../checks/types.js';
import { connectionStatuses, restoreConnections } from './connections.js';
import { syncToEnd } from './sync-job.js';
import { thisRunUrl, timestampedAppender } from './this-run.js';
import { api } from './activity-calls.js';

export interface ReturnToPrimaryInput {
  systemId: string;
  reason: string;
  by: string;
}

export interface ReturnToPrimaryResult {
  status: 'succeeded' | 'refused' | 'failed';
  steps: string[];
  error?: string;
}

/** The primary must be sound before it takes the pipeline back. */
const primaryReady: CheckRequest[] = [
  { check: 'mysql_connectivity', side: 'primary' },
  { check: 'data_freshness', side: 'primary' },
  { check: 'resource_utilization', side: 'primary' },
  { check: 'schema', side: 'primary' },
];
/** After the sync: the connection is active and healthy, and fresh files reached production. */
const primaryDelivering: CheckRequest[] = [
  { check: 'airbyte_connection', side: 'primary' },
  { check: 's3_uploads', side: 'primary' },
];

const failing = (results: CheckResult[]): string[] =>
  results.filter((r) => r.status === 'unhealthy').map((r) => `${r.check}: ${r.error?.message ?? 'unhealthy'}`);

export async function returnToPrimary(input: ReturnToPrimaryInput): Promise<ReturnToPrimaryResult> {
  const { systemId } = input;
  const settings = await api.getFailoverSettings(systemId);
  const runUrl = thisRunUrl(settings.temporalUiUrl);
  const steps: string[] = [];
  const step = timestampedAppender(steps);
  step(`started by ${input.by}: ${input.reason}`);

  const notReady = failing(await api.runChecks(systemId, primaryReady));
  if (notReady.length > 0) {
    step(`refused: the primary is not ready (${notReady.join('; ')})`);
    return { status: 'refused', steps, error: `the primary is not ready: ${notReady.join('; ')}` };
  }
  step('primary checks pass');

  const before = await connectionStatuses(systemId);
  try {
    await api.setAirbyteConnectionStatus(systemId, 'primary', 'active');
    step('primary connection activated');
    await api.setAirbyteConnectionStatus(systemId, 'backup', 'inactive');
    step('backup connection deactivated');
    const job = await syncToEnd(systemId, 'primary', settings, step, 'return to the primary');
    if (job.status !== 'succeeded')
      throw ApplicationFailure.nonRetryable(`primary sync ended ${job.status}`, 'SyncFailed');
    const notDelivering = failing(await api.runChecks(systemId, primaryDelivering));
    if (notDelivering.length > 0)
      throw ApplicationFailure.nonRetryable(`after the sync: ${notDelivering.join('; ')}`, 'NotDelivering');
    step('production data fresh, primary connection healthy');
    await api.sendNotification(systemId, {
      notice: {
        severity: 'info',
        title: 'Back on the primary',
        whatHappened: `${input.reason} (by ${input.by}).`,
        whatIsBeingDone: `The primary connection feeds the pipeline again; sync job ${job.jobId} copied ${job.rowsSynced ?? 0} rows. The backup connection is inactive, ready for the next failover.`,
        nextSteps: ['Close the incident', 'Write the post-mortem'],
        temporalUrl: runUrl,
      },
    });
    return { status: 'succeeded', steps };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    step(await restoreConnections(systemId, before));
    await api.sendNotification(systemId, {
      notice: {
        severity: 'critical',
        title: 'Return to the primary FAILED',
        whatHappened: `${input.reason}. The return to the primary failed: ${error}`,
        whatIsBeingDone: `The connections were restored (primary ${before.primary}, backup ${before.backup}): the pipeline stays on the backup.`,
        nextSteps: ['Investigate the primary sync', 'Retry the return when the cause is fixed'],
        temporalUrl: runUrl,
      },
      withContacts: true,
    });
    return { status: 'failed', steps, error };
  }
}

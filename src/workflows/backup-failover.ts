// Backup failover (seed: EmergencyBackupActivator), as a durable workflow: deactivate the primary
// connection, activate the backup one, sync it (polling on durable timers, cancelling on timeout,
// retrying failed syncs per the seed's retry policy), validate the backup data by reading it, and
// notify. If a step fails after the primary was deactivated, the previous connection statuses are
// restored, so no connection is left inactive silently, and the notification says so.
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import { connectionStatuses, restoreConnections } from './connections.js';
import { syncToEnd } from './sync-job.js';
import type { BackupValidation } from '../activities/backup-validation.js';
import type { JobResponse } from '../integrations/airbyte/api-types.js';
import { syncRetryDelayMs } from '../decisions/recovery-strategy.js';
import { thisRunUrl, timestampedAppender } from './this-run.js';
import { api, validation } from './activity-calls.js';

export interface BackupFailoverInput {
  systemId: string;
  reason: string;
}

export interface BackupFailoverResult {
  status: 'succeeded' | 'failed';
  jobId?: number;
  rowsSynced?: number;
  validation?: BackupValidation;
  /** What was done, in order, for people. */
  steps: string[];
  /** The connection statuses were put back after a failure. */
  compensated: boolean;
  error?: string;
}

export async function backupFailover(input: BackupFailoverInput): Promise<BackupFailoverResult> {
  const { systemId } = input;
  const settings = await api.getFailoverSettings(systemId);
  const runUrl = thisRunUrl(settings.temporalUiUrl);
  const steps: string[] = [];
  const step = timestampedAppender(steps);

  const before = await connectionStatuses(systemId);
  let primaryDeactivated = false;

  try {
    await api.setAirbyteConnectionStatus(systemId, 'primary', 'inactive');
    primaryDeactivated = true;
    step('primary connection deactivated');
    await api.setAirbyteConnectionStatus(systemId, 'backup', 'active');
    step('backup connection activated');

    let job: JobResponse | undefined;
    for (let attempt = 1; attempt <= settings.syncMaxAttempts; attempt++) {
      job = await syncToEnd(systemId, 'backup', settings, step, `attempt ${attempt}/${settings.syncMaxAttempts}`);
      // A cancelled job was stopped on purpose (by us or an operator): never retried.
      if (job.status !== 'failed' || attempt === settings.syncMaxAttempts) break;
      const why = await api.getSyncJobFailure(systemId, job.jobId);
      if (why && !why.retryable) {
        step(`not retried: ${why.failureType}: ${why.message}`);
        break;
      }
      const wait = syncRetryDelayMs(
        attempt,
        settings.syncInitialDelayMs,
        settings.syncMaxDelayMs,
        settings.syncMultiplier,
      );
      step(`retrying the backup sync in ${wait / 60_000} minutes`);
      await sleep(wait);
    }
    if (job?.status !== 'succeeded') {
      throw ApplicationFailure.nonRetryable(`backup sync ended ${job?.status ?? 'without a job'}`, 'SyncFailed');
    }

    const checked = await validation.validateBackup(systemId);
    step(`backup validated: ${checked.clean ? 'clean' : checked.problems.join('; ')}`);
    if (!checked.clean)
      throw ApplicationFailure.nonRetryable(
        `backup data is not clean: ${checked.problems.join('; ')}`,
        'BackupNotClean',
      );

    const files = checked.streams.reduce((n, s) => n + s.files, 0);
    await api.sendNotification(systemId, {
      notice: {
        severity: 'warning',
        title: 'Backup system activated',
        whatHappened: `${input.reason}. The backup connection now feeds the pipeline.`,
        whatIsBeingDone: `Backup sync job ${job.jobId} copied ${job.rowsSynced ?? 0} rows; ${files} Parquet files read and validated clean.`,
        nextSteps: [
          'Monitor backup system stability',
          'Investigate the primary',
          'Plan the return to the primary when it is healthy',
        ],
        temporalUrl: runUrl,
      },
    });
    return {
      status: 'succeeded',
      jobId: job.jobId,
      rowsSynced: job.rowsSynced,
      validation: checked,
      steps,
      compensated: false,
    };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    let compensated = false;
    if (primaryDeactivated) {
      // Put both connections back as they were: a failed failover must not leave the pipeline without a connection.
      step(await restoreConnections(systemId, before));
      compensated = true;
    }
    await api.sendNotification(systemId, {
      notice: {
        severity: 'critical',
        title: 'Backup activation FAILED',
        whatHappened: `${input.reason}. The failover to the backup failed: ${error}`,
        whatIsBeingDone: compensated
          ? `The connections were restored to their previous statuses (primary ${before.primary}, backup ${before.backup}).`
          : 'No connection was changed.',
        nextSteps: [
          'Manual intervention needed immediately',
          'Both primary and backup may be down',
          'Escalate to the on-call engineer',
        ],
        temporalUrl: runUrl,
      },
      withContacts: true,
    });
    return { status: 'failed', steps, compensated, error };
  }
}

// Data-corruption recovery (seed "Cenário 2"): move the production data into quarantine (manifest
// first, every copy verified before its original is deleted; resumable), then validate the backup
// by reading its Parquet files against the configured thresholds. A clean backup is restored
// through the backup failover child (backup connection on, sync to the end, validate again); a
// backup that is not clean raises a critical Slack + PagerDuty alert: downstream must stop. Started
// by the auto-recovery on `data_corruption`, or by an operator (`quarantine <system>`).
import {
  ApplicationFailure,
  executeChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { BackupValidation } from '../activities/backup-validation.js';
import type { QuarantineReport } from '../activities/quarantine.js';
import { backupFailover, type BackupFailoverResult } from './backup-failover.js';
import {
  activityProgressSignal,
  dataCorruptionStatusQuery,
  searchAttributeKeys,
  type DataCorruptionStatus,
} from './definitions.js';
import { thisRunUrl, timestampedAppender } from './this-run.js';
import { api, validation } from './activity-calls.js';

/** It heartbeats every object: a killed worker is noticed within 30 s and the retry resumes. */
const mover = proxyActivities<Activities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface DataCorruptionRecoveryInput {
  systemId: string;
  reason: string;
  /** Who started it: the auto-recovery or a person. */
  by: string;
  /** Quarantine the production data, and stop there (no backup validation, no restore). */
  quarantineOnly?: boolean;
}

export type DataCorruptionOutcome = 'quarantined' | 'restored' | 'backup_not_clean' | 'restore_failed';

export interface DataCorruptionRecoveryResult {
  outcome: DataCorruptionOutcome;
  quarantine: QuarantineReport;
  validation?: BackupValidation;
  restore?: BackupFailoverResult;
  story: string[];
}

const pad = (n: number): string => String(n).padStart(2, '0');

export async function dataCorruptionRecovery(
  input: DataCorruptionRecoveryInput,
): Promise<DataCorruptionRecoveryResult> {
  const { systemId } = input;
  const info = workflowInfo();
  const status: DataCorruptionStatus = { phase: 'quarantining', story: [] };
  const story = timestampedAppender(status.story);
  const setPhase = (phase: DataCorruptionStatus['phase']): void => {
    status.phase = phase;
    upsertSearchAttributes([{ key: searchAttributeKeys.phase, value: phase }]);
  };
  setHandler(dataCorruptionStatusQuery, () => status);
  setHandler(activityProgressSignal, (progress) => void (status.inProgress = progress));
  upsertSearchAttributes([
    { key: searchAttributeKeys.system, value: systemId },
    { key: searchAttributeKeys.failureType, value: 'data_corruption' },
  ]);
  setPhase('quarantining');
  const settings = await api.getFailoverSettings(systemId);
  const runUrl = thisRunUrl(settings.temporalUiUrl);
  story(`started by ${input.by}: ${input.reason}`);

  // Fixed for the whole run (workflow time is replayed identically): every retry resumes the same quarantine.
  const now = new Date();
  const datePath = `${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}`;
  const quarantineId = `${systemId}_quarantine_${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_')}`;
  let quarantine: QuarantineReport;
  try {
    quarantine = await mover.quarantineProduction(systemId, { quarantineId, datePath });
  } catch (err) {
    // An activity failure wraps the activity's own error: that is the one worth telling.
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    setPhase('failed');
    story(`quarantine failed: ${why}`);
    await api.sendNotification(systemId, {
      notice: {
        severity: 'critical',
        title: 'Data corruption: quarantine FAILED',
        whatHappened: `${input.reason}. Moving the production data into quarantine failed: ${why}`,
        whatIsBeingDone: `No original was deleted without a verified copy. Manifest and copies so far: s3 quarantine folder ${quarantineId} of ${datePath}. No restore was started.`,
        nextSteps: ['Stop downstream processes reading production', 'Manual intervention needed'],
        temporalUrl: runUrl,
      },
      withContacts: true,
      page: { incidentId: info.runId, action: 'trigger' },
    });
    throw ApplicationFailure.nonRetryable(`quarantine failed: ${why}`, 'QuarantineFailed');
  } finally {
    status.inProgress = undefined;
  }
  status.quarantine = quarantine;
  story(
    `quarantined ${quarantine.objects} objects (${quarantine.bytes} bytes) from ${quarantine.source} to ${quarantine.destination}; manifest ${quarantine.manifest}`,
  );
  await api.sendNotification(systemId, {
    notice: {
      severity: 'warning',
      title: 'Data corruption: production data quarantined',
      whatHappened: input.reason,
      whatIsBeingDone: `${quarantine.objects} objects moved from ${quarantine.source} to ${quarantine.destination}, each copy verified before its original was deleted (manifest ${quarantine.manifest}). ${
        input.quarantineOnly ? 'Quarantine only: no restore was started.' : 'Validating the backup before restoring it.'
      }`,
      nextSteps: ['Analyse the quarantined data', 'Find the source of the corruption'],
      temporalUrl: runUrl,
    },
  });
  if (input.quarantineOnly) {
    setPhase('done');
    return { outcome: 'quarantined', quarantine, story: status.story };
  }

  setPhase('validating_backup');
  const checked = await validation.validateBackup(systemId);
  status.validation = { clean: checked.clean, problems: checked.problems, day: checked.day };
  const counts = checked.streams
    .map(
      (s) => `${s.stream}: ${s.rows} rows, ${(s.nullFraction * 100).toFixed(1)} % null, ${s.duplicateRows} duplicates`,
    )
    .join('; ');
  story(`backup ${checked.day} ${checked.clean ? 'clean' : `NOT clean: ${checked.problems.join('; ')}`} (${counts})`);
  if (!checked.clean) {
    setPhase('failed');
    await api.sendNotification(systemId, {
      notice: {
        severity: 'critical',
        title: 'CRITICAL: data corruption in production AND in the backup',
        whatHappened: `${input.reason}. The backup of ${checked.day} is not clean either: ${checked.problems.join('; ')}`,
        whatIsBeingDone: `Production data quarantined at ${quarantine.destination}. No restore was started: the backup would bring the corruption back.`,
        nextSteps: [
          'STOP ALL DOWNSTREAM PROCESSES NOW',
          'Escalate to the CTO immediately',
          'Contact ACODE support for source data verification',
          'Prepare the business continuity procedures',
        ],
        temporalUrl: runUrl,
      },
      withContacts: true,
      page: { incidentId: info.runId, action: 'trigger' },
    });
    return { outcome: 'backup_not_clean', quarantine, validation: checked, story: status.story };
  }

  setPhase('restoring');
  const restore = await executeChild(backupFailover, {
    workflowId: `${info.workflowId}-restore`,
    args: [{ systemId, reason: `data corruption: restoring from the clean backup (${input.reason})` }],
    typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
  });
  for (const s of restore.steps) story(`restore: ${s.replace(/^\S+ /, '')}`);
  const restored = restore.status === 'succeeded';
  setPhase(restored ? 'done' : 'failed');
  return {
    outcome: restored ? 'restored' : 'restore_failed',
    quarantine,
    validation: checked,
    restore,
    story: status.story,
  };
}

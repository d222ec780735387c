// Daily archive of the backup snapshots (seed: backup -> farmarcas-archive/acode_historical), run by
// a schedule per system. One activity copies and verifies the files, heartbeating; the result is
// also written to the audit log.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ArchiveReport } from '../activities/archive.js';
import { messages } from './activity-calls.js';

const { archiveBackupSnapshots } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '30 seconds', maximumAttempts: 3 },
});
const { writeAuditRecord } = messages;

export interface ArchiveSnapshotsInput {
  systemId: string;
}

export interface ArchiveRunResult extends ArchiveReport {
  auditRecord: string;
}

export async function archiveSnapshots({ systemId }: ArchiveSnapshotsInput): Promise<ArchiveRunResult> {
  const report = await archiveBackupSnapshots(systemId);
  const auditRecord = await writeAuditRecord(systemId, {
    kind: 'archive',
    at: new Date().toISOString(),
    copied: report.copied.length,
    skipped: report.skipped,
    bytes: report.bytes,
    files: report.copied.map((f) => ({ to: f.to, checksum: f.checksum })),
  });
  return { ...report, auditRecord };
}

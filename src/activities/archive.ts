// Archive of the backup snapshots: every snapshot file under each backup stream is copied into the
// archive bucket's historical layout (by the snapshot day in its path) and verified (size, then checksum) like quarantine copies.
// The backup connection overwrites its stream on each sync, so the archive is what keeps history.
// Idempotent: a file already archived and verified identical is skipped, so a retried or repeated
// run copies only what is missing; heartbeats carry the progress.
import { heartbeat, log } from '@temporalio/activity';
import { streamPrefix } from '../integrations/airbyte/path-format.js';
import { archiveKey, snapshotDayOf } from '../integrations/s3/archive-layout.js';
import { listAll } from '../integrations/s3/list.js';
import { copyObject, verifyCopy, VerificationError, type ObjectRef } from '../integrations/s3/objects.js';
import type { SystemRegistry } from './context.js';

export interface ArchivedFile {
  from: string;
  to: string;
  bytes: number;
  checksum: string;
}

export interface ArchiveReport {
  copied: ArchivedFile[];
  /** Files whose archived copy was already there and identical. */
  skipped: number;
  bytes: number;
}

const isMissing = (e: unknown): boolean => e instanceof Error && (e.name === 'NotFound' || e.name === 'NoSuchKey');

export function createArchiveActivities(systems: SystemRegistry) {
  return {
    archiveBackupSnapshots: async (systemId: string): Promise<ArchiveReport> => {
      const ctx = systems.get(systemId);
      const { backup, archive } = ctx.system.s3.buckets;
      const s3 = ctx.s3();
      const report: ArchiveReport = { copied: [], skipped: 0, bytes: 0 };
      for (const table of ctx.system.mysql.tables) {
        for await (const o of listAll(s3, backup.name, streamPrefix(backup.prefix, backup.path_format, table.name))) {
          if (!o.Key || o.Key.endsWith('/') || !o.LastModified) continue;
          const from: ObjectRef = { bucket: backup.name, key: o.Key };
          // The day the path says (the sync's); the upload time when the path carries no date.
          const day = snapshotDayOf(backup.prefix, backup.path_format, table.name, o.Key) ?? o.LastModified;
          const to: ObjectRef = { bucket: archive.name, key: archiveKey(archive.prefix, table.name, day, o.Key) };
          try {
            await verifyCopy(s3, from, to);
            report.skipped += 1;
          } catch (e) {
            if (!(e instanceof VerificationError) && !isMissing(e)) throw e;
            await copyObject(s3, from, to);
            const verified = await verifyCopy(s3, from, to);
            report.copied.push({ from: from.key, to: to.key, ...verified });
            report.bytes += verified.bytes;
            log.info('snapshot archived', { systemId, from: from.key, to: to.key, bytes: verified.bytes });
          }
          heartbeat({ table: table.name, copied: report.copied.length, skipped: report.skipped });
        }
      }
      return report;
    },
  };
}

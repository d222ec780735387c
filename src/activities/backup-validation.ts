// Backup validation (seed: _validate_backup_data, which never read the files): list the day's
// backup partition of every stream, then really read every Parquet file, row group by row group,
// heartbeating the rows read so far.
import { heartbeat } from '@temporalio/activity';
import { dayPrefix } from '../integrations/airbyte/path-format.js';
import { RowFingerprintSet } from '../integrations/parquet/row-set.js';
import { inspectS3Parquet, type ParquetFileReport } from '../integrations/parquet/validate.js';
import { listAll } from '../integrations/s3/list.js';
import type { SystemRegistry } from './context.js';

export interface StreamValidation {
  stream: string;
  prefix: string;
  files: number;
  totalBytes: number;
  rows: number;
  nullFraction: number;
  duplicateRows: number;
  missingColumns: string[];
  unreadableFiles: { key: string; error: string }[];
}

export interface BackupValidation {
  bucket: string;
  day: string;
  streams: StreamValidation[];
  clean: boolean;
  /** Why it is not clean, one line a problem. */
  problems: string[];
}

export function summarizeStream(stream: string, prefix: string, reports: ParquetFileReport[]): StreamValidation {
  const rows = reports.reduce((n, r) => n + r.rows, 0);
  const dataCells = reports.reduce((n, r) => n + (r.nullFraction > 0 ? r.nullCells / r.nullFraction : 0), 0);
  const nullCells = reports.reduce((n, r) => n + r.nullCells, 0);
  return {
    stream,
    prefix,
    files: reports.length,
    totalBytes: reports.reduce((n, r) => n + r.bytes, 0),
    rows,
    nullFraction: dataCells === 0 ? 0 : nullCells / dataCells,
    duplicateRows: reports.reduce((n, r) => n + r.duplicateRows, 0),
    missingColumns: [...new Set(reports.flatMap((r) => r.missingColumns))],
    unreadableFiles: reports.filter((r) => r.error).map((r) => ({ key: r.key, error: r.error ?? '' })),
  };
}

export function createBackupValidationActivities(systems: SystemRegistry) {
  return {
    /** `day` is YYYY-MM-DD (UTC); default today. */
    validateBackup: async (systemId: string, day?: string): Promise<BackupValidation> => {
      const ctx = systems.get(systemId);
      const { backup } = ctx.system.s3.buckets;
      const limits = ctx.system.backup_validation;
      const date = day ? new Date(`${day}T00:00:00Z`) : new Date();
      const s3 = ctx.s3();
      let rowsRead = 0;
      const streams: StreamValidation[] = [];
      for (const table of ctx.system.mysql.tables) {
        const prefix = dayPrefix(backup.prefix, backup.path_format, table.name, date);
        const seen = new RowFingerprintSet();
        const reports: ParquetFileReport[] = [];
        for await (const o of listAll(s3, backup.name, prefix)) {
          if (!o.Key?.endsWith('.parquet')) continue;
          const before = rowsRead;
          reports.push(
            await inspectS3Parquet(
              s3,
              backup.name,
              o.Key,
              o.Size ?? 0,
              table.expected_columns,
              seen,
              undefined,
              (rows) => {
                rowsRead = before + rows;
                heartbeat({ stream: table.name, rowsRead });
              },
            ),
          );
        }
        streams.push(summarizeStream(table.name, prefix, reports));
      }
      const problems = streams.flatMap((s) => [
        ...(s.files === 0 ? [`${s.stream}: no backup files under s3://${backup.name}/${s.prefix}`] : []),
        ...(s.files > 0 && s.rows < limits.min_rows
          ? [`${s.stream}: ${s.rows} rows (minimum ${limits.min_rows})`]
          : []),
        ...s.unreadableFiles.map((f) => `${s.stream}: unreadable file ${f.key}: ${f.error}`),
        ...(s.missingColumns.length ? [`${s.stream}: files lack columns ${s.missingColumns.join(', ')}`] : []),
        ...(s.nullFraction >= limits.max_null_fraction
          ? [
              `${s.stream}: ${(s.nullFraction * 100).toFixed(1)} % null cells (limit ${limits.max_null_fraction * 100} %)`,
            ]
          : []),
        ...(s.duplicateRows >= limits.max_duplicate_rows
          ? [`${s.stream}: ${s.duplicateRows} duplicate rows (limit ${limits.max_duplicate_rows})`]
          : []),
      ]);
      return {
        bucket: backup.name,
        day: date.toISOString().slice(0, 10),
        streams,
        clean: problems.length === 0,
        problems,
      };
    },
  };
}

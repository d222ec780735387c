// Airbyte's S3 destination path format (s3_path_format): the variables it expands, and the
// prefixes that hold one stream's files, all days or one day.
import { randomUUID } from 'node:crypto';

/** Expands ${STREAM_NAME}, ${YEAR}, ${MONTH}, ${DAY}... in UTC; unknown variables stay as written. */
export function formatPath(format: string, stream: string, at: Date, namespace = ''): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const vars: Record<string, string> = {
    NAMESPACE: namespace,
    STREAM_NAME: stream,
    YEAR: String(at.getUTCFullYear()),
    MONTH: pad(at.getUTCMonth() + 1),
    DAY: pad(at.getUTCDate()),
    HOUR: pad(at.getUTCHours()),
    MINUTE: pad(at.getUTCMinutes()),
    SECOND: pad(at.getUTCSeconds()),
    EPOCH: String(at.getTime()),
    UUID: randomUUID(),
  };
  return format.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

const directoryOf = (p: string): string => p.slice(0, p.lastIndexOf('/') + 1);

/** The folder of a stream's files for one day, e.g. backup_x/backup_dt=2026-12-04/. */
export function dayPrefix(bucketPath: string, format: string, stream: string, day: Date): string {
  return bucketPath + directoryOf(formatPath(format, stream, day));
}

/** The part of a stream's path before any date or unique variable: all of its files, any day. */
export function streamPrefix(bucketPath: string, format: string, stream: string): string {
  const fixed = format.split(/\$\{(?!STREAM_NAME\}|NAMESPACE\})/)[0] ?? '';
  return bucketPath + formatPath(directoryOf(fixed), stream, new Date(0));
}

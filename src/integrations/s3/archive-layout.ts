// The archive bucket's historical layout (seed: farmarcas-archive/acode_historical/): one
// partition per stream and snapshot day, Hive-style so that Athena or Glue read it as a table:
// acode_historical/<stream>/year=YYYY/month=MM/day=DD/<file name>.

/** Where a backup snapshot file of `day` (UTC) is archived. */
export function archiveKey(archivePrefix: string, stream: string, day: Date, sourceKey: string): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const fileName = sourceKey.slice(sourceKey.lastIndexOf('/') + 1);
  return `${archivePrefix}${stream}/year=${day.getUTCFullYear()}/month=${pad(day.getUTCMonth() + 1)}/day=${pad(day.getUTCDate())}/${fileName}`;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The snapshot day written in a file's path by the destination's path format (its ${YEAR},
 * ${MONTH} and ${DAY}); undefined when the format has no date or the key does not follow it.
 */
export function snapshotDayOf(bucketPath: string, pathFormat: string, stream: string, key: string): Date | undefined {
  const digits: Record<string, number> = { YEAR: 4, MONTH: 2, DAY: 2 };
  const captured = new Set<string>();
  const pattern = pathFormat
    .split(/(\$\{[A-Z_]+\})/)
    .map((piece) => {
      const name = /^\$\{([A-Z_]+)\}$/.exec(piece)?.[1];
      if (name === undefined) return escapeRegExp(piece);
      if (name === 'STREAM_NAME') return escapeRegExp(stream);
      const n = digits[name];
      if (n === undefined) return '.*?';
      // Only the first use of a variable captures (a group name cannot repeat).
      const group = captured.has(name) ? '' : `?<${name}>`;
      captured.add(name);
      return `(${group}\\d{${n}})`;
    })
    .join('');
  const m = new RegExp(`^${escapeRegExp(bucketPath)}${pattern}`).exec(key)?.groups;
  if (!m?.YEAR || !m.MONTH || !m.DAY) return undefined;
  const day = new Date(`${m.YEAR}-${m.MONTH}-${m.DAY}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? undefined : day;
}

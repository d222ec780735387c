// Where a quarantine puts things (seed "Cenário 2": farmarcas-quarantine/acode/<date>/): one
// folder per quarantine run under the day, <prefix>YYYY/MM/DD/<quarantine id>/, holding the
// manifest (written before anything moves) and the moved objects under data/, keyed by their path
// relative to the production prefix.

/** One object to move, as listed when the quarantine started. */
export interface ManifestEntry {
  key: string;
  size: number;
  etag?: string;
}

export interface ManifestHeader {
  manifest: 1;
  quarantineId: string;
  sourceBucket: string;
  sourcePrefix: string;
  createdAt: string;
  objects: number;
  bytes: number;
}

export interface QuarantineLayout {
  folder: string;
  manifestKey: string;
  dataPrefix: string;
}

const quarantineIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const datePathPattern = /^\d{4}\/\d{2}\/\d{2}$/;

export function quarantineLayout(quarantinePrefix: string, datePath: string, quarantineId: string): QuarantineLayout {
  if (!quarantineIdPattern.test(quarantineId)) {
    throw new Error(`quarantine id '${quarantineId}' must be 1-128 letters, digits, _ . - (it names an S3 folder)`);
  }
  if (!datePathPattern.test(datePath)) throw new Error(`quarantine date '${datePath}' must be YYYY/MM/DD`);
  const folder = `${quarantinePrefix}${datePath}/${quarantineId}/`;
  return { folder, manifestKey: `${folder}manifest.jsonl`, dataPrefix: `${folder}data/` };
}

/** The quarantine key of a production key: the same path under data/, relative to the production prefix. */
export const quarantineKey = (layout: QuarantineLayout, sourcePrefix: string, key: string): string =>
  `${layout.dataPrefix}${key.slice(sourcePrefix.length)}`;

/** JSON lines: the header, then one entry per object. */
export function renderManifest(header: ManifestHeader, entries: readonly ManifestEntry[]): string {
  return [header, ...entries].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

export function parseManifest(text: string, where: string): { header: ManifestHeader; entries: ManifestEntry[] } {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      throw new Error(`${where}: line ${i + 1} is not JSON`);
    }
  });
  const [header, ...entries] = parsed as [ManifestHeader, ...ManifestEntry[]];
  if (header?.manifest !== 1) throw new Error(`${where}: the first line is not a version-1 manifest header`);
  if (entries.length !== header.objects) {
    throw new Error(`${where}: the header announces ${header.objects} objects, ${entries.length} are listed`);
  }
  entries.forEach((e, i) => {
    if (typeof e.key !== 'string' || typeof e.size !== 'number') {
      throw new Error(`${where}: line ${i + 2} is not an entry { key, size, etag }`);
    }
  });
  return { header, entries };
}

// Quarantine of the production data (seed "Cenário 2", `aws s3 mv` of the production prefix), made
// safe: the manifest of every object is written to the quarantine bucket first; then each object
// is copied, its copy verified (size, then ETag or SHA-256), and only verified originals are
// deleted, in DeleteObjects batches of 1,000, while copies continue in parallel. Idempotent per
// quarantine id: a retry after a worker was killed reads the same manifest and the state of both
// prefixes, skips copies already verified, deletes what is left, and never copies twice (the
// quarantine key of an object is fixed), so nothing is lost and nothing is duplicated.
import { GetObjectCommand, PutObjectCommand, type _Object, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { Context, heartbeat, log } from '@temporalio/activity';
import { listAll } from '../integrations/s3/list.js';
import { copyObject, deleteKeys, verifyCopy, VerificationError } from '../integrations/s3/objects.js';
import {
  parseManifest,
  quarantineKey,
  quarantineLayout,
  renderManifest,
  type ManifestEntry,
  type ManifestHeader,
  type QuarantineLayout,
} from '../integrations/s3/quarantine-layout.js';
import type { SystemRegistry } from './context.js';
import { progressReporter, type ProgressReport } from './progress.js';

export interface QuarantineRequest {
  /** Names the quarantine folder; the same on every retry, so a retry resumes instead of starting over. */
  quarantineId: string;
  /** YYYY/MM/DD (UTC) of the quarantine. */
  datePath: string;
  /** Objects in flight at once (default 32). */
  concurrency?: number;
}

export interface QuarantineReport {
  quarantineId: string;
  /** s3://bucket/prefix that was moved. */
  source: string;
  /** s3://bucket/folder/ of this quarantine (manifest.jsonl and data/). */
  destination: string;
  manifest: string;
  objects: number;
  bytes: number;
  /** The manifest was already there: an earlier attempt started this quarantine. */
  resumed: boolean;
  /** Copied and verified by this attempt. */
  copied: number;
  /** Found already copied and verified (an earlier attempt's work). */
  alreadyQuarantined: number;
  /** Originals deleted by this attempt. */
  deleted: number;
  durationMs: number;
}

const defaultConcurrency = 32;
/** Objects verified and deleted together: DeleteObjects takes at most 1,000 keys. */
const chunkSize = 1000;

const isNoSuchKey = (e: unknown): boolean => e instanceof Error && (e.name === 'NoSuchKey' || e.name === 'NotFound');

/** A single-part ETag is the content's MD5 and comparable across copies; a multipart one ("...-N") is not. */
const md5Etag = (etag: string | undefined): string | undefined => (etag && !etag.includes('-') ? etag : undefined);

async function readManifest(s3: S3Client, bucket: string, key: string) {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return parseManifest((await res.Body?.transformToString('utf8')) ?? '', `s3://${bucket}/${key}`);
  } catch (e) {
    if (isNoSuchKey(e)) return undefined;
    throw e;
  }
}

/** Same size and same MD5 ETag: the listing proves the bytes identical. */
const sameBytes = (copy: _Object | undefined, original: _Object): boolean =>
  copy !== undefined &&
  copy.Size === original.Size &&
  md5Etag(original.ETag) !== undefined &&
  md5Etag(copy.ETag) === md5Etag(original.ETag);

/** The keys after `startAfter` up to `lastKey` (S3 lists in key order), read until `lastKey` shows. */
async function listRange(
  s3: S3Client,
  bucket: string,
  prefix: string,
  startAfter: string | undefined,
  lastKey: string,
  signal: AbortSignal,
): Promise<Map<string, _Object>> {
  const out = new Map<string, _Object>();
  for await (const o of listAll(s3, bucket, prefix, signal, startAfter)) {
    if (o.Key) out.set(o.Key, o);
    if (o.Key === lastKey) break;
  }
  return out;
}

/** Runs `fn` over `items`, `limit` at a time; the first failure stops taking new items and is thrown. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

export function createQuarantineActivities(systems: SystemRegistry) {
  return {
    quarantineProduction: async (systemId: string, req: QuarantineRequest): Promise<QuarantineReport> => {
      const started = Date.now();
      const ctx = systems.get(systemId);
      const { production, quarantine } = ctx.system.s3.buckets;
      if (!production.prefix) {
        throw ApplicationFailure.nonRetryable(
          `systems[${ctx.index}].s3.buckets.production.prefix is empty: refusing to quarantine the whole bucket ${production.name}`,
          'QuarantineRefused',
        );
      }
      const layout: QuarantineLayout = quarantineLayout(quarantine.prefix, req.datePath, req.quarantineId);
      const s3 = ctx.s3();
      const signal = Context.current().cancellationSignal;

      // 1. The manifest first: what this quarantine moves is fixed before anything moves.
      let manifest = await readManifest(s3, quarantine.name, layout.manifestKey);
      const resumed = manifest !== undefined;
      if (!manifest) {
        const entries: ManifestEntry[] = [];
        for await (const o of listAll(s3, production.name, production.prefix, signal)) {
          if (o.Key) entries.push({ key: o.Key, size: o.Size ?? 0, ...(o.ETag ? { etag: o.ETag } : {}) });
          heartbeat({ listed: entries.length });
        }
        const header: ManifestHeader = {
          manifest: 1,
          quarantineId: req.quarantineId,
          sourceBucket: production.name,
          sourcePrefix: production.prefix,
          createdAt: new Date().toISOString(),
          objects: entries.length,
          bytes: entries.reduce((n, e) => n + e.size, 0),
        };
        await s3.send(
          new PutObjectCommand({
            Bucket: quarantine.name,
            Key: layout.manifestKey,
            Body: renderManifest(header, entries),
            ContentType: 'application/x-ndjson',
            ServerSideEncryption: 'AES256',
          }),
        );
        manifest = { header, entries };
      }
      const { header, entries } = manifest;
      if (header.sourceBucket !== production.name || header.sourcePrefix !== production.prefix) {
        throw ApplicationFailure.nonRetryable(
          `s3://${quarantine.name}/${layout.manifestKey} lists s3://${header.sourceBucket}/${header.sourcePrefix}, not the configured s3://${production.name}/${production.prefix}`,
          'QuarantineManifestMismatch',
        );
      }

      // 2. Which originals are still in production (an earlier attempt may have deleted some).
      const originals = new Map<string, _Object>();
      for await (const o of listAll(s3, production.name, production.prefix, signal)) if (o.Key) originals.set(o.Key, o);
      log.info(resumed ? 'quarantine resumed' : 'quarantine started', {
        systemId,
        quarantineId: req.quarantineId,
        objects: entries.length,
        inProduction: originals.size,
      });

      // 3. Chunk by chunk, in manifest (= key) order: see what the quarantine already holds, copy the
      // rest in parallel, verify every copy against a listing of the quarantine (size and MD5 ETag;
      // SHA-256 of both for multipart objects), and delete the verified originals in one batch that
      // runs while the next chunk copies.
      const report = { copied: 0, alreadyQuarantined: 0, deleted: 0 };
      const concurrency = req.concurrency ?? defaultConcurrency;
      const lost: string[] = [];
      const deletions: Promise<void>[] = [];
      let previousKey: string | undefined;
      let done = 0;
      const progress = progressReporter();
      const moved = (): ProgressReport => ({
        what: `quarantine of s3://${production.name}/${production.prefix}`,
        done,
        total: entries.length,
        unit: 'objects',
      });
      try {
        for (let i = 0; i < entries.length; i += chunkSize) {
          const chunk = entries.slice(i, i + chunkSize).map((entry) => ({
            entry,
            from: { bucket: production.name, key: entry.key },
            to: { bucket: quarantine.name, key: quarantineKey(layout, production.prefix, entry.key) },
            original: originals.get(entry.key),
          }));
          const range = (): Promise<Map<string, _Object>> =>
            listRange(s3, quarantine.name, layout.dataPrefix, previousKey, chunk.at(-1)?.to.key ?? '', signal);
          let copies = await range();
          const toCopy = new Set(chunk.filter((c) => c.original && !sameBytes(copies.get(c.to.key), c.original)));
          if (toCopy.size > 0) {
            let copiedInChunk = 0;
            await forEachBounded([...toCopy], concurrency, signal, async (c) => {
              await copyObject(s3, c.from, c.to);
              copiedInChunk += 1;
              heartbeat({ done, total: entries.length, ...report, copying: copiedInChunk });
            });
            report.copied += toCopy.size;
            copies = await range();
          }
          const verified: string[] = [];
          for (const c of chunk) {
            const copy = copies.get(c.to.key);
            if (c.original) {
              // A multipart original's ETag is not its MD5: its bytes are compared instead.
              if (!sameBytes(copy, c.original) && !(copy?.Size === c.original.Size && !md5Etag(c.original.ETag)))
                throw new VerificationError(`the quarantine copy of ${c.entry.key} does not match it (size or MD5)`);
              if (!md5Etag(c.original.ETag)) await verifyCopy(s3, c.from, c.to);
              verified.push(c.entry.key);
            } else if (
              copy?.Size === c.entry.size &&
              (!md5Etag(c.entry.etag) || md5Etag(copy.ETag) === md5Etag(c.entry.etag))
            ) {
              // Deleted by an earlier attempt, which deletes only originals whose copy it verified.
            } else {
              lost.push(c.entry.key);
            }
            if (!toCopy.has(c) && copy) report.alreadyQuarantined += 1;
          }
          if (verified.length > 0) {
            deletions.push(
              deleteKeys(s3, production.name, verified).then(() => void (report.deleted += verified.length)),
            );
          }
          previousKey = chunk.at(-1)?.to.key;
          done += chunk.length;
          heartbeat({ done, total: entries.length, ...report });
          progress.report(moved());
        }
      } catch (e) {
        // Deletes in flight end before the failure is reported.
        await Promise.allSettled(deletions);
        throw e;
      }
      // A failed delete is reported, never left unobserved.
      await Promise.all(deletions);
      heartbeat({ done, total: entries.length, ...report });
      await progress.final(moved());

      if (lost.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `${lost.length} object(s) of the manifest are neither in production nor verified in quarantine (removed by something else?): ${lost.slice(0, 5).join(', ')}`,
          'QuarantineObjectsMissing',
        );
      }
      const result: QuarantineReport = {
        quarantineId: req.quarantineId,
        source: `s3://${production.name}/${production.prefix}`,
        destination: `s3://${quarantine.name}/${layout.folder}`,
        manifest: `s3://${quarantine.name}/${layout.manifestKey}`,
        objects: header.objects,
        bytes: header.bytes,
        resumed,
        ...report,
        durationMs: Date.now() - started,
      };
      log.info('quarantine done', { systemId, ...result });
      return result;
    },
  };
}

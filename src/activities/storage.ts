// Storage policies of a system's buckets: `verify` reports each drift (bucket + setting), `apply`
// creates missing buckets and writes each drifting setting, then verifies; a second apply finds
// nothing to change. The CLI calls the same functions directly; the worker runs them as activities.
import { log } from '@temporalio/activity';
import {
  bucketDrifts,
  desiredBuckets,
  type BucketState,
  type DesiredBucket,
  type Drift,
} from '../decisions/storage-drift.js';
import { bucketExists, createBucket, readBucketState, writeSetting } from '../integrations/s3/policies.js';
import type { SystemContext, SystemRegistry } from './context.js';

export interface StorageVerifyReport {
  systemId: string;
  buckets: string[];
  drifts: Drift[];
}

export interface StorageApplyReport {
  systemId: string;
  buckets: string[];
  /** What was changed: each setting with its value before (`actual`) and after (`desired`). */
  changes: Drift[];
}

async function actualState(ctx: SystemContext, d: DesiredBucket): Promise<BucketState | null> {
  const s3 = ctx.s3(d.region);
  return (await bucketExists(s3, d.bucket)) ? readBucketState(s3, d.bucket) : null;
}

export async function verifyStorage(ctx: SystemContext): Promise<StorageVerifyReport> {
  const desired = desiredBuckets(ctx.system);
  const drifts: Drift[] = [];
  for (const d of desired) drifts.push(...bucketDrifts(d, await actualState(ctx, d)));
  return { systemId: ctx.system.id, buckets: desired.map((d) => d.bucket), drifts };
}

export async function applyStorage(
  ctx: SystemContext,
  onChange: (change: Drift) => void = () => undefined,
): Promise<StorageApplyReport> {
  const desired = desiredBuckets(ctx.system);
  const changes: Drift[] = [];
  const record = (c: Drift): void => {
    changes.push(c);
    onChange(c);
  };
  // In order: a bucket's dependencies (log target, replication destination) come before it.
  for (const d of desired) {
    const s3 = ctx.s3(d.region);
    let actual = await actualState(ctx, d);
    if (!actual) {
      await createBucket(s3, d.bucket, d.region);
      record({ role: d.role, bucket: d.bucket, setting: 'bucket', desired: 'exists', actual: 'missing' });
      actual = await readBucketState(s3, d.bucket);
    }
    for (const drift of bucketDrifts(d, actual)) {
      if (drift.setting === 'bucket') continue;
      await writeSetting(s3, d.bucket, drift.setting, d.settings[drift.setting] as BucketState[typeof drift.setting]);
      record(drift);
    }
  }
  // What S3 accepted but did not keep (or normalised differently) would make every apply change it again.
  const left = await verifyStorage(ctx);
  if (left.drifts.length) {
    throw new Error(
      `storage apply for ${ctx.system.id}: still drifting after apply: ${left.drifts
        .map((x) => `${x.bucket} ${x.setting}`)
        .join(', ')}`,
    );
  }
  return { systemId: ctx.system.id, buckets: desired.map((d) => d.bucket), changes };
}

export function createStorageActivities(systems: SystemRegistry) {
  return {
    verifyStoragePolicies: async (systemId: string): Promise<StorageVerifyReport> => {
      const report = await verifyStorage(systems.get(systemId));
      if (report.drifts.length) {
        log.warn('storage policy drift', {
          systemId,
          drifts: report.drifts.map((d) => `${d.bucket} ${d.setting}`),
        });
      }
      return report;
    },
    applyStoragePolicies: (systemId: string): Promise<StorageApplyReport> =>
      applyStorage(systems.get(systemId), (c) => {
        log.info('storage setting applied', { systemId, bucket: c.bucket, setting: c.setting });
      }),
  };
}

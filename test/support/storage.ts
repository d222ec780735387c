// Storage tests work on buckets of their own: the sandbox config with every bucket name given a
// unique prefix, written to a temporary file; and the clean-up that empties and deletes them.
import {
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketLoggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localConfigPath } from '../../src/stack/paths.js';

/** A copy of the sandbox config whose bucket names (all `farmarcas-...`) start with a fresh prefix. */
export function isolatedBucketsConfig(): { configFile: string; bucketPrefix: string } {
  const bucketPrefix = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}-`;
  const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'guardian-storage-')), 'config.yaml');
  writeFileSync(
    configFile,
    readFileSync(localConfigPath, 'utf8')
      .replaceAll('name: farmarcas-', `name: ${bucketPrefix}farmarcas-`)
      .replaceAll('destination_bucket: farmarcas-', `destination_bucket: ${bucketPrefix}farmarcas-`),
  );
  return { configFile, bucketPrefix };
}

/** Empties (every version) and deletes the buckets whose names start with `prefix`. */
export async function deleteBucketsWithPrefix(s3: S3Client, prefix: string): Promise<string[]> {
  const deleted: string[] = [];
  const names = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? [])
    .map((b) => b.Name ?? '')
    .filter((n) => n.startsWith(prefix))
    // Access-log targets last: requests on a logged bucket write logs into them.
    .sort((a, b) => Number(a.includes('audit-logs')) - Number(b.includes('audit-logs')));
  for (const Bucket of names) {
    // A test may leave a policy that denies deletes; logging off so emptying writes no new logs.
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} }));
    for (;;) {
      const v = await s3.send(new ListObjectVersionsCommand({ Bucket }));
      const objects = [...(v.Versions ?? []), ...(v.DeleteMarkers ?? [])].map((o) => ({
        Key: o.Key ?? '',
        VersionId: o.VersionId,
      }));
      if (objects.length === 0) break;
      const res = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects, Quiet: true } }));
      if (res.Errors?.length) throw new Error(`cannot empty ${Bucket}: ${res.Errors[0]?.Code ?? 'error'}`);
    }
    await s3.send(new DeleteBucketCommand({ Bucket }));
    deleted.push(Bucket);
  }
  return deleted;
}

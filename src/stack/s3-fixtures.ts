// Sandbox S3 fixtures for the quarantine test and benchmark: many small objects under a prefix,
// written concurrently, each with its own content; and the removal of a whole prefix.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listAll } from '../integrations/s3/list.js';
import { deleteKeys } from '../integrations/s3/objects.js';

/** Writes `count` objects under `prefix` (two stream folders, like Airbyte's); returns key -> content. */
export async function fillPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  count: number,
  concurrency = 32,
): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const key = `${prefix}stream_${i % 2}/part_${String(i).padStart(6, '0')}.parquet`;
    objects.set(key, `object ${i} of ${prefix}: ${'x'.repeat(i % 97)}`);
  }
  const entries = [...objects];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let e = entries[next++]; e; e = entries[next++]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: e[0], Body: e[1] }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return objects;
}

/** Deletes everything under `prefix`; returns how many objects were there. */
export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  const keys: string[] = [];
  for await (const o of listAll(s3, bucket, prefix)) if (o.Key) keys.push(o.Key);
  await deleteKeys(s3, bucket, keys);
  return keys.length;
}

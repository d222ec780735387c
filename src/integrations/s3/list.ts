// Listing that pages through every ListObjectsV2 page (the seed's check read only the first 10 keys).
import { ListObjectsV2Command, type _Object, type S3Client } from '@aws-sdk/client-s3';

export async function* listAll(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  /** Start after this key (S3 lists in key order): to list a range of keys. */
  startAfter?: string,
): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, StartAfter: startAfter }),
      {
        ...(signal ? { abortSignal: signal } : {}),
      },
    );
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

export interface ListingSummary {
  count: number;
  totalBytes: number;
  newest?: { key: string; lastModified: Date };
}

export async function summarize(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<ListingSummary> {
  const summary: ListingSummary = { count: 0, totalBytes: 0 };
  for await (const o of listAll(s3, bucket, prefix, signal)) {
    summary.count += 1;
    summary.totalBytes += o.Size ?? 0;
    if (o.Key && o.LastModified && (!summary.newest || o.LastModified > summary.newest.lastModified)) {
      summary.newest = { key: o.Key, lastModified: o.LastModified };
    }
  }
  return summary;
}

// A Parquet file on S3 read through ranged GETs: hyparquet fetches the footer, then only the
// column chunks of the row group in hand, so memory is bounded by a row group, not the file.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';

export function s3AsyncBuffer(
  s3: S3Client,
  bucket: string,
  key: string,
  byteLength: number,
  signal?: AbortSignal,
): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const last = (end ?? byteLength) - 1;
      if (last < start) return new ArrayBuffer(0);
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${last}` }), {
        ...(signal ? { abortSignal: signal } : {}),
      });
      const bytes = await res.Body?.transformToByteArray();
      if (!bytes) throw new Error(`empty body reading s3://${bucket}/${key} bytes ${start}-${last}`);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

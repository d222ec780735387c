// Building blocks for quarantine and emergency dumps: verified moves (copy, verify size and
// checksum, only then delete) and streamed multipart uploads whose memory does not grow with size.
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export class VerificationError extends Error {
  readonly code = 'COPY_NOT_VERIFIED';
}

const head = (s3: S3Client, o: ObjectRef): Promise<HeadObjectCommandOutput> =>
  s3.send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.key }));

/** SHA-256 of an object, streamed. */
export async function sha256Of(s3: S3Client, o: ObjectRef): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key }));
  const hash = createHash('sha256');
  for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A single-part ETag is the content's MD5; a multipart one ("...-N") is not comparable across copies. */
const comparableEtag = (etag: string | undefined): string | undefined =>
  etag && !etag.includes('-') ? etag : undefined;

/** Checks that `copy` holds the same bytes as `original`: size always, then ETag or, failing that, SHA-256. */
export async function verifyCopy(
  s3: S3Client,
  original: ObjectRef,
  copy: ObjectRef,
): Promise<{ bytes: number; checksum: string }> {
  const [a, b] = await Promise.all([head(s3, original), head(s3, copy)]);
  if (a.ContentLength !== b.ContentLength) {
    throw new VerificationError(
      `size differs: ${original.key} has ${a.ContentLength} bytes, its copy ${b.ContentLength}`,
    );
  }
  const etagA = comparableEtag(a.ETag);
  const etagB = comparableEtag(b.ETag);
  if (etagA && etagB) {
    if (etagA !== etagB) throw new VerificationError(`checksum differs for ${original.key}: ${etagA} vs ${etagB}`);
    return { bytes: a.ContentLength ?? 0, checksum: `md5:${etagA.replaceAll('"', '')}` };
  }
  const [ha, hb] = await Promise.all([sha256Of(s3, original), sha256Of(s3, copy)]);
  if (ha !== hb) throw new VerificationError(`checksum differs for ${original.key}: sha256 ${ha} vs ${hb}`);
  return { bytes: a.ContentLength ?? 0, checksum: `sha256:${ha}` };
}

/** Server-side copy, keeping the original's encryption; the caller decides when to delete. */
export async function copyObject(s3: S3Client, from: ObjectRef, to: ObjectRef): Promise<void> {
  await s3.send(
    new CopyObjectCommand({
      Bucket: to.bucket,
      Key: to.key,
      CopySource: `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`,
      ServerSideEncryption: 'AES256',
    }),
  );
}

/** Copy, verify, then delete: the original is removed only once its copy is proven identical. */
export async function moveVerified(
  s3: S3Client,
  from: ObjectRef,
  to: ObjectRef,
): Promise<{ bytes: number; checksum: string }> {
  await copyObject(s3, from, to);
  const verified = await verifyCopy(s3, from, to);
  await deleteKeys(s3, from.bucket, [from.key]);
  return verified;
}

/** Batched deletes (1,000 keys a request, the API's limit); fails naming the keys S3 refused. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const res = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (res.Errors?.length) {
      throw new Error(
        `S3 refused to delete ${res.Errors.length} object(s): ${res.Errors.slice(0, 3)
          .map((e) => `${e.Key} (${e.Code})`)
          .join(', ')}`,
      );
    }
  }
}

export interface StreamUploadOptions {
  contentType?: string;
  /** Bytes per part (S3 minimum 5 MiB); memory is about partSize x queueSize. */
  partSize?: number;
  queueSize?: number;
  onProgress?: (uploadedBytes: number) => void;
  signal?: AbortSignal;
}

/** Streams `body` to S3 as a multipart upload (lib-storage), encrypted at rest. Returns the bytes sent. */
export async function uploadStream(
  s3: S3Client,
  to: ObjectRef,
  body: Readable,
  opts: StreamUploadOptions = {},
): Promise<number> {
  let uploaded = 0;
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: to.bucket,
      Key: to.key,
      Body: body,
      ContentType: opts.contentType,
      ServerSideEncryption: 'AES256',
    },
    partSize: opts.partSize ?? 8 * 1024 * 1024,
    queueSize: opts.queueSize ?? 2,
    leavePartsOnError: false,
    ...(opts.signal ? { abortController: toAbortController(opts.signal) } : {}),
  });
  upload.on('httpUploadProgress', (p) => {
    uploaded = p.loaded ?? uploaded;
    opts.onProgress?.(uploaded);
  });
  await upload.done();
  return uploaded;
}

function toAbortController(signal: AbortSignal): AbortController {
  const c = new AbortController();
  if (signal.aborted) c.abort(signal.reason);
  else signal.addEventListener('abort', () => c.abort(signal.reason), { once: true });
  return c;
}

import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { checkS3Freshness } from '../src/checks/s3.js';
import { createS3Client } from '../src/integrations/s3/client.js';
import { summarize } from '../src/integrations/s3/list.js';
import { copyObject, moveVerified, sha256Of, uploadStream, verifyCopy } from '../src/integrations/s3/objects.js';
import { s3Endpoint } from '../src/stack/s3.js';
import { throttlingProxy } from './support/throttling-proxy.js';

const settings = {
  region: 'us-east-2',
  endpoint: s3Endpoint,
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
  },
};
const s3 = createS3Client(settings);
const run = `s3-integration/${Date.now()}`;
const production = 'farmarcas-production-bronze';
const quarantine = 'farmarcas-quarantine';
afterAll(() => s3.destroy());

describe('s3_uploads freshness', () => {
  it('pages through more than 1,000 keys and finds the newest object on the last page', async () => {
    const prefix = `${run}/many/`;
    const keys = Array.from({ length: 1_050 }, (_, i) => `${prefix}part-${String(i).padStart(5, '0')}.parquet`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: production, Key, Body: 'x' }))),
      );
    }
    // Written last, sorted last: a listing that stops at the first page would miss it.
    await new Promise((r) => setTimeout(r, 1100));
    await s3.send(new PutObjectCommand({ Bucket: production, Key: `${prefix}zz-newest.parquet`, Body: 'newest' }));
    const summary = await summarize(s3, production, prefix);
    expect(summary.count).toBe(1_051);
    expect(summary.newest?.key).toBe(`${prefix}zz-newest.parquet`);
    const r = await checkS3Freshness(s3, 'primary', production, prefix, { warn: 4, fail: 6 }, 30_000);
    expect(r).toMatchObject({
      status: 'healthy',
      details: { objects: 1_051, newest_key: `${prefix}zz-newest.parquet` },
    });
  }, 120_000);

  it('is unhealthy when the newest upload is older than the threshold, or when there is none', async () => {
    const prefix = `${run}/old/`;
    await s3.send(new PutObjectCommand({ Bucket: production, Key: `${prefix}a.parquet`, Body: 'x' }));
    const sevenHoursLater = () => new Date(Date.now() + 7 * 3_600_000);
    const stale = await checkS3Freshness(
      s3,
      'primary',
      production,
      prefix,
      { warn: 4, fail: 6 },
      10_000,
      sevenHoursLater,
    );
    expect(stale).toMatchObject({ status: 'unhealthy', error: { code: 'STALE_DATA' } });
    expect(stale.value).toBeGreaterThanOrEqual(7);
    const empty = await checkS3Freshness(s3, 'primary', production, `${run}/nothing/`, { warn: 4, fail: 6 }, 10_000);
    expect(empty).toMatchObject({ status: 'unhealthy', error: { code: 'NO_DATA' } });
  });
});

describe('verified moves', () => {
  it('copies, verifies size and checksum, then deletes the original', async () => {
    const from = { bucket: production, key: `${run}/move/a b ç.parquet` };
    const to = { bucket: quarantine, key: `acode/${run}/move/a b ç.parquet` };
    await s3.send(new PutObjectCommand({ Bucket: from.bucket, Key: from.key, Body: 'payload-123' }));
    const hash = await sha256Of(s3, from);
    const result = await moveVerified(s3, from, to);
    expect(result.bytes).toBe(11);
    await expect(s3.send(new HeadObjectCommand({ Bucket: from.bucket, Key: from.key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(await sha256Of(s3, to)).toBe(hash);
  });

  it('refuses a copy whose bytes differ, and keeps the original', async () => {
    const a = { bucket: production, key: `${run}/verify/a.bin` };
    const b = { bucket: quarantine, key: `acode/${run}/verify/a.bin` };
    await s3.send(new PutObjectCommand({ Bucket: a.bucket, Key: a.key, Body: 'original!' }));
    await copyObject(s3, a, b);
    await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: b.key, Body: 'tampered!' }));
    await expect(verifyCopy(s3, a, b)).rejects.toMatchObject({ code: 'COPY_NOT_VERIFIED' });
    await expect(s3.send(new HeadObjectCommand({ Bucket: a.bucket, Key: a.key }))).resolves.toBeDefined();
  });
});

describe('streamed multipart upload', () => {
  it('uploads a 12 MiB stream in parts and reports progress', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 12; i++) yield chunk;
      })(),
    );
    const progress: number[] = [];
    const to = { bucket: 'farmarcas-emergency-backup', key: `acode/${run}/big.bin` };
    const sent = await uploadStream(s3, to, body, { partSize: 5 * 1024 * 1024, onProgress: (n) => progress.push(n) });
    expect(sent).toBe(12 * 1024 * 1024);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const got = await s3.send(new GetObjectCommand({ Bucket: to.bucket, Key: to.key }));
    expect(got.ContentLength).toBe(12 * 1024 * 1024);
    expect(got.ETag).toMatch(/-3"$/);
  });
});

describe('throttling', () => {
  it('retries 503 SlowDown and succeeds', async () => {
    const proxy = await throttlingProxy(new URL(s3Endpoint));
    const throttledClient = createS3Client({ ...settings, endpoint: proxy.url });
    try {
      proxy.throttleNext(2);
      await throttledClient.send(new PutObjectCommand({ Bucket: production, Key: `${run}/throttled.txt`, Body: 'ok' }));
      expect(proxy.throttled()).toBe(2);
      const got = await s3.send(new GetObjectCommand({ Bucket: production, Key: `${run}/throttled.txt` }));
      expect(await got.Body?.transformToString()).toBe('ok');
    } finally {
      throttledClient.destroy();
      await proxy.close();
    }
  });
});

import { GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { localConfigPath } from '../src/stack/paths.js';
import { sandboxS3Client } from '../src/stack/s3.js';

const s3 = sandboxS3Client(process.env as Record<string, string>);
afterAll(() => s3.destroy());

describe('S3-compatible server of the local stack', () => {
  it('has every bucket of the local config', async () => {
    const config = await loadConfig(localConfigPath);
    const wanted = config.systems.flatMap((s) => Object.values(s.s3.buckets).map((b) => b.name));
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets.map((b) => b.Name)).toEqual(expect.arrayContaining(wanted));
  });

  it('round-trips an object with @aws-sdk/client-s3', async () => {
    const config = await loadConfig(localConfigPath);
    const bucket = config.systems[0]?.s3.buckets.emergency.name ?? '';
    const key = `stack-test/${Date.now()}/hello.txt`;
    const body = `olá, ACODE ${Date.now()}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ServerSideEncryption: 'AES256' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body?.transformToString('utf8')).toBe(body);
    expect(got.ContentLength).toBe(Buffer.byteLength(body));
  });
});

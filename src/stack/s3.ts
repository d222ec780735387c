// S3-compatible server for the local stack: moto_server from the project venv. It keeps its
// data in memory, so buckets are (re)created from the local config on every `stack up`.
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../integrations/s3/client.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isPortOpen, runningPid, startDetached, stopPid, waitUntil } from './process.js';
import { serviceDir, venvBin } from './paths.js';
import { loopback, ports } from './services.js';

const dir = serviceDir('s3');
const pidFile = path.join(dir, 'moto.pid');
const logFile = path.join(dir, 'moto.log');
export const s3Endpoint = `http://${loopback}:${ports.s3}`;

export function sandboxS3Client(env: Record<string, string>): S3Client {
  return createS3Client({
    endpoint: s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-2',
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
}

async function ensureBucket(s3: S3Client, name: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    return false;
  } catch {
    await s3.send(
      new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'us-east-2' } }),
    );
    return true;
  }
}

export async function upS3(env: Record<string, string>, buckets: string[]): Promise<string> {
  let state = 'running';
  if (runningPid(pidFile) === undefined) {
    if (await isPortOpen(ports.s3)) throw new Error(`port ${ports.s3} is taken by a process the stack did not start`);
    mkdirSync(dir, { recursive: true });
    startDetached({
      command: venvBin('moto_server'),
      args: ['-H', loopback, '-p', String(ports.s3)],
      pidFile,
      logFile,
    });
    state = 'started';
  }
  await waitUntil(`S3 server (moto) on ${s3Endpoint}`, () => isPortOpen(ports.s3), {
    timeoutMs: 30_000,
    pidFile,
    logFile,
  });
  const s3 = sandboxS3Client(env);
  try {
    const created: string[] = [];
    for (const b of buckets) if (await ensureBucket(s3, b)) created.push(b);
    return `S3 server (moto): ${state} on ${s3Endpoint}${created.length ? `, created buckets ${created.join(', ')}` : ''}`;
  } finally {
    s3.destroy();
  }
}

export const downS3 = (): Promise<boolean> => stopPid(pidFile);
export const s3PidFile = pidFile;

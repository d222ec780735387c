// Storage policies against the real S3 server (moto), on buckets of this test only: apply creates
// and configures them, a second apply changes nothing, a setting changed by hand is reported as
// drift (bucket + setting), and the `storage apply | verify` commands print it with exit codes.
import {
  DeleteBucketEncryptionCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SystemRegistry } from '../src/activities/context.js';
import { applyStorage, verifyStorage, type StorageVerifyReport } from '../src/activities/storage.js';
import { buildCli } from '../src/client.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig } from '../src/config/schema.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { deleteBucketsWithPrefix, isolatedBucketsConfig } from './support/storage.js';

const { configFile, bucketPrefix } = isolatedBucketsConfig();
const s3 = sandboxS3Client(process.env as Record<string, string>);
const bucket = (name: string): string => `${bucketPrefix}farmarcas-${name}`;
let config: GuardianConfig;
let registry: SystemRegistry;

beforeAll(async () => {
  config = await loadConfig(configFile);
  registry = new SystemRegistry(config);
});
afterAll(async () => {
  await deleteBucketsWithPrefix(s3, bucketPrefix);
  s3.destroy();
});

/** Runs the CLI; returns what it printed and the exit code it set. */
async function cli(...args: string[]): Promise<{ out: string; exitCode: number }> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
  process.exitCode = 0;
  try {
    await buildCli().parseAsync(['node', 'acode-guardian', ...args]);
    return { out: printed.join('\n'), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    spy.mockRestore();
    process.exitCode = 0;
  }
}

describe('storage apply and verify on the real S3 server', () => {
  it('apply creates and configures every bucket; a second apply is a no-op', async () => {
    const ctx = registry.get('acode');
    const first = await applyStorage(ctx);
    const created = first.changes.filter((c) => c.setting === 'bucket').map((c) => c.bucket);
    expect(created.sort()).toEqual(
      [
        'archive',
        'audit-logs',
        'backup-acode',
        'backup-acode-replica',
        'emergency-backup',
        'production-bronze',
        'quarantine',
      ].map(bucket),
    );
    const settingsOf = (b: string) => first.changes.filter((c) => c.bucket === bucket(b)).map((c) => c.setting);
    expect(settingsOf('backup-acode')).toEqual(['bucket', 'versioning', 'encryption', 'lifecycle', 'replication']);
    expect(settingsOf('quarantine')).toEqual(['bucket', 'versioning', 'encryption', 'lifecycle', 'accessLogging']);
    expect(settingsOf('emergency-backup')).toEqual([
      'bucket',
      'versioning',
      'encryption',
      'lifecycle',
      'notifications',
    ]);
    expect(settingsOf('audit-logs')).toEqual(['bucket', 'versioning', 'encryption', 'logDelivery']);
    expect(settingsOf('backup-acode-replica')).toEqual(['bucket', 'versioning', 'encryption']);

    const second = await applyStorage(ctx);
    expect(second.changes).toEqual([]);
    expect((await verifyStorage(ctx)).drifts).toEqual([]);
  });

  it('access logging really delivers: a request on the quarantine bucket writes a log into the audit bucket', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket('quarantine'), Key: 'acode/probe.txt', Body: 'x' }));
    const logs = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket('audit-logs'), Prefix: 'quarantine-access-logs/' }),
    );
    expect(logs.KeyCount).toBeGreaterThan(0);
  });

  it('a setting changed by hand is drift, named by bucket and setting', async () => {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket('backup-acode'),
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket('emergency-backup'),
        LifecycleConfiguration: {
          Rules: [{ ID: 'emergency_retention', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }],
        },
      }),
    );
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket('archive') }));

    const { drifts } = await verifyStorage(registry.get('acode'));
    expect(drifts.map((d) => [d.bucket, d.setting, d.actual])).toEqual([
      [bucket('backup-acode'), 'versioning', false],
      [
        bucket('emergency-backup'),
        'lifecycle',
        [{ id: 'emergency_retention', prefix: '', enabled: true, transitions: [], expirationDays: 30 }],
      ],
      [bucket('archive'), 'encryption', null],
    ]);
  });

  it('the CLI: verify prints the drift and exits 3, apply prints what it changed, verify then exits 0', async () => {
    const verify = await cli('storage', 'verify', 'acode', '-c', configFile);
    expect(verify.exitCode).toBe(3);
    expect(verify.out).toContain('acode: 3 drift(s)');
    expect(verify.out).toContain(`${bucket('backup-acode')} (backup) versioning: off -> Enabled`);
    expect(verify.out).toContain(`${bucket('archive')} (archive) encryption: none -> AES256`);

    const json = await cli('storage', 'verify', '-c', configFile, '--json');
    expect(json.exitCode).toBe(3);
    const reports = JSON.parse(json.out) as StorageVerifyReport[];
    expect(reports.map((r) => [r.systemId, r.drifts.length])).toEqual([['acode', 3]]);

    const apply = await cli('storage', 'apply', 'acode', '-c', configFile);
    expect(apply.exitCode).toBe(0);
    expect(apply.out).toContain('acode: 3 change(s)');
    expect(apply.out).toContain(
      `${bucket('emergency-backup')} (emergency) lifecycle: emergency_retention: expire 30d -> emergency_retention: 30d STANDARD_IA, 60d GLACIER, expire 2555d`,
    );

    expect(await cli('storage', 'apply', '-c', configFile)).toEqual({
      out: 'acode: no changes, 7 bucket(s) match the config',
      exitCode: 0,
    });
    expect(await cli('storage', 'verify', '-c', configFile)).toEqual({
      out: 'acode: no drift, 7 bucket(s) match the config',
      exitCode: 0,
    });
  });

  it("the audit bucket's own policy statements are kept when the log-delivery grant is restored", async () => {
    const Bucket = bucket('audit-logs');
    // Someone else's statement (moto enforces policies for Principal *: this one denies nothing we do).
    const foreign = {
      Sid: 'DenyObjectAcls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObjectAcl',
      Resource: `arn:aws:s3:::${Bucket}/*`,
    };
    await s3.send(
      new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: foreign }) }),
    );
    const ctx = registry.get('acode');
    expect((await verifyStorage(ctx)).drifts.map((d) => [d.bucket, d.setting])).toEqual([[Bucket, 'logDelivery']]);
    expect((await applyStorage(ctx)).changes.map((c) => [c.bucket, c.setting])).toEqual([[Bucket, 'logDelivery']]);
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? '{}') as {
      Statement: { Sid: string }[];
    };
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'DenyObjectAcls',
      `AcodeGuardianLogDelivery${bucket('quarantine').replace(/[^A-Za-z0-9]/g, '')}`,
    ]);
  });

  it('the CLI: clear errors for an unknown system or a bad config file', async () => {
    await expect(cli('storage', 'verify', 'nope', '-c', configFile)).rejects.toThrow(
      'unknown system "nope"; configured systems: acode',
    );
    await expect(cli('storage', 'apply', '-c', '/nonexistent/config.yaml')).rejects.toThrow('/nonexistent/config.yaml');
  });
});

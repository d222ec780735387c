// The archive of backup snapshots against the real S3 server (moto), on buckets of this test only:
// files are copied into the historical layout and verified, a second run skips them, a damaged
// archived copy is copied again; the workflow runs with the real activities under time skipping.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveReport } from '../src/activities/archive.js';
import { SystemRegistry } from '../src/activities/context.js';
import { createActivities } from '../src/activities/index.js';
import { applyStorage } from '../src/activities/storage.js';
import { loadConfig } from '../src/config/load.js';
import type { GuardianConfig, SystemConfig } from '../src/config/schema.js';
import { streamPrefix } from '../src/integrations/airbyte/path-format.js';
import { archiveKey, snapshotDayOf } from '../src/integrations/s3/archive-layout.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { archiveSnapshots } from '../src/workflows/archive-snapshots.js';
import { deleteBucketsWithPrefix, isolatedBucketsConfig } from './support/storage.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';

const { configFile, bucketPrefix } = isolatedBucketsConfig();
const s3 = sandboxS3Client(process.env as Record<string, string>);
let config: GuardianConfig;
let system: SystemConfig;
/** The snapshot files put into the backup bucket: key -> content. */
const files = new Map<string, Buffer>();

const read = async (bucket: string, key: string): Promise<Buffer> =>
  Buffer.from(
    (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray()) ?? [],
  );

beforeAll(async () => {
  config = await loadConfig(configFile);
  system = config.systems[0]!;
  await applyStorage(new SystemRegistry(config).get(system.id));
  const { backup } = system.s3.buckets;
  for (const [i, table] of system.mysql.tables.entries()) {
    for (const part of [0, 1].slice(0, i + 1)) {
      const key = `${streamPrefix(backup.prefix, backup.path_format, table.name)}backup_dt=2026-12-03/backup_file_${table.name}_${part}.parquet`;
      const body = randomBytes(2048 + part);
      await s3.send(new PutObjectCommand({ Bucket: backup.name, Key: key, Body: body }));
      files.set(key, body);
    }
  }
});
afterAll(async () => {
  await deleteBucketsWithPrefix(s3, bucketPrefix);
  s3.destroy();
});

describe('archiveKey (the historical layout)', () => {
  it('partitions by stream and day, keeping the file name', () => {
    expect(
      archiveKey(
        'acode_historical/',
        'farmarcas_si_analitico_diario',
        new Date('2026-01-05T23:59:00Z'),
        'origin=backup/database=bronze_acode_backup/backup_farmarcas_si_analitico_diario/backup_dt=2026-01-05/backup_file_farmarcas_si_analitico_diario_0.parquet',
      ),
    ).toBe(
      'acode_historical/farmarcas_si_analitico_diario/year=2026/month=01/day=05/backup_file_farmarcas_si_analitico_diario_0.parquet',
    );
  });
});

describe('snapshotDayOf (the day in a path written by the path format)', () => {
  const backupFormat = 'backup_${STREAM_NAME}/backup_dt=${YEAR}-${MONTH}-${DAY}/backup_file_${STREAM_NAME}';
  const cases: [string, string, string, string | undefined][] = [
    ['the backup layout', backupFormat, 'p/backup_t/backup_dt=2026-12-03/backup_file_t_0.parquet', '2026-12-03'],
    ['another stream', backupFormat, 'p/backup_u/backup_dt=2026-12-03/backup_file_u_0.parquet', undefined],
    ['outside the bucket path', backupFormat, 'q/backup_t/backup_dt=2026-12-03/backup_file_t_0.parquet', undefined],
    ['not a date', backupFormat, 'p/backup_t/backup_dt=2026-13-45/backup_file_t_0.parquet', undefined],
    [
      'the production layout, with an epoch',
      '${STREAM_NAME}/${YEAR}_${MONTH}_${DAY}_${EPOCH}_',
      'p/t/2026_01_31_1769817600000_0.parquet',
      '2026-01-31',
    ],
    ['a format without a date', '${STREAM_NAME}/${UUID}', 'p/t/abc.parquet', undefined],
  ];
  it.each(cases)('%s', (_name, format, key, expected) => {
    expect(snapshotDayOf('p/', format, 't', key)?.toISOString().slice(0, 10)).toBe(expected);
  });
});

describe('archiveBackupSnapshots on the real S3 server', () => {
  const run = (): Promise<ArchiveReport> =>
    new MockActivityEnvironment().run(createActivities(config).archiveBackupSnapshots, system.id);

  it('copies every snapshot file into the archive, verified; a second run skips them all', async () => {
    const first = await run();
    expect(first.copied).toHaveLength(files.size);
    expect(first.skipped).toBe(0);
    const snapshotDay = new Date('2026-12-03T00:00:00Z');
    const { archive } = system.s3.buckets;
    for (const f of first.copied) {
      const table = system.mysql.tables.find((t) => f.from.includes(`backup_${t.name}/`))!;
      expect(f.to).toBe(archiveKey(archive.prefix, table.name, snapshotDay, f.from));
      expect(f.to.startsWith('acode_historical/')).toBe(true);
      expect(f.checksum).toMatch(/^md5:[0-9a-f]{32}$/);
      expect((await read(archive.name, f.to)).equals(files.get(f.from)!)).toBe(true);
    }
    expect(first.bytes).toBe([...files.values()].reduce((n, b) => n + b.length, 0));

    const second = await run();
    expect(second).toEqual({ copied: [], skipped: files.size, bytes: 0 });
  });

  it('an archived copy that differs from its snapshot is copied again', async () => {
    const [key, body] = [...files.entries()][0]!;
    const table = system.mysql.tables.find((t) => key.includes(`backup_${t.name}/`))!;
    const { archive } = system.s3.buckets;
    const archived = archiveKey(archive.prefix, table.name, new Date('2026-12-03T00:00:00Z'), key);
    await s3.send(new PutObjectCommand({ Bucket: archive.name, Key: archived, Body: 'damaged' }));
    const report = await run();
    expect(report.copied.map((f) => f.to)).toEqual([archived]);
    expect(report.skipped).toBe(files.size - 1);
    expect((await read(archive.name, archived)).equals(body)).toBe(true);
  });
});

describe('archiveSnapshots workflow with the real activities', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('archives what is missing and writes an audit record', async () => {
    const taskQueue = uniqueId('archive');
    const worker = await projectWorker(env, taskQueue, createActivities(config));
    const result = await worker.runUntil(
      env.client.workflow.execute(archiveSnapshots, {
        taskQueue,
        workflowId: uniqueId('archive-acode'),
        args: [{ systemId: system.id }],
      }),
    );
    expect(result).toMatchObject({ copied: [], skipped: files.size, bytes: 0 });
    const { audit_logs } = system.s3.buckets;
    expect(result.auditRecord).toMatch(new RegExp(`^s3://${audit_logs.name}/acode/archive/`));
    const record = JSON.parse(
      (await read(audit_logs.name, result.auditRecord.replace(`s3://${audit_logs.name}/`, ''))).toString(),
    ) as Record<string, unknown>;
    expect(record).toMatchObject({ systemId: system.id, kind: 'archive', copied: 0, skipped: files.size });
  });
});

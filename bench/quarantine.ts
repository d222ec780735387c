// Benchmark of the quarantine (run with `npm run bench:quarantine`): the real quarantineProduction
// activity against a plain sequential loop of copy then delete (what `aws s3 mv --recursive` does
// per object, without verification), on the same number of objects of the sandbox S3 server, in the
// same run. BENCH_QUARANTINE_OBJECTS sets the count (default 10,000). Everything lives under a
// bench/ prefix of its own and is removed afterwards. Prints figures; asserts nothing.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SystemRegistry } from '../src/activities/context.js';
import { createQuarantineActivities, type QuarantineReport } from '../src/activities/quarantine.js';
import { loadConfig } from '../src/config/load.js';
import { loopbackOnlyVar } from '../src/integrations/loopback.js';
import { listAll } from '../src/integrations/s3/list.js';
import { copyObject } from '../src/integrations/s3/objects.js';
import { localConfigPath } from '../src/stack/paths.js';
import { deletePrefix, fillPrefix } from '../src/stack/s3-fixtures.js';
import { loadStackSecretsIntoEnv } from '../src/stack/secrets.js';

process.env[loopbackOnlyVar] = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
loadStackSecretsIntoEnv();

const count = Number(process.env.BENCH_QUARANTINE_OBJECTS ?? 10_000);
const root = `bench/quarantine-${Date.now()}/`;
const config = await loadConfig(localConfigPath);
const system = config.systems[0];
if (!system) throw new Error(`${localConfigPath} lists no system`);
const { production, quarantine } = system.s3.buckets;
production.prefix = `${root}ours/`;
quarantine.prefix = `${root}quarantine/`;
const systems = new SystemRegistry(config);
const s3 = systems.get(system.id).s3();

const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000))} objects/s`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

try {
  console.log(`quarantine benchmark: ${count} objects on the sandbox S3 server (moto)`);
  let t = performance.now();
  await fillPrefix(s3, production.name, production.prefix, count);
  console.log(`  seeded s3://${production.name}/${production.prefix} in ${seconds(performance.now() - t)}`);

  t = performance.now();
  // The activity outside a worker: MockActivityEnvironment gives it its context (heartbeats, cancellation).
  const { quarantineProduction } = createQuarantineActivities(systems);
  const report = await new MockActivityEnvironment().run<
    Parameters<typeof quarantineProduction>,
    QuarantineReport,
    typeof quarantineProduction
  >(quarantineProduction, system.id, { quarantineId: 'bench', datePath: '2026/12/04' });
  const oursMs = performance.now() - t;
  if (report.copied !== count || report.deleted !== count) {
    throw new Error(`quarantine moved ${report.copied} and deleted ${report.deleted} of ${count} objects`);
  }

  const plainSource = `${root}plain/`;
  const plainTarget = `${root}plain-quarantine/`;
  await fillPrefix(s3, production.name, plainSource, count);
  t = performance.now();
  let moved = 0;
  for await (const o of listAll(s3, production.name, plainSource)) {
    if (!o.Key) continue;
    await copyObject(
      s3,
      { bucket: production.name, key: o.Key },
      { bucket: quarantine.name, key: `${plainTarget}${o.Key.slice(plainSource.length)}` },
    );
    await s3.send(new DeleteObjectCommand({ Bucket: production.name, Key: o.Key }));
    moved += 1;
  }
  const plainMs = performance.now() - t;

  console.log('');
  console.log('| method | objects | time | throughput |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| quarantineProduction (manifest, 32 copies in flight, verified, batched deletes) | ${count} | ${seconds(oursMs)} | ${rate(count, oursMs)} |`,
  );
  console.log(
    `| sequential copy + delete loop (no manifest, no verification) | ${moved} | ${seconds(plainMs)} | ${rate(moved, plainMs)} |`,
  );
  console.log(`\nspeed-up: x${(plainMs / moved / (oursMs / count)).toFixed(1)}`);
} finally {
  let removed = 0;
  for (const bucket of [production.name, quarantine.name]) removed += await deletePrefix(s3, bucket, root);
  console.log(`cleaned up ${removed} objects under ${root}`);
  s3.destroy();
}

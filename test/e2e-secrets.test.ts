// No secret is ever logged or written to workflow history: the end-to-end failover (primary
// stopped -> 3 failed checks -> recovery fails over to the backup) runs on the real worker process
// at debug level, then its every log line and the full history of every run of the system (payloads
// decoded) are searched for every secret of the sandbox.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringSettings } from '../src/activities/settings.js';
import { mariaInstance, startMaria, stopMaria, waitForReplicaCatchUp, waitForReplicaIo } from '../src/stack/mariadb.js';
import { parseEnvFile, secretsFile } from '../src/stack/secrets.js';
import type { autoRecovery } from '../src/workflows/auto-recovery.js';
import { recoveryWorkflowId, searchAttributeKeys } from '../src/workflows/definitions.js';
import { healthMonitoring } from '../src/workflows/health-monitoring.js';
import { simulator } from './support/airbyte.js';
import { devServerEnv, uniqueId } from './support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

/** Every secret of the sandbox by name; a Slack webhook URL's last path segment is its credential on its own. */
function sandboxSecrets(): Map<string, string> {
  const secrets = new Map(Object.entries(parseEnvFile(readFileSync(secretsFile, 'utf8'))));
  const slack = secrets.get('SLACK_WEBHOOK_URL');
  if (slack) secrets.set('SLACK_WEBHOOK_URL token', new URL(slack).pathname.split('/').at(-1) ?? slack);
  return secrets;
}

/** The names of the secrets found in the text. */
const leaked = (text: string, secrets: Map<string, string>): string[] =>
  [...secrets].filter(([, value]) => text.includes(value)).map(([name]) => name);

/** All text of a value: strings as they are, bytes (payload data and metadata) decoded as UTF-8. */
function textOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) textOf(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) textOf(v, out);
  return out;
}

let env: TestWorkflowEnvironment;
let worker: WorkerProcess;
const secrets = sandboxSecrets();

beforeAll(async () => {
  env = await devServerEnv();
  await simulator.reset();
});
afterAll(async () => {
  await worker?.stop();
  await simulator.reset();
  await env?.teardown();
});

/** The full history of every run of the system (inputs, results, signals, failures), as text. */
async function historiesOf(systemId: string, atLeast: number): Promise<{ runs: string[]; text: string }> {
  const query = `${searchAttributeKeys.system.name} = "${systemId}"`;
  let runs: { workflowId: string; runId: string }[] = [];
  for (let i = 0; i < 50 && runs.length < atLeast; i++) {
    runs = [];
    for await (const w of env.client.workflow.list({ query })) runs.push({ workflowId: w.workflowId, runId: w.runId });
    if (runs.length < atLeast) await new Promise((r) => setTimeout(r, 200));
  }
  const texts: string[] = [];
  for (const { workflowId, runId } of runs) {
    texts.push(...textOf(await env.client.workflow.getHandle(workflowId, runId).fetchHistory()));
  }
  return { runs: runs.map((r) => r.workflowId), text: texts.join('\n') };
}

describe('secrets', () => {
  it('the search finds a secret planted in a real workflow history and in log text', async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(11);
    const [name, value] = [...secrets][0] ?? ['', ''];
    // A run that no worker serves, whose input carries a secret: history payloads are bytes, decoded here.
    const planted = await env.client.workflow.start('plantedSecret', {
      taskQueue: uniqueId('nobody'),
      workflowId: uniqueId('planted-secret'),
      args: [{ note: `planted ${value}` }],
    });
    try {
      expect(leaked(textOf(await planted.fetchHistory()).join('\n'), secrets)).toEqual([name]);
    } finally {
      await planted.terminate('test done');
    }
    expect(leaked(`{"msg":"x","url":"${secrets.get('SLACK_WEBHOOK_URL') ?? ''}"}`, secrets)).toEqual([
      'SLACK_WEBHOOK_URL',
      'SLACK_WEBHOOK_URL token',
    ]);
  });

  it('no secret in the worker logs or the workflow histories of an end-to-end failover', async () => {
    worker = await startWorkerProcess({
      logLevel: 'debug',
      overrides: [
        ['system.sync_retry_policy.job_poll_interval_seconds', 1],
        ['system.health_check.fast_confirmation.interval_seconds', 1],
        ['system.recovery.backoff_minutes', [0.1, 0.1, 0.1]],
        ['system.recovery.anti_flapping_minutes', 0],
      ],
    });
    const { system, config, systemId, taskQueue } = worker;
    const health = () =>
      env.client.workflow.execute(healthMonitoring, {
        taskQueue,
        workflowId: uniqueId(`health-${systemId}`),
        args: [{ systemId, settings: monitoringSettings(system, config.temporal.ui_url) }],
        typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
      });
    expect((await health()).action).toBe('all_systems_healthy');

    const primary = mariaInstance('primary');
    await stopMaria(primary);
    try {
      await waitForReplicaIo(false);
      expect(await health()).toMatchObject({ action: 'trigger_backup_failover', consecutiveFailures: 3 });
      const recovery = await env.client.workflow.getHandle<typeof autoRecovery>(recoveryWorkflowId(systemId)).result();
      expect(recovery.outcome).toBe('failed_over');
    } finally {
      await startMaria(primary);
      await waitForReplicaIo(true);
      await waitForReplicaCatchUp();
    }
    await worker.stop();

    // 2 health runs, the recovery and its failover child.
    const histories = await historiesOf(systemId, 4);
    expect(histories.runs).toEqual(expect.arrayContaining([recoveryWorkflowId(systemId)]));
    expect(histories.runs.some((id) => id.includes('-failover-'))).toBe(true);
    const logs = worker.output();
    // What was searched is the real thing: the runs' ids in the logs, the failover's steps in history.
    expect(logs).toContain(recoveryWorkflowId(systemId));
    expect(logs.split('\n').length).toBeGreaterThan(50);
    expect(histories.text).toContain('backup connection activated');

    expect(leaked(logs, secrets), 'secrets in the worker logs').toEqual([]);
    expect(leaked(histories.text, secrets), 'secrets in workflow histories').toEqual([]);
    expect(logs + histories.text).not.toMatch(/Bearer [A-Za-z0-9._~+/-]{8,}/);
  }, 240_000);
});

// The operator CLI against the real Temporal dev server: `recovery start | status | cancel`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/client.js';
import { localConfigPath } from '../src/stack/paths.js';
import type { RecoveryStatus } from '../src/workflows/definitions.js';
import { recoveryWorkflowId } from '../src/workflows/definitions.js';
import type { autoRecovery } from '../src/workflows/auto-recovery.js';
import { recoveryFakes } from './support/recovery-fakes.js';
import { bundle, devServerEnv, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;
const systemId = uniqueId('cli').toLowerCase().slice(0, 30);
const taskQueue = uniqueId('cli');
let configFile: string;

beforeAll(async () => {
  env = await devServerEnv();
  configFile = path.join(mkdtempSync(path.join(tmpdir(), 'guardian-')), 'config.yaml');
  writeFileSync(
    configFile,
    readFileSync(localConfigPath, 'utf8')
      .replace('task_queue: acode-guardian', `task_queue: ${taskQueue}`)
      .replace('- id: acode', `- id: ${systemId}`),
  );
});
afterAll(() => env?.teardown());

/** Runs the CLI and returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
  try {
    await buildCli().parseAsync(['node', 'acode-guardian', ...args]);
  } finally {
    spy.mockRestore();
  }
  return printed.join('\n');
}

describe('recovery commands', () => {
  it('start a recovery by hand, show its status with the UI link, and cancel it', async () => {
    const fakes = recoveryFakes();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundle(fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url))),
      activities: fakes.activities,
    });
    await worker.runUntil(async () => {
      const started = await cli('recovery', 'start', systemId, '-c', configFile, '--by', 'ana', '--reason', 'drill');
      expect(started).toContain(`${recoveryWorkflowId(systemId)} started`);
      expect(started).toMatch(
        new RegExp(
          `http://127.0.0.1:8233/namespaces/default/workflows/${recoveryWorkflowId(systemId)}/[0-9a-f-]+/history`,
        ),
      );
      const readStatus = async () =>
        JSON.parse(await cli('recovery', 'status', systemId, '-c', configFile, '--json')) as RecoveryStatus & {
          link: string;
        };
      let status = await readStatus();
      for (let i = 0; i < 50 && status.phase !== 'backing_off'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await readStatus();
      }
      expect(status).toMatchObject({ phase: 'backing_off', strategy: 'conservative_retry_then_backup' });
      expect(status.story.join('\n')).toContain('started by ana: drill');
      expect(await cli('recovery', 'cancel', systemId, '-c', configFile, '--reason', 'drill over')).toContain(
        'cancel sent',
      );
      const result = await env.client.workflow.getHandle<typeof autoRecovery>(recoveryWorkflowId(systemId)).result();
      expect(result).toMatchObject({ outcome: 'cancelled' });
    });
  });
});

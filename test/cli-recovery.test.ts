// The operator CLI against the real Temporal dev server: `recovery start | status | watch | cancel`,
// `failover`, `emergency` and `quarantine`, with the activities stubbed at the boundary.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Activities } from '../src/activities/index.js';
import { progressReporter } from '../src/activities/progress.js';
import { buildCli } from '../src/client.js';
import { localConfigPath } from '../src/stack/paths.js';
import type { RecoveryStatus } from '../src/workflows/definitions.js';
import { emergencyStatusQuery, operatorWorkflowId, recoveryWorkflowId } from '../src/workflows/definitions.js';
import type { autoRecovery } from '../src/workflows/auto-recovery.js';
import { recoveryFakes, syncSettings } from './support/recovery-fakes.js';
import { devServerEnv, projectWorker, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;
const systemId = uniqueId('cli').toLowerCase().slice(0, 30);
const taskQueue = uniqueId('cli');
let configFile: string;

beforeAll(async () => {
  env = await devServerEnv();
  configFile = path.join(mkdtempSync(path.join(tmpdir(), 'guardian-')), 'config.yaml');
  writeFileSync(
    configFile,
    readFileSync(localConfigPath, 'utf8').replace('task_queue: acode-guardian', `task_queue: ${taskQueue}`).replace(
      '- id: acode',
      // Backoff of about a second, so `watch` sees a whole recovery on the real server.
      `- id: ${systemId}\n    recovery: { backoff_minutes: [0.02], jitter_max_seconds: 0 }`,
    ),
  );
});
afterAll(() => env?.teardown());

/** Runs the CLI and returns what it printed; the exit code it set is in `exitCode`. */
let exitCode: number | undefined;
async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(`${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
  try {
    await buildCli().parseAsync(['node', 'acode-guardian', ...args]);
  } finally {
    log.mockRestore();
    write.mockRestore();
    exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
    process.exitCode = undefined;
  }
  return printed.join('').trimEnd();
}

/** A worker on the test's own task queue with the stubbed activities (sync jobs polled every 100 ms). */
async function fakeWorker(fakes = recoveryFakes()) {
  return projectWorker(env, taskQueue, {
    ...fakes.activities,
    getFailoverSettings: () => Promise.resolve({ ...syncSettings, jobPollIntervalMs: 100 }),
  });
}

describe('recovery commands', () => {
  it('start a recovery by hand, show its status with the UI link, and cancel it', async () => {
    const worker = await fakeWorker();
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

  it('watch follows a recovery live until its outcome, with the steps and exit code 0', async () => {
    const worker = await fakeWorker(recoveryFakes({ primaryHealthyFromCheck: 1 }));
    await worker.runUntil(async () => {
      await cli('recovery', 'start', systemId, '-c', configFile, '--by', 'ana', '--reason', 'watch drill');
      const watched = await cli('recovery', 'watch', systemId, '-c', configFile, '--json', '--interval', '0.2');
      expect(exitCode).toBe(0);
      const frames = watched.split('\n').map((l) => JSON.parse(l) as RecoveryStatus);
      const last = frames.at(-1);
      // The watch ends as soon as the outcome is known: before or after the cool-down begins.
      expect(last).toMatchObject({ outcome: 'recovered' });
      expect(['completed', 'cooldown']).toContain(last?.phase);
      expect(last?.story.join('\n')).toMatch(/started by ana: watch drill[\s\S]*primary sync triggered/);
      // It followed the run: it saw it before the end, and each frame is a change.
      expect(frames.length).toBeGreaterThan(1);
      expect(frames[0]?.outcome).toBeUndefined();

      const human = await cli('recovery', 'watch', systemId, '-c', configFile);
      expect(human).toContain(`watching ${recoveryWorkflowId(systemId)}`);
      expect(human).toMatch(/== phase (completed|cooldown), strategy conservative_retry_then_backup/);
      expect(human).toMatch(/outcome: recovered$/);
      await cli('recovery', 'cancel', systemId, '-c', configFile);
    });
  });

  it('watch names the system it does not know', async () => {
    await expect(cli('recovery', 'watch', 'nope', '-c', configFile)).rejects.toThrow(/nope/);
  });

  it('failover --wait runs the failover workflow and prints its steps; a second start points at the running one', async () => {
    const fakes = recoveryFakes();
    const worker = await fakeWorker(fakes);
    const done = await worker.runUntil(() =>
      cli('failover', systemId, '-c', configFile, '--wait', '--by', 'ana', '--reason', 'drill'),
    );
    expect(exitCode).toBeUndefined();
    expect(done).toContain(`${operatorWorkflowId('failover', systemId)} started, waiting for it to end`);
    expect(done).toMatch(/failover succeeded\n.*primary connection deactivated\n.*backup connection activated/);
    expect(fakes.statuses).toEqual({ primary: 'inactive', backup: 'active' });
    expect(fakes.notices.map((n) => n.notice.whatHappened)).toContain(
      'manual failover by ana: drill. The backup connection now feeds the pipeline.',
    );

    // No worker now: the run stays open, and a second command does not start another.
    const first = JSON.parse(await cli('failover', systemId, '-c', configFile, '--json')) as { runId: string };
    const second = JSON.parse(await cli('failover', systemId, '-c', configFile, '--json')) as {
      runId: string;
      alreadyRunning: boolean;
    };
    expect(second).toMatchObject({ runId: first.runId, alreadyRunning: true });
    await env.client.workflow.getHandle(operatorWorkflowId('failover', systemId)).terminate('test over');
  });

  it('emergency --wait --json dumps every table and reports where', async () => {
    const fakes = recoveryFakes();
    const worker = await fakeWorker(fakes);
    const out = await worker.runUntil(() => cli('emergency', systemId, '-c', configFile, '--wait', '--json'));
    const parsed = JSON.parse(out) as { ok: boolean; link: string; result: { tables: { table: string }[] } };
    expect(parsed.ok).toBe(true);
    expect(parsed.result.tables.map((t) => t.table)).toEqual(['t1']);
    expect(parsed.link).toContain(`/workflows/${operatorWorkflowId('emergency', systemId)}/`);
    // The stubbed primary is down: the dump comes from the replica.
    expect(fakes.calls.dumps).toEqual(['t1@backup']);
  });

  it('emergency --wait shows the dump’s progress while it runs', async () => {
    const fakes = recoveryFakes();
    const fakeDump = fakes.activities.dumpTableToS3;
    if (!fakeDump) throw new Error('the recovery fakes have no dumpTableToS3');
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const dumpTableToS3: Activities['dumpTableToS3'] = async (s, req) => {
      const rows = { done: 3000, total: 5000, estimated: true, unit: 'rows' } as const;
      await progressReporter().final({ what: `dump of ${req.table} from the ${req.side}`, ...rows });
      await released;
      return fakeDump(s, req);
    };
    const worker = await fakeWorker({ ...fakes, activities: { ...fakes.activities, dumpTableToS3 } });
    const out = await worker.runUntil(async () => {
      const printed = cli('emergency', systemId, '-c', configFile, '--wait');
      const handle = env.client.workflow.getHandle(operatorWorkflowId('emergency', systemId));
      await vi.waitFor(async () => expect((await handle.query(emergencyStatusQuery)).inProgress).toBeDefined(), {
        timeout: 20_000,
        interval: 100,
      });
      // The command reads the progress every 2 s: two reads at least before the dump ends.
      await new Promise((r) => setTimeout(r, 4500));
      release();
      return printed;
    });
    expect(out).toMatch(/\n\d\d:\d\d:\d\d dump of t1 from the backup: 3,000 of about 5,000 rows \(60 %\)\n/);
    expect(out.match(/3,000 of about/g)).toHaveLength(1);
    expect(out).toContain('emergency dump from the backup');
    expect(exitCode).toBeUndefined();
  });

  it('quarantine --quarantine-only --wait --json moves the data and stops, with the UI link', async () => {
    const fakes = recoveryFakes();
    const worker = await fakeWorker(fakes);
    const out = await worker.runUntil(() =>
      cli('quarantine', systemId, '-c', configFile, '--quarantine-only', '--wait', '--json'),
    );
    const parsed = JSON.parse(out) as { ok: boolean; link: string; result: { outcome: string } };
    expect(parsed).toMatchObject({ ok: true, result: { outcome: 'quarantined' } });
    expect(parsed.link).toMatch(
      new RegExp(`/workflows/${operatorWorkflowId('quarantine', systemId)}/[0-9a-f-]+/history$`),
    );
    expect(exitCode).toBeUndefined();
    expect(fakes.calls.quarantines).toHaveLength(1);
    expect(fakes.calls.syncs).toEqual([]);
  });

  it('quarantine --wait exits 2 when the backup is not clean, saying why', async () => {
    const worker = await fakeWorker(recoveryFakes({ backupClean: false }));
    const out = await worker.runUntil(() => cli('quarantine', systemId, '-c', configFile, '--wait', '--by', 'ana'));
    expect(out).toContain(`${operatorWorkflowId('quarantine', systemId)} started, waiting for it to end`);
    expect(out).toContain('data-corruption recovery: backup_not_clean');
    expect(out).toMatch(/quarantine: 2 objects \(20 bytes\) -> s3:\/\/quarantine\/acode\/\d{4}\/\d\d\/\d\d\//);
    expect(out).toContain('NOT clean: t1: 42.0 % null cells (limit 10 %)');
    expect(exitCode).toBe(2);
  });

  it('schedules sync | list | pause | resume | trigger, each with the UI link of what it touched', async () => {
    const ids = [`health-${systemId}`, `continuous-${systemId}`, `archive-${systemId}`];
    try {
      expect(await cli('schedules', 'sync', '-c', configFile)).toContain(`health-${systemId}: created`);
      const paused = JSON.parse(
        await cli('schedules', 'pause', systemId, '-c', configFile, '--json', '--reason', 'maintenance'),
      ) as { schedules: { scheduleId: string; link: string }[] };
      expect(paused.schedules.map((p) => p.scheduleId)).toEqual(ids);
      expect(paused.schedules[0]?.link).toBe(`http://127.0.0.1:8233/namespaces/default/schedules/health-${systemId}`);
      const listed = JSON.parse(await cli('schedules', 'list', '-c', configFile, '--json')) as {
        scheduleId: string;
        state: string;
        note: string;
      }[];
      expect(listed.filter((l) => ids.includes(l.scheduleId)).map((l) => [l.state, l.note])).toEqual(
        ids.map(() => ['paused', 'maintenance']),
      );
      expect(await cli('schedules', 'resume', systemId, '-c', configFile)).toContain(`health-${systemId}: resume done`);

      const triggered = await cli('schedules', 'trigger', systemId, '-c', configFile);
      expect(triggered).toMatch(
        new RegExp(
          `health-${systemId}: trigger done\\n  http://127.0.0.1:8233/namespaces/default/workflows/health-${systemId}-[^/]+/[0-9a-f-]+/history`,
        ),
      );
      await expect(cli('schedules', 'pause', 'nope', '-c', configFile)).rejects.toThrow(/nope/);
    } finally {
      for (const id of ids) {
        const handle = env.client.schedule.getHandle(id);
        for (const a of (await handle.describe()).info.recentActions)
          await env.client.workflow
            .getHandle(a.action.workflow.workflowId)
            .terminate('test over')
            .catch(() => undefined);
        await handle.delete();
      }
    }
  });
});

// The data-corruption recovery under time skipping, activities stubbed at the boundary: a clean
// backup is restored through the failover child, a backup that is not clean stops before any
// connection changes and pages critically, quarantine-only stops after the move; and the
// auto-recovery hands `data_corruption` to this workflow as a child and reports its outcome.
// The real quarantine (S3, a killed worker) and a real corrupt backup are in quarantine.test.ts.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureContext } from '../src/workflows/definitions.js';
import { autoRecovery } from '../src/workflows/auto-recovery.js';
import { dataCorruptionRecovery } from '../src/workflows/data-corruption-recovery.js';
import { failureObservedSignal } from '../src/workflows/definitions.js';
import { recoveryFakes, recoverySettings, registerSearchAttributes } from './support/recovery-fakes.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
  await registerSearchAttributes(env);
});
afterAll(() => env?.teardown());

const fakes = (backupClean: boolean) => recoveryFakes({ backupClean });

async function runRecovery(f: ReturnType<typeof fakes>, quarantineOnly = false) {
  const taskQueue = uniqueId('data-recovery');
  const worker = await projectWorker(env, taskQueue, f.activities);
  return worker.runUntil(
    env.client.workflow.execute(dataCorruptionRecovery, {
      taskQueue,
      workflowId: uniqueId('quarantine-acode'),
      args: [{ systemId: 'acode', reason: 'corrupt rows seen', by: 'ana', quarantineOnly }],
    }),
  );
}

describe('dataCorruptionRecovery', () => {
  it('quarantines, finds the backup clean, restores it through the failover child', async () => {
    const f = fakes(true);
    const result = await runRecovery(f);
    expect(result.outcome).toBe('restored');
    expect(f.calls.quarantines).toHaveLength(1);
    expect(f.calls.quarantines[0]?.quarantineId).toMatch(/^acode_quarantine_\d{8}_\d{6}$/);
    expect(f.calls.quarantines[0]?.datePath).toMatch(/^\d{4}\/\d{2}\/\d{2}$/);
    expect(f.statuses).toEqual({ primary: 'inactive', backup: 'active' });
    expect(f.calls.syncs).toEqual(['backup']);
    expect(result.restore?.status).toBe('succeeded');
    expect(f.notices.map((n) => n.notice.title)).toEqual([
      'Data corruption: production data quarantined',
      'Backup system activated',
    ]);
  });

  it('does not restore a backup that is not clean: no connection changes, a critical page to stop downstream', async () => {
    const f = fakes(false);
    const result = await runRecovery(f);
    expect(result.outcome).toBe('backup_not_clean');
    expect(result.restore).toBeUndefined();
    expect(f.statuses).toEqual({ primary: 'active', backup: 'inactive' });
    expect(f.calls.syncs).toEqual([]);
    const alert = f.notices.at(-1);
    expect(alert?.notice.severity).toBe('critical');
    expect(alert?.notice.whatHappened).toContain('42.0 % null cells');
    expect(alert?.notice.nextSteps[0]).toBe('STOP ALL DOWNSTREAM PROCESSES NOW');
    expect(alert?.page?.action).toBe('trigger');
    expect(alert?.withContacts).toBe(true);
  });

  it('with quarantineOnly stops after the move: no validation, no restore', async () => {
    const f = fakes(true);
    const result = await runRecovery(f, true);
    expect(result.outcome).toBe('quarantined');
    expect(result.validation).toBeUndefined();
    expect(f.statuses).toEqual({ primary: 'active', backup: 'inactive' });
    expect(f.notices[0]?.notice.whatIsBeingDone).toContain('Quarantine only: no restore was started.');
  });

  it('fails loudly when the quarantine fails: a critical page, no validation, no restore', async () => {
    const f = fakes(true);
    const activities = {
      ...f.activities,
      quarantineProduction: () =>
        Promise.reject(
          ApplicationFailure.nonRetryable('1 object(s) of the manifest are missing', 'QuarantineObjectsMissing'),
        ),
    };
    const err = await runRecovery({ ...f, activities }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toBe(
      'quarantine failed: 1 object(s) of the manifest are missing',
    );
    expect(f.notices.map((n) => [n.notice.severity, n.notice.title, n.page?.action])).toEqual([
      ['critical', 'Data corruption: quarantine FAILED', 'trigger'],
    ]);
    expect(f.statuses).toEqual({ primary: 'active', backup: 'inactive' });
  });
});

describe('auto-recovery on data_corruption', () => {
  const corruption: FailureContext = {
    failureType: 'data_corruption',
    reason: 'farmarcas_si_analitico_diario: 35 % null cells',
    // Past the backup threshold: still the quarantine first, never a plain failover.
    consecutiveFailures: 3,
    unhealthy: [{ check: 's3_uploads', side: 'primary', error: { code: 'DATA_CORRUPTION', message: 'nulls' } }],
    backupFit: true,
    observedAt: '2026-12-04T00:00:00Z',
  };

  for (const [clean, outcome] of [
    [true, 'failed_over'],
    [false, 'unresolved'],
  ] as const) {
    it(`starts the data-corruption recovery as a child (backup ${clean ? 'clean' : 'not clean'} -> ${outcome})`, async () => {
      const f = fakes(clean);
      const taskQueue = uniqueId('recovery');
      const worker = await projectWorker(env, taskQueue, f.activities);
      const handle = await env.client.workflow.signalWithStart(autoRecovery, {
        taskQueue,
        workflowId: uniqueId('recovery-acode'),
        args: [{ systemId: 'acode', settings: { ...recoverySettings, antiFlappingMs: 0 } }],
        signal: failureObservedSignal,
        signalArgs: [corruption],
      });
      const result = await worker.runUntil(handle.result());
      expect(result).toMatchObject({ outcome, strategy: 'quarantine_and_restore' });
      expect(f.calls.quarantines).toHaveLength(1);
      expect(f.calls.syncs).toEqual(clean ? ['backup'] : []);
      const story = result.story.join('\n');
      expect(story).toContain('data recovery: quarantined 2 objects');
      expect(story).toContain(clean ? 'data recovery: restore: backup connection activated' : 'NOT clean');
    });
  }
});

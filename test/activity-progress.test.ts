// Progress of a long activity reaches its workflow's status query (src/activities/progress.ts): on
// the dev server, a dump activity that reports through the real reporter shows in the emergency
// procedure's `emergencyStatus` while it runs and is gone once the table is done; reports within
// the interval are held back, the final one always goes.
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../src/activities/index.js';
import { progressReporter, type ProgressReport } from '../src/activities/progress.js';
import { emergencyStatusQuery, type ActivityProgress } from '../src/workflows/definitions.js';
import { emergencyProcedure } from '../src/workflows/emergency-procedure.js';
import { recoveryFakes } from './support/recovery-fakes.js';
import { devServerEnv, projectWorker, uniqueId } from './support/temporal.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const rows = (done: number): ProgressReport => ({
  what: 'dump of t1 from the primary',
  done,
  total: 5000,
  estimated: true,
  unit: 'rows',
});

describe('activity progress', () => {
  it('shows in the status query while the activity runs, one report per interval, the last one always', async () => {
    const { activities } = recoveryFakes();
    const fakeDump = activities.dumpTableToS3;
    if (!fakeDump) throw new Error('the recovery fakes have no dumpTableToS3');
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const dumpTableToS3: Activities['dumpTableToS3'] = async (systemId, req) => {
      const progress = progressReporter(60_000);
      progress.report(rows(1000));
      progress.report(rows(2000)); // within the interval: held back
      await progress.final(rows(3000));
      await released;
      return fakeDump(systemId, req);
    };
    const taskQueue = uniqueId('progress');
    const worker = await projectWorker(env, taskQueue, { ...activities, dumpTableToS3 });
    const handle = await env.client.workflow.start(emergencyProcedure, {
      taskQueue,
      workflowId: uniqueId('emergency-progress'),
      args: [{ systemId: 'acode', reason: 'test', by: 'ana' }],
    });
    await worker.runUntil(async () => {
      let during = await handle.query(emergencyStatusQuery);
      for (let i = 0; i < 100 && during.inProgress?.done !== 3000; i++) {
        await new Promise((r) => setTimeout(r, 100));
        during = await handle.query(emergencyStatusQuery);
      }
      expect(during.phase).toBe('dumping');
      expect(during.inProgress).toMatchObject(rows(3000));
      expect(Date.parse(during.inProgress?.at ?? '')).not.toBeNaN();
      release();
      await handle.result();
      const after = await handle.query(emergencyStatusQuery);
      expect(after.inProgress).toBeUndefined();
      expect(after.tables.map((t) => t.rowsWritten)).toEqual([42]);
    });

    const history = await handle.fetchHistory();
    const reports = (history.events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((s) => s?.signalName === 'activityProgress')
      .map((s) => defaultPayloadConverter.fromPayload<ActivityProgress>(s?.input?.payloads?.[0] ?? {}).done);
    expect(reports).toEqual([1000, 3000]);
  });
});

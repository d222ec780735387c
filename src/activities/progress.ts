// Progress of long activities where a workflow query can show it. Heartbeats carry progress to the
// Web UI and to a retry, but a workflow never sees them, so the activity also signals it to the
// run that called it: at most every `intervalMs` (each signal is a history event, so a few a
// minute, not one a chunk), one after another, and the last one before the activity returns, so
// no report arrives after the result. A report that cannot be sent is logged; it never fails the
// work. Outside a worker (the benchmarks' mock environment) or a workflow, nothing is sent.
import { activityInfo, getClient, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { activityProgressSignal, type ActivityProgress } from '../workflows/definitions.js';

export type ProgressReport = Omit<ActivityProgress, 'at'>;

export interface ProgressReporter {
  /** Sends `progress` unless one was sent less than the interval ago. */
  report(progress: ProgressReport): void;
  /** Sends `progress` now, unless it was the last one sent, and waits until every report is delivered. */
  final(progress: ProgressReport): Promise<void>;
}

/** The worker's client; a mock activity environment has none. */
function workerClient(): Client | undefined {
  try {
    return getClient();
  } catch {
    return undefined;
  }
}

export function progressReporter(intervalMs = 15_000): ProgressReporter {
  let lastSent = -Infinity;
  let lastReport = '';
  let sending: Promise<void> = Promise.resolve();
  const send = (progress: ProgressReport): Promise<void> => {
    lastSent = Date.now();
    lastReport = JSON.stringify(progress);
    const { workflowExecution } = activityInfo();
    const client = workerClient();
    if (!client || !workflowExecution) return sending;
    const handle = client.workflow.getHandle(workflowExecution.workflowId, workflowExecution.runId);
    const signal = { ...progress, at: new Date(lastSent).toISOString() };
    sending = sending
      .then(async () => {
        await handle.signal(activityProgressSignal, signal);
      })
      .catch((err: unknown) => {
        log.warn('progress report not delivered', { error: String(err) });
      });
    return sending;
  };
  return {
    report: (progress) => {
      if (Date.now() - lastSent >= intervalMs) void send(progress);
    },
    // The last report may already be this one (work that ends within its first interval).
    final: (progress) => (JSON.stringify(progress) === lastReport ? sending : send(progress)),
  };
}

// The embedded demo: the whole system on the local stack, told step by step. It brings up the
// stack and a worker, puts the health monitoring on a short-interval schedule, shows the pipeline
// healthy, stops the MariaDB primary, and narrates what the system does about it, until the
// recovery's outcome. Then it heals the sandbox (unless asked to keep everything running).
// It runs under a system id of its own (`<system>-demo`) and its own task queue, so it never
// touches the recovery or schedules of the configured system.
import { ScheduleNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../activities/index.js';
import type { RecoveryStatus } from '../workflows/definitions.js';
import { renderCheckTable } from '../cli/check-table.js';
import { useSandboxSecretsFor } from '../cli/context.js';
import { watchRecovery } from '../cli/recovery-watch.js';
import { loadConfig } from '../config/load.js';
import type { GuardianConfig, SystemConfig } from '../config/schema.js';
import { mariaInstance, startMaria, stopMaria, waitForReplicaCatchUp, waitForReplicaIo } from '../stack/mariadb.js';
import { localConfigPath } from '../stack/paths.js';
import { stackDown, stackStatus, stackUp, syncPrimaryNow } from '../stack/stack.js';
import { WebhookSinkClient } from '../stack/webhook-sink-client.js';
import { connectClient, connectWorker, temporalTarget } from '../temporal/connection.js';
import { monitoringSchedules } from '../temporal/schedules.js';
import { createWorker } from '../worker.js';
import { acknowledgeSignal, monitoringScheduleId, recoveryWorkflowId } from '../workflows/definitions.js';
import type { healthMonitoring, HealthRunResult } from '../workflows/health-monitoring.js';
import { temporalRunUrl } from '../workflows/ui-link.js';
import { Narrator, type NarratedLine } from './narrator.js';

export interface DemoOptions {
  /** Leave the stack, the worker and the demo schedule running afterwards (until Ctrl-C). */
  keep: boolean;
  /** Interval of the demo's health-monitoring schedule. */
  intervalSeconds: number;
  /** Gives up if the recovery has no outcome this long after the primary was stopped. */
  timeoutMs: number;
  print?: (line: string) => void;
}

export interface DemoReport {
  systemId: string;
  recovery: RecoveryStatus;
  recoveryLink: string;
  notifications: string[];
  /** Seconds from the primary's stop to the recovery start, the backup activation and the outcome. */
  seconds: { toRecovery: number; toBackupActive?: number; toOutcome: number };
  lines: NarratedLine[];
}

/** The sandbox config, narrowed to one system under a demo id, with short polls and re-checks. */
export async function demoConfig(): Promise<{ config: GuardianConfig; system: SystemConfig }> {
  const config = await loadConfig(localConfigPath);
  const base = config.systems[0];
  if (!base) throw new Error(`${localConfigPath} lists no system`);
  const system: SystemConfig = {
    ...base,
    id: `${base.id}-demo`,
    name: `${base.name} (demo)`,
    health_check: { ...base.health_check, fast_confirmation: { enabled: true, rechecks: 2, interval_seconds: 5 } },
    sync_retry_policy: { ...base.sync_retry_policy, job_poll_interval_seconds: 2 },
  };
  return {
    config: { ...config, systems: [system], temporal: { ...config.temporal, task_queue: 'acode-guardian-demo' } },
    system,
  };
}

const describeHealthRun = (r: HealthRunResult): string => {
  if (r.action === 'all_systems_healthy') return 'health check: all systems healthy';
  const failing = r.unhealthy.map((u) => `${u.side} ${u.check}${u.code ? ` (${u.code})` : ''}`).join(', ');
  return [
    `health check: ${failing}`,
    `${r.consecutiveFailures} consecutive failure(s)${r.rechecks ? `, ${r.rechecks} of them fast re-checks` : ''}`,
    ...(r.failure ? [`classified ${r.failure.failureType}: ${r.failure.reason}`] : []),
    `decision: ${r.action}${r.recovery ? ` -> recovery ${r.recovery.workflowId} signalled` : ''}`,
  ].join('\n');
};

/** Until `done` is set, prints the result of each health-monitoring run the schedule starts. */
async function narrateHealthRuns(
  client: Client,
  scheduleId: string,
  say: (text: string) => void,
  done: () => boolean,
): Promise<void> {
  const seen = new Set<string>();
  const pending: Promise<void>[] = [];
  while (!done()) {
    const { info } = await client.schedule.getHandle(scheduleId).describe();
    for (const a of info.recentActions) {
      const { workflowId, firstExecutionRunId } = a.action.workflow;
      if (seen.has(workflowId)) continue;
      seen.add(workflowId);
      pending.push(
        client.workflow
          .getHandle<typeof healthMonitoring>(workflowId, firstExecutionRunId)
          .result()
          .then((r) => void (done() ? undefined : say(describeHealthRun(r))))
          .catch((err: unknown) => say(`health run ${workflowId} failed: ${String(err)}`)),
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await Promise.allSettled(pending);
}

/** The first recovery run started after `since`. */
async function recoveryStartedAfter(client: Client, workflowId: string, since: Date, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined);
    if (d && d.startTime >= since) return d;
    if (Date.now() > deadline) throw new Error(`no recovery started within ${timeoutMs / 1000} s of the failure`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runDemo(o: DemoOptions): Promise<DemoReport> {
  const n = new Narrator(o.print);
  const wasUp = (await stackStatus()).every((s) => s.answers);

  n.section('1. The local stack');
  n.say(
    'bringing up Temporal (dev server + Web UI), MariaDB primary + replica, S3, the Airbyte simulator, a webhook sink',
  );
  const secrets = await stackUp((line) => n.say(line));
  useSandboxSecretsFor(localConfigPath);
  const { config, system } = await demoConfig();
  const activities = createActivities(config);
  const target = temporalTarget(config.temporal.namespace);
  const client = await connectClient(target);
  const workerConnection = await connectWorker(target);
  const scheduleId = monitoringScheduleId(system.id);
  const recoveryId = recoveryWorkflowId(system.id);
  const ui = config.temporal.ui_url;

  // A previous demo may have left the pipeline failed over or a recovery in its cooldown.
  await client.workflow
    .getHandle(recoveryId)
    .terminate('a new demo starts')
    .catch(() => undefined);
  await activities.setAirbyteConnectionStatus(system.id, 'backup', 'inactive');
  await activities.setAirbyteConnectionStatus(system.id, 'primary', 'active');
  n.say(await syncPrimaryNow(system, secrets));

  const worker = await createWorker(config, workerConnection, target.namespace, activities);
  n.say(`worker ready on task queue ${config.temporal.task_queue}`);
  const primary = mariaInstance('primary');
  let primaryStopped = false;

  const story = async (): Promise<DemoReport> => {
    n.section(`2. ${system.name}: healthy`);
    n.say(renderCheckTable(await activities.runChecks(system.id)));
    const [health] = monitoringSchedules(config, system);
    if (!health) throw new Error('no health-monitoring schedule');
    await client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    await client.schedule.create({
      ...health,
      spec: { intervals: [{ every: `${o.intervalSeconds}s` }] },
      state: { note: 'acode-guardian demo', triggerImmediately: true },
    });
    n.say(`schedule ${scheduleId}: health monitoring every ${o.intervalSeconds} s (Temporal Schedule)`);

    n.section('3. The MariaDB primary goes down');
    let over = false;
    const healthRuns = narrateHealthRuns(
      client,
      scheduleId,
      (t) => n.say(t),
      () => over,
    );
    // Let the first scheduled round report the healthy pipeline before breaking it.
    await new Promise((r) => setTimeout(r, 4000));
    const breakAt = n.say(`stopping the MariaDB primary (pid file ${primary.pidFile})`).at;
    await stopMaria(primary);
    primaryStopped = true;
    n.say('primary stopped: the next check rounds will find it down');

    try {
      const run = await recoveryStartedAfter(client, recoveryId, breakAt, o.timeoutMs);
      const recoveryLink = temporalRunUrl(ui, config.temporal.namespace, recoveryId, run.runId);
      const started = n.say(`recovery started: ${recoveryId}\n${recoveryLink}`).at;
      n.section('4. The recovery, as it happens (the story the Temporal UI shows)');
      let backupActiveAt: Date | undefined;
      const handle: WorkflowHandle = client.workflow.getHandle(recoveryId, run.runId);
      const last = await withTimeout(
        watchRecovery(handle, {
          intervalMs: 500,
          json: false,
          live: false,
          write: (text) => {
            for (const line of text.split('\n').filter(Boolean)) {
              const said = n.say(line.replace(/^\S+Z /, ''));
              if (!backupActiveAt && line.includes('backup connection activated')) backupActiveAt = said.at;
            }
          },
        }),
        o.timeoutMs,
        'the recovery did not reach an outcome in time',
      );
      const outcomeAt = new Date();
      over = true;
      await healthRuns;

      const notifications = (await new WebhookSinkClient().requests('/'))
        .filter((r) => Date.parse(r.receivedAt) >= breakAt.getTime() && r.body.includes(system.name))
        .map((r) => `${r.path.startsWith('/slack') ? 'Slack' : 'PagerDuty'}: ${notificationTitle(r.body)}`);
      for (const line of notifications) n.say(line);
      const secs = (to: Date): number => Math.round((to.getTime() - breakAt.getTime()) / 100) / 10;
      return {
        systemId: system.id,
        recovery: last,
        recoveryLink,
        notifications,
        seconds: {
          toRecovery: secs(started),
          ...(backupActiveAt ? { toBackupActive: secs(backupActiveAt) } : {}),
          toOutcome: secs(outcomeAt),
        },
        lines: n.lines,
      };
    } finally {
      over = true;
      await healthRuns;
    }
  };

  const summarize = (report: DemoReport): void => {
    n.section('5. Summary');
    n.say(
      [
        `The primary of ${system.name} was stopped. The recovery started ${report.seconds.toRecovery} s later,`,
        report.seconds.toBackupActive !== undefined
          ? `the backup connection was active after ${report.seconds.toBackupActive} s,`
          : 'the backup connection was not activated,',
        `and the recovery ended "${report.recovery.outcome ?? 'without outcome'}" after ${report.seconds.toOutcome} s,`,
        `with ${report.notifications.length} notification(s) sent.`,
        '',
        `The recovery in the Temporal Web UI: ${report.recoveryLink}`,
        `Every run of the demo system:        ${ui}/namespaces/${config.temporal.namespace}/workflows?query=${encodeURIComponent(`AcodeSystem="${system.id}"`)}`,
        `Its history from a terminal:         .data/venv/bin/temporal workflow show --workflow-id ${recoveryId}`,
        `Messages the webhook sink received:  curl -s http://127.0.0.1:18080/__sink/requests`,
      ].join('\n'),
    );
  };

  /** Back to how the sandbox was: needs the worker, which closes the recovery run on the acknowledgement. */
  const heal = async (): Promise<void> => {
    n.section('6. Cleanup');
    await client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    if (primaryStopped) {
      await startMaria(primary);
      await waitForReplicaIo(true, 90_000);
      await waitForReplicaCatchUp();
      n.say('primary started again; the replica reconnected and caught up');
    }
    const recovery = client.workflow.getHandle(recoveryId);
    if ((await recovery.describe().catch(() => undefined))?.status.name === 'RUNNING') {
      await recovery.signal(acknowledgeSignal, { by: 'demo', reason: 'demo over' });
      await withTimeout(recovery.result(), 30_000, `${recoveryId} did not close after the acknowledgement`);
      n.say(`${recoveryId}: anti-flapping block lifted, run closed`);
    }
    await activities.setAirbyteConnectionStatus(system.id, 'backup', 'inactive');
    await activities.setAirbyteConnectionStatus(system.id, 'primary', 'active');
    n.say('connections restored: primary active, backup inactive; demo schedule deleted');
  };

  try {
    return await worker.runUntil(async () => {
      try {
        const report = await story();
        summarize(report);
        if (o.keep) {
          n.say('--keep: the stack, the worker and the demo schedule keep running; Ctrl-C stops the worker');
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        }
        return report;
      } finally {
        if (!o.keep) await heal();
      }
    });
  } finally {
    if (!o.keep && !wasUp) await stackDown((line) => n.say(line));
    else if (!o.keep) n.say('the stack was running before the demo: it keeps running');
    await client.connection.close();
    await workerConnection.close();
  }
}

/** The first line of a Slack text or a PagerDuty summary. */
function notificationTitle(body: string): string {
  try {
    const parsed = JSON.parse(body) as { text?: string; payload?: { summary?: string }; event_action?: string };
    const text = parsed.text ?? `${parsed.event_action ?? ''} ${parsed.payload?.summary ?? ''}`.trim();
    return (text.split('\n')[0] ?? '').replace(/^:[a-z_]+: /, '');
  } catch {
    return body.slice(0, 80);
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

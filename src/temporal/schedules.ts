// The monitoring schedules of the configured systems (Temporal Schedules, the cron of Temporal),
// created or updated idempotently from the config: `schedules sync` twice changes nothing the
// second time. Operators can equally manage them with `temporal schedule ...`.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { monitoringSettings } from '../activities/settings.js';
import type { GuardianConfig, SystemConfig } from '../config/schema.js';
import { archiveSnapshots } from '../workflows/archive-snapshots.js';
import {
  archiveScheduleId,
  continuousScheduleId,
  monitoringScheduleId,
  searchAttributeKeys,
} from '../workflows/definitions.js';
import { continuousMonitoring } from '../workflows/continuous-monitoring.js';
import { healthMonitoring } from '../workflows/health-monitoring.js';

type MonitoringWorkflow = typeof healthMonitoring | typeof continuousMonitoring;

/** The two schedules of a system: health monitoring (seed: every 5 min) and continuous monitoring (every 10). */
export function monitoringSchedules(
  config: GuardianConfig,
  system: SystemConfig,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<MonitoringWorkflow>>[] {
  const settings = monitoringSettings(system, config.temporal.ui_url);
  const kinds = [
    {
      id: monitoringScheduleId(system.id),
      workflowType: healthMonitoring,
      cron: system.health_check.schedule_cron,
      what: 'health monitoring',
    },
    {
      id: continuousScheduleId(system.id),
      workflowType: continuousMonitoring,
      cron: system.continuous_monitoring.schedule_cron,
      what: 'continuous monitoring',
    },
  ];
  return kinds.map((k) => ({
    scheduleId: k.id,
    spec: { cronExpressions: [k.cron] },
    action: {
      type: 'startWorkflow',
      workflowType: k.workflowType,
      args: [{ systemId: system.id, settings }],
      taskQueue: config.temporal.task_queue,
      workflowId: k.id,
      // A run does a check round and at most a minute of confirmation: a stuck one must not block the next.
      workflowExecutionTimeout: '4 minutes',
      typedSearchAttributes: [{ key: searchAttributeKeys.system, value: system.id }],
      memo: { system: system.id },
    },
    // Never two runs of one system at once; after downtime, one catch-up run rather than a backlog.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes', pauseOnFailure: false },
    state: { note: `${k.what} of ${system.name}, from the acode-guardian config` },
  }));
}

/** The daily archive of a system's backup snapshots into the archive bucket. */
export function archiveSchedule(
  config: GuardianConfig,
  system: SystemConfig,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof archiveSnapshots>> {
  const id = archiveScheduleId(system.id);
  return {
    scheduleId: id,
    spec: { cronExpressions: [system.archive.schedule_cron] },
    action: {
      type: 'startWorkflow',
      workflowType: archiveSnapshots,
      args: [{ systemId: system.id }],
      taskQueue: config.temporal.task_queue,
      workflowId: id,
      // The copy activity may take up to 2 hours an attempt, 3 attempts.
      workflowExecutionTimeout: '7 hours',
      typedSearchAttributes: [{ key: searchAttributeKeys.system, value: system.id }],
      memo: { system: system.id },
    },
    // A day missed during downtime is caught up once; every run archives all the files not yet archived.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
    state: { note: `archive of the backup snapshots of ${system.name}, from the acode-guardian config` },
  };
}

/** Every schedule of a system, in the order `schedules sync` reports them. */
export const systemSchedules = (config: GuardianConfig, system: SystemConfig): ScheduleOptions[] => [
  ...monitoringSchedules(config, system),
  archiveSchedule(config, system),
];

export type SyncOutcome = { scheduleId: string; action: 'created' | 'updated' };

export async function syncSchedules(client: Client, config: GuardianConfig): Promise<SyncOutcome[]> {
  const out: SyncOutcome[] = [];
  for (const opts of config.systems.flatMap((system) => systemSchedules(config, system))) {
    try {
      await client.schedule.create(opts);
      out.push({ scheduleId: opts.scheduleId, action: 'created' });
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      // A full replacement of what the config owns; a pause set by an operator is kept.
      await client.schedule
        .getHandle(opts.scheduleId)
        .update((prev) => ({ ...prev, spec: opts.spec, action: opts.action, policies: opts.policies }));
      out.push({ scheduleId: opts.scheduleId, action: 'updated' });
    }
  }
  return out;
}

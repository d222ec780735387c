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
import { monitoringScheduleId, searchAttributeKeys } from '../workflows/definitions.js';
import { healthMonitoring } from '../workflows/health-monitoring.js';

export function monitoringSchedule(
  config: GuardianConfig,
  system: SystemConfig,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof healthMonitoring>> {
  const id = monitoringScheduleId(system.id);
  return {
    scheduleId: id,
    spec: { cronExpressions: [system.health_check.schedule_cron] },
    action: {
      type: 'startWorkflow',
      workflowType: healthMonitoring,
      args: [{ systemId: system.id, settings: monitoringSettings(system, config.temporal.ui_url) }],
      taskQueue: config.temporal.task_queue,
      workflowId: id,
      // A run does a check round and at most a minute of confirmation: a stuck one must not block the next.
      workflowExecutionTimeout: '4 minutes',
      typedSearchAttributes: [{ key: searchAttributeKeys.system, value: system.id }],
      memo: { system: system.id },
    },
    // Never two runs of one system at once; after downtime, one catch-up run rather than a backlog.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes', pauseOnFailure: false },
    state: { note: `health monitoring of ${system.name}, from the acode-guardian config` },
  };
}

export type SyncOutcome = { scheduleId: string; action: 'created' | 'updated' };

export async function syncSchedules(client: Client, config: GuardianConfig): Promise<SyncOutcome[]> {
  const out: SyncOutcome[] = [];
  for (const system of config.systems) {
    const opts = monitoringSchedule(config, system);
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

// `schedules sync | list | pause | resume | trigger`: the monitoring schedules of the config.
import type { ScheduleHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { findSystem } from '../config/load.js';
import { temporalRunUrl, temporalScheduleUrl } from '../workflows/ui-link.js';
import { syncSchedules } from '../temporal/schedules.js';
import { archiveScheduleId, continuousScheduleId, monitoringScheduleId } from '../workflows/definitions.js';
import { output, withConfigOptions, withTemporal, type ConfigOptions } from './context.js';

const scheduleIdsOf = (systemId: string): string[] => [
  monitoringScheduleId(systemId),
  continuousScheduleId(systemId),
  archiveScheduleId(systemId),
];

interface Opts extends ConfigOptions {
  reason?: string;
}

export function registerScheduleCommands(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('the monitoring schedules (Temporal Schedules), driven by the config');

  withConfigOptions(
    schedules.command('sync').description('create or update every system schedule from the config (idempotent)'),
  ).action((o: Opts) =>
    withTemporal(o.config, async (client, config) => {
      const out = await syncSchedules(client, config);
      output(o.json, out, () => out.map((s) => `${s.scheduleId}: ${s.action}`).join('\n'));
    }),
  );

  withConfigOptions(
    schedules.command('list').description('each system schedule: state, next runs, recent runs'),
  ).action((o: Opts) =>
    withTemporal(o.config, async (client, config) => {
      const rows: { scheduleId: string; state: string; note: string; next: string; recentRuns: number }[] = [];
      for (const id of config.systems.flatMap((s) => scheduleIdsOf(s.id))) {
        const d = await client.schedule
          .getHandle(id)
          .describe()
          .catch(() => undefined);
        rows.push({
          scheduleId: id,
          state: d ? (d.state.paused ? 'paused' : 'active') : 'missing (run schedules sync)',
          note: d?.state.note ?? '',
          next: d?.info.nextActionTimes[0]?.toISOString() ?? '-',
          recentRuns: d?.info.recentActions.length ?? 0,
        });
      }
      output(o.json, rows, () => rows.map((r) => `${r.scheduleId}  ${r.state}  next ${r.next}  ${r.note}`).join('\n'));
    }),
  );

  for (const [name, what] of [
    ['pause', 'pause the schedules of a system (maintenance)'],
    ['resume', 'resume the paused schedules of a system'],
    ['trigger', 'run the health monitoring of a system now'],
  ] as const) {
    withConfigOptions(
      schedules
        .command(name)
        .description(what)
        .argument('<system>', 'system id')
        .option('--reason <text>', 'note recorded on the schedule'),
    ).action((systemId: string, o: Opts) =>
      withTemporal(o.config, async (client, config) => {
        findSystem(config, systemId);
        const { ui_url: ui, namespace } = config.temporal;
        const reason = o.reason ?? `${name} by ${process.env.USER ?? 'operator'} via acode-guardian`;
        const ids = name === 'trigger' ? [monitoringScheduleId(systemId)] : scheduleIdsOf(systemId);
        const done: { scheduleId: string; link: string }[] = [];
        for (const id of ids) {
          const handle = client.schedule.getHandle(id);
          if (name === 'pause') await handle.pause(reason);
          else if (name === 'resume') await handle.unpause(reason);
          else {
            const before = (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
            await handle.trigger();
            const run = await startedRun(handle, before);
            done.push({
              scheduleId: id,
              link: run
                ? temporalRunUrl(ui, namespace, run.workflowId, run.firstExecutionRunId)
                : temporalScheduleUrl(ui, namespace, id),
            });
            continue;
          }
          done.push({ scheduleId: id, link: temporalScheduleUrl(ui, namespace, id) });
        }
        output(o.json, { done: name, schedules: done }, () =>
          done.map((d) => `${d.scheduleId}: ${name} done\n  ${d.link}`).join('\n'),
        );
      }),
    );
  }
}

/** The run a trigger started, once the schedule lists it (a few seconds at most), else undefined. */
async function startedRun(handle: ScheduleHandle, lastBefore: string | undefined) {
  for (let i = 0; i < 20; i++) {
    const last = (await handle.describe()).info.recentActions.at(-1)?.action.workflow;
    if (last && last.workflowId !== lastBefore) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

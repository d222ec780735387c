// `schedules sync | list | pause | resume | trigger`: the monitoring schedules of the config.
import type { Command } from 'commander';
import { syncSchedules } from '../temporal/schedules.js';
import { continuousScheduleId, monitoringScheduleId } from '../workflows/definitions.js';

const scheduleIdsOf = (systemId: string): string[] => [monitoringScheduleId(systemId), continuousScheduleId(systemId)];
import { output, withTemporal } from './context.js';

interface Opts {
  config?: string;
  json?: boolean;
  reason?: string;
}

export function registerScheduleCommands(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('the monitoring schedules (Temporal Schedules), driven by the config');
  const common = (c: Command): Command =>
    c.option('-c, --config <path>', 'configuration file').option('--json', 'machine-readable output');

  common(
    schedules.command('sync').description('create or update every system schedule from the config (idempotent)'),
  ).action((o: Opts) =>
    withTemporal(o.config, async (client, config) => {
      const out = await syncSchedules(client, config);
      output(o.json, out, () => out.map((s) => `${s.scheduleId}: ${s.action}`).join('\n'));
    }),
  );

  common(schedules.command('list').description('each system schedule: state, next runs, recent runs')).action(
    (o: Opts) =>
      withTemporal(o.config, async (client, config) => {
        const rows: { scheduleId: string; state: string; note: string; next: string; recentRuns: number }[] = [];
        for (const s of config.systems) {
          const id = monitoringScheduleId(s.id);
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
        output(o.json, rows, () =>
          rows.map((r) => `${r.scheduleId}  ${r.state}  next ${r.next}  ${r.note}`).join('\n'),
        );
      }),
  );

  for (const [name, what] of [
    ['pause', 'pause the schedules of a system (maintenance)'],
    ['resume', 'resume the paused schedules of a system'],
    ['trigger', 'run the health monitoring of a system now'],
  ] as const) {
    common(
      schedules
        .command(name)
        .description(what)
        .argument('<system>', 'system id')
        .option('--reason <text>', 'note recorded on the schedule'),
    ).action((systemId: string, o: Opts) =>
      withTemporal(o.config, async (client) => {
        const reason = o.reason ?? `${name} by ${process.env.USER ?? 'operator'} via acode-guardian`;
        const ids = name === 'trigger' ? [monitoringScheduleId(systemId)] : scheduleIdsOf(systemId);
        for (const id of ids) {
          const handle = client.schedule.getHandle(id);
          if (name === 'pause') await handle.pause(reason);
          else if (name === 'resume') await handle.unpause(reason);
          else await handle.trigger();
        }
        output(o.json, { schedules: ids, done: name }, () => ids.map((id) => `${id}: ${name} done`).join('\n'));
      }),
    );
  }
}

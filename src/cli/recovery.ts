// `recovery start | status | watch | approve | reject | cancel | acknowledge <system>`: the recovery run of
// a system, by its stable workflow id. Each prints the Temporal UI link of the run it touches.
import type { Command } from 'commander';
import { recoverySettings } from '../activities/settings.js';
import { findSystem } from '../config/load.js';
import { autoRecovery } from '../workflows/auto-recovery.js';
import {
  acknowledgeSignal,
  approveSignal,
  cancelSignal,
  failureObservedSignal,
  recoveryWorkflowId,
  rejectSignal,
  searchAttributeKeys,
  statusQuery,
} from '../workflows/definitions.js';
import {
  humanDecision,
  output,
  positiveNumber,
  runLink,
  withConfigOptions,
  withTemporal,
  type DecisionOptions,
} from './context.js';
import { watchExitCode, watchRecovery } from './recovery-watch.js';

type Opts = DecisionOptions;

export function registerRecoveryCommands(program: Command): void {
  const recovery = program.command('recovery').description("a system's auto-recovery run (workflow recovery-<system>)");
  const common = (c: Command): Command =>
    withConfigOptions(c.argument('<system>', 'system id'))
      .option('--by <who>', 'who decides (default $USER)')
      .option('--reason <text>', 'why');

  common(recovery.command('start').description('start a recovery by hand (lifts an anti-flapping block first)')).action(
    (systemId: string, o: Opts) =>
      withTemporal(o.config, async (client, config) => {
        const system = findSystem(config, systemId);
        const id = recoveryWorkflowId(systemId);
        const running = await client.workflow
          .getHandle(id)
          .describe()
          .catch(() => undefined);
        if (
          running?.status.name === 'RUNNING' &&
          (await client.workflow.getHandle(id).query(statusQuery)).phase === 'cooldown'
        ) {
          await client.workflow.getHandle(id).signal(acknowledgeSignal, humanDecision(o));
          await client.workflow
            .getHandle(id)
            .result()
            .catch(() => undefined);
        }
        const d = humanDecision(o);
        await client.workflow.signalWithStart(autoRecovery, {
          taskQueue: config.temporal.task_queue,
          workflowId: id,
          args: [{ systemId, settings: recoverySettings(system, config.temporal.ui_url) }],
          typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
          memo: { system: systemId, startedBy: d.by },
          signal: failureObservedSignal,
          signalArgs: [
            {
              failureType: 'unknown',
              reason: `started by ${d.by}: ${d.reason}`,
              consecutiveFailures: 1,
              unhealthy: [],
              backupFit: true,
              observedAt: new Date().toISOString(),
            },
          ],
        });
        const { link } = await runLink(client, config, id);
        output(o.json, { workflowId: id, link }, () => `${id} started\n${link}`);
      }),
  );

  common(recovery.command('status').description('phase, strategy, attempts, next timer and the story so far')).action(
    (systemId: string, o: Opts) =>
      withTemporal(o.config, async (client, config) => {
        const id = recoveryWorkflowId(systemId);
        const status = await client.workflow.getHandle(id).query(statusQuery);
        const { link } = await runLink(client, config, id);
        output(o.json, { ...status, link }, () =>
          [
            `${id}: ${status.phase}${status.strategy ? `, strategy ${status.strategy}` : ''}, ${status.attempts} attempt(s)`,
            ...(status.nextTimerAt ? [`next timer: ${status.nextTimerAt}`] : []),
            ...(status.blockedUntil ? [`automatic recovery blocked until ${status.blockedUntil}`] : []),
            ...status.story,
            link,
          ].join('\n'),
        );
      }),
  );

  common(
    recovery
      .command('watch')
      .description('follow the run live until its recovery ends (exit 0 recovered or failed over, 2 otherwise)')
      .option('--interval <seconds>', 'poll interval', '1'),
  ).action((systemId: string, o: Opts & { interval: string }) =>
    withTemporal(o.config, async (client, config) => {
      findSystem(config, systemId);
      const intervalMs = positiveNumber('--interval', o.interval) * 1000;
      const id = recoveryWorkflowId(systemId);
      const { link } = await runLink(client, config, id);
      if (!o.json) console.log(`watching ${id}\n${link}`);
      const last = await watchRecovery(client.workflow.getHandle(id), {
        intervalMs,
        json: Boolean(o.json),
        live: !o.json && process.stdout.isTTY,
        write: (text) => process.stdout.write(text),
      });
      if (!o.json) console.log(last.outcome ? `outcome: ${last.outcome}` : 'the run closed without an outcome');
      process.exitCode = watchExitCode(last);
    }),
  );

  for (const [name, signal, what] of [
    ['approve', approveSignal, 'approve the escalation: the emergency procedure runs'],
    ['reject', rejectSignal, 'reject the escalation: the recovery closes with the reason'],
    ['cancel', cancelSignal, 'cancel the recovery'],
    ['acknowledge', acknowledgeSignal, 'lift the anti-flapping block'],
  ] as const) {
    common(recovery.command(name).description(what)).action((systemId: string, o: Opts) =>
      withTemporal(o.config, async (client, config) => {
        const id = recoveryWorkflowId(systemId);
        await client.workflow.getHandle(id).signal(signal, humanDecision(o));
        const { link } = await runLink(client, config, id);
        output(o.json, { workflowId: id, signal: name, link }, () => `${id}: ${name} sent\n${link}`);
      }),
    );
  }
}

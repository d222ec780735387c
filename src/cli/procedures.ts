// `failover | failback | emergency | quarantine <system>`: an operator starts a procedure by hand
// (failover, emergency and the data-corruption recovery are the workflows the auto-recovery runs as
// children; failback returns to the primary).
// One run per system and procedure at a time: its id is stable while it runs, so a second command
// points at the running one instead of starting another.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { findSystem } from '../config/load.js';
import type { GuardianConfig } from '../config/schema.js';
import { backupFailover } from '../workflows/backup-failover.js';
import { dataCorruptionRecovery } from '../workflows/data-corruption-recovery.js';
import {
  dataCorruptionStatusQuery,
  emergencyStatusQuery,
  operatorWorkflowId,
  searchAttributeKeys,
  type ActivityProgress,
  type HumanDecision,
  type OperatorProcedure,
} from '../workflows/definitions.js';
import { emergencyProcedure } from '../workflows/emergency-procedure.js';
import { returnToPrimary } from '../workflows/return-to-primary.js';
import { humanDecision, output, runLink, withConfigOptions, withTemporal, type DecisionOptions } from './context.js';
import { printProgressUntil } from './progress.js';

interface Opts extends DecisionOptions {
  wait?: boolean;
  quarantineOnly?: boolean;
}

interface RunRequest extends HumanDecision {
  workflowId: string;
  systemId: string;
}

/** What a command needs to start one procedure and tell how it ended. */
interface Procedure<Result> {
  start: (client: Client, config: GuardianConfig, run: RunRequest) => Promise<unknown>;
  /** Lines for people, and whether the procedure reached its goal. */
  describe: (result: Result) => { lines: string[]; ok: boolean };
  /** How far its long activity has come, from the run's status query (procedures with one). */
  progress?: (run: WorkflowHandle) => Promise<ActivityProgress | undefined>;
}

const startOptions = (config: GuardianConfig, { workflowId, systemId, by }: RunRequest) => ({
  taskQueue: config.temporal.task_queue,
  workflowId,
  typedSearchAttributes: [{ key: searchAttributeKeys.system, value: systemId }],
  memo: { system: systemId, startedBy: by },
});

const failover: Procedure<Awaited<ReturnType<typeof backupFailover>>> = {
  start: (client, config, r) =>
    client.workflow.start(backupFailover, {
      ...startOptions(config, r),
      args: [{ systemId: r.systemId, reason: `manual failover by ${r.by}: ${r.reason}` }],
    }),
  describe: (r) => ({
    lines: [`failover ${r.status}${r.error ? `: ${r.error}` : ''}`, ...r.steps],
    ok: r.status === 'succeeded',
  }),
};

const failback: Procedure<Awaited<ReturnType<typeof returnToPrimary>>> = {
  start: (client, config, r) =>
    client.workflow.start(returnToPrimary, {
      ...startOptions(config, r),
      args: [{ systemId: r.systemId, reason: r.reason, by: r.by }],
    }),
  describe: (r) => ({
    lines: [`return to the primary ${r.status}${r.error ? `: ${r.error}` : ''}`, ...r.steps],
    ok: r.status === 'succeeded',
  }),
};

const emergency: Procedure<Awaited<ReturnType<typeof emergencyProcedure>>> = {
  start: (client, config, r) =>
    client.workflow.start(emergencyProcedure, {
      ...startOptions(config, r),
      args: [{ systemId: r.systemId, reason: r.reason, by: r.by }],
    }),
  describe: (r) => ({ lines: [`emergency dump from the ${r.source}`, ...r.story], ok: true }),
  progress: async (run) => (await run.query(emergencyStatusQuery)).inProgress,
};

const dataRecovery = (quarantineOnly: boolean): Procedure<Awaited<ReturnType<typeof dataCorruptionRecovery>>> => ({
  start: (client, config, r) =>
    client.workflow.start(dataCorruptionRecovery, {
      ...startOptions(config, r),
      args: [{ systemId: r.systemId, reason: r.reason, by: r.by, quarantineOnly }],
    }),
  describe: (r) => ({
    lines: [
      `data-corruption recovery: ${r.outcome}`,
      `quarantine: ${r.quarantine.objects} objects (${r.quarantine.bytes} bytes) -> ${r.quarantine.destination}`,
      `manifest: ${r.quarantine.manifest}`,
      ...r.story,
    ],
    ok: r.outcome === 'restored' || r.outcome === 'quarantined',
  }),
  progress: async (run) => (await run.query(dataCorruptionStatusQuery)).inProgress,
});

async function run<Result>(kind: OperatorProcedure, procedure: Procedure<Result>, systemId: string, o: Opts) {
  return withTemporal(o.config, async (client, config) => {
    findSystem(config, systemId);
    const workflowId = operatorWorkflowId(kind, systemId);
    let alreadyRunning = false;
    try {
      await procedure.start(client, config, { workflowId, systemId, ...humanDecision(o) });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      alreadyRunning = true;
    }
    const { runId, link } = await runLink(client, config, workflowId);
    const started = alreadyRunning ? `${workflowId} is already running` : `${workflowId} started`;
    if (!o.wait) {
      output(o.json, { workflowId, runId, alreadyRunning, link }, () => `${started}\n${link}`);
      return;
    }
    const handle = client.workflow.getHandle(workflowId, runId);
    const ended = handle.result() as Promise<Result>;
    if (!o.json) {
      console.log(`${started}, waiting for it to end\n${link}`);
      const { progress } = procedure;
      if (progress) await printProgressUntil(ended, () => progress(handle), console.log);
    }
    const result = await ended;
    const { lines, ok } = procedure.describe(result);
    output(o.json, { workflowId, runId, alreadyRunning, link, ok, result }, () => lines.join('\n'));
    if (!ok) process.exitCode = 2;
  });
}

export function registerProcedureCommands(program: Command): void {
  const common = (c: Command): Command =>
    withConfigOptions(c.argument('<system>', 'system id from the config'))
      .option('--by <who>', 'who starts it (default $USER)')
      .option('--reason <text>', 'why (goes into the run and its notifications)')
      .option(
        '--wait',
        'wait for the end, showing progress, and print the steps (exit 2 if it did not reach its goal)',
      );

  common(
    program
      .command('failover')
      .description('fail over to the backup by hand: primary connection off, backup on, sync, validate, notify'),
  ).action((systemId: string, o: Opts) => run('failover', failover, systemId, o));

  common(
    program
      .command('failback')
      .description(
        'return to the primary after a failover: only if its checks pass; primary connection on, backup off, sync, confirm fresh data',
      ),
  ).action((systemId: string, o: Opts) => run('failback', failback, systemId, o));

  common(
    program
      .command('emergency')
      .description(
        'run the emergency procedure: dump the last days of every table (primary, else replica) as gzip SQL and CSV to the emergency bucket',
      ),
  ).action((systemId: string, o: Opts) => run('emergency', emergency, systemId, o));

  common(
    program
      .command('quarantine')
      .description(
        'data-corruption recovery: move the production data into the quarantine bucket (manifest first, every copy verified before its original is deleted), validate the backup, restore it if clean, else alert critically',
      ),
  )
    .option('--quarantine-only', 'only move the production data into quarantine: no backup validation, no restore')
    .action((systemId: string, o: Opts) => run('quarantine', dataRecovery(o.quarantineOnly ?? false), systemId, o));
}

// Emergency procedure (seed: "Cenário 1", both systems unavailable): assess both sides, extract the
// last N days of every table from the first reachable source (the primary, else the read-only
// replica) as gzip SQL and CSV in the emergency bucket, verify, and notify with the escalation
// contacts. Started by the auto-recovery once a human approved the escalation, or by an operator.
// One activity per table: a worker crash resumes at the table it was dumping, not from zero. The
// table in progress reports its rows (activityProgress), so the status query shows them.
import { ApplicationFailure, proxyActivities, setHandler } from '@temporalio/workflow';
import type { TableDump } from '../activities/emergency-dump.js';
import type { Activities } from '../activities/index.js';
import type { Side } from '../checks/types.js';
import { activityProgressSignal, emergencyStatusQuery, type EmergencyStatus } from './definitions.js';
import { thisRunUrl, timestampedAppender } from './this-run.js';
import { api } from './activity-calls.js';

const dump = proxyActivities<Activities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

export interface EmergencyProcedureInput {
  systemId: string;
  reason: string;
  /** Who approved or started it. */
  by: string;
}

export interface EmergencyProcedureResult {
  source: Side;
  tables: TableDump[];
  story: string[];
}

const pad = (n: number): string => String(n).padStart(2, '0');

export async function emergencyProcedure(input: EmergencyProcedureInput): Promise<EmergencyProcedureResult> {
  const { systemId } = input;
  const status: EmergencyStatus = { phase: 'assessing', tables: [], story: [] };
  const story = timestampedAppender(status.story);
  setHandler(emergencyStatusQuery, () => status);
  setHandler(activityProgressSignal, (progress) => void (status.inProgress = progress));
  const settings = await api.getEmergencySettings(systemId);
  const runUrl = thisRunUrl(settings.temporalUiUrl);
  story(`started by ${input.by}: ${input.reason}`);

  const assessment = await api.runChecks(systemId, [
    { check: 'mysql_connectivity', side: 'primary' },
    { check: 'mysql_connectivity', side: 'backup' },
  ]);
  const reachable = (['primary', 'backup'] as const).filter((side) =>
    assessment.some((r) => r.side === side && r.status === 'healthy'),
  );
  for (const r of assessment)
    story(`${r.side}: ${r.status === 'healthy' ? 'answers' : `DOWN (${r.error?.code ?? '?'})`}`);

  const now = new Date();
  const datePath = `${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}`;
  const dumpId = `${systemId}_emergency_${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_')}`;
  const notify = (severity: 'warning' | 'critical', title: string, happened: string, doing: string, next: string[]) =>
    api.sendNotification(systemId, {
      notice: { severity, title, whatHappened: happened, whatIsBeingDone: doing, nextSteps: next, temporalUrl: runUrl },
      withContacts: true,
    });

  if (reachable.length === 0) {
    status.phase = 'failed';
    story('no source reachable: nothing extracted');
    await notify(
      'critical',
      'EMERGENCY: no source reachable for the emergency dump',
      `Both the primary and the replica are down. ${input.reason}`,
      'Nothing could be extracted.',
      ['Escalate to the CTO', 'Contact ACODE support', 'Prepare the business continuity plan'],
    );
    throw ApplicationFailure.nonRetryable(
      'emergency dump: neither the primary nor the replica answers',
      'NoSourceReachable',
    );
  }

  status.phase = 'dumping';
  let source: Side = reachable[0] ?? 'primary';
  for (const table of settings.tables) {
    let done: TableDump | undefined;
    for (const side of reachable.slice(reachable.indexOf(source))) {
      try {
        done = await dump.dumpTableToS3(systemId, { table, side, days: settings.days, dumpId, datePath });
        source = side;
        break;
      } catch (err) {
        story(`${table}: dump from the ${side} failed (${err instanceof Error ? err.message : String(err)})`);
      } finally {
        status.inProgress = undefined;
      }
    }
    if (!done) {
      status.phase = 'failed';
      await notify(
        'critical',
        'Emergency dump FAILED',
        `${table} could not be extracted from any source.`,
        status.story.slice(-3).join('; '),
        ['Manual extraction needed'],
      );
      throw ApplicationFailure.nonRetryable(
        `emergency dump of ${table} failed from every reachable source`,
        'DumpFailed',
      );
    }
    status.tables.push(done);
    story(`${table}: ${done.rowsWritten} rows from the ${done.source} -> ${done.sql.key}, ${done.csv.key}`);
  }

  status.phase = 'done';
  await notify(
    'critical',
    'Emergency recovery: data extracted',
    `Both systems were unavailable or failing. ${input.reason} Last ${settings.days} days extracted from the ${source}.`,
    status.tables.map((t) => `${t.table}: ${t.rowsWritten} rows, ${t.sql.key} and ${t.csv.key}`).join('\n'),
    ['Escalate to the CTO', 'Contact ACODE support', 'Prepare the business continuity plan'],
  );
  return { source, tables: status.tables, story: status.story };
}

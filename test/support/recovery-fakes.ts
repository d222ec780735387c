// Activities stubbed at the boundary for the recovery workflows under time skipping: a primary
// that recovers (or not) after N checks, a backup that is fit (or not), syncs that succeed.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { Activities } from '../../src/activities/index.js';
import type { NotificationRequest } from '../../src/activities/notifications.js';
import type { QuarantineRequest } from '../../src/activities/quarantine.js';
import type { FailoverSettings, RecoverySettings } from '../../src/activities/settings.js';
import type { CheckName, CheckResult, Side } from '../../src/checks/types.js';
import type { ConnectionResponse, ConnectionStatus, JobResponse } from '../../src/integrations/airbyte/api-types.js';
import { searchAttributes } from '../../src/stack/services.js';

export const recoverySettings: RecoverySettings = {
  systemName: 'ACODE',
  temporalUiUrl: 'http://127.0.0.1:8233',
  backoffMinutes: [5, 15, 30],
  jitterMaxSeconds: 60,
  jitterMaxFraction: 0.1,
  escalation: { backupAt: 3, manualAt: 5 },
  approvalTimeoutMs: 30 * 60_000,
  approvalMaxWaitMs: 4 * 3_600_000,
  antiFlappingMs: 30 * 60_000,
};

/** The seed's sync policy: poll 60 s, 120-minute timeout, 3 attempts, 5 -> 20 minutes x2. */
export const syncSettings: FailoverSettings = {
  systemName: 'ACODE',
  temporalUiUrl: 'http://127.0.0.1:8233',
  jobPollIntervalMs: 60_000,
  jobTimeoutMs: 120 * 60_000,
  syncMaxAttempts: 3,
  syncInitialDelayMs: 5 * 60_000,
  syncMaxDelayMs: 20 * 60_000,
  syncMultiplier: 2,
};

/** The time-skipping server does not know custom search attributes until they are registered. */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      searchAttributes.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
}

const result = (check: CheckName, side: Side, healthy: boolean, details?: CheckResult['details']): CheckResult => ({
  check,
  side,
  target: 'fake',
  status: healthy ? 'healthy' : 'unhealthy',
  value: null,
  unit: '',
  warnThreshold: null,
  failThreshold: null,
  ...(healthy ? {} : { error: { code: 'ECONNREFUSED', message: 'refused' } }),
  ...(details ? { details } : {}),
  durationMs: 1,
  checkedAt: '2026-12-04T00:00:00Z',
});

export function recoveryFakes(
  opts: { primaryHealthyFromCheck?: number; backupFit?: boolean; backupClean?: boolean } = {},
) {
  const calls = {
    primaryChecks: 0,
    rotations: [] as string[],
    syncs: [] as Side[],
    failovers: 0,
    dumps: [] as string[],
    reliefs: 0,
    schemaRefreshes: 0,
    quarantines: [] as QuarantineRequest[],
  };
  const notices: NotificationRequest[] = [];
  const statuses: Record<Side, ConnectionStatus> = { primary: 'active', backup: 'inactive' };
  const jobs = new Map<number, JobResponse>();
  const activities: Partial<Activities> = {
    runChecks: (_s, requests = []) => {
      const out = requests.map((r) => {
        if (r.side === 'primary') {
          return result(
            r.check,
            'primary',
            opts.primaryHealthyFromCheck !== undefined && calls.primaryChecks + 1 >= opts.primaryHealthyFromCheck,
          );
        }
        const fit = opts.backupFit ?? true;
        return r.check === 'backup_replication'
          ? result(r.check, 'backup', fit, {
              io_running: fit ? 'Yes' : 'No',
              sql_running: fit ? 'Yes' : 'No',
              last_io_errno: 0,
              last_sql_errno: 0,
            })
          : result(r.check, 'backup', fit);
      });
      if (requests.some((r) => r.side === 'primary')) calls.primaryChecks += 1;
      return Promise.resolve(out);
    },
    rotateCredentials: (_s, rotationId) => {
      calls.rotations.push(rotationId);
      return Promise.resolve({ account: 'userfarmarcasac02@%', verified: true, airbyteSourceUpdated: true });
    },
    refreshSourceSchema: () => {
      calls.schemaRefreshes += 1;
      return Promise.resolve({ sourceId: 'source_mysql_acode', streams: 2, missing: ['t1.CNPJ_Loja'] });
    },
    relieveConnectionPressure: () => {
      calls.reliefs += 1;
      return Promise.resolve({ idleLimitSeconds: 300, closed: 4, byUser: { app: 4 } });
    },
    getFailoverSettings: () => Promise.resolve(syncSettings),
    getAirbyteConnection: (_s, side) =>
      Promise.resolve({ connectionId: side, status: statuses[side] } as ConnectionResponse),
    setAirbyteConnectionStatus: (_s, side, status) => {
      statuses[side] = status;
      if (side === 'backup' && status === 'active') calls.failovers += 1;
      return Promise.resolve({ connectionId: side, status } as ConnectionResponse);
    },
    triggerSync: (_s, side) => {
      calls.syncs.push(side);
      const job = {
        jobId: jobs.size + 1,
        status: 'running',
        jobType: 'sync',
        startTime: '',
        connectionId: side,
      } as JobResponse;
      jobs.set(job.jobId, job);
      return Promise.resolve({ job, adopted: false });
    },
    getSyncJob: (_s, jobId) =>
      Promise.resolve({ ...(jobs.get(jobId) as JobResponse), status: 'succeeded', rowsSynced: 10 }),
    getSyncJobFailure: () => Promise.resolve(null),
    getEmergencySettings: () =>
      Promise.resolve({ systemName: 'ACODE', temporalUiUrl: 'http://127.0.0.1:8233', tables: ['t1'], days: 7 }),
    dumpTableToS3: (_s, req) => {
      calls.dumps.push(`${req.table}@${req.side}`);
      const file = (ext: string) => ({
        key: `s3://emergency/${req.datePath}/${req.dumpId}_${req.table}.${ext}.gz`,
        bytes: 100,
      });
      return Promise.resolve({
        table: req.table,
        source: req.side,
        rowsSelected: 42,
        rowsWritten: 42,
        sql: file('sql'),
        csv: file('csv'),
      });
    },
    cancelSyncJob: (_s, jobId) => Promise.resolve({ ...(jobs.get(jobId) as JobResponse), status: 'cancelled' }),
    validateBackup: () =>
      Promise.resolve({
        bucket: 'b',
        day: 'd',
        streams: [],
        clean: opts.backupClean ?? true,
        problems: opts.backupClean === false ? ['t1: 42.0 % null cells (limit 10 %)'] : [],
      }),
    quarantineProduction: (_s, req) => {
      calls.quarantines.push(req);
      const folder = `s3://quarantine/acode/${req.datePath}/${req.quarantineId}/`;
      return Promise.resolve({
        quarantineId: req.quarantineId,
        source: 's3://production/origin=airbyte/database=bronze_acode/',
        destination: folder,
        manifest: `${folder}manifest.jsonl`,
        objects: 2,
        bytes: 20,
        resumed: false,
        copied: 2,
        alreadyQuarantined: 0,
        deleted: 2,
        durationMs: 5,
      });
    },
    sendNotification: (_s, req) => {
      notices.push(req);
      return Promise.resolve([{ channel: 'slack', ok: true, attempts: 1 }]);
    },
  };
  return { activities, calls, notices, statuses };
}

/** Durations of the durable timers a run started, in ms, from its history. */
export async function timersOf(handle: {
  fetchHistory: () => Promise<temporal.api.history.v1.IHistory>;
}): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.timerStartedEventAttributes?.startToFireTimeout)
    .filter((t): t is NonNullable<typeof t> => t !== undefined && t !== null)
    .map((t) => Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6));
}

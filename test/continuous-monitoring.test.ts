// Continuous monitoring: the seed's overall status (table), the workflow under time skipping
// with activities stubbed, and the audit record written to the real S3 server.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type Activities } from '../src/activities/index.js';
import type { NotificationRequest } from '../src/activities/notifications.js';
import type { CheckName, CheckResult, CheckStatus, Side } from '../src/checks/types.js';
import { loadConfig } from '../src/config/load.js';
import { overallStatus, type OverallStatus } from '../src/decisions/overall-status.js';
import { localConfigPath } from '../src/stack/paths.js';
import { sandboxS3Client } from '../src/stack/s3.js';
import { continuousMonitoring } from '../src/workflows/continuous-monitoring.js';
import type { FailureContext } from '../src/workflows/definitions.js';
import type { StorageVerifyReport } from '../src/activities/storage.js';
import type { Drift } from '../src/decisions/storage-drift.js';
import { projectWorker, timeSkippingEnv, uniqueId } from './support/temporal.js';

function r(check: CheckName, side: Side, status: CheckStatus, value: number | null = 1, code?: string): CheckResult {
  return {
    check,
    side,
    target: 't',
    status,
    value,
    unit: '',
    warnThreshold: null,
    failThreshold: null,
    ...(code ? { error: { code, message: code } } : {}),
    durationMs: 1,
    checkedAt: '2026-12-04T00:00:00Z',
  };
}
const healthyRound = (): CheckResult[] => [
  r('mysql_connectivity', 'primary', 'healthy'),
  r('airbyte_connection', 'primary', 'healthy'),
  r('s3_uploads', 'primary', 'healthy'),
  r('backup_replication', 'backup', 'healthy'),
];

describe('overallStatus (seed determine_overall_status)', () => {
  const cases: [string, CheckResult[], OverallStatus][] = [
    ['all healthy', healthyRound(), 'healthy'],
    ['a warning', [...healthyRound(), r('data_freshness', 'primary', 'warning', 20)], 'warning'],
    [
      'a measurement over its limit: degraded',
      [...healthyRound(), r('s3_uploads', 'primary', 'unhealthy', 7, 'STALE_DATA')],
      'degraded',
    ],
    [
      'a check that could not measure: error',
      [...healthyRound(), r('mysql_connectivity', 'primary', 'unhealthy', null, 'ECONNREFUSED')],
      'error',
    ],
    [
      'error wins over degraded',
      [
        r('s3_uploads', 'primary', 'unhealthy', 9),
        r('airbyte_connection', 'backup', 'unhealthy', null, 'ECONNREFUSED'),
      ],
      'error',
    ],
  ];
  it.each(cases)('%s', (_n, results, expected) => {
    expect(overallStatus(results).overall).toBe(expected);
  });

  it('names each group', () => {
    expect(overallStatus([...healthyRound(), r('s3_uploads', 'primary', 'unhealthy', 9)]).groups).toEqual({
      primary: 'healthy',
      backup: 'healthy',
      airbyte: 'healthy',
      s3_data: 'unhealthy',
    });
  });
});

describe('continuousMonitoring under time skipping', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  const noDrift = (): Promise<StorageVerifyReport> =>
    Promise.resolve({ systemId: 'acode', buckets: ['b'], drifts: [] });

  async function runWith(round: CheckResult[], verifyStorage: () => Promise<StorageVerifyReport> = noDrift) {
    const notices: NotificationRequest[] = [];
    const signals: FailureContext[] = [];
    const audits: unknown[] = [];
    const activities: Partial<Activities> = {
      runChecks: () => Promise.resolve(round),
      verifyStoragePolicies: verifyStorage,
      sendNotification: (_s, req) => {
        notices.push(req);
        return Promise.resolve([]);
      },
      signalRecovery: (_s, f) => {
        signals.push(f);
        return Promise.resolve({ workflowId: 'recovery-acode', runId: 'r' });
      },
      writeAuditRecord: (_s, rec) => {
        audits.push(rec);
        return Promise.resolve('s3://audit/x.jsonl');
      },
    };
    const taskQueue = uniqueId('continuous');
    const worker = await projectWorker(env, taskQueue, activities);
    const result = await worker.runUntil(
      env.client.workflow.execute(continuousMonitoring, {
        taskQueue,
        workflowId: uniqueId('continuous-acode'),
        args: [
          {
            systemId: 'acode',
            settings: {
              systemName: 'ACODE',
              temporalUiUrl: 'http://127.0.0.1:8233',
              consecutiveFailuresThreshold: 3,
              fastConfirmation: { enabled: true, rechecks: 2, intervalMs: 20_000 },
              reminderIntervalMs: 4 * 3_600_000,
            },
          },
        ],
      }),
    );
    return { result, notices, signals, audits };
  }

  it('healthy: no alert, no recovery, an audit record', async () => {
    const { result, notices, signals, audits } = await runWith(healthyRound());
    expect(result).toMatchObject({ overall: 'healthy', recoverySignalled: false, auditRecord: 's3://audit/x.jsonl' });
    expect(notices).toEqual([]);
    expect(signals).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ kind: 'continuous-monitoring', overall: 'healthy', storage: { drifts: [] } }),
    ]);
  });

  it('storage drift: a Slack warning naming each bucket and setting, in the audit record too', async () => {
    const drift: Drift = {
      role: 'backup',
      bucket: 'farmarcas-backup-acode',
      setting: 'versioning',
      desired: true,
      actual: false,
    };
    const { result, notices, audits } = await runWith(healthyRound(), () =>
      Promise.resolve({ systemId: 'acode', buckets: ['farmarcas-backup-acode'], drifts: [drift] }),
    );
    expect(result).toMatchObject({
      overall: 'healthy',
      storage: { drifts: ['farmarcas-backup-acode versioning'] },
      storageAlert: { lastKey: 'storage_drift:farmarcas-backup-acode versioning' },
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]?.page).toBeUndefined();
    expect(notices[0]?.notice).toMatchObject({
      severity: 'warning',
      title: 'Storage policy drift: 1 setting(s)',
      whatHappened: 'farmarcas-backup-acode (backup) versioning: off -> Enabled',
    });
    expect(audits).toEqual([expect.objectContaining({ storage: { drifts: ['farmarcas-backup-acode versioning'] } })]);
  });

  it('storage policies unreadable: reported in the result and audit, the run still completes', async () => {
    const { result, notices } = await runWith(healthyRound(), () => Promise.reject(new Error('S3 is down')));
    expect(result).toMatchObject({ overall: 'healthy', storage: { drifts: [], error: 'S3 is down' } });
    expect(notices).toEqual([]);
  });

  it('warning: Slack only', async () => {
    const { notices } = await runWith([...healthyRound(), r('data_freshness', 'primary', 'warning', 20)]);
    expect(notices.map((n) => [n.notice.severity, n.page])).toEqual([['warning', undefined]]);
  });

  it('primary down: critical to Slack and PagerDuty, and the recovery signalled', async () => {
    const { result, notices, signals } = await runWith([
      r('mysql_connectivity', 'primary', 'unhealthy', null, 'ECONNREFUSED'),
      r('backup_replication', 'backup', 'healthy'),
    ]);
    expect(result).toMatchObject({ overall: 'error', recoverySignalled: true });
    expect(signals[0]).toMatchObject({ failureType: 'mysql_server_down', consecutiveFailures: 1 });
    expect(notices[0]).toMatchObject({ notice: { severity: 'critical' }, page: { action: 'trigger' } });
  });
});

describe('audit record on the real S3 server', () => {
  it('writes one JSON line under the audit bucket, by kind and day', async () => {
    const config = await loadConfig(localConfigPath);
    const activities = createActivities(config);
    const at = new Date().toISOString();
    const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...a: A): Promise<R> =>
      new MockActivityEnvironment().run(fn, ...a);
    const uri = await run(activities.writeAuditRecord, 'acode', {
      kind: 'continuous-monitoring',
      at,
      overall: 'healthy',
    });
    expect(uri).toMatch(
      new RegExp(`^s3://farmarcas-audit-logs/acode/continuous-monitoring/${at.slice(0, 10).replaceAll('-', '/')}/`),
    );
    const key = uri.replace('s3://farmarcas-audit-logs/', '');
    const s3 = sandboxS3Client(process.env as Record<string, string>);
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: 'farmarcas-audit-logs', Key: key }))
    ).Body?.transformToString();
    s3.destroy();
    expect(body?.endsWith('\n')).toBe(true);
    expect(JSON.parse(body ?? '{}')).toEqual({
      systemId: 'acode',
      kind: 'continuous-monitoring',
      at,
      overall: 'healthy',
    });
  });
});

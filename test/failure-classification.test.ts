import { describe, expect, it } from 'vitest';
import type { CheckName, CheckResult, CheckStatus, DetailValue, Side } from '../src/checks/types.js';
import { classifyFailure, type FailureType } from '../src/decisions/failure-classification.js';

function result(
  check: CheckName,
  side: Side,
  status: CheckStatus,
  error?: { code: string; message?: string },
  details?: Record<string, DetailValue>,
): CheckResult {
  return {
    check,
    side,
    target: 'test',
    status,
    value: null,
    unit: '',
    warnThreshold: null,
    failThreshold: null,
    ...(error ? { error: { code: error.code, message: error.message ?? error.code } } : {}),
    ...(details ? { details } : {}),
    durationMs: 1,
    checkedAt: '2026-12-04T00:00:00.000Z',
  };
}

const primaryDown = (code: string): CheckResult => result('mysql_connectivity', 'primary', 'unhealthy', { code });
const replica = (io: string): CheckResult =>
  result('backup_replication', 'backup', io === 'Yes' ? 'healthy' : 'unhealthy', undefined, {
    io_running: io,
    sql_running: 'Yes',
  });
const replicaUnknown = result('backup_replication', 'backup', 'unhealthy', { code: 'ECONNREFUSED' });

const cases: { name: string; results: CheckResult[]; expected: FailureType | null }[] = [
  {
    name: 'all healthy',
    results: [result('mysql_connectivity', 'primary', 'healthy'), replica('Yes')],
    expected: null,
  },
  { name: 'only a warning', results: [result('data_freshness', 'primary', 'warning')], expected: null },
  { name: 'backup side failing alone is not a primary failure', results: [replica('No')], expected: null },
  {
    name: 'wrong password (1045)',
    results: [primaryDown('ER_ACCESS_DENIED_ERROR'), replica('Connecting')],
    expected: 'authentication_failed',
  },
  {
    name: 'too many connections (1040) means alive',
    results: [primaryDown('ER_CON_COUNT_ERROR'), replica('Yes')],
    expected: 'resource_exhaustion',
  },
  {
    name: 'connection saturation over the limit',
    results: [
      result('resource_utilization', 'primary', 'unhealthy', { code: 'CONNECTION_SATURATION' }),
      replica('Yes'),
    ],
    expected: 'resource_exhaustion',
  },
  {
    name: 'a dead primary fails every check: still down, not exhaustion nor a schema change',
    results: [
      primaryDown('ECONNREFUSED'),
      result('resource_utilization', 'primary', 'unhealthy', { code: 'ECONNREFUSED' }),
      result('schema', 'primary', 'unhealthy', { code: 'ECONNREFUSED' }),
      replica('Connecting'),
    ],
    expected: 'mysql_server_down',
  },
  {
    name: 'table lost a column',
    results: [result('schema', 'primary', 'unhealthy', { code: 'SCHEMA_CHANGED' }), replica('Yes')],
    expected: 'schema_change_detected',
  },
  {
    name: 'corrupt data wins over everything',
    results: [primaryDown('ECONNREFUSED'), result('s3_uploads', 'primary', 'unhealthy', { code: 'DATA_CORRUPTION' })],
    expected: 'data_corruption',
  },
  {
    name: 'refused, replica lost it too',
    results: [primaryDown('ECONNREFUSED'), replica('Connecting')],
    expected: 'mysql_server_down',
  },
  {
    name: 'refused, no replica evidence',
    results: [primaryDown('ECONNREFUSED'), replicaUnknown],
    expected: 'mysql_server_down',
  },
  {
    name: 'refused but replica still connected: partition, not down',
    results: [primaryDown('ECONNREFUSED'), replica('Yes')],
    expected: 'network_partition',
  },
  {
    name: 'timeout but replica still connected: partition',
    results: [primaryDown('CHECK_TIMEOUT'), replica('Yes')],
    expected: 'network_partition',
  },
  {
    name: 'timeout, replica lost it too',
    results: [primaryDown('CHECK_TIMEOUT'), replica('Connecting')],
    expected: 'mysql_server_down',
  },
  {
    name: 'timeout, no replica evidence',
    results: [primaryDown('ETIMEDOUT'), replicaUnknown],
    expected: 'connection_timeout',
  },
  { name: 'no route, no evidence', results: [primaryDown('EHOSTUNREACH')], expected: 'network_partition' },
  {
    name: 'no route, replica lost it too (observer cannot tell)',
    results: [primaryDown('ENETUNREACH'), replica('No')],
    expected: 'network_partition',
  },
  {
    name: 'stale data only',
    results: [result('data_freshness', 'primary', 'unhealthy', { code: 'STALE_DATA' }), replica('Yes')],
    expected: 'unknown',
  },
  {
    name: 'unrecognised driver error',
    results: [primaryDown('ER_SOMETHING_ODD'), replica('Yes')],
    expected: 'unknown',
  },
];

describe('classifyFailure', () => {
  it.each(cases)('$name -> $expected', ({ results, expected }) => {
    expect(classifyFailure(results)?.failureType ?? null).toBe(expected);
  });

  it('explains its choice', () => {
    expect(classifyFailure([primaryDown('ECONNREFUSED'), replica('Yes')])?.reason).toContain(
      "replica's IO thread is still connected",
    );
  });
});

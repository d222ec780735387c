// The structured result every health check returns: what was measured, against which
// thresholds, what failed and how long it took. Plain data, safe for workflow history.

export const checkNames = [
  'mysql_connectivity',
  'data_freshness',
  'airbyte_connection',
  's3_uploads',
  'backup_replication',
  'resource_utilization',
  'schema',
] as const;
export type CheckName = (typeof checkNames)[number];

/** Which side of the pipeline a check looked at. */
export type Side = 'primary' | 'backup';

export type CheckStatus = 'healthy' | 'warning' | 'unhealthy';

export interface CheckError {
  /** A stable code: the driver's (ECONNREFUSED, ER_ACCESS_DENIED_ERROR), or ours (CHECK_TIMEOUT, STALE_DATA...). */
  code: string;
  message: string;
  errno?: number;
}

export type DetailValue = string | number | boolean | null;

export interface CheckResult {
  check: CheckName;
  side: Side;
  /** What was checked, for people: host:port, bucket/prefix, connection id. No secrets. */
  target: string;
  status: CheckStatus;
  /** The measured value, in `unit`; null when nothing could be measured. */
  value: number | null;
  unit: string;
  warnThreshold: number | null;
  failThreshold: number | null;
  error?: CheckError;
  details?: Record<string, DetailValue>;
  durationMs: number;
  checkedAt: string;
}

/** Warn and fail levels of a higher-is-worse measurement; null where a level does not apply. */
export interface Thresholds {
  warn: number | null;
  fail: number | null;
}

/** Higher-is-worse measurement against warn and fail thresholds (either may be absent). */
export function statusFor(value: number, warn: number | null, fail: number | null): CheckStatus {
  if (fail !== null && value >= fail) return 'unhealthy';
  if (warn !== null && value >= warn) return 'warning';
  return 'healthy';
}

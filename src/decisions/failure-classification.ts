// Failure classification: from one round of check results to the seed's failure types, which
// pick the recovery strategy. Pure and deterministic (workflow code may call it).
import type { CheckResult } from '../checks/types.js';

export const failureTypes = [
  'connection_timeout',
  'authentication_failed',
  'schema_change_detected',
  'data_corruption',
  'mysql_server_down',
  'network_partition',
  'resource_exhaustion',
  'unknown',
] as const;
export type FailureType = (typeof failureTypes)[number];

export interface Classification {
  failureType: FailureType;
  /** One sentence for people: why this type was chosen. */
  reason: string;
}

/** Errors that mean "the server answered": it is alive, so never a failover (1045, 1044, 1040, 1041). */
const authCodes = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR']);
const saturationCodes = new Set(['ER_CON_COUNT_ERROR', 'ER_OUT_OF_RESOURCES', 'ER_TOO_MANY_USER_CONNECTIONS']);
/** Nothing answered at all: the server is down or the way to it is broken. */
const timeoutCodes = new Set(['CHECK_TIMEOUT', 'ETIMEDOUT', 'PROTOCOL_SEQUENCE_TIMEOUT']);
const refusedCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'PROTOCOL_CONNECTION_LOST']);
const routeCodes = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** What the replica says of its link to the primary: a second observer of the primary. */
type ReplicaView = 'connected' | 'lost' | 'no_evidence';

function replicaView(results: readonly CheckResult[]): ReplicaView {
  const repl = results.find((r) => r.check === 'backup_replication' && r.side === 'backup');
  const io = repl?.details?.io_running;
  if (io === 'Yes') return 'connected';
  if (io === 'Connecting' || io === 'No') return 'lost';
  return 'no_evidence';
}

const failed = (results: readonly CheckResult[], check: CheckResult['check']): CheckResult | undefined =>
  results.find((r) => r.side === 'primary' && r.check === check && r.status === 'unhealthy');

const diagnosed = (
  results: readonly CheckResult[],
  check: CheckResult['check'],
  code: string,
): CheckResult | undefined =>
  results.find((r) => r.side === 'primary' && r.check === check && r.status === 'unhealthy' && r.error?.code === code);

/** Unreachable primary: holistic, as MySQL HA managers do, using the replica as second observer. */
function classifyUnreachable(code: string, view: ReplicaView): Classification {
  if (view === 'connected') {
    return {
      failureType: 'network_partition',
      reason: `the monitor cannot reach the primary (${code}) but the replica's IO thread is still connected to it`,
    };
  }
  if (view === 'lost' && !routeCodes.has(code)) {
    return {
      failureType: 'mysql_server_down',
      reason: `the primary is unreachable (${code}) and the replica has lost it too`,
    };
  }
  if (refusedCodes.has(code)) {
    return { failureType: 'mysql_server_down', reason: `the primary's host refuses connections (${code})` };
  }
  if (routeCodes.has(code)) {
    return { failureType: 'network_partition', reason: `no route to the primary (${code})` };
  }
  return { failureType: 'connection_timeout', reason: `the primary did not answer in time (${code})` };
}

/**
 * Returns null when no primary-side check is unhealthy. Rules in priority order: corrupted data
 * first (failing over would copy it), then answers that prove the server alive (auth, saturation,
 * schema), then reachability.
 */
export function classifyFailure(results: readonly CheckResult[]): Classification | null {
  const unhealthy = results.filter((r) => r.side === 'primary' && r.status === 'unhealthy');
  if (unhealthy.length === 0) return null;

  const corrupt = unhealthy.find((r) => r.error?.code === 'DATA_CORRUPTION');
  if (corrupt)
    return { failureType: 'data_corruption', reason: `${corrupt.check}: ${corrupt.error?.message ?? 'corrupt data'}` };

  const connectivity = failed(results, 'mysql_connectivity');
  const code = connectivity?.error?.code;
  if (code !== undefined && authCodes.has(code)) {
    return { failureType: 'authentication_failed', reason: `the primary rejects the credentials (${code})` };
  }
  if (code !== undefined && saturationCodes.has(code)) {
    return { failureType: 'resource_exhaustion', reason: `the primary refuses new connections (${code})` };
  }
  // Only their own diagnoses count: when the server is unreachable these checks fail too.
  const resources = diagnosed(results, 'resource_utilization', 'CONNECTION_SATURATION');
  if (resources) {
    return {
      failureType: 'resource_exhaustion',
      reason: `resource utilization over its limit (${resources.error?.message ?? resources.value})`,
    };
  }
  const schema = diagnosed(results, 'schema', 'SCHEMA_CHANGED');
  if (schema) {
    return {
      failureType: 'schema_change_detected',
      reason: schema.error?.message ?? 'the source tables changed shape',
    };
  }
  if (code !== undefined && (timeoutCodes.has(code) || refusedCodes.has(code) || routeCodes.has(code))) {
    return classifyUnreachable(code, replicaView(results));
  }
  const first = unhealthy[0];
  return {
    failureType: 'unknown',
    reason: `${unhealthy.map((r) => r.check).join(', ')} unhealthy${first?.error ? ` (${first.error.code}: ${first.error.message})` : ''}`,
  };
}

// One way to run any check: time it, bound it, and turn whatever it throws into a structured
// error, so a check never throws and never hangs past its deadline.
import type { CheckError, CheckName, CheckResult, CheckStatus, DetailValue, Side } from './types.js';
import { statusFor } from './types.js';

export interface CheckMeta {
  check: CheckName;
  side: Side;
  target: string;
  unit: string;
  warn: number | null;
  fail: number | null;
  timeoutMs: number;
}

export interface Measurement {
  value: number | null;
  /** When absent, the status comes from the value against the thresholds. */
  status?: CheckStatus;
  error?: CheckError;
  details?: Record<string, DetailValue>;
}

export class CheckTimeoutError extends Error {
  readonly code = 'CHECK_TIMEOUT';
}

/** A failure the check itself diagnosed (stale data, replication stopped...), with its code. */
export class CheckFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, DetailValue>,
  ) {
    super(message);
  }
}

export function toCheckError(err: unknown): CheckError {
  if (err instanceof Error) {
    const { code, errno } = err as Error & { code?: unknown; errno?: unknown };
    return {
      code: typeof code === 'string' ? code : err.name,
      message: err.message,
      ...(typeof errno === 'number' ? { errno } : {}),
    };
  }
  return { code: 'UNKNOWN', message: String(err) };
}

/**
 * Runs `measure` with an AbortSignal that fires at the deadline; `measure` must release what it
 * holds (sockets, connections) on abort. The deadline also wins if `measure` ignores the signal.
 */
export async function runCheck(
  meta: CheckMeta,
  measure: (signal: AbortSignal) => Promise<Measurement>,
): Promise<CheckResult> {
  const started = Date.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new CheckTimeoutError(`no answer within ${meta.timeoutMs} ms`);
      controller.abort(err);
      reject(err);
    }, meta.timeoutMs);
  });
  let m: Measurement;
  try {
    m = await Promise.race([measure(controller.signal), deadline]);
  } catch (err) {
    const details = err instanceof CheckFailure ? err.details : undefined;
    m = { value: null, status: 'unhealthy', error: toCheckError(err), ...(details ? { details } : {}) };
  } finally {
    clearTimeout(timer);
  }
  const status = m.status ?? (m.value === null ? 'unhealthy' : statusFor(m.value, meta.warn, meta.fail));
  return {
    check: meta.check,
    side: meta.side,
    target: meta.target,
    status,
    value: m.value,
    unit: meta.unit,
    warnThreshold: meta.warn,
    failThreshold: meta.fail,
    ...(m.error ? { error: m.error } : {}),
    ...(m.details ? { details: m.details } : {}),
    durationMs: Date.now() - started,
    checkedAt: new Date(started).toISOString(),
  };
}

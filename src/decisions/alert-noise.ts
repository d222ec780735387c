// Noise control: the same alert is not re-sent on every 5-minute run. It goes out when the state
// changes, then as a reminder at a configured interval.

export interface AlertMemory {
  /** What was last alerted, e.g. 'warning_alert:connection_timeout'; undefined when all was well. */
  lastKey?: string;
  lastSentAtMs?: number;
}

export function shouldAlert(memory: AlertMemory, key: string | undefined, nowMs: number, reminderMs: number): boolean {
  if (key === undefined) return false;
  if (key !== memory.lastKey) return true;
  return memory.lastSentAtMs === undefined || nowMs - memory.lastSentAtMs >= reminderMs;
}

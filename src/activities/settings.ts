// What workflows need to know of a system's configuration, read at run time so a changed
// config applies to the next run. Plain numbers and names: no secrets.
import type { SystemRegistry } from './context.js';

export interface FailoverSettings {
  systemName: string;
  temporalUiUrl: string;
  jobPollIntervalMs: number;
  jobTimeoutMs: number;
  syncMaxAttempts: number;
  syncInitialDelayMs: number;
  syncMaxDelayMs: number;
  syncMultiplier: number;
}

export function createSettingsActivities(systems: SystemRegistry) {
  return {
    getFailoverSettings: (systemId: string): Promise<FailoverSettings> => {
      const ctx = systems.get(systemId);
      const p = ctx.system.sync_retry_policy;
      return Promise.resolve({
        systemName: ctx.system.name,
        temporalUiUrl: ctx.temporalUiUrl,
        jobPollIntervalMs: p.job_poll_interval_seconds * 1000,
        jobTimeoutMs: p.job_timeout_minutes * 60_000,
        syncMaxAttempts: p.max_attempts,
        syncInitialDelayMs: p.initial_delay_minutes * 60_000,
        syncMaxDelayMs: p.max_delay_minutes * 60_000,
        syncMultiplier: p.multiplier,
      });
    },
  };
}

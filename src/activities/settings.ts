// What workflows need to know of a system's configuration: plain numbers and names, no secrets.
// Failover settings are read at run time; monitoring settings travel in the schedule's arguments
// (so a healthy run costs one activity) and recovery settings in the recovery's start arguments.
import type { SystemConfig } from '../config/schema.js';
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

export interface MonitoringSettings {
  systemName: string;
  temporalUiUrl: string;
  consecutiveFailuresThreshold: number;
  fastConfirmation: { enabled: boolean; rechecks: number; intervalMs: number };
  reminderIntervalMs: number;
}

export interface RecoverySettings {
  systemName: string;
  temporalUiUrl: string;
  backoffMinutes: number[];
  jitterMaxSeconds: number;
  jitterMaxFraction: number;
  escalation: { backupAt: number; manualAt: number };
  approvalTimeoutMs: number;
  approvalMaxWaitMs: number;
  antiFlappingMs: number;
}

export interface EmergencySettings {
  systemName: string;
  temporalUiUrl: string;
  tables: string[];
  days: number;
}

export function failoverSettings(s: SystemConfig, temporalUiUrl: string): FailoverSettings {
  const p = s.sync_retry_policy;
  return {
    systemName: s.name,
    temporalUiUrl,
    jobPollIntervalMs: p.job_poll_interval_seconds * 1000,
    jobTimeoutMs: p.job_timeout_minutes * 60_000,
    syncMaxAttempts: p.max_attempts,
    syncInitialDelayMs: p.initial_delay_minutes * 60_000,
    syncMaxDelayMs: p.max_delay_minutes * 60_000,
    syncMultiplier: p.multiplier,
  };
}

export function monitoringSettings(s: SystemConfig, temporalUiUrl: string): MonitoringSettings {
  const hc = s.health_check;
  return {
    systemName: s.name,
    temporalUiUrl,
    consecutiveFailuresThreshold: hc.consecutive_failures_threshold,
    fastConfirmation: {
      enabled: hc.fast_confirmation.enabled,
      rechecks: hc.fast_confirmation.rechecks,
      intervalMs: hc.fast_confirmation.interval_seconds * 1000,
    },
    reminderIntervalMs: s.notifications.reminder_interval_hours * 3_600_000,
  };
}

export function recoverySettings(s: SystemConfig, temporalUiUrl: string): RecoverySettings {
  const r = s.recovery;
  return {
    systemName: s.name,
    temporalUiUrl,
    backoffMinutes: r.backoff_minutes,
    jitterMaxSeconds: r.jitter_max_seconds,
    jitterMaxFraction: r.jitter_max_fraction,
    escalation: {
      backupAt: r.escalation.backup_at_consecutive_failures,
      manualAt: r.escalation.manual_at_consecutive_failures,
    },
    approvalTimeoutMs: r.approval_timeout_minutes * 60_000,
    approvalMaxWaitMs: r.approval_max_wait_hours * 3_600_000,
    antiFlappingMs: r.anti_flapping_minutes * 60_000,
  };
}

export function createSettingsActivities(systems: SystemRegistry) {
  return {
    getEmergencySettings: (systemId: string): Promise<EmergencySettings> => {
      const { system, temporalUiUrl } = systems.get(systemId);
      return Promise.resolve({
        systemName: system.name,
        temporalUiUrl,
        tables: system.mysql.tables.map((t) => t.name),
        days: system.recovery.emergency_dump_days,
      });
    },
    getFailoverSettings: (systemId: string): Promise<FailoverSettings> => {
      const ctx = systems.get(systemId);
      return Promise.resolve(failoverSettings(ctx.system, ctx.temporalUiUrl));
    },
  };
}

// What the workflows, the client and operators share: signal, query and search-attribute
// definitions, and the payload types. Deterministic and dependency-free, so both sides import it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BackupValidation } from '../activities/backup-validation.js';
import type { TableDump } from '../activities/emergency-dump.js';
import type { QuarantineReport } from '../activities/quarantine.js';
import type { CheckResult } from '../checks/types.js';
import type { FailureType } from '../decisions/failure-classification.js';
import type { RecoveryStrategy } from '../decisions/recovery-strategy.js';
import type { RecoveryOutcome } from './auto-recovery.js';

export const recoveryWorkflowId = (systemId: string): string => `recovery-${systemId}`;
export const monitoringScheduleId = (systemId: string): string => `health-${systemId}`;
export const continuousScheduleId = (systemId: string): string => `continuous-${systemId}`;
export const archiveScheduleId = (systemId: string): string => `archive-${systemId}`;
/** Procedures an operator starts by hand; one run per system at a time. */
export type OperatorProcedure = 'failover' | 'failback' | 'emergency' | 'quarantine';
export const operatorWorkflowId = (procedure: OperatorProcedure, systemId: string): string =>
  `${procedure}-${systemId}`;

/** What the monitor saw: carried by signal-with-start into the system's recovery workflow. */
export interface FailureContext {
  failureType: FailureType;
  reason: string;
  consecutiveFailures: number;
  /** The unhealthy checks, compact: no secrets, only codes and messages. */
  unhealthy: Pick<CheckResult, 'check' | 'side' | 'error'>[];
  backupFit: boolean;
  observedAt: string;
}

export interface HumanDecision {
  by: string;
  reason: string;
}

export type RecoveryPhase =
  | 'analyzing'
  | 'backing_off'
  | 'checking_primary'
  | 'rotating_credentials'
  | 'relieving_pressure'
  | 'refreshing_schema'
  | 'syncing_primary'
  | 'failing_over'
  | 'recovering_data'
  | 'awaiting_approval'
  | 'cooldown'
  | 'completed'
  | 'failed'
  | 'rejected'
  | 'cancelled';

export interface RecoveryStatus {
  systemId: string;
  phase: RecoveryPhase;
  strategy?: RecoveryStrategy;
  failure?: FailureContext;
  attempts: number;
  /** When the running durable timer fires (ISO), if one runs. */
  nextTimerAt?: string;
  /** The story of the recovery, one line a step, oldest first. */
  story: string[];
  /** While set, no automatic recovery starts for the system (anti-flapping). */
  blockedUntil?: string;
  /** How the recovery ended, once it has (the run may stay open for the anti-flapping period). */
  outcome?: RecoveryOutcome;
}

export const failureObservedSignal = defineSignal<[FailureContext]>('failureObserved');
export const approveSignal = defineSignal<[HumanDecision]>('approve');
export const rejectSignal = defineSignal<[HumanDecision]>('reject');
export const cancelSignal = defineSignal<[HumanDecision]>('cancel');
/** A human acknowledgement lifts the anti-flapping block. */
export const acknowledgeSignal = defineSignal<[HumanDecision]>('acknowledge');
export const statusQuery = defineQuery<RecoveryStatus>('status');

export const searchAttributeKeys = {
  system: defineSearchAttributeKey('AcodeSystem', SearchAttributeType.KEYWORD),
  failureType: defineSearchAttributeKey('FailureType', SearchAttributeType.KEYWORD),
  strategy: defineSearchAttributeKey('RecoveryStrategy', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('RecoveryPhase', SearchAttributeType.KEYWORD),
};

/** How far a long activity has come, as it reports it to its workflow (src/activities/progress.ts). */
export interface ActivityProgress {
  /** What is being worked on, e.g. "dump of farmarcas_si_analitico_diario from the primary". */
  what: string;
  done: number;
  /** How many there are, when known; `estimated` when the number is the database's estimate. */
  total?: number;
  estimated?: boolean;
  unit: 'rows' | 'objects';
  /** When the activity reported it (ISO). */
  at: string;
}

export const activityProgressSignal = defineSignal<[ActivityProgress]>('activityProgress');

export interface EmergencyStatus {
  phase: 'assessing' | 'dumping' | 'done' | 'failed';
  /** Tables dumped so far, with rows and object keys. */
  tables: TableDump[];
  /** The table being dumped: rows so far. */
  inProgress?: ActivityProgress;
  story: string[];
}

export const emergencyStatusQuery = defineQuery<EmergencyStatus>('emergencyStatus');

export interface DataCorruptionStatus {
  phase: 'quarantining' | 'validating_backup' | 'restoring' | 'done' | 'failed';
  /** The quarantine once done. */
  quarantine?: QuarantineReport;
  /** The quarantine while it runs: objects moved so far. */
  inProgress?: ActivityProgress;
  validation?: Pick<BackupValidation, 'clean' | 'problems' | 'day'>;
  story: string[];
}

export const dataCorruptionStatusQuery = defineQuery<DataCorruptionStatus>('dataCorruptionStatus');

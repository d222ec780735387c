// All activities of the worker, built from the configuration. Workflows import only the type.
import type { GuardianConfig } from '../config/schema.js';
import { createAirbyteActivities } from './airbyte.js';
import { createArchiveActivities } from './archive.js';
import { createAuditActivities } from './audit.js';
import { createBackupValidationActivities } from './backup-validation.js';
import { createCheckActivities } from './checks.js';
import { createConnectionPressureActivities } from './connection-pressure.js';
import { SystemRegistry } from './context.js';
import { createCredentialActivities } from './credentials.js';
import { createEmergencyDumpActivities } from './emergency-dump.js';
import { createNotificationActivities } from './notifications.js';
import { createQuarantineActivities } from './quarantine.js';
import { createRecoveryTriggerActivities } from './recovery-trigger.js';
import { createSettingsActivities, recoverySettings } from './settings.js';
import { createStorageActivities } from './storage.js';

export function createActivities(config: GuardianConfig, env: NodeJS.ProcessEnv = process.env) {
  const systems = new SystemRegistry(config, env);
  return {
    ...createCheckActivities(systems),
    ...createAirbyteActivities(systems),
    ...createAuditActivities(systems),
    ...createCredentialActivities(systems),
    ...createConnectionPressureActivities(systems),
    ...createEmergencyDumpActivities(systems),
    ...createBackupValidationActivities(systems),
    ...createNotificationActivities(systems),
    ...createSettingsActivities(systems),
    ...createStorageActivities(systems),
    ...createQuarantineActivities(systems),
    ...createArchiveActivities(systems),
    ...createRecoveryTriggerActivities((id) => recoverySettings(systems.get(id).system, config.temporal.ui_url)),
  };
}

export type Activities = ReturnType<typeof createActivities>;

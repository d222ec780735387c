// Workflows served by the worker. Workflow code is deterministic and imports only types from
// activities; each workflow lives in its own file and is re-exported here.
export { autoRecovery } from './auto-recovery.js';
export { backupFailover } from './backup-failover.js';
export { healthMonitoring } from './health-monitoring.js';
export { continuousMonitoring } from './continuous-monitoring.js';
export { emergencyProcedure } from './emergency-procedure.js';
export { archiveSnapshots } from './archive-snapshots.js';
export { dataCorruptionRecovery } from './data-corruption-recovery.js';
export { returnToPrimary } from './return-to-primary.js';

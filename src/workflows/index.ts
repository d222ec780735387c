// Workflows served by the worker. Workflow code is deterministic and imports only types from
// activities; each workflow lives in its own file and is re-exported here.
export { backupFailover } from './backup-failover.js';

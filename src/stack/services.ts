/**
 * Loopback ports of the local sandbox stack. config/local.yaml points at the same ports
 * (a test keeps the two in agreement).
 */
export const ports = {
  temporal: 7233,
  temporalUi: 8233,
  mariadbPrimary: 13306,
  mariadbReplica: 13307,
  s3: 14566,
  airbyte: 18000,
  webhookSink: 18080,
  /** Not a stack service: the Prometheus endpoint of the worker that `npm start` runs. */
  workerMetrics: 9464,
} as const;

export const loopback = '127.0.0.1';

/** Custom search attributes registered on the Temporal namespace, so operators can filter runs. */
export const searchAttributes = ['AcodeSystem', 'FailureType', 'RecoveryStrategy', 'RecoveryPhase'] as const;

/** MySQL accounts of the sandbox, matching config/local.yaml. */
export const mysqlAccounts = {
  app: { user: 'userfarmarcasac02', passwordEnv: 'ACODE_MYSQL_PASSWORD' },
  backup: { user: 'userfarmarcasac02_backup', passwordEnv: 'ACODE_MYSQL_BACKUP_PASSWORD' },
  admin: { user: 'guardian_admin', passwordEnv: 'ACODE_MYSQL_ADMIN_PASSWORD' },
  replication: { user: 'replication_acode', passwordEnv: 'ACODE_MYSQL_REPLICATION_PASSWORD' },
} as const;

export const acodeDatabase = 'acode_farmarcas';

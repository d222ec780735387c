// Sandbox MySQL endpoints for tests, with the secrets the stack generated.
import type { MysqlEndpoint } from '../../src/integrations/mysql.js';
import { acodeDatabase, loopback, mysqlAccounts, ports } from '../../src/stack/services.js';

const secret = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the test setup loads .data/secrets.env`);
  return v;
};

export const primaryEndpoint = (): MysqlEndpoint => ({
  host: loopback,
  port: ports.mariadbPrimary,
  user: mysqlAccounts.app.user,
  password: secret(mysqlAccounts.app.passwordEnv),
  database: acodeDatabase,
});

export const replicaEndpoint = (): MysqlEndpoint => ({
  host: loopback,
  port: ports.mariadbReplica,
  user: mysqlAccounts.backup.user,
  password: secret(mysqlAccounts.backup.passwordEnv),
  database: acodeDatabase,
});

// Everything activities need for one configured system, built once per worker from the config
// and the environment: MySQL endpoints with their secrets, and S3 and Airbyte clients. Secrets
// stay in the worker process: activities take system ids and return results, never credentials.
import type { S3Client } from '@aws-sdk/client-s3';
import { findSystem, resolveSecret } from '../config/load.js';
import type { GuardianConfig, SystemConfig } from '../config/schema.js';
import type { Side, Thresholds } from '../checks/types.js';
import type { TableSpec } from '../checks/mysql.js';
import { AirbyteClient, type AirbyteAuth } from '../integrations/airbyte/client.js';
import type { MysqlEndpoint } from '../integrations/mysql.js';
import { createS3Client } from '../integrations/s3/client.js';

export class SystemContext {
  /** One S3 client per region: the system's, and a replication destination's. */
  private readonly s3Clients = new Map<string, S3Client>();
  private airbyteClient?: AirbyteClient;
  /** A password set by a rotation in this process wins over the environment's, which is now stale. */
  private readonly rotatedPasswords = new Map<Side, string>();

  constructor(
    readonly system: SystemConfig,
    readonly index: number,
    readonly temporalUiUrl: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private where(rest: string): string {
    return `systems[${this.index}].${rest}`;
  }

  secret(ref: { env: string }, at: string): string {
    return resolveSecret(ref, this.where(at), this.env);
  }

  mysql(side: Side): MysqlEndpoint {
    const ep = this.system.mysql[side];
    return {
      host: ep.host,
      port: ep.port,
      user: ep.user,
      password: this.rotatedPasswords.get(side) ?? this.secret(ep.password, `mysql.${side}.password`),
      database: ep.database,
    };
  }

  /** The admin account on the primary, with no default database (managing accounts needs none). */
  adminEndpoint(admin: { user: string; password: { env: string } }): MysqlEndpoint {
    return {
      ...this.mysql('primary'),
      user: admin.user,
      password: this.secret(admin.password, 'mysql.admin.password'),
      database: '',
    };
  }

  rememberRotatedPassword(side: Side, password: string): void {
    this.rotatedPasswords.set(side, password);
  }

  get timeoutMs(): number {
    return this.system.health_check.timeout_seconds * 1000;
  }

  tables(): TableSpec[] {
    return this.system.mysql.tables.map((t) => ({
      name: t.name,
      freshnessColumn: t.freshness_column,
      expectedColumns: t.expected_columns,
    }));
  }

  /** Warning at warn_fraction of the fail threshold, for the age and lag checks. */
  thresholds(fail: number): Thresholds {
    return { warn: fail * this.system.health_check.warn_fraction, fail };
  }

  s3(region = this.system.s3.region): S3Client {
    const s = this.system.s3;
    const existing = this.s3Clients.get(region);
    if (existing) return existing;
    const client = createS3Client({
      region,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      forcePathStyle: s.force_path_style,
      ...(s.credentials
        ? {
            credentials: {
              accessKeyId: this.secret(s.credentials.access_key_id, 's3.credentials.access_key_id'),
              secretAccessKey: this.secret(s.credentials.secret_access_key, 's3.credentials.secret_access_key'),
            },
          }
        : {}),
    });
    this.s3Clients.set(region, client);
    return client;
  }

  airbyte(): AirbyteClient {
    if (!this.airbyteClient) {
      const a = this.system.airbyte;
      const auth: AirbyteAuth =
        a.auth.type === 'bearer'
          ? { type: 'bearer', token: this.secret(a.auth.token, 'airbyte.auth.token') }
          : {
              type: 'client_credentials',
              clientId: this.secret(a.auth.client_id, 'airbyte.auth.client_id'),
              clientSecret: this.secret(a.auth.client_secret, 'airbyte.auth.client_secret'),
            };
      this.airbyteClient = new AirbyteClient({
        apiUrl: a.api_url,
        ...(a.config_api_url ? { configApiUrl: a.config_api_url } : {}),
        auth,
        timeoutMs: a.request_timeout_seconds * 1000,
      });
    }
    return this.airbyteClient;
  }

  connectionId(side: Side): string {
    return side === 'primary' ? this.system.airbyte.primary_connection_id : this.system.airbyte.backup_connection_id;
  }
}

/** One context per configured system, looked up by id. */
export class SystemRegistry {
  private readonly contexts = new Map<string, SystemContext>();

  constructor(
    readonly config: GuardianConfig,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    config.systems.forEach((s, i) => this.contexts.set(s.id, new SystemContext(s, i, config.temporal.ui_url, env)));
  }

  get(systemId: string): SystemContext {
    const ctx = this.contexts.get(systemId);
    if (!ctx) findSystem(this.config, systemId);
    return ctx as SystemContext;
  }
}

// The simulator's initial world, derived from a guardian config: per system, the primary
// connection (primary MySQL -> production bucket, active) and the backup connection (read-only
// replica -> backup bucket, inactive until a failover), as in the seed's Airbyte configuration.
import type { GuardianConfig } from '../../config/schema.js';
import { resolveSecret } from '../../config/load.js';
import type { SimulatorSeed } from './state.js';

export const simulatorWorkspaceId = '6f0e1c52-7d0a-4a4e-9a55-acde0000c0de';

export function simulatorSeedFromConfig(config: GuardianConfig, env: NodeJS.ProcessEnv = process.env): SimulatorSeed {
  const seed: SimulatorSeed = { workspaceId: simulatorWorkspaceId, connections: [], sources: [] };
  config.systems.forEach((system, i) => {
    const where = `systems[${i}]`;
    const streams = system.mysql.tables.map((t) => ({ name: t.name, primaryKey: t.primary_key }));
    const sides = [
      {
        side: 'primary',
        connectionId: system.airbyte.primary_connection_id,
        sourceId: system.airbyte.primary_source_id ?? `source_mysql_${system.id}`,
        mysql: system.mysql.primary,
        bucket: system.s3.buckets.production,
        status: 'active',
        mode: 'append',
      },
      {
        side: 'backup',
        connectionId: system.airbyte.backup_connection_id,
        sourceId: system.airbyte.backup_source_id ?? `source_mysql_${system.id}_backup`,
        mysql: system.mysql.backup,
        bucket: system.s3.buckets.backup,
        status: 'inactive',
        mode: 'overwrite',
      },
    ] as const;
    for (const s of sides) {
      seed.sources.push({
        sourceId: s.sourceId,
        name: `${system.name} MySQL (${s.side})`,
        configuration: {
          host: s.mysql.host,
          port: s.mysql.port,
          database: s.mysql.database,
          username: s.mysql.user,
          password: resolveSecret(s.mysql.password, `${where}.mysql.${s.side}.password`, env),
          ssl_mode: { mode: 'preferred' },
          replication_method: { method: 'STANDARD' },
        },
      });
      seed.connections.push({
        connectionId: s.connectionId,
        name: s.connectionId,
        sourceId: s.sourceId,
        destinationId: `destination_s3_${system.id}${s.side === 'backup' ? '_backup' : ''}`,
        status: s.status,
        streams,
        destination: {
          bucket: s.bucket.name,
          bucketPath: s.bucket.prefix,
          pathFormat: s.bucket.path_format,
          mode: s.mode,
        },
      });
    }
  });
  return seed;
}

// Airbyte activities: connection status, sync jobs and their lifecycle, for one system's primary
// or backup connection. Inputs are ids; outputs are the API's own shapes.
import type { ConnectionResponse, JobResponse } from '../integrations/airbyte/api-types.js';

export interface SchemaRefresh {
  sourceId: string;
  streams: number;
  /** Expected columns the source no longer has, as table.column. */
  missing: string[];
}
import type { JobFailure, TriggeredSync } from '../integrations/airbyte/client.js';
import type { Side } from '../checks/types.js';
import type { SystemRegistry } from './context.js';

export function createAirbyteActivities(systems: SystemRegistry) {
  return {
    getAirbyteConnection: async (systemId: string, side: Side): Promise<ConnectionResponse> => {
      const ctx = systems.get(systemId);
      return ctx.airbyte().getConnection(ctx.connectionId(side));
    },

    /** Idempotent: setting the status it already has is a no-op for Airbyte. */
    setAirbyteConnectionStatus: async (
      systemId: string,
      side: Side,
      status: 'active' | 'inactive',
    ): Promise<ConnectionResponse> => {
      const ctx = systems.get(systemId);
      return ctx.airbyte().setConnectionStatus(ctx.connectionId(side), status);
    },

    /** Safe to retry: a sync already running is adopted, never doubled. */
    triggerSync: async (systemId: string, side: Side): Promise<TriggeredSync> => {
      const ctx = systems.get(systemId);
      return ctx.airbyte().triggerSync(ctx.connectionId(side));
    },

    getSyncJob: async (systemId: string, jobId: number): Promise<JobResponse> => {
      return systems.get(systemId).airbyte().getJob(jobId);
    },

    listSyncJobs: async (systemId: string, side: Side, limit = 20): Promise<JobResponse[]> => {
      const ctx = systems.get(systemId);
      return (await ctx.airbyte().listJobs(ctx.connectionId(side), { limit })).data;
    },

    /**
     * refresh_schema_and_retry: re-discover the primary source's schema without Airbyte's cache,
     * and tell which configured tables lack which expected columns now.
     */
    refreshSourceSchema: async (systemId: string): Promise<SchemaRefresh> => {
      const ctx = systems.get(systemId);
      const sourceId = ctx.system.airbyte.primary_source_id;
      if (!sourceId)
        throw new Error(`system ${systemId}: airbyte.primary_source_id must be configured to refresh its schema`);
      const { catalog } = await ctx.airbyte().discoverSchema(sourceId);
      const columns = new Map(
        catalog.streams.map((s) => [s.stream.name, Object.keys(s.stream.jsonSchema.properties ?? {})]),
      );
      const missing = ctx.system.mysql.tables.flatMap((t) =>
        [...new Set([...t.expected_columns, t.freshness_column, t.primary_key])]
          .filter((c) => !(columns.get(t.name) ?? []).includes(c))
          .map((c) => `${t.name}.${c}`),
      );
      return { sourceId, streams: catalog.streams.length, missing };
    },

    /** Why a job failed (failure type, retryable), when Airbyte can tell. */
    getSyncJobFailure: async (systemId: string, jobId: number): Promise<JobFailure | null> =>
      (await systems.get(systemId).airbyte().jobFailure(jobId)) ?? null,

    /** Cancels a job still running; a job already ended is returned unchanged. */
    cancelSyncJob: async (systemId: string, jobId: number): Promise<JobResponse> => {
      return systems.get(systemId).airbyte().cancelJob(jobId);
    },
  };
}

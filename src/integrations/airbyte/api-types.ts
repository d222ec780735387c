// Shapes of the Airbyte public API v1 that this project uses (shared/reference/airbyte-api.md §3),
// shared by the client and the local simulator so the two cannot drift apart.

export const jobStatuses = ['pending', 'queued', 'running', 'incomplete', 'failed', 'succeeded', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];
export const terminalJobStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export type JobType = 'sync' | 'reset' | 'refresh' | 'clear';
export type ConnectionStatus = 'active' | 'inactive' | 'deprecated' | 'locked';

export interface JobResponse {
  jobId: number;
  status: JobStatus;
  jobType: JobType;
  /** ISO-8601 UTC, second precision. */
  startTime: string;
  connectionId: string;
  /** Only once the job is terminal. */
  lastUpdatedAt?: string;
  /** ISO-8601 duration; absent while pending. */
  duration?: string;
  bytesSynced?: number;
  rowsSynced?: number;
}

export interface JobsResponse {
  data: JobResponse[];
  next: string;
  previous: string;
}

export interface ConnectionResponse {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  workspaceId: string;
  status: ConnectionStatus;
  schedule: { scheduleType: 'manual' | 'cron' | 'basic'; cronExpression?: string };
  configurations: { streams: { name: string; syncMode: string }[] };
  createdAt: number;
  tags: unknown[];
  statusReason?: string;
}

export type SourceConfiguration = Record<string, unknown>;

export interface SourceResponse {
  sourceId: string;
  name: string;
  sourceType: string;
  definitionId: string;
  workspaceId: string;
  configuration: SourceConfiguration;
  createdAt: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** RFC 9457-style problem body of the public API (§3.3). */
export interface Problem {
  status: number;
  type: string;
  title: string;
  detail: string;
  data?: Record<string, unknown>;
}

/** Config API attempt, the only place attempts and failure reasons are visible (§4). */
export interface AttemptRead {
  id: number;
  status: 'running' | 'failed' | 'succeeded';
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
  bytesSynced?: number;
  recordsSynced?: number;
  failureSummary?: {
    failures: {
      failureOrigin: string;
      failureType: string;
      externalMessage: string;
      retryable: boolean;
      timestamp: number;
    }[];
    partialSuccess: boolean;
  };
}

/** Config API SourceDiscoverSchemaRead (the parts used here). */
export interface DiscoveredCatalog {
  catalogId: string;
  catalog: {
    streams: { stream: { name: string; namespace?: string; jsonSchema: { properties?: Record<string, unknown> } } }[];
  };
}

/** Secret fields are returned masked, as the real API does. */
export const secretMask = '**********';

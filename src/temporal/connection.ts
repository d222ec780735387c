// Where Temporal is: from the standard TEMPORAL_* environment variables (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, or a TOML profile) read by Temporal's own
// envconfig package, so the worker and CLI connect like the `temporal` CLI does: plain to a dev
// server, TLS / mTLS to a self-hosted cluster, or an API key to Temporal Cloud.
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalTarget {
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  namespace: string;
}

/** The namespace from the environment wins over the config file's. */
export function temporalTarget(configNamespace: string, env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: vars });
  return { connectionOptions, namespace: namespace ?? configNamespace };
}

export function describeTarget(t: TemporalTarget): string {
  const tls = t.connectionOptions.tls ? 'TLS' : 'plain';
  const auth = t.connectionOptions.apiKey ? ', API key' : '';
  return `${t.connectionOptions.address ?? 'localhost:7233'} (namespace ${t.namespace}, ${tls}${auth})`;
}

export function connectWorker(t: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(t.connectionOptions);
}

export async function connectClient(t: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect(t.connectionOptions);
  return new Client({ connection, namespace: t.namespace });
}

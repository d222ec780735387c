// What every Temporal-facing CLI command needs: the config (with sandbox secrets when it is the
// local one) and a connected client, closed afterwards.
import type { Client } from '@temporalio/client';
import path from 'node:path';
import { configPathFromEnv, loadConfig } from '../config/load.js';
import type { GuardianConfig } from '../config/schema.js';
import { loopbackOnlyVar } from '../integrations/loopback.js';
import { localConfigPath } from '../stack/paths.js';
import { loadStackSecretsIntoEnv } from '../stack/secrets.js';
import { connectClient, temporalTarget } from '../temporal/connection.js';

/**
 * The sandbox config's secrets live in .data/secrets.env, and the sandbox never leaves this
 * machine; any other config reads the real environment.
 */
export function useSandboxSecretsFor(configPath: string): void {
  if (path.resolve(configPath) !== localConfigPath) return;
  loadStackSecretsIntoEnv();
  process.env[loopbackOnlyVar] = '1';
}

export async function loadCliConfig(configPath = configPathFromEnv()): Promise<GuardianConfig> {
  useSandboxSecretsFor(configPath);
  return loadConfig(configPath);
}

export async function withTemporal<T>(
  configPath: string | undefined,
  fn: (client: Client, config: GuardianConfig) => Promise<T>,
): Promise<T> {
  const config = await loadCliConfig(configPath);
  const client = await connectClient(temporalTarget(config.temporal.namespace));
  try {
    return await fn(client, config);
  } finally {
    await client.connection.close();
  }
}

/** Prints `value` as JSON for scripts, or `human()` for people. */
export function output(json: boolean | undefined, value: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : human());
}

// What every Temporal-facing CLI command needs: the config (with sandbox secrets when it is the
// local one) and a connected client, closed afterwards.
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import path from 'node:path';
import { configPathFromEnv, loadConfig } from '../config/load.js';
import type { GuardianConfig } from '../config/schema.js';
import { loopbackOnlyVar } from '../integrations/loopback.js';
import { localConfigPath } from '../stack/paths.js';
import { loadStackSecretsIntoEnv } from '../stack/secrets.js';
import { connectClient, temporalTarget } from '../temporal/connection.js';
import type { HumanDecision } from '../workflows/definitions.js';
import { temporalRunUrl } from '../workflows/ui-link.js';

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

/** The options of every config-driven command. */
export interface ConfigOptions {
  config?: string;
  json?: boolean;
}

/** Adds `-c, --config` and `--json` (see ConfigOptions). */
export function withConfigOptions(command: Command): Command {
  return command.option('-c, --config <path>', 'configuration file').option('--json', 'machine-readable output');
}

/** The options of commands a person answers for: who and why. */
export interface DecisionOptions extends ConfigOptions {
  by?: string;
  reason?: string;
}

/** Prints `value` as JSON for scripts, or `human()` for people. */
export function output(json: boolean | undefined, value: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : human());
}

/** Who decides and why, from `--by` / `--reason`, for signals and runs started by hand. */
export function humanDecision(o: DecisionOptions): HumanDecision {
  return { by: o.by ?? process.env.USER ?? 'operator', reason: o.reason ?? 'via acode-guardian CLI' };
}

/** The current (or last) run of a workflow id and its Temporal UI link. */
export async function runLink(
  client: Client,
  config: GuardianConfig,
  workflowId: string,
): Promise<{ runId: string; link: string }> {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  return { runId, link: temporalRunUrl(config.temporal.ui_url, config.temporal.namespace, workflowId, runId) };
}

/** A numeric option, or a clear error naming it. */
export function positiveNumber(option: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${option} must be a positive number, got '${value}'`);
  return n;
}

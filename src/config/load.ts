// Reading and validating configuration files. Every problem is reported at once, each with the
// file and the exact path (systems[0].mysql.primary.port), so a bad config fails at start with
// a message that says what to fix and where.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { assertLoopback } from '../integrations/loopback.js';
import { configSchema, type GuardianConfig, type SecretRef, type SystemConfig } from './schema.js';

export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid configuration ${source}:\n${issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`,
    );
  }
}

/** `systems[0].mysql.primary.port` from zod's ['systems', 0, 'mysql', 'primary', 'port']. */
export function renderPath(segments: readonly PropertyKey[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${String(s)}`)).join('');
}

function issuesOf(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => ({ path: renderPath(i.path), message: i.message }));
}

export function parseConfig(text: string, source: string): GuardianConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: '', message: `YAML syntax error at line ${line}, column ${col}: ${e.message}` };
      }),
    );
  }
  const parsed = configSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new ConfigError(source, issuesOf(parsed.error));
  return parsed.data;
}

export async function loadConfig(file: string): Promise<GuardianConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT';
    throw new ConfigError(file, [
      { path: '', message: missing ? `file not found (${path.resolve(file)})` : String(err) },
    ]);
  }
  return parseConfig(text, file);
}

/** ACODE_GUARDIAN_CONFIG, else the local sandbox config shipped in config/local.yaml. */
export function configPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.ACODE_GUARDIAN_CONFIG ?? fileURLToPath(new URL('../../config/local.yaml', import.meta.url));
}

/** The value of a secret reference; `where` is its config path, named in the error when it is unset. */
export function resolveSecret(ref: SecretRef, where: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[ref.env];
  if (!value) {
    throw new ConfigError('environment', [
      { path: where, message: `environment variable ${ref.env} is not set (or empty)` },
    ]);
  }
  return value;
}

export function findSystem(config: GuardianConfig, id: string): SystemConfig {
  const system = config.systems.find((s) => s.id === id);
  if (!system)
    throw new Error(`unknown system "${id}"; configured systems: ${config.systems.map((s) => s.id).join(', ')}`);
  return system;
}

/** Every endpoint written in the config is on this machine (secret-valued URLs are checked by their users). */
export function assertLoopbackEndpoints(config: GuardianConfig): void {
  assertLoopback(config.temporal.ui_url, 'temporal.ui_url');
  config.systems.forEach((s, i) => {
    const at = `systems[${i}]`;
    assertLoopback(s.mysql.primary.host, `${at}.mysql.primary.host`);
    assertLoopback(s.mysql.backup.host, `${at}.mysql.backup.host`);
    assertLoopback(s.airbyte.api_url, `${at}.airbyte.api_url`);
    if (s.airbyte.ui_url) assertLoopback(s.airbyte.ui_url, `${at}.airbyte.ui_url`);
    // Without an endpoint the S3 client would talk to real AWS.
    if (!s.s3.endpoint) throw new Error(`${at}.s3.endpoint is not set: the default would be real AWS`);
    assertLoopback(s.s3.endpoint, `${at}.s3.endpoint`);
    if (s.notifications.pagerduty)
      assertLoopback(s.notifications.pagerduty.events_url, `${at}.notifications.pagerduty.events_url`);
  });
}

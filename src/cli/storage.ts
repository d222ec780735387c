// `storage apply | verify [system]`: the buckets' declared settings (s3.policies in the config),
// run from this machine with the worker's code. verify exits 3 on drift; any error exits 1.
import type { Command } from 'commander';
import { findSystem } from '../config/load.js';
import { SystemRegistry } from '../activities/context.js';
import {
  applyStorage,
  verifyStorage,
  type StorageApplyReport,
  type StorageVerifyReport,
} from '../activities/storage.js';
import { describeDrift } from '../decisions/storage-drift.js';
import { loadCliConfig, output, withConfigOptions, type ConfigOptions } from './context.js';

type Opts = ConfigOptions;

/** The systems named on the command line (all of them when none is). */
async function systemsOf(systemId: string | undefined, o: Opts) {
  const config = await loadCliConfig(o.config);
  const registry = new SystemRegistry(config);
  const ids = systemId ? [findSystem(config, systemId).id] : config.systems.map((s) => s.id);
  return ids.map((id) => registry.get(id));
}

export const storageExitCodes = { drift: 3 } as const;

export function registerStorageCommands(program: Command): void {
  const storage = program
    .command('storage')
    .description(
      "the buckets' declared settings: versioning, encryption, lifecycle, replication, logging, notifications",
    );
  const common = (c: Command): Command =>
    withConfigOptions(c.argument('[system]', 'system id (default: every configured system)'));

  common(
    storage
      .command('apply')
      .description('create or update the buckets to match the config (idempotent), print what changed'),
  ).action(async (systemId: string | undefined, o: Opts) => {
    const reports: StorageApplyReport[] = [];
    for (const ctx of await systemsOf(systemId, o)) reports.push(await applyStorage(ctx));
    output(o.json, reports, () =>
      reports
        .map((r) =>
          r.changes.length
            ? `${r.systemId}: ${r.changes.length} change(s)\n${r.changes.map((c) => `  ${describeDrift(c)}`).join('\n')}`
            : `${r.systemId}: no changes, ${r.buckets.length} bucket(s) match the config`,
        )
        .join('\n'),
    );
  });

  common(
    storage
      .command('verify')
      .description(`report drift per bucket and setting (exit ${storageExitCodes.drift} on drift)`),
  ).action(async (systemId: string | undefined, o: Opts) => {
    const reports: StorageVerifyReport[] = [];
    for (const ctx of await systemsOf(systemId, o)) reports.push(await verifyStorage(ctx));
    output(o.json, reports, () =>
      reports
        .map((r) =>
          r.drifts.length
            ? `${r.systemId}: ${r.drifts.length} drift(s) (actual -> desired)\n${r.drifts.map((d) => `  ${describeDrift(d)}`).join('\n')}`
            : `${r.systemId}: no drift, ${r.buckets.length} bucket(s) match the config`,
        )
        .join('\n'),
    );
    if (reports.some((r) => r.drifts.length)) process.exitCode = storageExitCodes.drift;
  });
}

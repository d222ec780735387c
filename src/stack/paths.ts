import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file so commands work from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Everything the local stack writes (data dirs, logs, pid files, venv, secrets) lives here, ignored by git. */
export const dataDir = process.env.ACODE_GUARDIAN_DATA_DIR ?? path.join(repoRoot, '.data');

export const venvBin = (name: string): string => path.join(dataDir, 'venv', 'bin', name);

export const serviceDir = (service: string): string => path.join(dataDir, service);

/** The configuration that points every integration at the local stack. */
export const localConfigPath = path.join(repoRoot, 'config', 'local.yaml');

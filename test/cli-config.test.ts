// `config validate`: what a valid file holds, and a clear error for a bad one.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/client.js';
import { localConfigPath } from '../src/stack/paths.js';

async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
  try {
    await buildCli().parseAsync(['node', 'acode-guardian', ...args]);
  } finally {
    log.mockRestore();
  }
  return printed.join('\n');
}

describe('config validate', () => {
  it('lists the systems of a valid file, for people and as JSON', async () => {
    expect(await cli('config', 'validate', localConfigPath)).toBe(`${localConfigPath}: valid, 1 system(s): acode`);
    expect(JSON.parse(await cli('config', 'validate', localConfigPath, '--json'))).toEqual({
      path: localConfigPath,
      valid: true,
      systems: ['acode'],
    });
  });

  it('names the file and the field that is wrong', async () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'guardian-')), 'bad.yaml');
    writeFileSync(bad, readFileSync(localConfigPath, 'utf8').replace('port: 13306', 'port: not-a-port'));
    await expect(cli('config', 'validate', bad)).rejects.toThrow(/bad\.yaml[\s\S]*systems\[0\]\.mysql\.primary\.port/);
  });
});

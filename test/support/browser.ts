// Headless Chromium from Debian's package (never a browser download), driven by playwright-core.
// The flags keep Chromium from reaching for Google's services: this machine has no outside network.
import { chromium, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/stack/paths.js';

export const chromiumPath = '/usr/bin/chromium';
/** Screenshots and other files the tests leave for people to look at (ignored by git). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

export async function withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    return await fn(page);
  } finally {
    await browser.close();
  }
}

export function artifactPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, name);
}

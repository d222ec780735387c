import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The local stack (Temporal, MariaDB, S3, webhook sink) is brought up once and reused.
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/env.ts'],
    // Temporal's time-skipping server skips time globally, and the tests share one stack:
    // files run one after another so they never race on shared state.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});

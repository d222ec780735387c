// For a describe block of workflows on the whole real stack: the Temporal dev server, the Airbyte
// simulator reset before and after (its connections back as configured), the webhook sink cleared;
// and the sandbox config with sync jobs polled every second.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { GuardianConfig, SystemConfig } from '../../src/config/schema.js';
import { localConfigPath } from '../../src/stack/paths.js';
import { WebhookSinkClient } from '../../src/stack/webhook-sink-client.js';
import { simulator } from './airbyte.js';
import { devServerEnv } from './temporal.js';

export function realStackSuite(): { env: () => TestWorkflowEnvironment; sink: WebhookSinkClient } {
  let env: TestWorkflowEnvironment | undefined;
  const sink = new WebhookSinkClient();
  beforeAll(async () => {
    env = await devServerEnv();
    await simulator.reset();
    await sink.clear();
  });
  afterAll(async () => {
    await simulator.reset();
    await env?.teardown();
  });
  return {
    env: () => {
      if (!env) throw new Error('the dev server environment is not up (used outside a test?)');
      return env;
    },
    sink,
  };
}

export async function sandboxConfigPollingEverySecond(): Promise<{ config: GuardianConfig; acode: SystemConfig }> {
  const config = await loadConfig(localConfigPath);
  const acode = config.systems[0];
  if (!acode) throw new Error('no system in the local config');
  acode.sync_retry_policy.job_poll_interval_seconds = 1;
  return { config, acode };
}

// An Airbyte client on the local simulator, with the sandbox's client credentials.
import { AirbyteClient, type AirbyteClientOptions } from '../../src/integrations/airbyte/client.js';
import { AirbyteSimulatorControl } from '../../src/stack/airbyte-simulator/control-client.js';

export const simulator = new AirbyteSimulatorControl();

export function simulatorClient(overrides: Partial<AirbyteClientOptions> = {}): AirbyteClient {
  return new AirbyteClient({
    apiUrl: simulator.publicApiUrl,
    auth: {
      type: 'client_credentials',
      clientId: process.env.AIRBYTE_CLIENT_ID ?? '',
      clientSecret: process.env.AIRBYTE_CLIENT_SECRET ?? '',
    },
    timeoutMs: 5000,
    baseDelayMs: 10,
    maxDelayMs: 50,
    ...overrides,
  });
}

/** Polls a job until it ends (the workflows do this on durable timers; here a short loop). */
export async function waitForJob(client: AirbyteClient, jobId: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.getJob(jobId);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

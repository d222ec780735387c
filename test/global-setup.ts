// Brings the local stack up once for the whole suite (idempotent: a running stack is reused and
// left running for the next run; `npm run stack -- down` stops it).
import { assertLoopbackEndpoints, loadConfig } from '../src/config/load.js';
import { localConfigPath } from '../src/stack/paths.js';
import { stackUp } from '../src/stack/stack.js';

export default async function setup(): Promise<void> {
  // The stack's own services (the Airbyte simulator) inherit the guard too.
  process.env.ACODE_GUARDIAN_LOOPBACK_ONLY = '1';
  assertLoopbackEndpoints(await loadConfig(localConfigPath));
  await stackUp((line) => console.log(`[stack] ${line}`));
}

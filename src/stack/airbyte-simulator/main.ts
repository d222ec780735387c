// Entry point of the Airbyte simulator process started by the local stack:
// `tsx main.ts <port> <config.yaml>`; client credentials come from AIRBYTE_CLIENT_ID / AIRBYTE_CLIENT_SECRET.
import { loadConfig, resolveSecret } from '../../config/load.js';
import { localConfigPath } from '../paths.js';
import { sandboxS3Client } from '../s3.js';
import { loopback, ports } from '../services.js';
import { simulatorSeedFromConfig } from './seed.js';
import { createAirbyteSimulator } from './server.js';
import { SimulatorState } from './state.js';

const port = Number(process.argv[2] ?? ports.airbyte);
const config = await loadConfig(process.argv[3] ?? localConfigPath);
const auth = config.systems[0]?.airbyte.auth;
if (auth?.type !== 'client_credentials') throw new Error('the simulator expects client_credentials auth in the config');
const creds = {
  clientId: resolveSecret(auth.client_id, 'systems[0].airbyte.auth.client_id'),
  clientSecret: resolveSecret(auth.client_secret, 'systems[0].airbyte.auth.client_secret'),
};
const state = new SimulatorState(
  simulatorSeedFromConfig(config),
  sandboxS3Client(process.env as Record<string, string>),
);
createAirbyteSimulator(state, creds).listen(port, loopback, () => {
  console.log(`Airbyte simulator listening on http://${loopback}:${port} (public API at /api/public/v1)`);
});

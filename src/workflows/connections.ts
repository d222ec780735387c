// The two Airbyte connections of a system as a pair, for workflows that switch between them and
// must put them back as they were if a later step fails (failover, return to the primary).
import type { ConnectionStatus } from '../integrations/airbyte/api-types.js';
import { api } from './activity-calls.js';

export interface ConnectionPair {
  primary: ConnectionStatus;
  backup: ConnectionStatus;
}

export async function connectionStatuses(systemId: string): Promise<ConnectionPair> {
  return {
    primary: (await api.getAirbyteConnection(systemId, 'primary')).status,
    backup: (await api.getAirbyteConnection(systemId, 'backup')).status,
  };
}

/** Back to `before`: the side that was active is switched on first, so neither is left alone off. */
export async function restoreConnections(systemId: string, before: ConnectionPair): Promise<string> {
  const settable = (s: ConnectionStatus) => (s === 'active' ? 'active' : 'inactive');
  const order = before.primary === 'active' ? (['primary', 'backup'] as const) : (['backup', 'primary'] as const);
  for (const side of order) await api.setAirbyteConnectionStatus(systemId, side, settable(before[side]));
  return `connection statuses restored: primary ${before.primary}, backup ${before.backup}`;
}

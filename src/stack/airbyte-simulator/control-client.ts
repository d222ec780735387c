// Control of the Airbyte simulator over HTTP, for tests and the demo: inject faults, tune the
// job lifecycle, read its state, reset it.
import { request } from 'undici';
import type { ConnectionResponse, JobResponse, AttemptRead } from '../../integrations/airbyte/api-types.js';
import { loopback, ports } from '../services.js';
import type { SimFault } from './server.js';
import type { SimTuning } from './state.js';

export interface SimulatorSnapshot {
  connections: ConnectionResponse[];
  jobs: { response: JobResponse; attempts: { attempt: AttemptRead }[] }[];
  tokensIssued: number;
}

export class AirbyteSimulatorControl {
  constructor(readonly baseUrl = `http://${loopback}:${ports.airbyte}`) {}

  get publicApiUrl(): string {
    return `${this.baseUrl}/api/public/v1`;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.baseUrl}/__sim${path}`, {
      method,
      headersTimeout: 5000,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`simulator ${method} ${path}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as T;
  }

  state = (): Promise<SimulatorSnapshot> => this.call('GET', '/state');
  reset = (): Promise<unknown> => this.call('POST', '/reset');
  inject = (fault: SimFault): Promise<unknown> => this.call('POST', '/faults', fault);
  tune = (tuning: Partial<SimTuning> & { tokenTtlSeconds?: number }): Promise<unknown> =>
    this.call('POST', '/tuning', tuning);

  async healthy(): Promise<boolean> {
    try {
      await this.call('GET', '/health');
      return true;
    } catch {
      return false;
    }
  }
}

// Control of the webhook sink over HTTP: what it received, and faults to inject.
import { request } from 'undici';
import type { FaultRule, RecordedRequest } from './webhook-sink.js';
import { controlPrefix } from './webhook-sink.js';
import { loopback, ports } from './services.js';

export class WebhookSinkClient {
  constructor(readonly baseUrl = `http://${loopback}:${ports.webhookSink}`) {}

  async requests(pathPrefix = '/'): Promise<RecordedRequest[]> {
    const res = await request(`${this.baseUrl}${controlPrefix}/requests?pathPrefix=${encodeURIComponent(pathPrefix)}`);
    return (await res.body.json()) as RecordedRequest[];
  }

  async clear(): Promise<void> {
    const res = await request(`${this.baseUrl}${controlPrefix}/requests`, { method: 'DELETE' });
    await res.body.dump();
  }

  async inject(rule: FaultRule): Promise<void> {
    const res = await request(`${this.baseUrl}${controlPrefix}/faults`, {
      method: 'POST',
      body: JSON.stringify(rule),
      headers: { 'content-type': 'application/json' },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`webhook sink refused the fault: ${text}`);
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await request(`${this.baseUrl}${controlPrefix}/health`, { headersTimeout: 1000 });
      await res.body.dump();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }
}

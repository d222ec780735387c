import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { localConfigPath } from '../src/stack/paths.js';
import { ports } from '../src/stack/services.js';
import { stackStatus, stackUp } from '../src/stack/stack.js';

describe('local stack', () => {
  it('reports every service answering', async () => {
    const status = await stackStatus();
    expect(status.map((s) => s.service)).toEqual([
      'temporal',
      'temporal-ui',
      'mariadb-primary',
      'mariadb-replica',
      's3',
      'webhook-sink',
      'airbyte-simulator',
    ]);
    expect(status.filter((s) => !s.answers)).toEqual([]);
  });

  it('is idempotent: a second `up` keeps the same processes', async () => {
    const before = await stackStatus();
    const lines: string[] = [];
    await stackUp((l) => lines.push(l));
    const after = await stackStatus();
    expect(after.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    expect(lines.filter((l) => l.includes('started'))).toEqual([]);
  });

  it('agrees with config/local.yaml on every port', async () => {
    const config = await loadConfig(localConfigPath);
    const acode = config.systems[0];
    expect(acode?.mysql.primary.port).toBe(ports.mariadbPrimary);
    expect(acode?.mysql.backup.port).toBe(ports.mariadbReplica);
    expect(acode?.s3.endpoint).toBe(`http://127.0.0.1:${ports.s3}`);
    expect(new URL(acode?.airbyte.api_url ?? '').port).toBe(String(ports.airbyte));
    expect(new URL(acode?.notifications.pagerduty?.events_url ?? '').port).toBe(String(ports.webhookSink));
    expect(new URL(config.temporal.ui_url).port).toBe(String(ports.temporalUi));
  });
});

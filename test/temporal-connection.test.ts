import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTarget, temporalTarget } from '../src/temporal/connection.js';

// No TOML profile on disk: only the variables given here count.
const base = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

describe('Temporal connection from the standard TEMPORAL_* variables', () => {
  it('defaults to a plain local dev server and the config namespace', () => {
    const t = temporalTarget('default', base);
    expect(describeTarget(t)).toBe('localhost:7233 (namespace default, plain)');
  });

  it('takes address and namespace from the environment, over the config file', () => {
    const t = temporalTarget('default', {
      ...base,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'data-platform',
    });
    expect(t.namespace).toBe('data-platform');
    expect(t.connectionOptions.address).toBe('temporal.internal:7233');
  });

  it('turns TLS on with an API key (Temporal Cloud)', () => {
    const t = temporalTarget('default', {
      ...base,
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_API_KEY: 'key-123',
    });
    expect(t.connectionOptions.apiKey).toBe('key-123');
    expect(t.connectionOptions.tls).toBeTruthy();
    expect(describeTarget(t)).toBe('us-east-1.aws.api.temporal.io:7233 (namespace default, TLS, API key)');
  });

  it('reads mTLS client certificate and key files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtls-'));
    writeFileSync(path.join(dir, 'client.pem'), 'CERT');
    writeFileSync(path.join(dir, 'client.key'), 'KEY');
    const t = temporalTarget('default', {
      ...base,
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
    });
    const tls = t.connectionOptions.tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
    expect(Buffer.from(tls.clientCertPair?.crt ?? []).toString()).toBe('CERT');
    expect(Buffer.from(tls.clientCertPair?.key ?? []).toString()).toBe('KEY');
  });
});

import { describe, expect, it } from 'vitest';
import { requestWithRetry } from '../src/integrations/http.js';
import { assertLoopback, guardEndpoint, isLoopbackHost, loopbackOnlyVar } from '../src/integrations/loopback.js';
import { connect } from '../src/integrations/mysql.js';
import { createS3Client } from '../src/integrations/s3/client.js';

describe('loopback guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['::1', true],
    ['10.0.0.1', false],
    ['192.168.1.10', false],
    ['127.0.0.1.example.com', false],
    ['hooks.slack.com', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('checks the host of a URL', () => {
    expect(() => assertLoopback('http://127.0.0.1:18080/slack', 'slack')).not.toThrow();
    expect(() => assertLoopback('https://hooks.slack.com/services/T/B/X', 'slack webhook')).toThrow(
      /slack webhook is not a loopback endpoint \(hooks\.slack\.com\)/,
    );
  });

  it('is enforced only when the environment asks for it', () => {
    expect(() => guardEndpoint('10.0.0.1', 'db', {})).not.toThrow();
    expect(() => guardEndpoint('10.0.0.1', 'db', { [loopbackOnlyVar]: '1' })).toThrow(/refusing to contact it/);
  });

  it('is on in the test suite: every integration refuses a foreign endpoint before sending', async () => {
    expect(process.env[loopbackOnlyVar]).toBe('1');
    await expect(
      requestWithRetry({ url: 'https://hooks.slack.com/services/T/B/secret', method: 'POST', json: {} }),
    ).rejects.toMatchObject({
      code: 'NON_LOOPBACK_REFUSED',
    });
    await expect(
      connect({ host: '10.1.2.3', port: 3306, user: 'u', password: 'p', database: 'd' }, 1000),
    ).rejects.toMatchObject({
      code: 'NON_LOOPBACK_REFUSED',
    });
    expect(() => createS3Client({ region: 'us-east-2', forcePathStyle: false })).toThrow(
      /S3 endpoint is not a loopback endpoint/,
    );
  });
});

// Password rotation of a MySQL account through an admin connection. The password travels only
// as a bound value (client-side escaped by mysql2, never formatted into SQL by us), and the
// account name is validated before use.
import { createHmac } from 'node:crypto';
import { withConnection, type MysqlEndpoint } from './mysql.js';

const accountUser = /^[A-Za-z0-9_.-]{1,80}$/;
const accountHost = /^(%|[A-Za-z0-9_.%:-]{1,255})$/;

export interface MysqlAccount {
  user: string;
  host: string;
}

export function assertValidAccount(a: MysqlAccount): void {
  if (!accountUser.test(a.user)) throw new Error(`invalid MySQL account user name: ${JSON.stringify(a.user)}`);
  if (!accountHost.test(a.host)) throw new Error(`invalid MySQL account host: ${JSON.stringify(a.host)}`);
}

/**
 * The new password of one rotation: HMAC-SHA256(rotation key, rotation id), 43 url-safe chars.
 * Deterministic on purpose: a retry of the same rotation after a partial failure (password
 * changed, Airbyte not yet updated) regenerates the same password and converges, while the
 * password itself never has to be stored, returned or put in workflow history.
 */
export function rotationPassword(rotationKey: string, rotationId: string): string {
  if (rotationKey.length < 32) throw new Error('the rotation key must be at least 32 characters');
  return createHmac('sha256', rotationKey).update(`mysql-password:${rotationId}`).digest('base64url');
}

export async function setPassword(
  admin: MysqlEndpoint,
  account: MysqlAccount,
  password: string,
  timeoutMs: number,
): Promise<void> {
  assertValidAccount(account);
  await withConnection(admin, timeoutMs, undefined, async (conn) => {
    await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [account.user, account.host, password]);
  });
}

/** True when `endpoint` accepts a login; access denied is false, anything else is an error. */
export async function canLogin(endpoint: MysqlEndpoint, timeoutMs: number): Promise<boolean> {
  try {
    await withConnection(endpoint, timeoutMs, undefined, async (conn) => {
      await conn.query('SELECT 1');
    });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
    throw err;
  }
}

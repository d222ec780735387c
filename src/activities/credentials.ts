// Credential rotation (seed: rotate_credentials_and_retry), done properly: a strong password
// derived per rotation, set through the admin account with bound values, verified by a real
// login, then written to the Airbyte source. The password is never returned, logged or put in
// workflow history; a retry of the same rotation regenerates the same password and converges.
import { log } from '@temporalio/activity';
import { canLogin, rotationPassword, setPassword } from '../integrations/mysql-accounts.js';
import type { SystemRegistry } from './context.js';

export interface RotationResult {
  account: string;
  /** The new password logs in. */
  verified: boolean;
  airbyteSourceUpdated: boolean;
}

export function createCredentialActivities(systems: SystemRegistry) {
  return {
    /** `rotationId` names one rotation (e.g. the recovery workflow id plus attempt): retries reuse it. */
    rotateCredentials: async (systemId: string, rotationId: string): Promise<RotationResult> => {
      const ctx = systems.get(systemId);
      const { admin, rotated_account: account, rotation_key: key, primary } = ctx.system.mysql;
      if (!admin || !account || !key) {
        throw new Error(
          `system ${systemId}: mysql.admin, mysql.rotated_account and mysql.rotation_key must be configured to rotate credentials`,
        );
      }
      const password = rotationPassword(ctx.secret(key, 'mysql.rotation_key'), rotationId);
      await setPassword(ctx.adminEndpoint(admin), account, password, ctx.timeoutMs);
      const verified = await canLogin({ ...ctx.mysql('primary'), user: account.user, password }, ctx.timeoutMs);
      if (!verified) throw new Error(`the new password of ${account.user}@${account.host} was set but does not log in`);
      if (account.user === primary.user) ctx.rememberRotatedPassword('primary', password);
      const sourceId = ctx.system.airbyte.primary_source_id;
      if (sourceId) await ctx.airbyte().patchSourceConfiguration(sourceId, { password });
      log.info('credentials rotated', {
        systemId,
        account: `${account.user}@${account.host}`,
        airbyteSourceUpdated: Boolean(sourceId),
      });
      return { account: `${account.user}@${account.host}`, verified, airbyteSourceUpdated: Boolean(sourceId) };
    },
  };
}

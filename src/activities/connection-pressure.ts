// The remedy of scale_resources_and_retry for a saturated MySQL: the database cannot be resized
// from here, but its connection slots can be freed. Connections idle (Sleep) longer than the
// configured limit are closed through the admin account; replication, system threads and the
// admin itself are never touched.
import { log } from '@temporalio/activity';
import type { RowDataPacket } from 'mysql2';
import { withConnection } from '../integrations/mysql.js';
import type { SystemRegistry } from './context.js';

export interface PressureRelief {
  idleLimitSeconds: number;
  closed: number;
  /** Per user, how many of its connections were closed. */
  byUser: Record<string, number>;
}

export function createConnectionPressureActivities(systems: SystemRegistry) {
  return {
    relieveConnectionPressure: async (systemId: string): Promise<PressureRelief> => {
      const ctx = systems.get(systemId);
      const admin = ctx.system.mysql.admin;
      if (!admin) throw new Error(`system ${systemId}: mysql.admin must be configured to relieve connection pressure`);
      const idleLimitSeconds = ctx.system.recovery.idle_connection_kill_seconds;
      return withConnection(ctx.adminEndpoint(admin), ctx.timeoutMs, undefined, async (conn) => {
        const [idle] = await conn.query<RowDataPacket[]>(
          `SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST
            WHERE COMMAND = 'Sleep' AND TIME > ? AND ID <> CONNECTION_ID()
              AND USER NOT IN ('system user', 'event_scheduler', ?)`,
          [idleLimitSeconds, admin.user],
        );
        const byUser: Record<string, number> = {};
        for (const row of idle) {
          try {
            await conn.query('KILL CONNECTION ?', [Number(row.id)]);
            byUser[String(row.user)] = (byUser[String(row.user)] ?? 0) + 1;
          } catch (err) {
            // It may have closed by itself meanwhile (ER_NO_SUCH_THREAD): nothing to free.
            if ((err as { code?: string }).code !== 'ER_NO_SUCH_THREAD') throw err;
          }
        }
        const closed = Object.values(byUser).reduce((a, b) => a + b, 0);
        log.info('idle connections closed', { systemId, closed, byUser, idleLimitSeconds });
        return { idleLimitSeconds, closed, byUser };
      });
    },
  };
}

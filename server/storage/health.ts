// Readiness (GET /health/ready): the database answers and every migration has run. The probe is unauthenticated
// on both ports, so it answers generic text; the driver's reason (which can name the database user, host or
// database) goes to the log, once per change of reason.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { migrationStatus } from './knex.js';

export function databaseHealth(knex: Knex, logger: Logger) {
  let notReadyLogged: string | undefined;
  return {
    /** Null when ready; otherwise what is wrong. */
    async notReady(): Promise<Record<string, string> | null> {
      try {
        const { pending } = await migrationStatus(knex);
        notReadyLogged = undefined;
        return pending.length > 0 ? { database: `${pending.length} migration(s) pending` } : null;
      } catch (err) {
        const reason = (err as Error)?.message ?? String(err);
        if (reason !== notReadyLogged) {
          notReadyLogged = reason;
          logger.error({ reason }, 'not ready: the database is unreachable');
        }
        return { database: 'the database is unreachable' };
      }
    },
  };
}

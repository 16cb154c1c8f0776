// Readiness (GET /health/ready): the database answers and every migration has run. The probe is unauthenticated
// on both ports, so it answers generic text; the driver's reason (which can name the database user, host or
// database) goes to the log, once per change of reason.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { appliedMigrationCount, migrationStatus } from './knex.js';

export function databaseHealth(knex: Knex, logger: Logger) {
  let notReadyLogged: string | undefined;
  // Once nothing was pending, a probe counts the recorded migrations instead of listing them against the
  // migration files (knex.migrate.list reads the directory and the table each time). A different count (a
  // `migrate down`, or a newer replica's `up`) takes the full list again.
  let appliedWhenReady: number | undefined;
  return {
    /** Null when ready; otherwise what is wrong. */
    async notReady(): Promise<Record<string, string> | null> {
      try {
        if (appliedWhenReady !== undefined && (await appliedMigrationCount(knex)) === appliedWhenReady) {
          notReadyLogged = undefined;
          return null;
        }
        const { applied, pending } = await migrationStatus(knex);
        notReadyLogged = undefined;
        appliedWhenReady = pending.length === 0 ? applied.length : undefined;
        return pending.length > 0 ? { database: `${pending.length} migration(s) pending` } : null;
      } catch (err) {
        // Listed again next time: a missing migrations table fails the count, not only a database that is down.
        appliedWhenReady = undefined;
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

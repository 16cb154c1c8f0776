// Bounded storage: deletes expired access-token rows (and expired entries of the stateless denylist) in small
// batches, each its own short statement, so a large backlog never holds long locks or one huge transaction.
// SKIP LOCKED lets several replicas run it at the same time without waiting on each other.
import type { Knex } from 'knex';
import { pg } from './pg-errors.js';

export interface JanitorOptions {
  /** Rows per DELETE statement. */
  batchSize: number;
  /** Most rows deleted in this run. */
  limit: number;
  /** Tokens issued after this instant are kept even when expired (Hydra's --keep-if-younger). */
  keepIssuedAfter?: Date;
  /** Tokens issued before this instant count as expired whatever their expiry (Hydra's --access-lifespan). */
  expireIssuedBefore?: Date;
  now?: Date;
}

export async function deleteExpiredTokens(knex: Knex, options: JanitorOptions): Promise<number> {
  const now = options.now ?? new Date();
  const keepAfter = options.keepIssuedAfter ?? now;
  const issuedBefore = options.expireIssuedBefore ?? new Date(0);
  let deleted = 0;
  while (deleted < options.limit) {
    const size = Math.min(options.batchSize, options.limit - deleted);
    const n = await pg(async () => {
      const result = await knex.raw<{ rowCount: number }>(
        `DELETE FROM oauth2_access_tokens WHERE signature IN (
           SELECT signature FROM oauth2_access_tokens
            WHERE (expires_at < ? OR requested_at < ?) AND requested_at < ?
            LIMIT ? FOR UPDATE SKIP LOCKED)`,
        [now, issuedBefore, keepAfter, size],
      );
      return result.rowCount;
    });
    deleted += n;
    if (n < size) break;
  }
  // The denylist of stateless tokens only matters until they expire.
  await pg(() =>
    knex.raw(
      `DELETE FROM oauth2_revoked_stateless_tokens WHERE signature IN (
         SELECT signature FROM oauth2_revoked_stateless_tokens WHERE expires_at < ? LIMIT ? FOR UPDATE SKIP LOCKED)`,
      [now, options.batchSize],
    ),
  );
  return deleted;
}

/** Runs `deleteExpiredTokens` every `intervalMs` in the background; returns a stop function. */
export function startJanitor(
  knex: Knex,
  options: { intervalMs: number; batchSize: number },
  log: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void,
): () => Promise<void> {
  if (options.intervalMs <= 0) return async () => {};
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = deleteExpiredTokens(knex, { batchSize: options.batchSize, limit: 100 * options.batchSize })
      .then(
        (deleted) => {
          if (deleted > 0) log('info', { deleted }, 'janitor removed expired access tokens');
        },
        (err) => log('warn', { reason: (err as Error).message }, 'janitor could not remove expired tokens'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

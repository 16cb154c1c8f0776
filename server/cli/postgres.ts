// The database of the commands that reach PostgreSQL directly (migrate, janitor, secrets reseal). Loaded only by
// their actions.
import { availableParallelism } from 'node:os';
import type { Knex } from 'knex';
import { parsePostgresDsn } from '../storage/dsn.js';
import { createKnex } from '../storage/knex.js';
import { UsageError } from './usage-error.js';

/**
 * Refuses anything but a postgres:// DSN at once (a UsageError with `refusal`: the embedded database is reached
 * only by `serve`), and returns what opens a pool on it for one piece of work and closes it afterwards.
 */
export function postgresAt(url: string | undefined, refusal: string) {
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new UsageError(refusal);
  return async <T>(run: (knex: Knex) => Promise<T>): Promise<T> => {
    const knex = createKnex(parsePostgresDsn(url, availableParallelism()));
    try {
      return await run(knex);
    } finally {
      await knex.destroy();
    }
  };
}

// Opens the database a Config names: external PostgreSQL (`DSN=postgres://…`), or an embedded one (DSN unset →
// persistent under `.tollgate/`, `DSN=memory` → throwaway). Embedded databases are migrated on start, as Hydra
// migrates its `memory` DSN; an external one is migrated by `tollgate migrate sql up`.
import { availableParallelism } from 'node:os';
import type { Knex } from 'knex';
import { parsePostgresDsn } from './dsn.js';
import { startEmbedded } from './embedded.js';
import { createKnex, type KnexLog, migratorConfig } from './knex.js';

export const STATE_DIR = '.tollgate';

export interface Database {
  knex: Knex;
  /** Where the data lives, for the startup message (no password). */
  description: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(dsn: string | undefined, log: KnexLog = () => {}): Promise<Database> {
  if (dsn !== undefined && dsn !== 'memory') {
    const knex = createKnex(parsePostgresDsn(dsn, availableParallelism()), log);
    const url = new URL(dsn);
    return {
      knex,
      description: `postgres://${url.host}${url.pathname}`,
      embedded: false,
      close: () => knex.destroy(),
    };
  }
  const pgLog = (line: string) => log('debug', line);
  const embedded = await startEmbedded(
    dsn === 'memory' ? { log: pgLog } : { persistentDir: STATE_DIR, log: pgLog },
  );
  const knex = createKnex(parsePostgresDsn(embedded.connectionString, availableParallelism()), log);
  try {
    await knex.migrate.latest(migratorConfig());
  } catch (err) {
    await knex.destroy();
    await embedded.stop();
    throw err;
  }
  return {
    knex,
    description:
      dsn === 'memory'
        ? 'embedded PostgreSQL (memory, discarded on exit)'
        : `embedded PostgreSQL in ${embedded.dataDir}`,
    embedded: true,
    async close() {
      await knex.destroy();
      await embedded.stop();
    },
  };
}

// Opens the database a Config names: external PostgreSQL (`DSN=postgres://…`), or an embedded one (DSN unset →
// persistent under `.tollgate/`, `DSN=memory` → throwaway). Embedded databases are migrated on start, as Hydra
// migrates its `memory` DSN; an external one is migrated by `tollgate migrate sql up`.
import { availableParallelism } from 'node:os';
import type { Knex } from 'knex';
import { parsePostgresDsn } from './dsn.js';
import { startEmbedded } from './embedded.js';
import { createKnex, type KnexLog, migrationStatus, migratorConfig } from './knex.js';

export const STATE_DIR = '.tollgate';

/**
 * Where a person watching the start-up is told what takes time (initialising PostgreSQL, migrating): one
 * human sentence per call, for stderr, apart from the structured log.
 */
export type Progress = (line: string) => void;

export interface Database {
  knex: Knex;
  /** Where the data lives, for the startup message (no password). */
  description: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(
  dsn: string | undefined,
  log: KnexLog = () => {},
  progress: Progress = () => {},
): Promise<Database> {
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
  // The embedded database reports its own first-start initialisation (and where); a warm start only says where.
  let initialising = false;
  const embedded = await startEmbedded({
    ...(dsn === 'memory' ? {} : { persistentDir: STATE_DIR }),
    log: pgLog,
    progress: (line) => {
      initialising = true;
      progress(line);
    },
  });
  if (!initialising) progress(`started the embedded PostgreSQL in ${embedded.dataDir}`);
  const knex = createKnex(parsePostgresDsn(embedded.connectionString, availableParallelism()), log);
  try {
    const { pending } = await migrationStatus(knex);
    if (pending.length > 0) {
      progress(`applying ${pending.length} migration${pending.length === 1 ? '' : 's'}…`);
    }
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

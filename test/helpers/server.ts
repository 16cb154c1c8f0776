// Starts a real Tollgate (both ports on 127.0.0.1, random ports) on its own fresh database in the run's
// PostgreSQL. Log lines are captured so tests can read them (and prove no secret is ever logged).
import { Writable } from 'node:stream';
import { type Config, loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/start-server.js';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { createDatabase } from './postgres.js';

export const TEST_SECRET = 'a-test-system-secret-of-some-length';

export interface TestServer {
  publicUrl: string;
  adminUrl: string;
  dsn: string;
  config: Config;
  logs: string[];
  /** The first `serve.admin.auth.tokens` entry, which `call` sends to the admin port. */
  adminToken?: string;
  close(): Promise<void>;
}

export async function migrate(dsn: string) {
  const knex = createKnex(parsePostgresDsn(dsn, 2));
  try {
    await knex.migrate.latest(migratorConfig());
  } finally {
    await knex.destroy();
  }
}

export async function startTestServer(
  overrides: Record<string, unknown> = {},
  options: { dsn?: string; migrate?: boolean } = {},
): Promise<TestServer> {
  const dsn = options.dsn ?? (await createDatabase());
  if (options.migrate !== false) await migrate(dsn);
  const config = loadConfig({
    env: {},
    dev: true,
    overrides: {
      dsn,
      'secrets.system': [TEST_SECRET],
      'serve.public.host': '127.0.0.1',
      'serve.public.port': 0,
      'serve.admin.host': '127.0.0.1',
      'serve.admin.port': 0,
      'urls.self.issuer': 'http://127.0.0.1:4444/',
      // Hydra's 25,000 iterations cost ~6 ms per hash; the tests that check the format set it explicitly.
      'oauth2.hashers.pbkdf2.iterations': 1000,
      'log.level': 'debug',
      ...overrides,
    },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const server = await startServer(config, 'all', createLogger(config.logLevel, { destination: sink }));
  return {
    publicUrl: server.publicUrl!,
    adminUrl: server.adminUrl!,
    dsn,
    config,
    logs,
    adminToken: config.protection.adminTokens[0],
    close: () => server.close(),
  };
}

// What `tollgate secrets reseal` does. Loaded only when it runs.
import { loadConfig } from '../config.js';
import { SystemSecrets } from '../crypto/secrets.js';
import { SealingKeyStore } from '../keys/sealing-key-store.js';
import { PgKeyStore } from '../storage/pg-key-store.js';
import { postgresAt } from './postgres.js';
import { UsageError } from './usage-error.js';

export async function resealSecrets(options: { config?: string }) {
  // URLs do not matter here (`dev` only relaxes their checks); the secrets and the database do.
  const config = loadConfig({ configFile: options.config, dev: true });
  if (config.secretsSystem.length === 0) throw new UsageError('set SECRETS_SYSTEM: the first secret seals');
  const withDatabase = postgresAt(
    config.dsn,
    'secrets reseal needs a postgres:// DSN (the embedded database is reached only by serve)',
  );
  await withDatabase(async (knex) => {
    const keys = new SealingKeyStore(new PgKeyStore(knex), new SystemSecrets(config.secretsSystem));
    const { resealed, unreadable } = await keys.resealAll();
    process.stdout.write(`Sealed ${resealed} JSON Web Key(s) again with the first system secret.\n`);
    if (unreadable > 0) {
      throw new Error(
        `${unreadable} JSON Web Key(s) open with none of the configured system secrets and were left as they are`,
      );
    }
  });
}

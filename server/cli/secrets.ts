// `tollgate secrets reseal [-c file]`: seals every JSON Web Key again with the first system secret
// (SECRETS_SYSTEM[0]), so that the older secrets can be dropped. Run it once, after every replica runs with
// the new list: a replica still on the old list cannot open a key sealed with the new secret (SECURITY.md,
// rotating SECRETS_SYSTEM). Reads the same configuration as `serve` (environment, `-c` file).
import type { Command } from 'commander';

export function registerSecrets(program: Command) {
  program
    .command('secrets')
    .description('manage data sealed with the system secrets (SECRETS_SYSTEM)')
    .command('reseal')
    .description(
      'seal every JSON Web Key again with the first system secret; run once every replica has the new SECRETS_SYSTEM',
    )
    .option('-c, --config <file>', 'configuration file (YAML or JSON, Hydra keys)')
    .action(async (options: { config?: string }) => {
      const { availableParallelism } = await import('node:os');
      const { loadConfig } = await import('../config.js');
      const { SystemSecrets } = await import('../crypto/secrets.js');
      const { KeyManager } = await import('../keys/key-manager.js');
      const { parsePostgresDsn } = await import('../storage/dsn.js');
      const { createKnex } = await import('../storage/knex.js');
      const { PgKeyStore } = await import('../storage/pg-key-store.js');

      // URLs do not matter here (`dev` only relaxes their checks); the secrets and the database do.
      const config = loadConfig({ configFile: options.config, dev: true });
      if (config.secretsSystem.length === 0) throw new Error('set SECRETS_SYSTEM: the first secret seals');
      if (!config.dsn || !/^postgres(ql)?:\/\//.test(config.dsn)) {
        throw new Error(
          'secrets reseal needs a postgres:// DSN (the embedded database is reached only by serve)',
        );
      }
      const knex = createKnex(parsePostgresDsn(config.dsn, availableParallelism()));
      try {
        const keys = new KeyManager(new PgKeyStore(knex), new SystemSecrets(config.secretsSystem));
        const { resealed, unreadable } = await keys.resealAll();
        process.stdout.write(`Sealed ${resealed} JSON Web Key(s) again with the first system secret.\n`);
        if (unreadable > 0) {
          throw new Error(
            `${unreadable} JSON Web Key(s) open with none of the configured system secrets and were left as they are`,
          );
        }
      } finally {
        await knex.destroy();
      }
    });
}

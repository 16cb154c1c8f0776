// `tollgate secrets reseal [-c file]`: seals every JSON Web Key again with the first system secret
// (SECRETS_SYSTEM[0]), so that the older secrets can be dropped. Run it once, after every replica runs with
// the new list: a replica still on the old list cannot open a key sealed with the new secret (SECURITY.md,
// rotating SECRETS_SYSTEM). secrets-action.ts runs it.
import type { Command } from 'commander';
import { examples } from './examples.js';

export function registerSecrets(program: Command) {
  examples(
    program
      .command('secrets')
      .description('manage data sealed with the system secrets (SECRETS_SYSTEM)')
      .command('reseal')
      .description(
        'seal every JSON Web Key again with the first system secret; run once every replica has the new SECRETS_SYSTEM',
      )
      .option('-c, --config <file>', 'configuration file (YAML or JSON, Hydra keys)')
      .action(async (options: { config?: string }) =>
        (await import('./secrets-action.js')).resealSecrets(options),
      ),
    'SECRETS_SYSTEM=new-secret-of-16+chars,old-secret-of-16+chars DSN=postgres://… tollgate secrets reseal',
    'tollgate secrets reseal -c tollgate.yml',
  );
}

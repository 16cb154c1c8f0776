// `tollgate janitor [DSN] --tokens [--limit N] [--batch-size N] [--keep-if-younger D] [-e]`, as `hydra janitor`:
// deletes expired access tokens in batches (janitor-action.ts). Tollgate keeps no login/consent requests or
// trust grants, so `--requests` and `--grants` have nothing to clean; they are accepted for scripts written for
// Hydra.
import type { Command } from 'commander';
import { examples } from './examples.js';

export interface JanitorFlags {
  tokens?: boolean;
  requests?: boolean;
  grants?: boolean;
  limit: string;
  batchSize: string;
  keepIfYounger?: string;
  accessLifespan?: string;
  readFromEnv?: boolean;
}

export function registerJanitor(program: Command) {
  const janitor = program
    .command('janitor')
    .description('delete expired access tokens from the database, in batches')
    .argument('[dsn]', 'database URL (postgres://…)')
    .option('--tokens', 'delete expired access tokens')
    .option('--requests', 'accepted for Hydra compatibility (Tollgate keeps no login/consent requests)')
    .option('--grants', 'accepted for Hydra compatibility (Tollgate keeps no trust grants)')
    .option('--limit <n>', 'most rows deleted in this run', '100000')
    .option('--batch-size <n>', 'rows per DELETE statement', '100')
    .option('--keep-if-younger <duration>', 'keep tokens issued within this duration, even when expired')
    .option('--access-lifespan <duration>', 'also delete tokens issued longer ago than this')
    .option('-e, --read-from-env', 'read the database URL from the DSN environment variable')
    .action(async (dsn: string | undefined, flags: JanitorFlags) =>
      (await import('./janitor-action.js')).janitor(dsn, flags),
    );
  examples(
    janitor,
    'tollgate janitor -e --tokens',
    'tollgate janitor postgres://tollgate:secret@db:5432/tollgate --tokens --keep-if-younger 24h --limit 50000',
  );
}

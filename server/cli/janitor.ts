// `tollgate janitor [DSN] --tokens --requests [--limit N] [--batch-size N] [--keep-if-younger D] [-e]`, as
// `hydra janitor`: deletes, in batches (janitor-action.ts), expired access and refresh tokens and authorization
// codes (--tokens), and login/consent requests that can no longer finish or ended in an error, with expired
// login sessions (--requests), and jwt-bearer trust relationships past their expiry (--grants).
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
  refreshLifespan?: string;
  consentRequestLifespan?: string;
  readFromEnv?: boolean;
}

export function registerJanitor(program: Command) {
  const janitor = program
    .command('janitor')
    .description('delete expired tokens and codes, and finished-with login/consent requests, in batches')
    .argument('[dsn]', 'database URL (postgres://…)')
    .option(
      '--tokens',
      'delete expired access and refresh tokens, and authorization codes (kept 30m past expiry)',
    )
    .option(
      '--requests',
      'delete login/consent requests older than their lifespan that never completed or were rejected, and expired login sessions',
    )
    .option('--grants', 'delete expired jwt-bearer trust relationships (RFC 7523)')
    .option('--limit <n>', 'most rows of each kind deleted in this run', '100000')
    .option('--batch-size <n>', 'rows per DELETE statement', '100')
    .option(
      '--keep-if-younger <duration>',
      'keep tokens and requests issued within this duration, even when expired',
    )
    .option('--access-lifespan <duration>', 'also delete access tokens issued longer ago than this')
    .option('--refresh-lifespan <duration>', 'also delete refresh tokens issued longer ago than this')
    .option(
      '--consent-request-lifespan <duration>',
      'lifespan of a login/consent request (default: TTL_LOGIN_CONSENT_REQUEST, else 30m)',
    )
    .option('-e, --read-from-env', 'read the database URL from the DSN environment variable')
    .action(async (dsn: string | undefined, flags: JanitorFlags) =>
      (await import('./janitor-action.js')).janitor(dsn, flags),
    );
  examples(
    janitor,
    'tollgate janitor -e --tokens --requests',
    'tollgate janitor postgres://tollgate:secret@db:5432/tollgate --tokens --keep-if-younger 24h --limit 50000',
  );
}

// Start-up look at how the JSON Web Keys are sealed. Only looks: resealing is `tollgate secrets reseal`, run
// once every replica has the new SECRETS_SYSTEM (see sealing-key-store.ts).
import type { Logger } from 'pino';

export async function reportSealStatus(
  keys: { sealStatus(): Promise<{ stale: number; unreadable: number }> },
  logger: Logger,
): Promise<void> {
  try {
    const { stale, unreadable } = await keys.sealStatus();
    if (stale > 0) {
      logger.info(
        { stale },
        'some JSON Web Keys are sealed with an older system secret: once every replica runs with this SECRETS_SYSTEM, run `tollgate secrets reseal`',
      );
    }
    if (unreadable > 0) {
      logger.error(
        { unreadable },
        'some JSON Web Keys open with no configured system secret: SECRETS_SYSTEM lacks the secret they were sealed with',
      );
    }
  } catch (err) {
    logger.warn({ reason: (err as Error).message }, 'could not check the JSON Web Keys at start-up');
  }
}

// Remembers client secrets that verified against a stored hash, so a client that authenticates repeatedly pays
// the PBKDF2 (DEFAULT_ITERATIONS in crypto/hasher.ts, unless configured) once, not per token (fosite verifies on
// every request).
//
// The cache never holds a secret or a hash of one that could be attacked offline: its keys are
// HMAC-SHA256(process-random key, stored hash ‖ secret), and the key dies with the process. Keying on the stored
// hash (which has its own random salt) makes invalidation automatic: a changed secret is a new hash, so the old
// secret misses and is verified (and refused) again; a deleted client is refused before its secret is looked at.
// Only successes are remembered; a wrong secret always pays the full hash.
import { createHmac, randomBytes } from 'node:crypto';
import { Lru } from './lru.js';

export interface VerifiedSecretsOptions {
  /** Most remembered (hash, secret) pairs; default 10,000. */
  max?: number;
  /** How long a verification is remembered (ms); default 1 h. */
  ttlMs?: number;
}

export type VerifySecret = (secret: string, hash: string) => Promise<boolean>;

export function rememberVerifiedSecrets(
  verify: VerifySecret,
  options: VerifiedSecretsOptions = {},
): VerifySecret {
  const key = randomBytes(32);
  const verified = new Lru<string, true>({ max: options.max ?? 10_000, ttlMs: options.ttlMs ?? 3_600_000 });
  // Concurrent first requests of one client share one hash computation.
  const pending = new Map<string, Promise<boolean>>();

  return async (secret, hash) => {
    if (typeof secret !== 'string' || typeof hash !== 'string') return false;
    const id = createHmac('sha256', key).update(hash).update('\0').update(secret).digest('base64');
    if (verified.get(id)) return true;
    let running = pending.get(id);
    if (!running) {
      running = verify(secret, hash).finally(() => pending.delete(id));
      pending.set(id, running);
    }
    const ok = await running;
    if (ok) verified.set(id, true);
    return ok;
  };
}

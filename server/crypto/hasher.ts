// Client-secret hashing in Hydra's default format (`x/hasher.go`, ory/x `hasherx`), so hashes imported from a
// Hydra database verify unchanged: $pbkdf2-sha256$i=<iterations>,l=<key length>$<salt>$<key>, both base64
// standard alphabet without padding.
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/**
 * Above Hydra's default (25,000): every guess at a leaked hash costs this many HMAC-SHA256 rounds, while a
 * client pays them only when its secret is not yet remembered as verified (cache/verified-secrets.ts).
 */
export const DEFAULT_ITERATIONS = 600_000;
/** RFC 8018 §4.2 recommends at least 1,000 iterations: a stored hash with fewer is refused, never verified. */
export const MIN_ITERATIONS = 1_000;
// Bounds on parameters read from a stored hash, so a corrupt or hostile row cannot stall the thread pool.
export const MAX_ITERATIONS = 10_000_000;
const MAX_KEY_BYTES = 1024;

// The digests ory/x's PBKDF2 comparator accepts (md5 left out on purpose).
const DIGESTS: Record<string, string> = {
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};

const PBKDF2_HASH =
  /^\$pbkdf2-([a-z0-9]+)\$i=(\d{1,9}),l=(\d{1,5})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

const b64 = (data: Buffer) => data.toString('base64').replace(/=+$/, '');

/**
 * PBKDF2-HMAC-SHA256 hasher. Both methods use the async pbkdf2 (libuv thread pool), never blocking the event
 * loop. The whole secret is hashed (no truncation, unlike bcrypt's 72-byte limit). A stored hash weaker than
 * configured verifies, and `needsRehash` says it should be hashed again (clients/secret-hash-upgrade.ts).
 *
 * Only PBKDF2 hashes verify. bcrypt (`$2a$`, `$2b$`, `$2y$`) and argon2 hashes, which Hydra also auto-detects,
 * are not supported yet: verify returns false for them, so such imported clients need a new secret.
 */
export class Pbkdf2Hasher {
  constructor(readonly iterations = DEFAULT_ITERATIONS) {
    if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new RangeError(
        `PBKDF2 iterations must be an integer between ${MIN_ITERATIONS} and ${MAX_ITERATIONS}`,
      );
    }
  }

  /** Whether a stored hash is weaker than new ones: another digest, or fewer iterations than configured. */
  needsRehash(hash: string): boolean {
    const m = PBKDF2_HASH.exec(hash);
    return m === null || m[1] !== 'sha256' || Number(m[2]) < this.iterations;
  }

  async hash(secret: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await pbkdf2Async(secret, salt, this.iterations, KEY_BYTES, 'sha256');
    return `$pbkdf2-sha256$i=${this.iterations},l=${KEY_BYTES}$${b64(salt)}$${b64(key)}`;
  }

  /** Reads digest, iterations and length from the stored hash, so hashes made with other settings still verify. */
  async verify(secret: string, hash: string): Promise<boolean> {
    if (typeof secret !== 'string' || typeof hash !== 'string') return false;
    const m = PBKDF2_HASH.exec(hash);
    if (!m) return false;
    const digest = DIGESTS[m[1]!];
    const iterations = Number(m[2]);
    const length = Number(m[3]);
    if (
      !digest ||
      iterations < MIN_ITERATIONS ||
      iterations > MAX_ITERATIONS ||
      length < 1 ||
      length > MAX_KEY_BYTES
    )
      return false;
    const salt = Buffer.from(m[4]!, 'base64');
    const expected = Buffer.from(m[5]!, 'base64');
    if (expected.length !== length) return false;
    const actual = await pbkdf2Async(secret, salt, iterations, length, digest);
    return timingSafeEqual(actual, expected);
  }
}

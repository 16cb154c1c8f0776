// Short opaque identifiers of a flow. Hydra v25 encrypts the whole flow into its challenges and verifiers (1–2
// KB, ory/hydra#3955); Tollgate keeps the flow in a row and hands out random ids instead. Verifiers are bearer
// secrets that travel through the browser, so only their SHA-256 is stored.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { randomBytesPooled } from '../crypto/random.js';

/** A login or consent challenge: 16 random bytes, base64url (22 characters). */
export function newChallenge(): string {
  return randomBytesPooled(16).toString('base64url');
}

/**
 * A login or consent verifier: HMAC-SHA-256 of the challenge under a server key, base64url (43 characters).
 * Deriving it (instead of drawing it) makes a repeated accept hand out the same verifier, so every redirect_to
 * an accept returned stays usable until one is redeemed (the store keeps the first hash).
 */
export function deriveVerifier(
  key: Buffer,
  purpose: 'login' | 'consent' | 'logout',
  challenge: string,
): string {
  return createHmac('sha256', key).update(`${purpose}_verifier.${challenge}`, 'utf8').digest('base64url');
}

/** The stored form of a verifier: hex SHA-256. */
export function hashVerifier(verifier: string): string {
  return createHash('sha256').update(verifier, 'utf8').digest('hex');
}

/** A CSRF token: 32 hex characters, like Hydra's dashless UUID. */
export function newCsrf(): string {
  return randomBytesPooled(16).toString('hex');
}

/** Constant-time string equality (the lengths may leak; the values do not). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

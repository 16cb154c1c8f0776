// Random identifiers and secrets from node's CSPRNG.
import { randomInt, randomUUID } from 'node:crypto';

// Hydra generates client secrets of 26 characters from this alphabet (`x.GenerateSecret`).
const SECRET_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~';

/** A random string over [a-zA-Z0-9_-.~]; randomInt uses rejection sampling, so there is no modulo bias. */
export function randomSecret(length = 26): string {
  if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer');
  let out = '';
  for (let i = 0; i < length; i++) out += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return out;
}

export function uuidv4(): string {
  return randomUUID();
}

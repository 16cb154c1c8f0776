// Random identifiers and secrets from node's CSPRNG.
import { randomFillSync, randomInt, randomUUID } from 'node:crypto';

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

// Random bytes are drawn from the CSPRNG in 4 KiB blocks: a call into OpenSSL per 32-byte token key cost more
// than the rest of the token (docs/performance.md). Every byte is handed out once; a new block is
// allocated when the old one is used up, so a returned slice is never overwritten.
const BLOCK = 4096;
let block = Buffer.alloc(0);
let used = 0;

/** `size` fresh random bytes (like crypto.randomBytes), served from a pooled block when small. */
export function randomBytesPooled(size: number): Buffer {
  if (size > BLOCK / 8) return randomFillSync(Buffer.allocUnsafe(size));
  if (used + size > block.length) {
    block = randomFillSync(Buffer.allocUnsafeSlow(BLOCK));
    used = 0;
  }
  const out = block.subarray(used, used + size);
  used += size;
  return out;
}

// AES-256-GCM exactly as Hydra's `aead/aesgcm.go`, so data encrypted by Hydra (JWK private keys, session data)
// decrypts here and vice versa: 12-byte random nonce, output base64.URLEncoding(nonce || ciphertext || tag).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
// Go's URLEncoding alphabet with `=` padding; unpadded input is accepted too.
const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** Go's `base64.URLEncoding`: URL alphabet, WITH padding (Node's 'base64url' omits it). */
function toGoUrlBase64(data: Buffer): string {
  return data.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new Error(`AES-256-GCM key must be exactly ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

export function encrypt(plain: Buffer | string, key: Buffer, additionalData?: Buffer): string {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  if (additionalData) cipher.setAAD(additionalData);
  const body = Buffer.concat([
    cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain),
    cipher.final(),
  ]);
  return toGoUrlBase64(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

/**
 * Tries every key in order (Hydra: secrets.system[0], then the rotated ones). Throws DecryptionError when the
 * input is malformed or no key authenticates it.
 */
export function decrypt(ciphertext: string, keys: readonly Buffer[], additionalData?: Buffer): Buffer {
  if (typeof ciphertext !== 'string' || !B64URL.test(ciphertext)) {
    throw new DecryptionError('Unable to decrypt: the ciphertext is not base64url');
  }
  const raw = Buffer.from(ciphertext, 'base64url');
  if (raw.length < NONCE_BYTES + TAG_BYTES) {
    throw new DecryptionError('Unable to decrypt: the ciphertext is too short');
  }
  const nonce = raw.subarray(0, NONCE_BYTES);
  const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  for (const key of keys) {
    checkKey(key);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      if (additionalData) decipher.setAAD(additionalData);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      // Authentication failed with this key: try the next (older) secret.
    }
  }
  throw new DecryptionError(
    'Unable to decrypt: no configured system secret matches (was the secret used to encrypt removed from SECRETS_SYSTEM?)',
  );
}

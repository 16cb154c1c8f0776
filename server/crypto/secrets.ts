// System secrets (`SECRETS_SYSTEM`, Hydra's `secrets.system`): the first entry signs and encrypts, every entry
// is tried when verifying or decrypting, so rotation = prepend a new secret and keep the old ones for a while.
import { createHash } from 'node:crypto';

/** Hydra's `x.HashStringSecret`: the 32-byte key is SHA-256 of the configured secret. */
export function deriveKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class SystemSecrets {
  /** Derived keys in configuration order; `all[0]` is the current one. */
  readonly all: readonly Buffer[];

  /** @param secrets ordered list, newest (current) first. Length rules (≥ 16 chars) belong to config validation. */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) {
      // Hydra fails token issuance with "global secret is not configured"; we fail at startup instead.
      throw new Error('global secret is not configured: set SECRETS_SYSTEM');
    }
    this.all = Object.freeze(secrets.map(deriveKey));
  }

  /** The key that signs new HMAC tokens and encrypts new data. */
  get current(): Buffer {
    return this.all[0]!;
  }
}

// Storage port for JSON Web Keys. `key_data` is opaque to the store: the key manager encrypts the private JWK
// (AES-256-GCM with SECRETS_SYSTEM[0]) before it reaches this port.

export interface StoredKey {
  set_id: string;
  kid: string;
  /** Encrypted JWK JSON (base64url of nonce || ciphertext || tag). */
  key_data: string;
  created_at: Date;
}

export interface KeyStore {
  /** Keys of a set, newest first. Empty when the set does not exist. */
  getSet(setId: string): Promise<StoredKey[]>;
  getKey(setId: string, kid: string): Promise<StoredKey | null>;
  /** Inserts or replaces keys (by set_id + kid). */
  putKeys(keys: StoredKey[]): Promise<void>;
  /** Replaces a whole set atomically. */
  replaceSet(setId: string, keys: StoredKey[]): Promise<void>;
  /** Returns false when nothing was deleted. */
  deleteSet(setId: string): Promise<boolean>;
  deleteKey(setId: string, kid: string): Promise<boolean>;
  /** Every key of every set: re-sealing after a system secret rotation reads them all. */
  listAll(): Promise<StoredKey[]>;
}

// Encryption at rest of JSON Web Keys around the key store port. Private JWKs are stored as aead.encrypt(JSON)
// with SECRETS_SYSTEM[0] and decrypted with every system secret, like Hydra's `hydra_jwk.keydata`, so rotating
// the system secret keeps old keys readable.
//
// Reading never writes: keys are sealed again with the first secret only by `resealAll` (`tollgate secrets
// reseal`), run once every replica has the new list. A replica still on the old list cannot open a key sealed
// with the new secret, so resealing on start-up or on read would break the replicas not yet rolled.
import { DecryptionError, decrypt, encrypt } from '../crypto/aead.js';
import type { SystemSecrets } from '../crypto/secrets.js';
import { isObject } from '../json.js';
import { TemporarilyUnavailable } from '../oauth2/errors.js';
import { type Jwk, orderJwk } from './jwk.js';
import type { KeyStore, StoredKey } from './ports.js';

/**
 * A stored key that none of this server's system secrets opens: its SECRETS_SYSTEM lacks the secret the key was
 * sealed with. 503: another replica (or this one, once its configuration is rolled out) can serve the request.
 * The message is for the log; the client sees only the generic description.
 */
export class UnreadableKey extends TemporarilyUnavailable {
  constructor(
    readonly setId: string,
    readonly kid: string,
  ) {
    super();
    this.message =
      `JSON Web Key '${setId}/${kid}' opens with none of the configured system secrets: SECRETS_SYSTEM lacks ` +
      'the secret it was sealed with (give every replica the same list, and run `tollgate secrets reseal` ' +
      'only once all of them have it)';
  }
}

/** A key as it goes in: `createdAt` orders a set (newest signs). */
export interface KeyToSeal {
  jwk: Jwk;
  createdAt: Date;
}

export class SealingKeyStore {
  private readonly reportedUnreadable = new Set<string>();

  constructor(
    private readonly store: KeyStore,
    private readonly secrets: SystemSecrets,
    /** Told once per key that no configured secret opens (the log's one clear line about it). */
    private readonly onUnreadable?: (error: UnreadableKey) => void,
  ) {}

  /** Keys of a set, newest first; UnreadableKey when one of them opens with no configured secret. */
  async getSet(setId: string): Promise<Jwk[]> {
    return (await this.store.getSet(setId)).map((row) => this.open(row));
  }

  async getKey(setId: string, kid: string): Promise<Jwk | null> {
    const row = await this.store.getKey(setId, kid);
    return row ? this.open(row) : null;
  }

  /** Whether the set holds `kid`, without opening anything. */
  async hasKey(setId: string, kid: string): Promise<boolean> {
    return (await this.store.getKey(setId, kid)) !== null;
  }

  putKeys(setId: string, keys: KeyToSeal[]): Promise<void> {
    return this.store.putKeys(keys.map(({ jwk, createdAt }) => this.seal(setId, jwk, createdAt)));
  }

  replaceSet(setId: string, keys: KeyToSeal[]): Promise<void> {
    return this.store.replaceSet(
      setId,
      keys.map(({ jwk, createdAt }) => this.seal(setId, jwk, createdAt)),
    );
  }

  deleteSet(setId: string): Promise<boolean> {
    return this.store.deleteSet(setId);
  }

  deleteKey(setId: string, kid: string): Promise<boolean> {
    return this.store.deleteKey(setId, kid);
  }

  /**
   * How the stored keys are sealed: `stale` ones open only with an older secret (`resealAll` would seal them
   * again), `unreadable` ones with no configured secret. Writes nothing.
   */
  async sealStatus(): Promise<{ stale: number; unreadable: number }> {
    const { stale, unreadable } = await this.survey();
    return { stale: stale.length, unreadable };
  }

  /**
   * After a rotation (a new secret prepended to SECRETS_SYSTEM, rolled out to every replica) seals every key
   * that only an older secret opens again with the current one, so the old secret can then be dropped without
   * losing keys. Keys that no configured secret opens are counted and left alone. Returns the sets it rewrote.
   */
  async resealAll(): Promise<{ resealed: number; unreadable: number; sets: string[] }> {
    const { stale, unreadable } = await this.survey();
    const resealed = stale.map(({ row, jwk }) => this.seal(row.set_id, jwk, row.created_at));
    await this.store.putKeys(resealed);
    return { resealed: resealed.length, unreadable, sets: [...new Set(resealed.map((k) => k.set_id))] };
  }

  private async survey(): Promise<{ stale: { row: StoredKey; jwk: Jwk }[]; unreadable: number }> {
    const stale: { row: StoredKey; jwk: Jwk }[] = [];
    let unreadable = 0;
    for (const row of await this.store.listAll()) {
      try {
        const opened = this.unseal(row);
        if (opened.stale) stale.push({ row, jwk: opened.jwk });
      } catch {
        unreadable++;
      }
    }
    return { stale, unreadable };
  }

  private seal(setId: string, jwk: Jwk, createdAt: Date): StoredKey {
    return {
      set_id: setId,
      kid: jwk.kid,
      key_data: encrypt(JSON.stringify(jwk), this.secrets.current),
      created_at: createdAt,
    };
  }

  /** A stored key for use; UnreadableKey (reported once) when no configured secret opens it. */
  private open(row: StoredKey): Jwk {
    try {
      return this.unseal(row).jwk;
    } catch (err) {
      throw err instanceof DecryptionError ? this.unreadable(row) : err;
    }
  }

  /** Decrypts a stored key; `stale` when only an older system secret opens it. */
  private unseal(row: StoredKey): { jwk: Jwk; stale: boolean } {
    let plain: Buffer;
    let stale = false;
    try {
      plain = decrypt(row.key_data, [this.secrets.current]);
    } catch {
      plain = decrypt(row.key_data, this.secrets.all);
      stale = true;
    }
    const parsed: unknown = JSON.parse(plain.toString('utf8'));
    if (!isObject(parsed)) throw new Error(`Stored key '${row.set_id}/${row.kid}' is not a JSON object`);
    return { jwk: orderJwk({ kid: row.kid, ...parsed }), stale };
  }

  private unreadable(row: StoredKey): UnreadableKey {
    const error = new UnreadableKey(row.set_id, row.kid);
    const key = JSON.stringify([row.set_id, row.kid]);
    if (!this.reportedUnreadable.has(key)) {
      this.reportedUnreadable.add(key);
      this.onUnreadable?.(error);
    }
    return error;
  }
}

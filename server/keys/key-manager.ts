// JSON Web Key sets (Hydra's `jwk` package): the admin operations and the signing / verification key lookup of
// token issuance. Keys are sealed at rest by SealingKeyStore; decrypted sets are cached in memory.
import type { KeyObject } from 'node:crypto';
import type { components } from '../../sdk/generated/openapi.js';
import type { ChangeFeed } from '../cache/change-feed.js';
import { NotifiedCache } from '../cache/notified-cache.js';
import { uuidv4 } from '../crypto/random.js';
import type { SystemSecrets } from '../crypto/secrets.js';
import { isObject } from '../json.js';
import { BadRequestError, ConflictError, NotFoundError } from '../oauth2/errors.js';
import {
  type ImportedKey,
  importJwk,
  isJwsAlgorithm,
  type JsonWebKeySet,
  type Jwk,
  type JwsAlgorithm,
  parseJwk,
  publicJwk,
} from './jwk.js';
import { type GeneratedKeyAlgorithm, generateJwk } from './key-generation.js';
import type { KeyStore } from './ports.js';
import { SealingKeyStore, type UnreadableKey } from './sealing-key-store.js';

/** Hydra's fixed set names; both are generated on first access (jwks.json, token issuance). */
export const ACCESS_TOKEN_KEY_SET = 'hydra.jwt.access-token';
export const ID_TOKEN_KEY_SET = 'hydra.openid.id-token';

type CreateJsonWebKeySet = components['schemas']['createJsonWebKeySet'];
/** The contract's request body; `use` and `kid` may be left out, as Hydra defaults an empty one. */
export type GenerateKeyOptions = Pick<CreateJsonWebKeySet, 'alg'> & Partial<CreateJsonWebKeySet>;

export interface SigningKey {
  kid: string;
  alg: JwsAlgorithm;
  key: KeyObject;
}

export interface VerificationKey {
  kid: string;
  alg: string;
  key: KeyObject;
}

export interface KeyManagerOptions {
  /** RSA modulus for generated keys. Hydra uses 4096; tests may lower it (≥ 2048, RFC 7518 §3.3). */
  rsaModulusLength?: number;
  /**
   * How long decrypted keys stay cached. Writes through this manager invalidate at once; the TTL bounds how
   * long another replica's key changes stay unseen here when no change notification reaches this one.
   */
  cacheTtlMs?: number;
  /** Told once per key that no configured secret opens (the log's one clear line about it). */
  onUnreadable?: (error: UnreadableKey) => void;
}

/** The table whose trigger announces key changes (migration 20261126000600); the id sent is the set's. */
const KEYS_TABLE = 'jwks';
// An unknown kid forces a reload (a key another replica just added), at most this often per set.
const UNKNOWN_KID_RELOAD_MS = 1_000;

const notFound = () => new NotFoundError('Not Found', 'Unable to locate the requested resource');

interface LoadedSet {
  loadedAt: number;
  /** Newest first, as the store returns them. */
  keys: (ImportedKey & { jwk: Jwk })[];
}

function pickSigningKey(set: LoadedSet): SigningKey | null {
  for (const { jwk, privateKey } of set.keys) {
    if (privateKey && jwk.use === 'sig' && isJwsAlgorithm(jwk.alg))
      return { kid: jwk.kid, alg: jwk.alg, key: privateKey };
  }
  return null;
}

export class KeyManager {
  private readonly rsaModulusLength: number;
  private readonly store: SealingKeyStore;
  // Unlike the hot-path caches this one stays on while notifications are down: its TTL is the bound then.
  private readonly sets: NotifiedCache<string, LoadedSet>;
  private readonly creating = new Map<string, Promise<SigningKey>>();

  constructor(store: KeyStore, secrets: SystemSecrets, options: KeyManagerOptions = {}) {
    this.rsaModulusLength = options.rsaModulusLength ?? 4096;
    this.store = new SealingKeyStore(store, secrets, options.onUnreadable);
    this.sets = new NotifiedCache({ ttlMs: options.cacheTtlMs ?? 30_000, enabled: true });
  }

  /** Drops a set when any replica changes it, and every set when notifications resume (changes were missed). */
  watch(feed: ChangeFeed): void {
    feed.subscribe([KEYS_TABLE], {
      changed: (setId) => this.sets.forget(setId),
      listening: (on) => {
        if (on) this.sets.forget();
      },
    });
  }

  /**
   * Hydra's POST /admin/keys/{set}: adds one new key to the set and returns a set holding only that key,
   * private parts included.
   */
  async generateSet(setId: string, options: GenerateKeyOptions): Promise<JsonWebKeySet> {
    const use = options.use || 'sig';
    if (use !== 'sig' && use !== 'enc') throw new BadRequestError("'use' must be 'sig' or 'enc'.");
    const kid = options.kid || uuidv4();
    if (await this.store.hasKey(setId, kid)) throw new ConflictError();
    const jwk = await generateJwk(options.alg, kid, use, this.rsaModulusLength);
    await this.sets.forgetAfter(() => this.store.putKeys(setId, [{ jwk, createdAt: new Date() }]), setId);
    return { keys: [jwk] };
  }

  /** Full private JWKs, newest first. */
  async getSet(setId: string): Promise<JsonWebKeySet> {
    const { keys } = await this.load(setId, true);
    if (keys.length === 0) throw notFound();
    return { keys: keys.map((k) => k.jwk) };
  }

  /** Hydra answers a one-key set, not a bare key. */
  async getKey(setId: string, kid: string): Promise<JsonWebKeySet> {
    const jwk = await this.store.getKey(setId, kid);
    if (!jwk) throw notFound();
    return { keys: [jwk] };
  }

  /** PUT /admin/keys/{set}: replaces the whole set. The body's first key becomes the newest (the signing key). */
  async setSet(setId: string, jwks: unknown): Promise<JsonWebKeySet> {
    if (!isObject(jwks) || !Array.isArray(jwks.keys)) {
      throw new BadRequestError(
        "The request body must be a JSON Web Key Set: an object with a 'keys' array.",
      );
    }
    const keys = jwks.keys.map(parseJwk);
    const kids = new Set(keys.map((k) => k.kid));
    if (kids.size !== keys.length)
      throw new BadRequestError('Every key of a JSON Web Key Set needs a distinct kid.');
    const now = Date.now();
    const sealed = keys.map((jwk, i) => ({ jwk, createdAt: new Date(now - i) }));
    await this.sets.forgetAfter(() => this.store.replaceSet(setId, sealed), setId);
    return { keys };
  }

  /** PUT /admin/keys/{set}/{kid}: inserts or replaces one key; it becomes the newest of its set, as in Hydra. */
  async setKey(setId: string, kid: string, jwk: unknown): Promise<Jwk> {
    if (!isObject(jwk)) throw new BadRequestError('A JSON Web Key must be a JSON object.');
    const body = jwk.kid === undefined ? { ...jwk, kid } : jwk;
    if (body.kid !== kid) {
      throw new BadRequestError(
        `The kid in the request body ('${String(body.kid)}') does not match the kid in the path.`,
      );
    }
    const parsed = parseJwk(body);
    await this.sets.forgetAfter(
      () => this.store.putKeys(setId, [{ jwk: parsed, createdAt: new Date() }]),
      setId,
    );
    return parsed;
  }

  async deleteSet(setId: string): Promise<void> {
    if (!(await this.sets.forgetAfter(() => this.store.deleteSet(setId), setId))) throw notFound();
  }

  async deleteKey(setId: string, kid: string): Promise<void> {
    if (!(await this.sets.forgetAfter(() => this.store.deleteKey(setId, kid), setId))) throw notFound();
  }

  /**
   * The newest private signing key of the set, generating the set on first use (Hydra's GetOrGenerateKeys).
   * Concurrent first calls in this process share one generation. Two processes may still both generate a key
   * on the very first use; both keys stay valid and published, the newer one signs from then on.
   */
  async getOrCreateSigningKey(setId: string, alg: GeneratedKeyAlgorithm = 'RS256'): Promise<SigningKey> {
    const found = pickSigningKey(await this.load(setId));
    if (found) return found;
    let pending = this.creating.get(setId);
    if (!pending) {
      pending = (async () => {
        // A fresh read: a caller whose load raced the previous generation must not generate a second key.
        const existing = pickSigningKey(await this.load(setId, true));
        if (existing) return existing;
        await this.generateSet(setId, { alg, use: 'sig' });
        const created = pickSigningKey(await this.load(setId));
        if (!created) throw new Error(`Key set '${setId}' has no usable signing key after generating one`);
        return created;
      })().finally(() => this.creating.delete(setId));
      this.creating.set(setId, pending);
    }
    return pending;
  }

  /**
   * Public keys usable to verify signatures of the set ('sig' keys with a public part). Does not generate.
   * `kid` (from a JWS header) not among the cached keys triggers one reload: another replica may have added it.
   */
  async verificationKeys(setId: string, kid?: string): Promise<VerificationKey[]> {
    let set = await this.load(setId);
    if (kid !== undefined && !set.keys.some((k) => k.jwk.kid === kid)) {
      set = await this.load(setId, (cached) => Date.now() - cached.loadedAt <= UNKNOWN_KID_RELOAD_MS);
    }
    const out: VerificationKey[] = [];
    for (const { jwk, publicKey } of set.keys) {
      if (publicKey && jwk.use === 'sig') out.push({ kid: jwk.kid, alg: jwk.alg, key: publicKey });
    }
    return out;
  }

  /**
   * jwks.json: public parts of every asymmetric key of the sets, newest first within a set. Sets without a
   * signing key are generated first, as Hydra does. Symmetric keys are never published.
   */
  async publicKeys(setIds: readonly string[]): Promise<JsonWebKeySet> {
    const unique = [...new Set(setIds)];
    await Promise.all(unique.map((setId) => this.getOrCreateSigningKey(setId)));
    const keys: Jwk[] = [];
    for (const setId of unique) {
      for (const { jwk, publicKey } of (await this.load(setId)).keys)
        if (publicKey) keys.push(publicJwk(jwk));
    }
    return { keys };
  }

  /** See SealingKeyStore.sealStatus. */
  sealStatus(): Promise<{ stale: number; unreadable: number }> {
    return this.store.sealStatus();
  }

  /** `tollgate secrets reseal`: see SealingKeyStore.resealAll. */
  async resealAll(): Promise<{ resealed: number; unreadable: number }> {
    const { resealed, unreadable, sets } = await this.store.resealAll();
    for (const setId of sets) this.sets.forget(setId);
    return { resealed, unreadable };
  }

  /**
   * Decrypted and imported keys of a set, cached; concurrent loads of one set share one store read. `fresh`
   * (true, or a test of the cached set) makes a cached set that fails it load again.
   */
  private load(setId: string, fresh: boolean | ((cached: LoadedSet) => boolean) = false): Promise<LoadedSet> {
    const usable = fresh === true ? () => false : fresh === false ? undefined : fresh;
    return this.sets.get(
      setId,
      async () => {
        const jwks = await this.store.getSet(setId);
        return { loadedAt: Date.now(), keys: jwks.map((jwk) => ({ jwk, ...importJwk(jwk) })) };
      },
      usable,
    );
  }
}

/**
 * The admin key operations and jwks.json's keys, bound to one manager, as the key handlers call them. The
 * broadcast sets always include the two Hydra signs with (`webfinger.jwks.broadcast_keys`).
 */
export function keyEndpoints(keys: KeyManager, broadcastKeys: readonly string[]) {
  const broadcast = [...new Set([...broadcastKeys, ACCESS_TOKEN_KEY_SET, ID_TOKEN_KEY_SET])];
  return {
    getSet: (set: string) => keys.getSet(set),
    createSet: (set: string, request: GenerateKeyOptions) => keys.generateSet(set, request),
    setSet: (set: string, jwks: unknown) => keys.setSet(set, jwks),
    deleteSet: (set: string) => keys.deleteSet(set),
    getKey: (set: string, kid: string) => keys.getKey(set, kid),
    setKey: (set: string, kid: string, jwk: unknown) => keys.setKey(set, kid, jwk),
    deleteKey: (set: string, kid: string) => keys.deleteKey(set, kid),
    publicKeys: () => keys.publicKeys(broadcast),
  };
}

// JSON Web Key sets (Hydra's `jwk` package): generation, import, encryption at rest and signing-key lookup.
// Private JWKs are stored as aead.encrypt(JSON) with SECRETS_SYSTEM[0] and decrypted with every system secret,
// like Hydra's `hydra_jwk.keydata`, so rotating the system secret keeps old keys readable.
//
// Reading never writes: keys are sealed again with the first secret only by `resealAll` (`tollgate secrets
// reseal`), run once every replica has the new list. A replica still on the old list cannot open a key sealed
// with the new secret, so resealing on start-up or on read would break the replicas not yet rolled.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { components } from '../../sdk/generated/openapi.js';
import { DecryptionError, decrypt, encrypt } from '../crypto/aead.js';
import { uuidv4 } from '../crypto/random.js';
import type { SystemSecrets } from '../crypto/secrets.js';
import { BadRequestError, ConflictError, NotFoundError, TemporarilyUnavailable } from '../oauth2/errors.js';
import type { KeyStore, StoredKey } from './ports.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Hydra's fixed set names; both are generated on first access (jwks.json, token issuance). */
export const ACCESS_TOKEN_KEY_SET = 'hydra.jwt.access-token';
export const ID_TOKEN_KEY_SET = 'hydra.openid.id-token';

/** JWS algorithms (RFC 7518 §3.1) a set's key may sign tokens with. */
export const JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];
const isJwsAlgorithm = (alg: string): alg is JwsAlgorithm =>
  (JWS_ALGORITHMS as readonly string[]).includes(alg);

/**
 * A JSON Web Key (RFC 7517), the contract's type. Members are emitted in go-jose's marshalling order so
 * responses compare equal with Hydra's.
 */
export type Jwk = components['schemas']['jsonWebKey'];

export interface JsonWebKeySet {
  keys: Jwk[];
}

export interface GenerateKeyOptions {
  alg: string;
  use?: string;
  kid?: string;
}

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

export interface KeyManagerOptions {
  /** RSA modulus for generated keys. Hydra uses 4096; tests may lower it (≥ 2048, RFC 7518 §3.3). */
  rsaModulusLength?: number;
  /**
   * How long decrypted keys stay cached. Writes through this manager invalidate at once; the TTL bounds how
   * long another replica's key changes stay unseen here.
   */
  cacheTtlMs?: number;
  /** Told once per key that no configured secret opens (the log's one clear line about it). */
  onUnreadable?: (error: UnreadableKey) => void;
}

// go-jose's rawJSONWebKey field order (x5c follows). Other members are dropped: the contract has no others.
const JWK_MEMBERS = [
  'use',
  'kty',
  'kid',
  'crv',
  'alg',
  'k',
  'x',
  'y',
  'n',
  'e',
  'd',
  'p',
  'q',
  'dp',
  'dq',
  'qi',
] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

// Which key type (and curve / minimum secret size) each accepted `alg` needs.
const ALG_KEY_TYPES: Record<string, { kty: string; crv?: readonly string[]; minBytes?: number }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  'RSA-OAEP': { kty: 'RSA' },
  'RSA-OAEP-256': { kty: 'RSA' },
  ES256: { kty: 'EC', crv: ['P-256'] },
  ES384: { kty: 'EC', crv: ['P-384'] },
  ES512: { kty: 'EC', crv: ['P-521'] },
  EdDSA: { kty: 'OKP', crv: ['Ed25519', 'Ed448'] },
  // RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
  HS256: { kty: 'oct', minBytes: 32 },
  HS384: { kty: 'oct', minBytes: 48 },
  HS512: { kty: 'oct', minBytes: 64 },
};

const MIN_RSA_BITS = 2048;
const DEFAULT_CACHE_TTL_MS = 30_000;
// An unknown kid forces a reload (a key another replica just added), at most this often per set.
const UNKNOWN_KID_RELOAD_MS = 1_000;

const notFound = () => new NotFoundError('Not Found', 'Unable to locate the requested resource');
// Hydra's jwk.ErrUnsupportedKeyAlgorithm: error = http.StatusText(400).
const unsupportedAlgorithm = () => new BadRequestError('Unsupported key algorithm', 'Bad Request');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Copies the known members in go-jose's order and drops anything else, as a Hydra round trip would. */
function orderJwk(input: Record<string, unknown>): Jwk {
  const out: Record<string, unknown> = {};
  for (const m of JWK_MEMBERS) if (typeof input[m] === 'string' && input[m] !== '') out[m] = input[m];
  if (Array.isArray(input.x5c) && input.x5c.every((c) => typeof c === 'string')) out.x5c = [...input.x5c];
  return out as unknown as Jwk;
}

function publicJwk(jwk: Jwk): Jwk {
  const out: Jwk = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete out[m];
  return out;
}

interface LoadedKey {
  jwk: Jwk;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

interface SetCache {
  loadedAt: number;
  /** Newest first, as the store returns them. */
  keys: LoadedKey[];
}

/** The key-material members only, as node's JWK importer takes them. */
function toNodeJwk(jwk: Jwk): JsonWebKey {
  const out: JsonWebKey = {};
  for (const m of JWK_MEMBERS) if (m !== 'use' && m !== 'kid' && jwk[m] !== undefined) out[m] = jwk[m];
  return out;
}

/** Node KeyObjects for a JWK; throws on malformed key material. Symmetric keys get none (never published). */
function importJwk(jwk: Jwk): Omit<LoadedKey, 'jwk'> {
  if (jwk.kty === 'oct') return {};
  if (jwk.d !== undefined) {
    const privateKey = createPrivateKey({ key: toNodeJwk(jwk), format: 'jwk' });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  return { publicKey: createPublicKey({ key: toNodeJwk(jwk), format: 'jwk' }) };
}

/** Validates a JWK from an admin request body; BadRequestError (400) with the reason otherwise. */
function parseJwk(input: unknown): Jwk {
  if (!isObject(input)) throw new BadRequestError('A JSON Web Key must be a JSON object.');
  for (const m of ['kid', 'kty', 'alg', 'use'] as const) {
    if (typeof input[m] !== 'string' || input[m] === '') {
      throw new BadRequestError(`The JSON Web Key is missing the required member '${m}'.`);
    }
  }
  const jwk = orderJwk(input);
  if (jwk.use !== 'sig' && jwk.use !== 'enc') {
    throw new BadRequestError(`JSON Web Key '${jwk.kid}': 'use' must be 'sig' or 'enc'.`);
  }
  const spec = ALG_KEY_TYPES[jwk.alg];
  if (!spec) throw unsupportedAlgorithm();
  if (jwk.kty !== spec.kty) {
    throw new BadRequestError(
      `JSON Web Key '${jwk.kid}': algorithm '${jwk.alg}' needs key type '${spec.kty}'.`,
    );
  }
  if (spec.crv && !spec.crv.includes(jwk.crv ?? '')) {
    throw new BadRequestError(
      `JSON Web Key '${jwk.kid}': algorithm '${jwk.alg}' needs curve ${spec.crv.join(' or ')}.`,
    );
  }
  if (jwk.kty === 'oct') {
    const k = jwk.k ?? '';
    const bytes = Buffer.from(k, 'base64url');
    if (!/^[A-Za-z0-9_-]+$/.test(k) || bytes.length < (spec.minBytes ?? 1)) {
      throw new BadRequestError(
        `JSON Web Key '${jwk.kid}': 'k' must be base64url of at least ${spec.minBytes ?? 1} bytes for ${jwk.alg}.`,
      );
    }
    return jwk;
  }
  let imported: Omit<LoadedKey, 'jwk'>;
  try {
    imported = importJwk(jwk);
  } catch (err) {
    throw new BadRequestError(
      `JSON Web Key '${jwk.kid}' could not be imported: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const bits = imported.publicKey?.asymmetricKeyDetails?.modulusLength;
  if (jwk.kty === 'RSA' && (bits === undefined || bits < MIN_RSA_BITS)) {
    throw new BadRequestError(`JSON Web Key '${jwk.kid}': RSA keys must have at least ${MIN_RSA_BITS} bits.`);
  }
  return jwk;
}

function pickSigningKey(set: SetCache): SigningKey | null {
  for (const { jwk, privateKey } of set.keys) {
    if (privateKey && jwk.use === 'sig' && isJwsAlgorithm(jwk.alg))
      return { kid: jwk.kid, alg: jwk.alg, key: privateKey };
  }
  return null;
}

export class KeyManager {
  private readonly rsaModulusLength: number;
  private readonly cacheTtlMs: number;
  private readonly cache = new Map<string, SetCache>();
  private readonly loading = new Map<string, Promise<SetCache>>();
  private readonly creating = new Map<string, Promise<SigningKey>>();
  // Bumped on every write through this manager, so a load that raced a write is not cached.
  private readonly versions = new Map<string, number>();
  private readonly reportedUnreadable = new Set<string>();
  private readonly onUnreadable: ((error: UnreadableKey) => void) | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly secrets: SystemSecrets,
    options: KeyManagerOptions = {},
  ) {
    this.rsaModulusLength = options.rsaModulusLength ?? 4096;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.onUnreadable = options.onUnreadable;
  }

  /**
   * Hydra's POST /admin/keys/{set}: adds one new key to the set and returns a set holding only that key,
   * private parts included.
   */
  async generateSet(setId: string, options: GenerateKeyOptions): Promise<JsonWebKeySet> {
    const use = options.use || 'sig';
    if (use !== 'sig' && use !== 'enc') throw new BadRequestError("'use' must be 'sig' or 'enc'.");
    const kid = options.kid || uuidv4();
    if (await this.store.getKey(setId, kid)) throw new ConflictError();
    const jwk = await this.generateJwk(options.alg, kid, use);
    await this.store.putKeys([this.seal(setId, jwk, new Date())]);
    this.invalidate(setId);
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
    const row = await this.store.getKey(setId, kid);
    if (!row) throw notFound();
    return { keys: [this.open(row).jwk] };
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
    await this.store.replaceSet(
      setId,
      keys.map((jwk, i) => this.seal(setId, jwk, new Date(now - i))),
    );
    this.invalidate(setId);
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
    await this.store.putKeys([this.seal(setId, parsed, new Date())]);
    this.invalidate(setId);
    return parsed;
  }

  async deleteSet(setId: string): Promise<void> {
    const deleted = await this.store.deleteSet(setId);
    this.invalidate(setId);
    if (!deleted) throw notFound();
  }

  async deleteKey(setId: string, kid: string): Promise<void> {
    const deleted = await this.store.deleteKey(setId, kid);
    this.invalidate(setId);
    if (!deleted) throw notFound();
  }

  /**
   * The newest private signing key of the set, generating the set on first use (Hydra's GetOrGenerateKeys).
   * Concurrent first calls in this process share one generation. Two processes may still both generate a key
   * on the very first use; both keys stay valid and published, the newer one signs from then on.
   */
  async getOrCreateSigningKey(setId: string, alg: JwsAlgorithm = 'RS256'): Promise<SigningKey> {
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
    if (
      kid !== undefined &&
      !set.keys.some((k) => k.jwk.kid === kid) &&
      Date.now() - set.loadedAt > UNKNOWN_KID_RELOAD_MS
    ) {
      set = await this.load(setId, true);
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
   * losing keys. Keys that no configured secret opens are counted and left alone.
   */
  async resealAll(): Promise<{ resealed: number; unreadable: number }> {
    const { stale, unreadable } = await this.survey();
    const resealed = stale.map(({ row, jwk }) => this.seal(row.set_id, jwk, row.created_at));
    await this.store.putKeys(resealed);
    for (const setId of new Set(resealed.map((k) => k.set_id))) this.invalidate(setId);
    return { resealed: resealed.length, unreadable };
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

  private async generateJwk(alg: string, kid: string, use: string): Promise<Jwk> {
    let material: JsonWebKey;
    switch (alg) {
      case 'RS256':
      case 'RS512': {
        const pair = await generateKeyPairAsync('rsa', {
          modulusLength: this.rsaModulusLength,
          publicExponent: 0x10001,
        });
        material = pair.privateKey.export({ format: 'jwk' });
        break;
      }
      case 'ES256':
      case 'ES512': {
        const namedCurve = alg === 'ES256' ? 'prime256v1' : 'secp521r1';
        material = (await generateKeyPairAsync('ec', { namedCurve })).privateKey.export({ format: 'jwk' });
        break;
      }
      case 'EdDSA':
        material = (await generateKeyPairAsync('ed25519', {})).privateKey.export({ format: 'jwk' });
        break;
      case 'HS256':
      case 'HS512':
        material = { kty: 'oct', k: randomBytes(alg === 'HS256' ? 32 : 64).toString('base64url') };
        break;
      default:
        throw unsupportedAlgorithm();
    }
    return orderJwk({ ...material, use, kid, alg });
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
  private open(row: StoredKey): { jwk: Jwk; stale: boolean } {
    try {
      return this.unseal(row);
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

  private version(setId: string): number {
    return this.versions.get(setId) ?? 0;
  }

  /**
   * Drops a set (or every set) from the cache: another replica changed it (a key-change notification, see
   * migration 20261126000600). Loads already running are not cached either.
   */
  forget(setId?: string): void {
    if (setId !== undefined) this.invalidate(setId);
    else for (const id of new Set([...this.cache.keys(), ...this.loading.keys()])) this.invalidate(id);
  }

  private invalidate(setId: string): void {
    this.versions.set(setId, this.version(setId) + 1);
    this.cache.delete(setId);
    this.loading.delete(setId);
  }

  /** Decrypted and imported keys of a set, cached; concurrent loads of one set share one store read. */
  private load(setId: string, force = false): Promise<SetCache> {
    const cached = this.cache.get(setId);
    if (!force && cached && Date.now() - cached.loadedAt < this.cacheTtlMs) return Promise.resolve(cached);
    const inflight = this.loading.get(setId);
    if (inflight) return inflight;
    const version = this.version(setId);
    const promise = (async () => {
      const rows = await this.store.getSet(setId);
      const keys = rows.map((row) => {
        const { jwk } = this.open(row);
        return { jwk, ...importJwk(jwk) };
      });
      const entry: SetCache = { loadedAt: Date.now(), keys };
      if (this.version(setId) === version) this.cache.set(setId, entry);
      return entry;
    })().finally(() => {
      if (this.loading.get(setId) === promise) this.loading.delete(setId);
    });
    this.loading.set(setId, promise);
    return promise;
  }
}

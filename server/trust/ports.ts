// Storage port of the jwt-bearer trust relationships (RFC 7523 §2.1; Hydra's oauth2/trust package).
import type { Jwk } from '../keys/jwk.js';

export interface TrustRecord {
  id: string;
  issuer: string;
  /** Empty when `allow_any_subject`. */
  subject: string;
  allow_any_subject: boolean;
  scope: string[];
  kid: string;
  /** Public members only. */
  jwk: Jwk;
  created_at: Date;
  expires_at: Date;
}

export interface TrustListQuery {
  limit: number;
  /** Keyset pagination: ids greater than this one. */
  afterId?: string;
  issuer?: string;
}

export interface TrustStore {
  /** Throws ConflictError when (issuer, subject, kid) exists already. */
  insert(record: TrustRecord): Promise<void>;
  get(id: string): Promise<TrustRecord | null>;
  /** Ordered by id. */
  list(query: TrustListQuery): Promise<TrustRecord[]>;
  /** The deleted record, or null when there was none. */
  delete(id: string): Promise<TrustRecord | null>;
  /**
   * Relationships of `issuer` that cover `subject` (named, or any subject), expired ones included, newest
   * first; only those with this `kid` when one is given.
   */
  findFor(issuer: string, subject: string, kid?: string): Promise<TrustRecord[]>;
  /** Whether any relationship still uses this key (the key set copy goes with the last one). */
  keyInUse(issuer: string, kid: string): Promise<boolean>;
}

/**
 * The key set named after the issuer (Hydra stores a trusted key there, so `GET /admin/keys/<issuer>` shows
 * it). Writes a key only when the set has none with its kid, as Hydra's CreateGrant does.
 */
export interface TrustKeySets {
  /** `jwk` is complete for a key set (`alg` and `use` filled in). */
  addIfAbsent(set: string, jwk: Jwk): Promise<void>;
  /** Removes the key; nothing when it is already gone. */
  remove(set: string, kid: string): Promise<void>;
}

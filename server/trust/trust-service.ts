// Trust relationships of the RFC 7523 jwt-bearer grant: Hydra's oauth2/trust handler, validator and manager.
// Hydra's bodies, field order and messages; unlike Hydra, a private or symmetric key is refused (the admin API
// never stores or echoes private key material for an issuer that only needs its public key verified).
import type { components } from '../../sdk/generated/openapi.js';
import { decodePageToken, encodePageToken, pageSize } from '../clients/pagination.js';
import { uuidv4 } from '../crypto/random.js';
import { isObject } from '../json.js';
import { isJwsAlgorithm, type Jwk, orderJwk, parseJwk } from '../keys/jwk.js';
import { ApiError, BadRequestError, NotFoundError, OAuth2Error } from '../oauth2/errors.js';
import { isUuid } from '../storage/uuid.js';
import type { TrustKeySets, TrustRecord, TrustStore } from './ports.js';

export type TrustRequest = components['schemas']['trustOAuth2JwtGrantIssuer'];
export type TrustedIssuer = components['schemas']['trustedOAuth2JwtGrantIssuer'];

/** Bounds of a request's values: a relationship is read on every grant, so none may be huge. */
export const TRUST_LIMITS = { text: 1024, scopes: 100, scope: 256 } as const;

// Hydra's trust.ErrMissingRequiredParameter (a fosite error: its description, a space, the hint).
const missing = (hint: string) =>
  new OAuth2Error(
    400,
    'missing_required_parameter',
    'One of the required parameters is missing. Check your request parameters.',
    hint,
  );
// Hydra answers a body it cannot decode with `{"error":"error","error_description":<decoder message>}`.
const undecodable = (description: string) => new ApiError(400, 'error', description);

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const KEY_TYPES = ['RSA', 'EC', 'OKP'];
// go's time.Time JSON decoding: RFC 3339, with an optional fraction and a zone.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const ZERO_TIME = -62135596800000; // 0001-01-01T00:00:00Z, Go's zero time: "not set".

/** Go's time.Round(time.Second) of a UTC time, as Hydra stores and answers both times. */
const wholeSeconds = (ms: number) => new Date(Math.round(ms / 1000) * 1000);
const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw undecodable(`Field '${field}' must be a string.`);
  if (value.length > TRUST_LIMITS.text) {
    throw new BadRequestError(`Field '${field}' must be at most ${TRUST_LIMITS.text} characters long.`);
  }
  return value;
}

function expiry(value: unknown): Date | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw undecodable(`Field 'expires_at' must be an RFC 3339 date-time, got ${JSON.stringify(value)}.`);
  }
  const ms = Date.parse(value);
  return ms <= ZERO_TIME ? null : wholeSeconds(ms);
}

function scopes(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    throw undecodable("Field 'scope' must be an array of strings.");
  }
  if (value.length > TRUST_LIMITS.scopes || value.some((s: string) => s.length > TRUST_LIMITS.scope)) {
    throw new BadRequestError(
      `Field 'scope' may hold at most ${TRUST_LIMITS.scopes} scopes of at most ${TRUST_LIMITS.scope} characters.`,
    );
  }
  return [...value];
}

/**
 * The copy of a trusted key in the issuer's key set, which needs `alg` and `use`; a trusted key may leave them
 * out (go-jose does not require them), so the copy names `sig` and the usual algorithm of its key type. The
 * relationship keeps the key as sent.
 */
export function keySetCopy(jwk: Jwk): Jwk {
  const curveAlg: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
  const alg =
    jwk.alg ??
    (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' ? (curveAlg[jwk.crv ?? ''] ?? 'ES256') : 'EdDSA');
  return { ...jwk, alg, use: jwk.use ?? 'sig' };
}

/**
 * The relationship's key: an asymmetric public JWK. Hydra (go-jose) accepts any key, `alg` and `use` optional;
 * so does Tollgate, but private members and symmetric keys are refused and never stored or echoed.
 */
export function trustedPublicJwk(input: Record<string, unknown>): Jwk {
  const present = PRIVATE_MEMBERS.filter((m) => input[m] !== undefined);
  if (present.length > 0) {
    throw new BadRequestError(
      `Field 'jwk' must be a public key: remove its private members (${present.join(', ')}).`,
    );
  }
  const jwk = orderJwk(input);
  if (!KEY_TYPES.includes(String(jwk.kty))) {
    throw new BadRequestError("Field 'jwk' must be an RSA, EC or OKP public key ('kty').");
  }
  if (jwk.alg !== undefined && !isJwsAlgorithm(jwk.alg)) {
    throw new BadRequestError(`Field 'jwk' names an algorithm this server does not verify: '${jwk.alg}'.`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new BadRequestError("Field 'jwk' must be a signing key ('use' is 'sig' or absent).");
  }
  // The key set's own checks (key material, alg against kty and curve, RSA size), on the copy it will hold.
  parseJwk(keySetCopy(jwk));
  return jwk;
}

/** Hydra's validateGrant, in its order, then Tollgate's bounds and the key check. */
export function readTrustRequest(body: unknown): Omit<TrustRecord, 'id' | 'created_at'> {
  if (!isObject(body)) throw undecodable('The request body must be a JSON object.');
  const issuer = text(body.issuer, 'issuer');
  const subject = text(body.subject, 'subject');
  if (body.allow_any_subject !== undefined && typeof body.allow_any_subject !== 'boolean') {
    throw undecodable("Field 'allow_any_subject' must be a boolean.");
  }
  const allowAny = body.allow_any_subject === true;
  const scope = scopes(body.scope);
  const expiresAt = expiry(body.expires_at);
  if (body.jwk !== undefined && body.jwk !== null && !isObject(body.jwk)) {
    throw undecodable("Field 'jwk' must be a JSON Web Key object.");
  }
  const jwkInput = isObject(body.jwk) ? body.jwk : {};
  const kid = typeof jwkInput.kid === 'string' ? jwkInput.kid : '';

  if (issuer === '') throw missing("Field 'issuer' is required.");
  if (subject === '' && !allowAny)
    throw missing("One of 'subject' or 'allow_any_subject' field must be set.");
  if (subject !== '' && allowAny) {
    throw missing("Both 'subject' and 'allow_any_subject' fields cannot be set at the same time.");
  }
  if (expiresAt === null) throw missing("Field 'expires_at' is required.");
  if (kid === '') throw missing("Field 'jwk' must contain JWK with kid header.");
  if (kid.length > TRUST_LIMITS.text) {
    throw new BadRequestError(`The key's 'kid' must be at most ${TRUST_LIMITS.text} characters long.`);
  }
  const jwk = trustedPublicJwk(jwkInput);
  return { issuer, subject, allow_any_subject: allowAny, scope, kid, jwk, expires_at: expiresAt };
}

/** Hydra's trust.Grant JSON, in its field order. */
export function renderTrust(record: TrustRecord): TrustedIssuer {
  return {
    id: record.id,
    issuer: record.issuer,
    subject: record.subject,
    allow_any_subject: record.allow_any_subject,
    scope: record.scope,
    public_key: { set: record.issuer, kid: record.kid },
    created_at: rfc3339(record.created_at),
    expires_at: rfc3339(record.expires_at),
  };
}

/** Hydra: a path id that is not a UUID is a 400 (gofrs/uuid's parse error), before any lookup. */
function parseId(id: string): string {
  if (!isUuid(id)) {
    const reason =
      id.length === 36 || id.length === 32 ? 'incorrect UUID format' : `incorrect UUID length ${id.length}`;
    throw new BadRequestError(`Unable to parse parameter id: uuid: ${reason} in string "${id}"`);
  }
  return id.toLowerCase();
}

const notFound = () => new NotFoundError('Not Found', 'Unable to locate the requested resource');

export interface TrustServiceDeps {
  store: TrustStore;
  /** The key set copy (Hydra's `<issuer>` set); omitted, keys live on the relationship only. */
  keySets?: TrustKeySets;
  clock?: () => Date;
}

export interface TrustPage {
  items: TrustedIssuer[];
  pageSize: number;
  nextPageToken?: string;
}

export function createTrustService(deps: TrustServiceDeps) {
  const clock = deps.clock ?? (() => new Date());
  return {
    async create(body: unknown): Promise<TrustedIssuer> {
      const request = readTrustRequest(body);
      const record: TrustRecord = {
        id: uuidv4(),
        ...request,
        created_at: wholeSeconds(clock().getTime()),
      };
      // The key set first: if the relationship's insert then fails (a 409 for a duplicate issuer, subject and
      // kid, whose key is already there), no relationship exists that the caller was told failed.
      await deps.keySets?.addIfAbsent(record.issuer, keySetCopy(record.jwk));
      await deps.store.insert(record);
      return renderTrust(record);
    },

    async get(id: string): Promise<TrustedIssuer> {
      const record = await deps.store.get(parseId(id));
      if (!record) throw notFound();
      return renderTrust(record);
    },

    async list(query: { page_size?: number; page_token?: string; issuer?: string }): Promise<TrustPage> {
      const limit = pageSize(query.page_size);
      const afterId = query.page_token ? decodePageToken(query.page_token) : undefined;
      if (afterId !== undefined && !isUuid(afterId)) {
        throw new BadRequestError('Unable to parse pagination parameters: page_token is malformed');
      }
      const rows = await deps.store.list({
        limit: limit + 1,
        ...(afterId !== undefined && { afterId }),
        ...(query.issuer && { issuer: query.issuer }),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(renderTrust),
        pageSize: limit,
        ...(rows.length > limit && last !== undefined && { nextPageToken: encodePageToken(last.id) }),
      };
    },

    /** Hydra's DeleteGrant: the relationship and its key in the issuer's key set. */
    async delete(id: string): Promise<void> {
      const record = await deps.store.delete(parseId(id));
      if (!record) throw notFound();
      if (deps.keySets && !(await deps.store.keyInUse(record.issuer, record.kid))) {
        await deps.keySets.remove(record.issuer, record.kid);
      }
    },
  };
}

export type TrustService = ReturnType<typeof createTrustService>;

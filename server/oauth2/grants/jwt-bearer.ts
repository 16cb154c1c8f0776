// RFC 7523 §2.1: the JWT bearer grant, in the order of fosite's rfc7523 handler (HandleTokenEndpointRequest):
// the client's grant types, the assertion, its iss and sub, the trusted key and its signature, the claims (aud,
// exp, nbf, iat, max_ttl, jti), the trusted scopes, then the token. Hydra's messages throughout. Where Tollgate
// differs (docs/jwt-bearer.md): an expired trust relationship is refused on the `kid` path too, `aud` may also
// be the issuer URL, and a `jti` is claimed only once the scopes pass.
import { parseDurationMs } from '../../../sdk/duration.js';
import type { StoredClient } from '../../clients/client.js';
import type { TrustRecord, TrustStore } from '../../trust/ports.js';
import { TRUST_LIMITS } from '../../trust/trust-service.js';
import type { AudienceStrategy } from '../audience-strategy.js';
import { requestedAudiences } from '../audience-strategy.js';
import { InvalidGrant, InvalidRequest, InvalidScope, JtiKnown } from '../errors.js';
import { dedupe, formValue, splitSpaceList } from '../form.js';
import type { GrantHandler, TokenResponse } from '../grant-handler.js';
import { type DecodedJwt, decodeCompactJwt, verifyJwtSignature } from '../jwt-assertion.js';
import type { JtiStore } from '../ports.js';
import {
  type ClientCredentialsDeps,
  requireGrant,
  secondsUntil,
  strategyName,
} from './client-credentials.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What the grant needs besides the settings it shares with client_credentials. */
export interface JwtBearerOptions {
  trust: Pick<TrustStore, 'findFor'>;
  jti: JtiStore;
  /** Accepted `aud` values: Hydra's token URL (`<public>/oauth2/token`), then Tollgate's issuer URL. */
  audiences: readonly string[];
  /** `oauth2.grant.jwt.*`. */
  jtiOptional: boolean;
  iatOptional: boolean;
  maxTtlMs: number;
}

/** `defaultLifespanMs` is `ttl.access_token`, unless the client sets `jwt_bearer_grant_access_token_lifespan`. */
export type JwtBearerDeps = JwtBearerOptions & Omit<ClientCredentialsDeps, 'statelessFor'>;

/** The registered claims as go-jose's jwt.Claims reads them; null when one has the wrong type. */
interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti: string;
}

const optionalNumber = (v: unknown) => v === undefined || v === null || typeof v === 'number';
const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

function readClaims(payload: Record<string, unknown>): Claims | null {
  const { iss, sub, aud, exp, nbf, iat, jti } = payload;
  // go-jose's Audience takes a string or an array of strings.
  const audience =
    aud === undefined || aud === null
      ? []
      : typeof aud === 'string'
        ? [aud]
        : Array.isArray(aud) && aud.every((a) => typeof a === 'string')
          ? (aud as string[])
          : null;
  if (!audience || ![iss, sub, jti].every(optionalString) || ![exp, nbf, iat].every(optionalNumber)) {
    return null;
  }
  return {
    iss: (iss as string | undefined) ?? '',
    sub: (sub as string | undefined) ?? '',
    aud: audience,
    ...(typeof exp === 'number' && { exp }),
    ...(typeof nbf === 'number' && { nbf }),
    ...(typeof iat === 'number' && { iat }),
    jti: (jti as string | undefined) ?? '',
  };
}

/** The latest instant a Date can hold: a hostile `exp`, `nbf` or `iat` beyond it is named as this bound. */
const MAX_DATE_MS = 8.64e15;
const rfc3339 = (seconds: number) =>
  new Date(Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, Math.floor(seconds) * 1000)))
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
const assertionClaim = (text: string) => new InvalidGrant(`The JWT in "assertion" request parameter ${text}`);

export function jwtBearerGrant(deps: JwtBearerDeps) {
  const clock = deps.clock ?? (() => new Date());

  /** fosite's findPublicKeyForToken, with expired relationships refused on both paths. */
  async function trustedKey(decoded: DecodedJwt, claims: Claims, now: Date): Promise<TrustRecord> {
    const kid =
      typeof decoded.header.kid === 'string' && decoded.header.kid !== '' ? decoded.header.kid : undefined;
    const notFound = new InvalidGrant(
      `No public JWK was registered for issuer "${claims.iss}" and subject "${claims.sub}", and public key is required to check signature of JWT in "assertion" request parameter.`,
    );
    const expired = (record: TrustRecord) =>
      new InvalidGrant(
        `The trust relationship of issuer "${claims.iss}" and subject "${claims.sub}" for key "${record.kid}" expired at ${record.expires_at.toISOString().replace(/\.\d{3}Z$/, 'Z')}.`,
      );
    // A value no relationship can hold (over the trust API's bounds, or a NUL, which PostgreSQL's text refuses)
    // names no key: answered without a query.
    if (
      [claims.iss, claims.sub, kid ?? ''].some((v) => v.length > TRUST_LIMITS.text || v.includes('\u0000'))
    ) {
      throw notFound;
    }
    const candidates = await deps.trust.findFor(claims.iss, claims.sub, kid);
    const live = candidates.filter((r) => r.expires_at.getTime() > now.getTime());
    if (kid !== undefined) {
      // Hydra ignores the expiry when the assertion names its key; Tollgate does not.
      const record = live[0];
      if (!record) {
        if (candidates[0]) throw expired(candidates[0]);
        throw notFound;
      }
      if (!(await verifyJwtSignature(decoded, record.jwk))) {
        throw new InvalidGrant("Unable to verify the integrity of the 'assertion' value.");
      }
      return record;
    }
    // Without a kid, every unexpired key of the issuer and subject is tried, newest first (Hydra).
    for (const record of live) if (await verifyJwtSignature(decoded, record.jwk)) return record;
    // Tollgate names the cause when only an expired relationship's key verifies the assertion.
    for (const record of candidates) {
      if (!live.includes(record) && (await verifyJwtSignature(decoded, record.jwk))) throw expired(record);
    }
    throw notFound;
  }

  /** fosite's validateTokenClaims, in its order; the jti is claimed later, once the scopes pass. */
  function checkClaims(claims: Claims, now: Date): void {
    if (claims.aud.length === 0) throw assertionClaim('MUST contain an "aud" (audience) claim.');
    if (!claims.aud.some((a) => deps.audiences.includes(a))) {
      throw assertionClaim(
        `MUST contain an "aud" (audience) claim containing a value "${deps.audiences.join('" or "')}" that identifies the authorization server as an intended audience.`,
      );
    }
    if (claims.exp === undefined) throw assertionClaim('MUST contain an "exp" (expiration time) claim.');
    const nowMs = now.getTime();
    if (claims.exp * 1000 < nowMs) throw assertionClaim('expired.');
    if (claims.nbf !== undefined && claims.nbf * 1000 >= nowMs) {
      throw assertionClaim(
        `contains an "nbf" (not before) claim, that identifies the time '${rfc3339(claims.nbf)}' before which the token MUST NOT be accepted.`,
      );
    }
    if (!deps.iatOptional && claims.iat === undefined) {
      throw assertionClaim('MUST contain an "iat" (issued at) claim.');
    }
    const issuedMs = claims.iat !== undefined ? claims.iat * 1000 : nowMs;
    if (claims.exp * 1000 - issuedMs > deps.maxTtlMs) {
      throw assertionClaim(
        `contains an "exp" (expiration time) claim with value "${rfc3339(claims.exp)}" that is unreasonably far in the future, considering token issued at "${rfc3339(issuedMs / 1000)}".`,
      );
    }
    if (!deps.jtiOptional && claims.jti === '') throw assertionClaim('MUST contain an "jti" (JWT ID) claim.');
  }

  return {
    grantType: JWT_BEARER,
    parameters: ['assertion', 'scope', 'audience'],

    async handle({ client, form, now, hook }): Promise<TokenResponse> {
      // RFC 7523 §3.1: the client authenticated at the endpoint; it must also be registered for the grant.
      requireGrant(client, JWT_BEARER);

      const assertion = formValue(form, 'assertion');
      if (assertion === '') {
        throw new InvalidRequest(
          `The assertion request parameter must be set when using grant_type of '${JWT_BEARER}'.`,
        );
      }
      const decoded = decodeCompactJwt(assertion);
      if (!decoded) {
        throw new InvalidGrant('Unable to parse JSON Web Token passed in "assertion" request parameter.');
      }
      const claims = readClaims(decoded.payload);
      if (!claims)
        throw new InvalidGrant('Looks like there are no claims in JWT in "assertion" request parameter.');
      if (claims.iss === '') throw assertionClaim('MUST contain an "iss" (issuer) claim.');
      if (claims.sub === '') throw assertionClaim('MUST contain a "sub" (subject) claim.');

      const record = await trustedKey(decoded, claims, now);
      checkClaims(claims, now);

      const scopes = dedupe(splitSpaceList(formValue(form, 'scope')));
      for (const scope of scopes) {
        if (!deps.scopeStrategy(record.scope, scope)) {
          throw new InvalidScope(
            `The public key registered for issuer "${claims.iss}" and subject "${claims.sub}" is not allowed to request scope "${scope}".`,
          );
        }
      }

      // RFC 7523 §3 item 7: a jti is used once. Claimed after the scope check, so that a refused request does not
      // burn it; remembered until the assertion expires (as Hydra), even when that is beyond max_ttl from now:
      // max_ttl bounds exp − iat, and iat may lie in the future.
      if (claims.jti !== '') {
        const until = Math.min((claims.exp as number) * 1000, MAX_DATE_MS);
        if (!(await deps.jti.claim(claims.jti, new Date(until)))) throw new JtiKnown();
      }

      // Hydra v25 (ory/hydra#3030): the token's audience is the assertion's `aud`, plus each requested
      // audience the client may have (others are dropped silently, as Hydra's token exchange does).
      const audiences = dedupe([...claims.aud, ...allowedAudiences(client, form, deps.audienceStrategy)]);

      const lifespan = client.document.jwt_bearer_grant_access_token_lifespan;
      const lifespanMs = lifespan ? parseDurationMs(lifespan) : deps.defaultLifespanMs;
      const expiresAt = new Date(now.getTime() + lifespanMs);
      // The token hooks (oauth2/token-hooks.ts), after fosite's handler as in Hydra: a refusal stores nothing.
      const { access_token: ext } = await hook({
        subject: claims.sub,
        requested_scope: scopes,
        granted_scope: scopes,
        granted_audience: audiences,
        extras: { access_token: {}, id_token: {} },
        expires_at: { access_token: expiresAt },
      });
      const withExt = Object.keys(ext).length > 0 ? { ext } : {};
      const requestId = deps.newRequestId();
      const strategy = deps.strategies[strategyName(client, deps.defaultStrategy)];
      const { token, signature } = await strategy.issue({
        request_id: requestId,
        issuer: deps.issuer,
        client_id: client.client_id,
        subject: claims.sub,
        scope: scopes,
        audience: audiences,
        issued_at: now,
        expires_at: expiresAt,
        ...withExt,
      });
      await deps.tokens.insert({
        signature,
        request_id: requestId,
        client_id: client.client_id,
        subject: claims.sub,
        granted_scope: scopes,
        granted_audience: audiences,
        requested_at: now,
        expires_at: expiresAt,
        ...withExt,
      });
      return {
        access_token: token,
        expires_in: secondsUntil(expiresAt, clock()),
        scope: scopes.join(' '),
        token_type: 'bearer',
      };
    },
  } satisfies GrantHandler;
}

function allowedAudiences(
  client: StoredClient,
  form: Parameters<typeof requestedAudiences>[0],
  strategy: AudienceStrategy,
): string[] {
  return requestedAudiences(form).filter((audience) => {
    try {
      strategy(client.document.audience ?? [], [audience]);
      return true;
    } catch {
      return false;
    }
  });
}

// The OpenID Connect userinfo endpoint as Hydra answers it (`oauth2/handler.go` getOidcUserInfo): any
// active access token (the `openid` scope is not required) gets the claims of the ID token of its grant, as
// JSON, or as a JWT signed with the ID token key when its client registered userinfo_signed_response_alg RS256.
import type { StoredClient } from '../clients/client.js';
import { uuidv4 } from '../crypto/random.js';
import type { FlowStore } from '../flows/ports.js';
import { goTime } from '../go-time.js';
import { InvalidToken, OAuth2Error, RequestUnauthorized } from '../oauth2/errors.js';
import { type FormFields, formValue } from '../oauth2/form.js';
import { type AccessTokenSources, findAccessToken } from '../oauth2/introspection.js';
import type { AccessTokenRecord } from '../oauth2/ports.js';
import { type IdTokenSigner, sorted, unix } from './id-token.js';
import type { SubjectIdentifiers } from './pairwise.js';

/** What a token presented to userinfo turns out to be. */
export type PresentedToken =
  | { kind: 'access_token'; record: AccessTokenRecord; client: StoredClient }
  | { kind: 'refresh_token' }
  | null;

export interface UserinfoDeps {
  /** The token's record and client (expiry not checked here), a refresh token, or null for anything else. */
  lookup(token: string): Promise<PresentedToken>;
  flows: Pick<FlowStore, 'byId'>;
  idTokens: Pick<IdTokenSigner, 'userinfoClaims' | 'signClaims'>;
  /** `urls.self.issuer` (the `iss` of a token without a flow). */
  issuer: string;
  clock?: () => Date;
  /** Pairwise subjects (oidc/pairwise.ts): a pairwise client's userinfo `sub`. */
  subjects?: Pick<SubjectIdentifiers, 'forClient'>;
}

export type UserinfoAnswer =
  | { kind: 'json'; claims: Record<string, unknown> }
  | { kind: 'jwt'; token: string };

export interface Userinfo {
  /** Throws 401 errors that the error writer answers with a Bearer challenge (RFC 6750 §3). */
  answer(token: string): Promise<UserinfoAnswer>;
}

/**
 * fosite's AccessTokenFromRequest: `Authorization: Bearer <token>` (scheme case-insensitive, the rest taken as
 * is), else the `access_token` parameter of the form (body first, then query, as Go's `Request.Form`).
 */
export function accessTokenFromRequest(
  authorization: string | undefined,
  ...forms: (FormFields<'access_token'> | undefined)[]
): string {
  const space = (authorization ?? '').indexOf(' ');
  if (space >= 0 && authorization!.slice(0, space).toLowerCase() === 'bearer') {
    return authorization!.slice(space + 1);
  }
  for (const form of forms) {
    const value = form ? formValue(form, 'access_token') : '';
    if (value !== '') return value;
  }
  return '';
}

export interface AccessTokenLookupDeps extends AccessTokenSources {
  /** True for a valid, known refresh token (Hydra tells the caller only access tokens are allowed). */
  isRefreshToken?(token: string): Promise<boolean>;
}

/** `lookup` over the access token store and strategies, the way introspection reads a token. */
export function accessTokenLookup(deps: AccessTokenLookupDeps): (token: string) => Promise<PresentedToken> {
  return async (token) => {
    const found = await findAccessToken(deps, token);
    if (found) return { kind: 'access_token', ...found };
    return token !== '' && (await deps.isRefreshToken?.(token)) ? { kind: 'refresh_token' } : null;
  };
}

export function createUserinfo(deps: UserinfoDeps): Userinfo {
  const clock = deps.clock ?? (() => new Date());
  return {
    async answer(token) {
      const found = await deps.lookup(token);
      if (found === null) {
        throw new RequestUnauthorized('Check that you provided valid credentials in the right format.');
      }
      if (found.kind === 'refresh_token') {
        throw new OAuth2Error(
          401,
          'invalid_token',
          'Only access tokens are allowed in the authorization header.',
        );
      }
      const { record, client } = found;
      // fosite: expired once the expiry lies before now.
      if (record.expires_at.getTime() < clock().getTime()) {
        throw new InvalidToken(`Access token expired at '${goTime(record.expires_at)}'.`);
      }
      const flow = record.request_id ? await deps.flows.byId(record.request_id) : null;
      // Without a flow (client_credentials) Hydra's session holds only iss and iat, aud being the client; the
      // subject (the client id) is added because OIDC Core §5.3.2 requires `sub` in every userinfo response.
      // The `sub` the client's ID tokens carry (OIDC Core §5.3.2: the same `sub` as the ID token).
      const sub =
        flow && deps.subjects
          ? deps.subjects.forClient(
              { ...client.document, client_id: client.client_id },
              flow.subject,
              flow.login?.force_subject_identifier,
            )
          : undefined;
      const claims = flow
        ? deps.idTokens.userinfoClaims(
            flow,
            record.client_id,
            record.requested_at,
            sub,
            record.id_token_ext ?? undefined,
          )
        : { aud: [record.client_id], iat: unix(record.requested_at), iss: deps.issuer, sub: record.subject };
      if (client.document.userinfo_signed_response_alg === 'RS256') {
        const signed = sorted({ ...claims, iat: unix(clock()), jti: uuidv4() });
        return { kind: 'jwt', token: await deps.idTokens.signClaims(signed) };
      }
      return { kind: 'json', claims };
    },
  };
}

// What a consented browser flow turns into: the authorize response's artefacts (an
// `ory_ac_` code; for implicit and hybrid response types an access token and an ID token), and the token
// endpoint's access token, refresh token and ID token. Minting only: storing happens in one transaction
// through FlowStore.complete or the GrantStore, and the grants decide which tokens a request gets.
import { parseDurationMs } from '../../sdk/duration.js';
import type { LifespanField, StoredClient } from '../clients/client.js';
import { uuidv4 } from '../crypto/random.js';
import type { AuthorizeArtefacts, GrantStore } from '../flows/ports.js';
import type { FlowRecord, GrantIssuer, IdTokens } from '../flows/types.js';
import type { SubjectIdentifiers } from '../oidc/pairwise.js';
import { InvalidGrant, UnsupportedResponseType } from './errors.js';
import type { TokenResponse } from './grant-handler.js';
import { allowsGrant, secondsUntil, strategyName } from './grants/client-credentials.js';
import type {
  AccessTokenRecord,
  AccessTokenStrategy,
  AccessTokenStrategyName,
  AuthorizationCodeRecord,
  RefreshTokenRecord,
} from './ports.js';
import type { TokenExtras, TokenHook } from './token-hooks.js';
import type { OpaqueTokens } from './token-strategies.js';

/** The server-wide lifespans (Hydra's `ttl.*`), used where a client sets no per-grant lifespan. */
export interface GrantTtl {
  accessTokenMs: number;
  /** Null (Hydra's -1): refresh tokens never expire. */
  refreshTokenMs: number | null;
  idTokenMs: number;
  authCodeMs: number;
}

export interface GrantTokensDeps {
  /** `urls.self.issuer`, the `iss` of JWT access tokens. */
  issuer: string;
  strategies: Record<AccessTokenStrategyName, AccessTokenStrategy>;
  /** `strategies.access_token`, used unless the client sets `access_token_strategy`. */
  defaultStrategy: AccessTokenStrategyName;
  /** `ory_rt_` tokens. */
  refreshTokens: OpaqueTokens;
  /** `ory_ac_` codes. */
  codes: OpaqueTokens;
  /** Package E's signer (server/oidc/id-token.ts), injected. */
  idTokens: Pick<IdTokens, 'sign'>;
  ttl: GrantTtl;
  /**
   * `oauth2.allowed_top_level_claims` and `oauth2.mirror_top_level_claims`: which `session.access_token` keys a
   * JWT access token also carries at its top level, and whether they stay in its `ext` too (Hydra's
   * oauth2/session.go). Introspection's `ext` always has them all.
   */
  topLevelClaims?: { allowed: readonly string[]; mirror: boolean };
  /** Read after the tokens are stored, to compute `expires_in`; defaults to the system clock. */
  clock?: () => Date;
  /** The ID token's `sub` for the client (pairwise subjects, oidc/pairwise.ts); the raw subject when absent. */
  subjects?: Pick<SubjectIdentifiers, 'forClient'>;
}

/** The `sub` of the client's ID tokens: pairwise for a pairwise client (OIDC Core §8.1), else the subject. */
export function idTokenSubject(
  subjects: Pick<SubjectIdentifiers, 'forClient'> | undefined,
  client: StoredClient,
  flow: FlowRecord,
): string {
  if (!subjects) return flow.subject;
  return subjects.forClient(
    { ...client.document, client_id: client.client_id },
    flow.subject,
    flow.login?.force_subject_identifier,
  );
}

/** The grants whose per-client lifespans Hydra reads (`client.Lifespans`). */
export type FlowGrant = 'authorization_code' | 'refresh_token' | 'implicit' | 'device_authorization';

/**
 * The access-token read cache (cache/token-cache.ts). The GrantStore deletes access tokens in its own
 * transactions; running those through `forgetAfter` makes this replica forget them at once, where the change
 * notification would leave a cached token active for a few milliseconds more.
 */
export interface AccessTokenCache {
  forgetAfter<T>(change: () => Promise<T>): Promise<T>;
}

/** How a grant is revoked on reuse detection. */
export interface GrantRevocation {
  grants: Pick<GrantStore, 'revokeGrant'>;
  accessTokenCache?: AccessTokenCache;
}

/** Runs a GrantStore change that deletes access tokens, then lets the cache forget. */
export function forgetting<T>(
  deps: { accessTokenCache?: AccessTokenCache },
  change: () => Promise<T>,
): Promise<T> {
  return deps.accessTokenCache ? deps.accessTokenCache.forgetAfter(change) : change();
}

/** Every code, access and refresh token of the grant (fosite's reuse detection). */
export function revokeGrant(deps: GrantRevocation, requestId: string): Promise<void> {
  return forgetting(deps, () => deps.grants.revokeGrant(requestId));
}

/** What the token endpoint hands out for one grant of a flow, minted but not stored yet. */
export interface MintedTokens {
  access: { token: string; record: AccessTokenRecord };
  refresh: { token: string; record: RefreshTokenRecord } | null;
  id_token: string | null;
}

const OFFLINE_SCOPES = ['offline', 'offline_access'];

/** fosite: a refresh token only for `offline`/`offline_access` granted to a client allowed the grant. */
export function offlineGranted(scope: readonly string[]): boolean {
  return scope.some((s) => OFFLINE_SCOPES.includes(s));
}

export const openidGranted = (scope: readonly string[]) => scope.includes('openid');

/**
 * Hydra's GetEffectiveLifespan: the client's `<grant>_grant_<token>_lifespan`, else the server default. A
 * negative lifespan (Hydra's -1) means the token never expires: null.
 */
export function lifespanMs(
  client: StoredClient,
  grant: FlowGrant,
  token: 'access_token' | 'refresh_token' | 'id_token',
  fallback: number | null,
): number | null {
  const field = `${grant}_grant_${token}_lifespan` as LifespanField;
  const value = client.document[field];
  const ms = typeof value === 'string' && value !== '' ? parseDurationMs(value) : fallback;
  return ms === null || ms < 0 ? null : ms;
}

/** The consent's `session.access_token`, carried by every access and refresh token of the grant (`ext`). */
export function accessTokenExt(flow: FlowRecord): Record<string, unknown> {
  const ext: unknown = flow.consent?.session.access_token;
  // The accept body's `session.access_token` is free JSON; only an object has claims to carry.
  return typeof ext === 'object' && ext !== null && !Array.isArray(ext) ? { ...ext } : {};
}

/** The consent's `session.id_token`: the ID token's extra claims, and the userinfo's. */
export function idTokenExt(flow: FlowRecord): Record<string, unknown> {
  const ext: unknown = flow.consent?.session.id_token;
  return typeof ext === 'object' && ext !== null && !Array.isArray(ext) ? { ...ext } : {};
}

/** The claims a grant starts from: the consent's, unless an earlier token of the grant carries its own. */
export function flowExtras(flow: FlowRecord): TokenExtras {
  return { access_token: accessTokenExt(flow), id_token: idTokenExt(flow) };
}

export interface MintInput {
  flow: FlowRecord;
  client: StoredClient;
  now: Date;
  /** Whose per-client lifespans apply (`device_authorization` for the device code grant). */
  grant: 'authorization_code' | 'refresh_token' | 'device_authorization';
  scope: string[];
  audience: string[];
  withRefresh: boolean;
  withIdToken: boolean;
  /** The claims to issue before the hooks ran; the flow's consent when absent. */
  extras?: TokenExtras;
  /** The request's token hooks (GrantContext.hook): they see the tokens about to be minted and may change their claims. */
  hook?: TokenHook;
}

/**
 * Mints the access token (the client's or the server's strategy, always with a row: revoking a grant must
 * reach it, so a flow's JWTs are never stateless), the refresh token and the ID token for a token request.
 */
export function createTokenMinter(deps: GrantTokensDeps) {
  const clock = deps.clock ?? (() => new Date());

  async function accessToken(
    flow: FlowRecord,
    client: StoredClient,
    now: Date,
    lifespan: number,
    scope: string[],
    audience: string[],
    ext: Record<string, unknown> = accessTokenExt(flow),
  ): Promise<{ token: string; record: AccessTokenRecord }> {
    const expiresAt = new Date(now.getTime() + lifespan);
    const jwtExt = { ...ext };
    const topLevel: Record<string, unknown> = {};
    for (const name of deps.topLevelClaims?.allowed ?? []) {
      if (!Object.hasOwn(ext, name)) continue;
      topLevel[name] = ext[name];
      if (!deps.topLevelClaims?.mirror) delete jwtExt[name];
    }
    const strategy = deps.strategies[strategyName(client, deps.defaultStrategy)];
    const { token, signature } = await strategy.issue({
      request_id: flow.id,
      issuer: deps.issuer,
      client_id: client.client_id,
      subject: flow.subject,
      scope,
      audience,
      issued_at: now,
      expires_at: expiresAt,
      jti: uuidv4(),
      ext: jwtExt,
      top_level: topLevel,
    });
    return {
      token,
      record: {
        signature,
        request_id: flow.id,
        client_id: client.client_id,
        subject: flow.subject,
        granted_scope: scope,
        granted_audience: audience,
        requested_at: now,
        expires_at: expiresAt,
        ext,
      },
    };
  }

  return {
    accessToken,

    async mint(input: MintInput): Promise<MintedTokens> {
      const { flow, client, now, grant } = input;
      const accessMs = lifespanMs(client, grant, 'access_token', deps.ttl.accessTokenMs) ?? 0;
      const refreshMs = lifespanMs(client, grant, 'refresh_token', deps.ttl.refreshTokenMs);
      const idMs = lifespanMs(client, grant, 'id_token', deps.ttl.idTokenMs) ?? 0;
      const after = (ms: number) => new Date(now.getTime() + ms);
      // Hydra computes it for every flow (at consent), so a pairwise client without a sector fails even without openid.
      const idSubject = idTokenSubject(deps.subjects, client, flow);
      // The hooks run before anything is minted: a refusal leaves nothing behind.
      const start = input.extras ?? flowExtras(flow);
      const extras = input.hook
        ? await input.hook({
            subject: flow.subject,
            idTokenSubject: idSubject,
            flow,
            requested_scope: flow.request.requested_scope,
            granted_scope: input.scope,
            granted_audience: input.audience,
            extras: start,
            expires_at: {
              access_token: after(accessMs),
              ...(input.withRefresh ? { refresh_token: refreshMs === null ? null : after(refreshMs) } : {}),
              ...(input.withIdToken ? { id_token: after(idMs) } : {}),
            },
          })
        : start;
      const access = await accessToken(
        flow,
        client,
        now,
        accessMs,
        input.scope,
        input.audience,
        extras.access_token,
      );
      // Userinfo answers the consent's ID token claims unless the hooks or an earlier exchange changed them.
      if (JSON.stringify(extras.id_token) !== JSON.stringify(idTokenExt(flow))) {
        access.record.id_token_ext = extras.id_token;
      }
      let refresh: MintedTokens['refresh'] = null;
      if (input.withRefresh) {
        const { token, signature } = deps.refreshTokens.mint();
        refresh = {
          token,
          record: {
            signature,
            request_id: flow.id,
            client_id: client.client_id,
            subject: flow.subject,
            granted_scope: input.scope,
            granted_audience: input.audience,
            active: true,
            requested_at: now,
            expires_at: refreshMs === null ? null : after(refreshMs),
            first_used_at: null,
            used_times: 0,
            access_token_signature: access.record.signature,
            // Both claim sets travel with the refresh token, so the next refresh starts from them (§8.6 of
            // Hydra's pain points: claims a hook added survive refresh).
            ext: access.record.ext ?? null,
            id_token_ext: extras.id_token,
          },
        };
      }
      const id_token = input.withIdToken
        ? await deps.idTokens.sign({
            flow,
            client_id: client.client_id,
            now,
            lifespanMs: idMs,
            access_token: access.token,
            refresh: grant === 'refresh_token',
            extras: extras.id_token,
            subject: idSubject,
          })
        : null;
      return { access, refresh, id_token };
    },

    /** RFC 6749 §5.1 in Hydra's key order (a sorted map): `expires_in` read after the tokens were stored. */
    response(tokens: MintedTokens, scope: readonly string[]): TokenResponse {
      return {
        access_token: tokens.access.token,
        expires_in: secondsUntil(tokens.access.record.expires_at, clock()),
        ...(tokens.id_token !== null ? { id_token: tokens.id_token } : {}),
        ...(tokens.refresh !== null ? { refresh_token: tokens.refresh.token } : {}),
        scope: scope.join(' '),
        token_type: 'bearer',
      };
    },
  };
}

export type TokenMinter = ReturnType<typeof createTokenMinter>;

/**
 * The authorize response for a consented flow (RFC 6749 §4.1.2, §4.2.2; OIDC Core §3.3.2.5): `code` → an `ory_ac_` code (ttl.auth_code);
 * `token` → an access token (implicit lifespan); `id_token` → an ID token with `at_hash`/`c_hash` of what it is
 * returned with. Every response carries `scope` (granted) and `state`, as fosite's handlers add them.
 */
export function createGrantIssuer(deps: GrantTokensDeps): GrantIssuer {
  const minter = createTokenMinter(deps);
  const clock = deps.clock ?? (() => new Date());

  return {
    async authorize(flow, client, now) {
      const types = flow.request.response_types;
      const scope = flow.consent?.grant_scope ?? [];
      const audience = flow.consent?.grant_access_token_audience ?? [];
      const params: Record<string, string> = {};
      const artefacts: AuthorizeArtefacts = {};

      // fosite's implicit and hybrid handlers: tokens in the front channel need the `implicit` grant.
      if (types.some((t) => t === 'token' || t === 'id_token') && !allowsGrant(client, 'implicit')) {
        throw new InvalidGrant(
          "The OAuth 2.0 Client is not allowed to use the authorization grant 'implicit'.",
        );
      }
      // fosite answers a response type no handler took (an ID token without `openid`) this way.
      if (types.includes('id_token') && !openidGranted(scope)) throw new UnsupportedResponseType();

      if (types.includes('code')) {
        const { token, signature } = deps.codes.mint();
        params.code = token;
        artefacts.code = {
          signature,
          request_id: flow.id,
          client_id: client.client_id,
          requested_at: now,
          expires_at: new Date(now.getTime() + deps.ttl.authCodeMs),
          used_at: null,
        } satisfies AuthorizationCodeRecord;
      }
      let accessToken: string | undefined;
      if (types.includes('token')) {
        const lifespan = lifespanMs(client, 'implicit', 'access_token', deps.ttl.accessTokenMs) ?? 0;
        const access = await minter.accessToken(flow, client, now, lifespan, scope, audience);
        accessToken = access.token;
        artefacts.access_token = access.record;
        params.access_token = access.token;
        params.expires_in = String(secondsUntil(access.record.expires_at, clock()));
        params.token_type = 'bearer';
      }
      if (types.includes('id_token')) {
        params.id_token = await deps.idTokens.sign({
          flow,
          client_id: client.client_id,
          now,
          lifespanMs: lifespanMs(client, 'implicit', 'id_token', deps.ttl.idTokenMs) ?? 0,
          ...(accessToken !== undefined ? { access_token: accessToken } : {}),
          ...(params.code !== undefined ? { code: params.code } : {}),
          subject: idTokenSubject(deps.subjects, client, flow),
        });
      }
      params.scope = scope.join(' ');
      params.state = flow.request.state;
      return { params, artefacts };
    },
  };
}

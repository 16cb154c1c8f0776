// Hydra's token hooks (oauth2/token_hook.go, oauth2/refresh_hook.go): before a grant stores anything, the
// configured webhooks see what is about to be issued and may add claims to the access token (`ext`) and the ID
// token, or refuse the token. `oauth2.refresh_token_hook` runs first and only for refresh_token;
// `oauth2.token_hook` runs for every grant. The token endpoint binds the hooks to each request and hands them to
// the grant as `GrantContext.hook`, so every grant, present or future, has exactly one place to call.
//
// Replies, as Hydra: 204 → unchanged; 200 `{"session":{"access_token":{…},"id_token":{…}}}` → new claims;
// 403 → access_denied; anything else → server_error "The token hook target responded with an error.".
// Unlike Hydra, a 200 reply is merged over the current claims (a claim set to null is removed) instead of
// replacing them, so claims the hook does not echo are not lost (ory/hydra#3852, #3879; docs/token-hooks.md).
import type { FlowRecord } from '../flows/types.js';
import { OAuth2Error } from './errors.js';

/** `{url, auth: {type: api_key, config: {in, name, value}}}`, or just the URL. */
export interface HookTarget {
  url: string;
  auth?: { type: 'api_key'; config: { in: 'header' | 'cookie'; name: string; value: string } };
}

/** The extra claims of a grant: the access token's `ext` and the ID token's extra claims. */
export interface TokenExtras {
  access_token: Record<string, unknown>;
  id_token: Record<string, unknown>;
}

/** What a grant is about to issue (Hydra's `Session` and `Request`), before anything is stored. */
export interface HookSession {
  /** The subject as stored (for client_credentials, the client id). */
  subject: string;
  /** The ID token's `sub` when it differs (a pairwise subject). */
  idTokenSubject?: string;
  /** The browser flow behind the grant, when there is one (rat, auth_time, acr, amr, nonce, sid). */
  flow?: FlowRecord | null;
  requested_scope: readonly string[];
  granted_scope: readonly string[];
  granted_audience: readonly string[];
  extras: TokenExtras;
  expires_at?: { access_token?: Date; refresh_token?: Date | null; id_token?: Date };
}

/** Bound by the token endpoint to one request: runs the configured hooks and returns the claims to issue. */
export type TokenHook = (session: HookSession) => Promise<TokenExtras>;

/** Why a hook call failed; `hint` is safe to show (never the hook's reply body or auth value). */
export interface HookFailure {
  hook: 'oauth2.token_hook' | 'oauth2.refresh_token_hook';
  /** The target without query or credentials, for the log. */
  target: string;
  status?: number;
  hint: string;
}

export interface TokenHooksDeps {
  tokenHook?: HookTarget | null;
  refreshTokenHook?: HookTarget | null;
  /** The issuer (`session.id_token.id_token_claims.iss`). */
  issuer: string;
  /** `oauth2.allowed_top_level_claims` and `oauth2.mirror_top_level_claims`, echoed in the session as Hydra does. */
  topLevelClaims?: { allowed: readonly string[]; mirror: boolean };
  /** Per call; Hydra has no own timeout for hooks (its HTTP client's applies). */
  timeoutMs: number;
  /** Largest reply read (Hydra: 5 MiB). */
  maxBytes?: number;
  /** Told about each failed call (the wiring logs it). */
  onFailure?: (failure: HookFailure) => void;
}

/** What the endpoint knows of the request (Hydra's `Request` of the token hook body). */
export interface HookRequest {
  client_id: string;
  grant_type: string;
  /** The whole token request form; only what fosite's Sanitize keeps is sent. */
  form: Record<string, string | string[] | undefined>;
}

const MAX_REPLY_BYTES = 5 << 20;
const REFUSED = 'The token hook target responded with an error.';
// fosite's Request.Sanitize keeps these form parameters (plus `assertion`, which Hydra adds): never secrets.
const PAYLOAD_PARAMETERS = ['grant_type', 'response_type', 'scope', 'client_id', 'assertion'];

/** Both hooks unset: the identity, so grants need no special case. */
const unchanged: TokenHook = async (session) => session.extras;

export function createTokenHooks(deps: TokenHooksDeps): (request: HookRequest) => TokenHook {
  const { tokenHook, refreshTokenHook } = deps;
  if (!tokenHook && !refreshTokenHook) return () => unchanged;

  return (request) => async (session) => {
    let extras = session.extras;
    if (refreshTokenHook && request.grant_type === 'refresh_token') {
      const body = { ...refreshHookBody(deps, request, { ...session, extras }) };
      extras = await call(deps, 'oauth2.refresh_token_hook', refreshTokenHook, body, extras);
    }
    if (tokenHook) {
      const body = {
        session: hydraSession(deps, request.client_id, { ...session, extras }),
        request: {
          client_id: request.client_id,
          requested_scopes: [...session.requested_scope],
          granted_scopes: [...session.granted_scope],
          granted_audience: [...session.granted_audience],
          grant_types: [request.grant_type],
          payload: payload(request.form),
        },
      };
      extras = await call(deps, 'oauth2.token_hook', tokenHook, body, extras);
    }
    return extras;
  };
}

/** oauth2/refresh_hook.go's RefreshTokenHookRequest. */
function refreshHookBody(deps: TokenHooksDeps, request: HookRequest, session: HookSession) {
  const scopes = [...session.granted_scope];
  const audience = [...session.granted_audience];
  return {
    subject: session.subject,
    session: hydraSession(deps, request.client_id, session),
    requester: {
      client_id: request.client_id,
      granted_scopes: scopes,
      granted_audience: audience,
      grant_types: [request.grant_type],
    },
    client_id: request.client_id,
    granted_scopes: scopes,
    granted_audience: audience,
  };
}

/** url.Values as JSON: every value a list. */
function payload(form: HookRequest['form']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of PAYLOAD_PARAMETERS) {
    const value = form[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? [...value] : [value];
  }
  return out;
}

/** Go's time.Time in JSON (RFC 3339); the zero time for one not set. */
const goJsonTime = (date: Date | null | undefined) =>
  date ? date.toISOString().replace('.000Z', 'Z') : '0001-01-01T00:00:00Z';

/**
 * Hydra's oauth2.Session as JSON, in its field order: `id_token` (fosite's DefaultSession: the ID token claims
 * with the extras under `ext`, headers, expiries, subject), `extra` (the access token's claims), then the flags.
 */
function hydraSession(deps: TokenHooksDeps, clientId: string, session: HookSession) {
  const { flow } = session;
  const expires: Record<string, string> = {};
  for (const [kind, at] of Object.entries(session.expires_at ?? {})) {
    if (at) expires[kind] = goJsonTime(at);
  }
  return {
    id_token: {
      id_token_claims: {
        jti: '',
        iss: deps.issuer,
        sub: session.idTokenSubject ?? session.subject,
        aud: [clientId],
        nonce: flow?.request.nonce ?? '',
        exp: goJsonTime(session.expires_at?.id_token),
        iat: goJsonTime(null),
        rat: goJsonTime(flow?.requested_at),
        auth_time: goJsonTime(flow?.authenticated_at),
        at_hash: '',
        acr: flow?.login?.acr ?? '',
        amr: flow?.login?.amr.length ? [...flow.login.amr] : null,
        c_hash: '',
        // Hydra keeps `sid` among the ID token's extras.
        ext: { ...session.extras.id_token, ...(flow ? { sid: flow.login_session_id } : {}) },
      },
      headers: { extra: {} },
      expires_at: expires,
      subject: session.subject,
    },
    extra: session.extras.access_token,
    kid: '',
    client_id: clientId,
    consent_challenge: flow?.consent_challenge ?? '',
    exclude_not_before_claim: false,
    allowed_top_level_claims: [...(deps.topLevelClaims?.allowed ?? [])],
    mirror_top_level_claims: deps.topLevelClaims?.mirror ?? true,
    preserve_ext_claims: false,
  };
}

/** The hook's URL for the log: scheme, host and path only (a query may carry a credential). */
function logTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

async function call(
  deps: TokenHooksDeps,
  hook: HookFailure['hook'],
  target: HookTarget,
  body: unknown,
  current: TokenExtras,
): Promise<TokenExtras> {
  const fail = (hint: string, status?: number, code = 'server_error', httpStatus = 500): never => {
    deps.onFailure?.({ hook, target: logTarget(target.url), hint, ...(status ? { status } : {}) });
    throw new OAuth2Error(httpStatus, code, REFUSED, hint);
  };

  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  const auth = target.auth?.config;
  if (auth?.in === 'header') headers[auth.name.toLowerCase()] = auth.value;
  if (auth?.in === 'cookie') headers.cookie = `${auth.name}=${auth.value}`;

  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error)?.name;
    return fail(
      name === 'TimeoutError'
        ? `The token hook did not answer within ${deps.timeoutMs} ms.`
        : 'The token hook could not be reached.',
    );
  }

  const { status } = response;
  if (status === 204) {
    await response.body?.cancel();
    return current;
  }
  if (status !== 200) {
    await response.body?.cancel();
    // 403: the hook refuses the token (Hydra: access_denied, status 403).
    if (status === 403)
      return fail('The token hook refused the token (HTTP 403).', 403, 'access_denied', 403);
    return fail(`The token hook answered with HTTP status ${status}.`, status);
  }

  let text: string;
  try {
    text = await readLimited(response, deps.maxBytes ?? MAX_REPLY_BYTES);
  } catch (err) {
    if (err instanceof ReplyTooLarge) return fail('The token hook reply is too large.', status);
    return fail('The token hook reply could not be read.', status);
  }
  const reply = parseReply(text);
  if (reply === null) {
    return fail(
      "The token hook reply is not JSON of the form {'session':{'access_token':{…},'id_token':{…}}}.",
      status,
    );
  }
  return {
    access_token: mergeClaims(current.access_token, reply.access_token),
    id_token: mergeClaims(current.id_token, reply.id_token),
  };
}

class ReplyTooLarge extends Error {}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ReplyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type ClaimsPatch = Record<string, unknown> | undefined;

/** The reply's two claim sets; null when it is not JSON or a set is not an object (Hydra's decode error). */
function parseReply(text: string): { access_token: ClaimsPatch; id_token: ClaimsPatch } | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(doc)) return null;
  const session = doc.session;
  if (session === undefined || session === null) return { access_token: undefined, id_token: undefined };
  if (!isObject(session)) return null;
  const claims = (value: unknown): ClaimsPatch | null =>
    value === undefined || value === null ? undefined : isObject(value) ? value : null;
  const access = claims(session.access_token);
  const id = claims(session.id_token);
  if (access === null || id === null) return null;
  return { access_token: access, id_token: id };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The reply's claims over the current ones; a claim the reply sets to null is removed (RFC 7396's rule). */
export function mergeClaims(current: Record<string, unknown>, patch: ClaimsPatch): Record<string, unknown> {
  if (patch === undefined) return current;
  const out = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

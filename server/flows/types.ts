// The browser flows' domain types (authorization code, implicit and hybrid, with Hydra's login and consent
// requests): one flow row per authorization request, from the first /oauth2/auth to the redirect with the code.
import type { IncomingHttpHeaders } from 'node:http';
import type { StoredClient } from '../clients/client.js';
import type { OAuth2Error } from '../oauth2/errors.js';
import type { AuthorizeArtefacts } from './ports.js';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

export type FlowState =
  | 'login_initialized'
  | 'login_handled' // accept or reject called (repeatable until the verifier is redeemed)
  | 'consent_initialized' // login verifier redeemed
  | 'consent_handled' // consent accept or reject called
  | 'consent_used'; // consent verifier redeemed: the grant exists

/** A validated authorization request (fosite's authorize_request_handler.go steps 1–9), stored in the flow row. */
export interface AuthorizeRequest {
  client_id: string;
  /** Sorted set, e.g. ['code'] or ['code', 'id_token']. */
  response_types: string[];
  /** Defaults to query for `code`, fragment for the others. */
  response_mode: ResponseMode;
  /** The matched (effective) redirect URI. */
  redirect_uri: string;
  /** fosite's flow_authorize_code_token.go step 5: the token endpoint compares redirect_uri only if the authorize request sent one. */
  redirect_uri_sent: boolean;
  state: string;
  nonce?: string;
  requested_scope: string[];
  requested_audience: string[];
  code_challenge?: string;
  /** Validated in the final checks (fosite's authorize handlers and handler/pkce). */
  code_challenge_method?: string;
  /** Raw values; validated when the login verifier comes back (Hydra's consent/strategy_default.go step 3). */
  prompt: string[];
  /** Raw: a non-integer only fails when a session exists (Hydra's consent/strategy_default.go). */
  max_age?: string;
  id_token_hint?: string;
  oidc_context: OidcContext;
  identity_schema?: string;
  /** `urls.self.public`/oauth2/auth?<query>; for POST the form re-encoded as a query (Hydra keeps only the query). */
  request_url: string;
  /**
   * The host name (Host header without port) of the first /oauth2/auth (set by the login strategy): when the verifier comes back on
   * another host, the CSRF cookie was left behind, and the error says so (localhost vs 127.0.0.1).
   */
  entry_host?: string;
  /** A device authorization flow (RFC 8628; server/flows/device.ts): no redirect URI, it ends on urls.device.success. */
  device?: true;
}

export interface OidcContext {
  acr_values: string[];
  ui_locales: string[];
  display?: string;
  login_hint?: string;
  id_token_hint_claims?: Record<string, unknown>;
}

/** A reject body (`rejectOAuth2Request`) with defaults applied. */
export interface DeniedError {
  error: string;
  error_description: string;
  error_hint: string;
  error_debug: string;
  status_code: number;
}

export interface LoginDecision {
  subject: string;
  remember: boolean;
  remember_for: number;
  acr: string;
  amr: string[];
  context: unknown;
  extend_session_lifespan: boolean;
  force_subject_identifier: string;
  identity_provider_session_id: string;
}

export interface ConsentDecision {
  grant_scope: string[];
  grant_access_token_audience: string[];
  remember: boolean;
  remember_for: number;
  session: { access_token: Record<string, unknown>; id_token: Record<string, unknown> };
  context: unknown;
}

export interface FlowRecord {
  /** uuid; the request_id of every token of the grant; consent_request_id = id without dashes (Hydra's consent/handler.go). */
  id: string;
  client_id: string;
  state: FlowState;
  request: AuthorizeRequest;
  /** The first /oauth2/auth: the `rat` claim and the base of the request's TTL. */
  requested_at: Date;
  /** requested_at + ttl.login_consent_request. */
  expires_at: Date;
  login_challenge: string;
  login_csrf: string;
  login_skip: boolean;
  /** '' until known. */
  subject: string;
  /** Chosen at creation: `session_id` of the login request, later the `sid` claim. */
  login_session_id: string;
  login: LoginDecision | null;
  login_error: DeniedError | null;
  /** auth_time (kept across skips). */
  authenticated_at: Date | null;
  consent_challenge: string | null;
  consent_csrf: string | null;
  consent_skip: boolean;
  consent: ConsentDecision | null;
  consent_error: DeniedError | null;
  consent_handled_at: Date | null;
}

export type Redirect = { kind: 'redirect'; status: 302 | 303; location: string; cookies: string[] };
export type AuthorizeReply =
  | Redirect
  // Hydra's consent/strategy_default.go step 6: response_mode=form_post.
  | { kind: 'form_post'; status: 200; html: string; cookies: string[] }
  // The error page (a database outage: 503).
  | { kind: 'page'; status: number; html: string; cookies: string[] };

/** Steps 1–9 of fosite's authorize_request_handler.go and the response writers (server/flows/authorize-*.ts). */
export interface AuthorizeEndpoint {
  /** The failure says where it goes (the client with 303, or urls.error with 302). */
  parse(input: {
    query: Record<string, unknown>;
    form?: Record<string, unknown>;
    method: 'GET' | 'POST';
  }): Promise<
    { ok: true; request: AuthorizeRequest; client: StoredClient } | { ok: false; reply: AuthorizeReply }
  >;
  /** fosite's authorize_request_handler.go step 11, after consent. */
  finalChecks(flow: FlowRecord, client: StoredClient): OAuth2Error | null;
  /** 303 query / fragment / form_post. */
  success(request: AuthorizeRequest, params: Record<string, string>, cookies: string[]): AuthorizeReply;
  /** 303 to the client's redirect URI. */
  toClient(request: AuthorizeRequest, error: OAuth2Error, cookies?: string[]): AuthorizeReply;
  /** 302 to urls.error. */
  toErrorPage(error: OAuth2Error, cookies?: string[]): AuthorizeReply;
}

/** The login and consent strategy (Hydra's consent/strategy_default.go); the oAuth2Authorize handler calls parse, then this. */
export interface FlowEngine {
  handle(input: {
    request: AuthorizeRequest;
    client: StoredClient;
    query: Record<string, unknown>;
    cookies: Record<string, string>;
    headers: IncomingHttpHeaders;
    /** The id of the flow a first request creates (the device flow binds its device code to it first). */
    flowId?: string;
  }): Promise<AuthorizeReply>;
}

/** Mints the authorize response's artefacts (code; implicit/hybrid tokens and id_token) for a consented flow. */
export interface GrantIssuer {
  authorize(
    flow: FlowRecord,
    client: StoredClient,
    now: Date,
  ): Promise<{ params: Record<string, string>; artefacts: AuthorizeArtefacts }>;
}

/** OpenID Connect ID tokens (Hydra's oauth2/handler.go). */
export interface IdTokens {
  sign(input: {
    flow: FlowRecord;
    client_id: string;
    now: Date;
    lifespanMs: number;
    access_token?: string;
    code?: string;
    /** Minted for a refresh grant: fosite skips the checks and defaults of the authorization request then. */
    refresh?: boolean;
    /** The extra claims, when the token hooks or an earlier token changed them; else the consent's `session.id_token`. */
    extras?: Record<string, unknown>;
    /** The `sub` the client sees (a pairwise subject, oidc/pairwise.ts); else the flow's subject. */
    subject?: string;
  }): Promise<string>;
  /** id_token_hint: our key set, expiry ignored. */
  verifyHint(
    token: string,
  ): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; reason: string }>;
  /** Hydra's userinfo handler: the ID token's claims minus nonce, at_hash, c_hash, exp, sid, jti. */
  userinfoClaims(
    flow: FlowRecord,
    client_id: string,
    issued_at: Date,
    subject?: string,
    /** The ID token's extra claims when a token hook changed them; else the consent's `session.id_token`. */
    extras?: Record<string, unknown>,
  ): Record<string, unknown>;
}

// The authorization endpoint, RFC 6749 §3.1 / §4.1.1, up to the login and consent engine: fosite's authorize_request_handler.go steps 1–9 in
// fosite's order (authorize_request_handler.go newAuthorizeRequest). Until the redirect URI is validated a
// failure goes to urls.error (302); after it, to the client (303), with `state` echoed (hydra#1642).
import { isOverlongClientId, type StoredClient } from '../clients/client.js';
import { type AudienceStrategy, requestedAudiences } from '../oauth2/audience-strategy.js';
import {
  InvalidClient,
  InvalidRequest,
  InvalidScope,
  InvalidState,
  type OAuth2Error,
  RegistrationNotSupported,
  UnsupportedResponseMode,
  UnsupportedResponseType,
} from '../oauth2/errors.js';
import { dedupe, type Form, fields, splitSpaceList } from '../oauth2/form.js';
import type { ScopeStrategy } from '../oauth2/scope-strategy.js';
import { createResponseWriters, encodeGoValues, type GoValues } from './authorize-response.js';
import { createFinalChecks, type FinalCheckDeps } from './final-checks.js';
import type { PkceOptions } from './pkce.js';
import { resolveRedirectUri } from './redirect-uri.js';
import type { AuthorizeEndpoint, AuthorizeRequest, ResponseMode } from './types.js';

export interface AuthorizeEndpointDeps {
  /** The client reader (the client cache in production). */
  clients: { get(id: string): Promise<StoredClient | null> };
  scopeStrategy: ScopeStrategy;
  audienceStrategy: AudienceStrategy;
  /** `urls.self.public`: the base of every flow's `request_url`. */
  publicUrl: string;
  /** `urls.error`. */
  errorUrl: string;
  /** `oauth2.authorization.state_min_length` (Hydra: 8); 0 makes `state` optional. */
  stateMinLength: number;
  pkce: PkceOptions;
  /** `--dev`: http redirect URIs are accepted on any host (final checks). */
  dev: boolean;
  /** `oauth2.expose_internal_errors`. */
  exposeInternalErrors: boolean;
  clock?: () => Date;
  /** Pairwise subjects (oidc/pairwise.ts): an id_token_hint carries the client's `sub`. */
  subjects?: FinalCheckDeps['subjects'];
}

/** The raw input of one request to /oauth2/auth (the handler's query, and the form of a POST). */
export interface AuthorizeInput {
  query: Record<string, unknown>;
  form?: Record<string, unknown>;
  method: 'GET' | 'POST';
}

const RESPONSE_MODES = new Set(['', 'query', 'fragment', 'form_post']);
/** Parameters of a later step of the same flow; never part of the flow's restart URL. */
/** The largest authorization request kept as a flow (its parameters, encoded as a query). */
export const MAX_REQUEST_QUERY_BYTES = 8192;

const VERIFIERS = new Set(['login_verifier', 'consent_verifier']);

function appendValues(into: GoValues, source: Record<string, unknown> | undefined) {
  for (const [key, value] of Object.entries(source ?? {})) {
    const list = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    if (list.length > 0) into.set(key, [...(into.get(key) ?? []), ...list]);
  }
}

/** Go's r.Form: the POST body's values first, then the query's (net/http ParseForm). */
export function authorizeForm(input: AuthorizeInput): GoValues {
  const values: GoValues = new Map();
  if (input.method === 'POST') appendValues(values, input.form);
  appendValues(values, input.query);
  return values;
}

// fosite's Arguments.Matches: the same set, compared case-insensitively.
function sameSet(requested: readonly string[], registered: readonly string[]): boolean {
  const lower = (list: readonly string[]) => list.map((v) => v.toLowerCase());
  const wanted = lower(requested);
  const allowed = lower(registered);
  return (
    wanted.length === allowed.length &&
    allowed.every((v) => wanted.includes(v)) &&
    new Set(allowed).size === wanted.length
  );
}

export function createAuthorizeEndpoint(deps: AuthorizeEndpointDeps): AuthorizeEndpoint {
  const writers = createResponseWriters(deps);
  const authorizeUrl = `${deps.publicUrl.replace(/\/+$/, '')}/oauth2/auth`;

  async function parse(input: AuthorizeInput) {
    const values = authorizeForm(input);
    const get = (key: string) => values.get(key)?.[0] ?? '';
    const toErrorPage = (error: OAuth2Error) => ({ ok: false as const, reply: writers.toErrorPage(error) });
    const state = get('state');

    // 1. The client.
    const clientId = get('client_id');
    const client = clientId === '' || isOverlongClientId(clientId) ? null : await deps.clients.get(clientId);
    if (client === null)
      return toErrorPage(new InvalidClient('The requested OAuth 2.0 Client does not exist.'));

    // 2. Request objects (OpenID Connect Core §6) apply only to OpenID Connect requests; Tollgate has none.
    const scopes = dedupe(splitSpaceList(get('scope')));
    const openid = scopes.some((s) => s.toLowerCase() === 'openid');
    if (openid && (get('request') !== '' || get('request_uri') !== '')) {
      return toErrorPage(new InvalidRequest('Tollgate does not support request objects.'));
    }

    // 3. response_mode (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode).
    const requestedMode = get('response_mode');
    if (!RESPONSE_MODES.has(requestedMode)) {
      return toErrorPage(
        new UnsupportedResponseMode(`Request with unsupported response_mode "${requestedMode}".`),
      );
    }

    // 4. redirect_uri (RFC 6749 §3.1.2.3, RFC 8252 §7.3).
    const rawRedirectUri = get('redirect_uri');
    const redirect = resolveRedirectUri(rawRedirectUri, client.document.redirect_uris ?? [], { openid });
    if (!redirect.ok) return toErrorPage(redirect.error);

    // From here the client hears about failures. fosite answers in the requested mode, and in the query
    // when none was requested, until the response type is known.
    const target = {
      redirect_uri: redirect.uri,
      state,
      response_mode: (requestedMode || 'query') as ResponseMode,
    };
    const toClient = (error: OAuth2Error) => ({ ok: false as const, reply: writers.toClient(target, error) });

    // 5. scope.
    const allowedScopes = fields(client.document.scope ?? '');
    const refused = scopes.find((scope) => !deps.scopeStrategy(allowedScopes, scope));
    if (refused !== undefined) {
      return toClient(new InvalidScope(`The OAuth 2.0 Client is not allowed to request scope '${refused}'.`));
    }

    // 6. audience.
    const audiences = dedupe(requestedAudiences(Object.fromEntries(values) as Form));
    try {
      deps.audienceStrategy(client.document.audience ?? [], audiences);
    } catch (error) {
      if (error instanceof InvalidRequest) return toClient(error);
      throw error;
    }

    // 7. Dynamic registration by request parameter (OpenID Connect Core §7.2.1) is not supported.
    if (get('registration') !== '') return toClient(new RegistrationNotSupported());

    // 8. response_type must equal, as a set, one the client registered (RFC 6749 §3.1.1).
    const responseTypes = splitSpaceList(get('response_type'));
    if (responseTypes.length === 0) {
      // The stray backtick is fosite's.
      return toClient(new UnsupportedResponseType("`The request is missing the 'response_type' parameter."));
    }
    const registered = client.document.response_types?.length ? client.document.response_types : ['code'];
    if (!registered.some((entry) => sameSet(responseTypes, splitSpaceList(entry)))) {
      return toClient(
        new UnsupportedResponseType(
          `The client is not allowed to request response_type '${get('response_type')}'.`,
        ),
      );
    }
    const isCodeOnly = responseTypes.length === 1 && responseTypes[0] === 'code';
    if (requestedMode === '') target.response_mode = isCodeOnly ? 'query' : 'fragment';

    // 9. state: RFC 6819 §4.4.1.8 wants it unguessable; Go counts bytes.
    if (Buffer.byteLength(state) < deps.stateMinLength) {
      return toClient(
        new InvalidState(
          `Request parameter 'state' must be at least be ${deps.stateMinLength} characters long to ensure sufficient entropy.`,
        ),
      );
    }

    const restart: GoValues = new Map([...values].filter(([key]) => !VERIFIERS.has(key)));
    const restartQuery = encodeGoValues(restart);
    // Every request is stored as a flow row before anyone logs in, and its URL comes back through the login
    // app's redirects: a request larger than a URL can reasonably be is refused, not stored (Tollgate's bound;
    // browsers and proxies cut URLs of a few KiB).
    if (restartQuery.length > MAX_REQUEST_QUERY_BYTES) {
      return toClient(
        new InvalidRequest(
          `The authorization request's parameters exceed ${MAX_REQUEST_QUERY_BYTES} bytes once encoded.`,
        ),
      );
    }
    const optional = (key: string) => get(key) || undefined;
    const request: AuthorizeRequest = {
      client_id: client.client_id,
      response_types: [...responseTypes].sort(),
      response_mode: target.response_mode,
      redirect_uri: redirect.uri,
      redirect_uri_sent: rawRedirectUri !== '',
      state,
      nonce: optional('nonce'),
      requested_scope: scopes,
      requested_audience: audiences,
      code_challenge: optional('code_challenge'),
      code_challenge_method: optional('code_challenge_method'),
      prompt: splitSpaceList(get('prompt')),
      max_age: optional('max_age'),
      id_token_hint: optional('id_token_hint'),
      oidc_context: {
        acr_values: splitSpaceList(get('acr_values')),
        ui_locales: splitSpaceList(get('ui_locales')),
        display: optional('display'),
        login_hint: optional('login_hint'),
      },
      identity_schema: optional('identity_schema'),
      // A POST's body is kept too, so the flow survives the trip through the login UI (Hydra re-reads only the query there).
      request_url: `${authorizeUrl}?${restartQuery}`,
    };
    return { ok: true as const, request, client };
  }

  return {
    parse,
    finalChecks: createFinalChecks(deps),
    success: writers.success,
    toClient: writers.toClient,
    toErrorPage: writers.toErrorPage,
  } satisfies AuthorizeEndpoint;
}

// fosite's authorize_request_handler.go step 11: what fosite's authorize handlers check once the consent verifier is redeemed
// (NewAuthorizeResponse), in Hydra's handler order: explicit code (flow_authorize_code_auth.go), implicit
// (flow_authorize_implicit.go), OpenID Connect explicit, hybrid and implicit (handler/openid/flow_*.go), PKCE
// (handler/pkce/handler.go), then "every response type handled" and the query/fragment rule. Every failure
// goes to the client, after the user has logged in and consented.

import type { StoredClient } from '../clients/client.js';
import { goTime } from '../go-time.js';
import type { AudienceStrategy } from '../oauth2/audience-strategy.js';
import { isPublicClient } from '../oauth2/client-authentication.js';
import {
  ConsentRequired,
  InsufficientEntropy,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  LoginRequired,
  OAuth2Error,
  ServerError,
  UnsupportedResponseMode,
  UnsupportedResponseType,
} from '../oauth2/errors.js';
import { fields } from '../oauth2/form.js';
import type { ScopeStrategy } from '../oauth2/scope-strategy.js';
import type { SubjectIdentifiers } from '../oidc/pairwise.js';
import { withDebug } from './authorize-response.js';
import { type PkceOptions, pkceAuthorizeError } from './pkce.js';
import { INSECURE_REDIRECT_HINT, isRedirectUriSecure } from './redirect-uri.js';
import type { AuthorizeRequest, FlowRecord } from './types.js';

export interface FinalCheckDeps {
  scopeStrategy: ScopeStrategy;
  audienceStrategy: AudienceStrategy;
  pkce: PkceOptions;
  /** `--dev`: http redirect URIs are accepted on any host. */
  dev: boolean;
  clock?: () => Date;
  /** Pairwise subjects (oidc/pairwise.ts): the session's ID token `sub` is the client's. */
  subjects?: Pick<SubjectIdentifiers, 'forClient'>;
}

/** fosite's MinParameterEntropy for `nonce` (Tollgate's `state_min_length` only governs `state`). */
const NONCE_MIN_LENGTH = 8;
/** Hydra's allowed `prompt` values. */
const PROMPTS = new Set(['login', 'none', 'consent', 'registration']);

// fosite's Arguments.Has compares case-insensitively; ExactOne does not.
const has = (list: readonly string[] | null | undefined, item: string) =>
  (list ?? []).some((v) => v.toLowerCase() === item.toLowerCase());
const exactOne = (list: readonly string[], item: string) => list.length === 1 && list[0] === item;
const matches = (list: readonly string[], ...items: string[]) =>
  list.length === items.length &&
  items.every((item) => has(list, item)) &&
  new Set(items).size === list.length;

/** Go's `%s` of a []string. */
const goList = (list: readonly string[]) => `[${list.join(' ')}]`;

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export interface PromptInput {
  request: AuthorizeRequest;
  publicClient: boolean;
  dev: boolean;
  /** The session's ID token subject. */
  subject: string;
  authTime: Date | null;
  requestedAt: Date;
  now: Date;
}

/**
 * fosite's OpenIDConnectRequestValidator.ValidatePrompt. Times are compared in whole seconds, the precision of
 * the `auth_time` and `rat` claims they stand for.
 */
export function validatePrompt(input: PromptInput): OAuth2Error | null {
  const { request, authTime, requestedAt } = input;
  const prompt = request.prompt;
  if (
    input.publicClient &&
    prompt.includes('none') &&
    !isRedirectUriSecure(request.redirect_uri, input.dev)
  ) {
    // RFC 6819 §4.2.3: no silent re-authorization of a public client unless its redirect URI is trustworthy.
    return new ConsentRequired(
      'OAuth 2.0 Client is marked public and redirect uri is not considered secure (https missing), but "prompt=none" was requested.',
    );
  }
  if (!prompt.every((value) => PROMPTS.has(value))) {
    return new InvalidRequest(`Used unknown value '${goList(prompt)}' for prompt parameter`);
  }
  if (prompt.includes('none') && prompt.length > 1) {
    return new InvalidRequest(
      "Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed.",
    );
  }
  const maxAge = /^[+-]?\d+$/.test(request.max_age ?? '') ? Number(request.max_age) : 0;
  if (input.subject === '') {
    return withDebug(
      new ServerError(),
      'Failed to validate OpenID Connect request because session subject is empty.',
    );
  }
  if (authTime && authTime.getTime() > input.now.getTime() + 5000) {
    return withDebug(
      new ServerError(),
      'Failed to validate OpenID Connect request because authentication time is in the future.',
    );
  }
  if (maxAge > 0) {
    if (!authTime) {
      return withDebug(
        new ServerError(),
        'Failed to validate OpenID Connect request because authentication time claim is required when max_age is set.',
      );
    }
    if (seconds(authTime) + maxAge < seconds(requestedAt)) {
      return withDebug(
        new LoginRequired(),
        'Failed to validate OpenID Connect request because authentication time does not satisfy max_age time.',
      );
    }
  }
  if (prompt.includes('none')) {
    if (!authTime) {
      return withDebug(
        new ServerError(),
        'Failed to validate OpenID Connect request because because auth_time is missing from session.',
      );
    }
    if (seconds(authTime) > seconds(requestedAt)) {
      return new LoginRequired(
        `Failed to validate OpenID Connect request because prompt was set to 'none' but auth_time ('${goTime(authTime)}') happened after the authorization request ('${goTime(requestedAt)}') was registered, indicating that the user was logged in during this request which is not allowed.`,
      );
    }
  }
  if (prompt.includes('login') && (!authTime || seconds(authTime) < seconds(requestedAt))) {
    return new LoginRequired(
      `Failed to validate OpenID Connect request because prompt was set to 'login' but auth_time ('${goTime(authTime ?? new Date(0))}') happened before the authorization request ('${goTime(requestedAt)}') was registered, indicating that the user was not re-authenticated which is forbidden.`,
    );
  }
  if (request.id_token_hint) {
    // The login step verified the hint (our keys, expiry ignored) and kept its claims.
    const claims = request.oidc_context.id_token_hint_claims;
    if (claims === undefined) {
      return new InvalidRequest(
        'Failed to validate OpenID Connect request as decoding id token from id_token_hint parameter failed.',
      );
    }
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    if (sub === '') {
      return new InvalidRequest(
        'Failed to validate OpenID Connect request because provided id token from id_token_hint does not have a subject.',
      );
    }
    if (sub !== input.subject) {
      return new LoginRequired(
        "Failed to validate OpenID Connect request because the subject from provided id token from id_token_hint does not match the current session's subject.",
      );
    }
  }
  return null;
}

/** Returns the first failure, or null when the flow may be answered with a code or tokens. */
export function createFinalChecks(deps: FinalCheckDeps) {
  const clock = deps.clock ?? (() => new Date());

  function scopes(request: AuthorizeRequest, client: StoredClient): OAuth2Error | null {
    const allowed = fields(client.document.scope ?? '');
    const refused = request.requested_scope.find((scope) => !deps.scopeStrategy(allowed, scope));
    return refused === undefined
      ? null
      : new InvalidScope(`The OAuth 2.0 Client is not allowed to request scope '${refused}'.`);
  }

  function scopeAndAudience(request: AuthorizeRequest, client: StoredClient): OAuth2Error | null {
    const error = scopes(request, client);
    if (error) return error;
    try {
      deps.audienceStrategy(client.document.audience ?? [], request.requested_audience);
    } catch (error) {
      if (error instanceof OAuth2Error) return error;
      throw error;
    }
    return null;
  }

  const notAllowedGrant = (grant: string) =>
    new InvalidGrant(`The OAuth 2.0 Client is not allowed to use the authorization grant '${grant}'.`);

  return function finalChecks(flow: FlowRecord, client: StoredClient): OAuth2Error | null {
    const request = flow.request;
    const types = request.response_types;
    const granted = flow.consent?.grant_scope ?? [];
    const grants = client.document.grant_types ?? [];
    const publicClient = isPublicClient(client);
    const nonce = request.nonce ?? '';
    const prompt = () => {
      let subject = flow.login?.force_subject_identifier || flow.subject;
      // Hydra compares an id_token_hint with the session's ID token claims, whose `sub` is the pairwise one.
      if (deps.subjects) {
        try {
          subject = deps.subjects.forClient(
            { ...client.document, client_id: client.client_id },
            flow.subject,
            flow.login?.force_subject_identifier,
          );
        } catch (err) {
          if (err instanceof OAuth2Error) return err;
          throw err;
        }
      }
      return validatePrompt({
        request,
        publicClient,
        dev: deps.dev,
        subject,
        authTime: flow.authenticated_at,
        requestedAt: flow.requested_at,
        now: clock(),
      });
    };
    const redirectUriRequired = () =>
      request.redirect_uri_sent
        ? null
        : new InvalidRequest("The 'redirect_uri' parameter is required when using OpenID Connect 1.0.");
    const nonceEntropy = () =>
      nonce !== '' && Buffer.byteLength(nonce) < NONCE_MIN_LENGTH
        ? new InsufficientEntropy(
            `Parameter 'nonce' is set but does not satisfy the minimum entropy of ${NONCE_MIN_LENGTH} characters.`,
          )
        : null;
    const handled = new Set<string>();

    // The authorization code (flow_authorize_code_auth.go).
    if (exactOne(types, 'code')) {
      if (!isRedirectUriSecure(request.redirect_uri, deps.dev))
        return new InvalidRequest(INSECURE_REDIRECT_HINT);
      const error = scopeAndAudience(request, client);
      if (error) return error;
      handled.add('code');
    }
    // The implicit access token (flow_authorize_implicit.go); there is no https rule for it (RFC 6819 §4.4.2).
    if (exactOne(types, 'token')) {
      if (!has(grants, 'implicit')) return notAllowedGrant('implicit');
      const error = scopeAndAudience(request, client);
      if (error) return error;
      handled.add('token');
    }
    // OpenID Connect with the code flow (openid/flow_explicit_auth.go).
    if (has(granted, 'openid') && exactOne(types, 'code')) {
      const error = redirectUriRequired() ?? prompt();
      if (error) return error;
    }
    // Hybrid (openid/flow_hybrid.go).
    const hybrid =
      types.length >= 2 &&
      (matches(types, 'token', 'id_token', 'code') ||
        matches(types, 'token', 'code') ||
        matches(types, 'id_token', 'code'));
    if (hybrid) {
      if (nonce === '' && has(types, 'id_token')) {
        return new InvalidRequest(
          "Parameter 'nonce' must be set when requesting an ID Token using the OpenID Connect Hybrid Flow.",
        );
      }
      const error = nonceEntropy() ?? redirectUriRequired() ?? prompt() ?? scopes(request, client);
      if (error) return error;
      if (has(types, 'code')) {
        if (!has(grants, 'authorization_code')) return notAllowedGrant('authorization_code');
        handled.add('code');
      }
      if (has(types, 'token')) {
        if (!has(grants, 'implicit')) return notAllowedGrant('implicit');
        handled.add('token');
      }
      handled.add('id_token');
    }
    // OpenID Connect implicit (openid/flow_implicit.go).
    if (
      has(granted, 'openid') &&
      ((has(types, 'token') && has(types, 'id_token')) || exactOne(types, 'id_token')) &&
      !has(types, 'code')
    ) {
      if (!has(grants, 'implicit')) return notAllowedGrant('implicit');
      const missing = redirectUriRequired();
      if (missing) return missing;
      if (nonce === '') {
        return new InvalidRequest(
          "Parameter 'nonce' must be set when using the OpenID Connect Implicit Flow.",
        );
      }
      const error = nonceEntropy() ?? scopes(request, client) ?? prompt();
      if (error) return error;
      if (has(types, 'token')) handled.add('token');
      handled.add('id_token');
    }
    // PKCE for every response type with a code.
    if (has(types, 'code')) {
      const error = pkceAuthorizeError(request, deps.pkce, publicClient);
      if (error) return error;
    }
    if (!types.every((type) => handled.has(type))) return new UnsupportedResponseType();
    // A fragment-type response must not travel in the query (OAuth 2.0 Multiple Response Types §5).
    if (request.response_mode === 'query' && !exactOne(types, 'code')) {
      return new UnsupportedResponseMode(
        `Insecure response_mode 'query' for the response_type '${goList(types)}'.`,
      );
    }
    return null;
  };
}

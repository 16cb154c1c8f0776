// The login and consent strategy of /oauth2/auth (Hydra's consent/strategy_default.go): the first request asks
// the login UI (or skips it with a remembered session), the login verifier turns into a login session and a
// consent request (or skips it with a remembered consent), and the consent verifier completes the flow with the
// authorization response. Every step is one guarded store call, so a retried request either repeats an answer
// or fails cleanly; nothing is half-written.
import { randomUUID } from 'node:crypto';
import type { StoredClient } from '../clients/client.js';
import {
  AccessDenied,
  ConsentRequired,
  InvalidClient,
  InvalidRequest,
  LoginRequired,
  OAuth2Error,
  RequestForbidden,
} from '../oauth2/errors.js';
import type { ScopeStrategy } from '../oauth2/scope-strategy.js';
import { exactScopeStrategy } from '../oauth2/scope-strategy.js';
import type { SubjectIdentifiers } from '../oidc/pairwise.js';
import { encodeGoValues, parseGoQuery, splitUri } from './authorize-response.js';
import { hashVerifier, newChallenge, newCsrf } from './challenges.js';
import {
  CSRF_HINTS,
  type CsrfKind,
  createFlowCookies,
  diagnoseCsrf,
  type FlowCookieOptions,
  hostName,
} from './cookies.js';
import { validatePrompt } from './final-checks.js';
import type { FlowStore, LoginSession, LoginSessionStore, NewFlow } from './ports.js';
import { isRedirectUriSecure } from './redirect-uri.js';
import type {
  AuthorizeEndpoint,
  AuthorizeReply,
  AuthorizeRequest,
  DeniedError,
  FlowEngine,
  FlowRecord,
  GrantIssuer,
  IdTokens,
} from './types.js';

export interface FlowEngineDeps {
  flows: FlowStore;
  sessions: LoginSessionStore;
  endpoint: Pick<AuthorizeEndpoint, 'finalChecks' | 'success' | 'toClient' | 'toErrorPage'>;
  issuer: GrantIssuer;
  idTokens: Pick<IdTokens, 'verifyHint'>;
  clock?: () => Date;
  /** urls.login, urls.consent, urls.registration (Hydra defaults registration to login). */
  urls: { login: string; consent: string; registration: string };
  ttl: { loginConsentRequestMs: number; authenticationSessionMs: number };
  /** serve.cookies.* (names, paths, same_site_mode, same_site_legacy_workaround, domain, secure). */
  cookies: Omit<FlowCookieOptions, 'dev' | 'issuerUrl' | 'secrets' | 'csrfMaxAgeSeconds'>;
  /** secrets.cookie, else secrets.system: the first signs cookies, all verify. */
  secrets: readonly string[];
  /** --dev: cookie names get `_dev`, serve.cookies.secure applies. */
  dev: boolean;
  /** urls.self.issuer. */
  issuerUrl: string;
  /** strategies.scope: do remembered grants cover the requested scopes (consent skip)? Default exact. */
  scopeStrategy?: ScopeStrategy;
  /** oauth2.expose_internal_errors: a reject's error_debug reaches the client. */
  exposeInternalErrors?: boolean;
  /** Told about every failed CSRF check, with the flow id and the diagnosis. */
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Pairwise subjects (oidc/pairwise.ts): an id_token_hint carries the client's `sub`. */
  subjects?: Pick<SubjectIdentifiers, 'forClient'>;
}

/**
 * ory/x urlx.SetQuery: the URL with `params` set in its query, re-encoded as Go's url.Values.Encode does
 * (keys sorted, so every redirect_to comes back with its query sorted, as Hydra's do). `replace` drops the
 * query the URL had.
 */
export function setQuery(url: string, params: Record<string, string>, replace = false): string {
  const { base, rawQuery, fragment } = splitUri(url);
  const values = replace || rawQuery === undefined ? new Map<string, string[]>() : parseGoQuery(rawQuery);
  for (const [key, value] of Object.entries(params)) values.set(key, [value]);
  const query = encodeGoValues(values);
  return `${base}${query ? `?${query}` : ''}${fragment}`;
}

/** A reject body as the error the client receives (fosite RFC6749Error.GetDescription). */
export function deniedToError(denied: DeniedError, exposeDebug = false): OAuth2Error {
  let description = denied.error_description;
  if (denied.error_hint) description += ` ${denied.error_hint}`;
  if (exposeDebug && denied.error_debug) description += ` ${denied.error_debug}`;
  return new OAuth2Error(denied.status_code || 400, denied.error, description);
}

/** Go's strconv.ParseInt(s, 10, 64): null when it fails. */
function parseGoInt(raw: string): number | null {
  if (!/^[+-]?\d+$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

const first = (value: unknown): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
};

const isPublic = (client: { document: { token_endpoint_auth_method?: string } }) =>
  client.document.token_endpoint_auth_method === 'none';

type Input = Parameters<FlowEngine['handle']>[0];

export function createFlowEngine(deps: FlowEngineDeps): FlowEngine {
  /** The client's pairwise `sub` for the subject; null when it has none (public, or not computable). */
  const pairwiseOf = (client: StoredClient, subject: string, forced?: string): string | null => {
    if (!deps.subjects || client.document.subject_type !== 'pairwise') return null;
    try {
      return deps.subjects.forClient({ ...client.document, client_id: client.client_id }, subject, forced);
    } catch {
      return null;
    }
  };

  const clock = deps.clock ?? (() => new Date());
  const scopeStrategy = deps.scopeStrategy ?? exactScopeStrategy;
  const csrfMaxAgeSeconds = Math.floor(deps.ttl.loginConsentRequestMs / 1000);
  const cookies = createFlowCookies({
    ...deps.cookies,
    dev: deps.dev,
    issuerUrl: deps.issuerUrl,
    secrets: deps.secrets,
    csrfMaxAgeSeconds,
  });
  const { endpoint } = deps;

  /** remember_for 0 means ttl.authentication_session (Hydra v25, ory/hydra#4126), which also caps it. */
  const rememberMs = (rememberFor: number) =>
    rememberFor > 0
      ? Math.min(rememberFor * 1000, deps.ttl.authenticationSessionMs)
      : deps.ttl.authenticationSessionMs;

  function csrfFailure(
    kind: CsrfKind,
    flow: FlowRecord,
    input: Input,
  ): { error: OAuth2Error; diagnosis: string } | null {
    const expected = kind === 'login' ? flow.login_csrf : flow.consent_csrf;
    const check = cookies.checkCsrf(kind, flow.client_id, flow.id, expected ?? '', input.cookies);
    if (check === 'ok') return null;
    const cookieName = cookies.csrfName(kind, flow.client_id);
    let diagnosis = diagnoseCsrf({
      check,
      cookieName,
      headers: input.headers,
      cookies: input.cookies,
      issuerUrl: deps.issuerUrl,
      secure: cookies.secure,
      sameSite: cookies.sameSite,
      maxAgeSeconds: csrfMaxAgeSeconds,
    });
    const started = flow.request.entry_host;
    const now = hostName(String(input.headers.host ?? ''));
    if (check === 'missing' && started && now && started !== now) {
      diagnosis = `This authorization request started on host '${started}' and came back on '${now}': a browser sends a cookie only to the host that set it (localhost and 127.0.0.1 are different hosts), so use one host name in urls.self.issuer, urls.self.public and the application's links. ${diagnosis}`;
    }
    deps.log?.('flow.csrf_failed', {
      flow_id: flow.id,
      client_id: flow.client_id,
      step: kind,
      check,
      diagnosis,
    });
    return { error: new RequestForbidden(`${CSRF_HINTS[check]} ${diagnosis}`), diagnosis };
  }

  // ---- First request: the login decision (requestAuthentication + forwardAuthenticationRequest) ----

  async function start(input: Input): Promise<AuthorizeReply> {
    const { request, client } = input;
    const now = clock();
    const prompt = request.prompt;
    const toClient = (error: OAuth2Error) => endpoint.toClient(request, error);

    let session: LoginSession | null = null;
    if (!prompt.includes('login')) {
      const sid = cookies.readSession(input.cookies);
      const found = sid ? await deps.sessions.get(sid, now) : null;
      // Only remembered sessions let a login be skipped (GetRememberedLoginSession).
      session = found?.remember ? found : null;
    }
    let hint: { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string } | undefined;
    if (session && request.max_age !== undefined && request.max_age !== '') {
      const maxAge = parseGoInt(request.max_age);
      // Hydra returns strconv's error, which fosite writes as the catch-all `error`.
      if (maxAge === null) return toClient(new OAuth2Error(500, 'error', 'The error is unrecognizable'));
      // 0 always asks again (Hydra's auth_time has whole seconds, so it is always before now).
      if (
        maxAge === 0 ||
        (maxAge > 0 && session.authenticated_at.getTime() + maxAge * 1000 < now.getTime())
      ) {
        if (prompt.includes('none')) {
          return toClient(
            new LoginRequired(
              "Request failed because prompt is set to 'none' and authentication time reached 'max_age'.",
            ),
          );
        }
        session = null;
      }
    }
    if (session && request.id_token_hint) {
      hint = await deps.idTokens.verifyHint(request.id_token_hint);
      if (!hint.ok) return toClient(new InvalidRequest(hint.reason));
      const sub = hint.claims.sub;
      if (typeof sub !== 'string' || sub === '') {
        return toClient(
          new InvalidRequest(
            'Failed to validate OpenID Connect request because provided id token from id_token_hint does not have a subject.',
          ),
        );
      }
      // Hydra's matchesValueFromSession: the subject itself, or the client's pairwise value of it.
      if (sub !== session.subject && sub !== pairwiseOf(client, session.subject)) {
        return toClient(
          new LoginRequired(
            'Request failed because subject claim from id_token_hint does not match subject from authentication session.',
          ),
        );
      }
    }
    const skip = session !== null;
    if (prompt.includes('none') && !skip) {
      return toClient(
        new LoginRequired("Prompt 'none' was requested, but no existing login session was found."),
      );
    }
    let hintClaims: Record<string, unknown> | undefined;
    if (request.id_token_hint) {
      hint ??= await deps.idTokens.verifyHint(request.id_token_hint);
      if (!hint.ok) return toClient(new InvalidRequest(hint.reason));
      hintClaims = hint.claims;
    }

    const host = hostName(String(input.headers.host ?? ''));
    const flow: NewFlow = {
      id: input.flowId ?? randomUUID(),
      client_id: client.client_id,
      state: 'login_initialized',
      request: {
        ...request,
        oidc_context: {
          ...request.oidc_context,
          ...(hintClaims ? { id_token_hint_claims: hintClaims } : {}),
        },
        ...(host ? { entry_host: host } : {}),
      },
      requested_at: now,
      expires_at: new Date(now.getTime() + deps.ttl.loginConsentRequestMs),
      login_challenge: newChallenge(),
      login_csrf: newCsrf(),
      login_skip: skip,
      subject: session?.subject ?? '',
      login_session_id: session?.id ?? randomUUID(),
    };
    await deps.flows.create(flow);
    const target = prompt.includes('registration') ? deps.urls.registration : deps.urls.login;
    const query: Record<string, string> = { login_challenge: flow.login_challenge };
    if (request.identity_schema) query.identity_schema = request.identity_schema;
    return {
      kind: 'redirect',
      status: 302,
      // v25 replaces whatever query urls.login carries.
      location: setQuery(target, query, true),
      cookies: cookies.addCsrf('login', client.client_id, flow.id, flow.login_csrf, input.cookies, now),
    };
  }

  // ---- Login verifier: the login session, then the consent decision (verifyAuthentication + requestConsent) ----

  /** The session cookie the login step sets (again, on a retry whose first answer was lost). */
  function sessionCookies(flow: FlowRecord, now: Date): string[] {
    const login = flow.login!;
    if (!login.remember || (flow.login_skip && !login.extend_session_lifespan)) return [];
    return cookies.setSession(flow.login_session_id, Math.floor(rememberMs(login.remember_for) / 1000), now);
  }

  function consentRedirect(flow: FlowRecord, jar: Record<string, string>, now: Date, extra: string[]) {
    return {
      kind: 'redirect' as const,
      status: 302 as const,
      location: setQuery(deps.urls.consent, { consent_challenge: flow.consent_challenge! }),
      cookies: [
        ...extra,
        ...cookies.addCsrf('consent', flow.client_id, flow.id, flow.consent_csrf!, jar, now),
      ],
    };
  }

  async function redeemLogin(input: Input, verifier: string): Promise<AuthorizeReply> {
    const now = clock();
    const invalid = () =>
      endpoint.toClient(
        input.request,
        new AccessDenied('The login verifier has already been used, has not been granted, or is invalid.'),
      );
    const flow = await deps.flows.byLoginVerifier(hashVerifier(verifier));
    if (!flow || flow.expires_at <= now) return invalid();
    if (flow.client_id !== input.client.client_id) {
      return endpoint.toClient(
        input.request,
        new InvalidClient('The flow client id does not match the authorize request client id.'),
      );
    }
    const toClient = (error: OAuth2Error, extra?: string[]) => endpoint.toClient(flow.request, error, extra);
    if (flow.state === 'consent_initialized') {
      // A retry after the answer was lost (or a double click): the same consent request again, once the
      // browser proves it is the one the flow started in.
      const failed = csrfFailure('login', flow, input);
      if (failed) return toClient(failed.error);
      return consentRedirect(flow, input.cookies, now, sessionCookies(flow, now));
    }
    if (flow.state !== 'login_handled') return invalid();
    if (flow.login_error) return toClient(deniedToError(flow.login_error, deps.exposeInternalErrors));
    const failed = csrfFailure('login', flow, input);
    if (failed) return toClient(failed.error);
    const login = flow.login!;

    let authTime = now;
    let session: LoginSession | null = null;
    if (flow.login_skip) {
      session = await deps.sessions.get(flow.login_session_id, now);
      if (!session)
        return toClient(new LoginRequired('The authentication session ended during this request.'));
      authTime = session.authenticated_at;
    }
    // fosite's ValidatePrompt: the first place where prompt values are checked (Hydra's consent/strategy_default.go step 3).
    const problem = validatePrompt({
      request: flow.request,
      publicClient: isPublic(input.client),
      dev: deps.dev,
      // Hydra validates against the session's ID token claims, whose `sub` is the client's (pairwise) one.
      subject: pairwiseOf(input.client, login.subject, login.force_subject_identifier) ?? login.subject,
      authTime,
      requestedAt: flow.requested_at,
      now,
    });
    if (problem) {
      if (problem instanceof LoginRequired) {
        // Hydra revokes the session when the subject checks fail, to be safe.
        const sid = cookies.readSession(input.cookies);
        if (sid) {
          await deps.sessions.delete(sid);
          return toClient(problem, cookies.clearSession());
        }
      }
      return toClient(problem);
    }

    const expiresAt = new Date(now.getTime() + rememberMs(login.remember_for));
    const identityProviderSessionId = login.identity_provider_session_id || null;
    let cleared: string[] = [];
    if (!flow.login_skip) {
      // A login that is not remembered still gets its row (remember false: no cookie, never skipped): the
      // ID token's sid names it, so a logout with that hint can end it and tell the relying parties
      // (Hydra keeps no such row and makes that logout a no-op, ory/hydra#3132).
      await deps.sessions.upsert({
        id: flow.login_session_id,
        subject: login.subject,
        authenticated_at: authTime,
        remember: login.remember,
        expires_at: expiresAt,
        identity_provider_session_id: identityProviderSessionId,
      });
      if (!login.remember) {
        // Not remembering means no cookie, and the session the browser had before ends (Hydra's consent/strategy_default.go step 4).
        const sid = cookies.readSession(input.cookies);
        if (sid) {
          await deps.sessions.delete(sid);
          cleared = cookies.clearSession();
        }
      }
    } else if (login.extend_session_lifespan && session) {
      await deps.sessions.upsert({ ...session, expires_at: expiresAt });
    }
    const setCookies = [...cleared, ...sessionCookies(flow, now)];

    // The consent decision (requestConsent, forwardConsentRequest).
    let consentSkip = false;
    if (!flow.request.prompt.includes('consent') && clientIdentityAssured(flow.request, input.client)) {
      const [previous] = await deps.flows.rememberedConsents(login.subject, flow.client_id, now);
      const granted = previous?.consent?.grant_scope;
      consentSkip =
        granted !== undefined && flow.request.requested_scope.every((s) => scopeStrategy(granted, s));
    }
    if (flow.request.prompt.includes('none') && !consentSkip) {
      return toClient(
        new ConsentRequired("Prompt 'none' was requested, but no previous consent was found."),
        setCookies,
      );
    }
    const next = {
      subject: login.subject,
      authenticated_at: authTime,
      consent_challenge: newChallenge(),
      consent_csrf: newCsrf(),
      consent_skip: consentSkip,
    };
    let started = await deps.flows.startConsent(flow.id, next);
    if (!started) {
      // Another request with the same verifier got there first: answer as it did.
      const raced = await deps.flows.byLoginVerifier(hashVerifier(verifier));
      if (raced?.state !== 'consent_initialized') return invalid();
      started = raced;
    }
    return consentRedirect(started, input.cookies, now, setCookies);
  }

  /**
   * RFC 6749 §10.2: a remembered consent may be reused only when the client's identity is assured, which for a
   * public client means an https redirect or http on localhost (custom schemes never).
   */
  function clientIdentityAssured(request: AuthorizeRequest, client: Input['client']): boolean {
    if (!isPublic(client)) return true;
    const scheme = request.redirect_uri.slice(0, request.redirect_uri.indexOf(':')).toLowerCase();
    return scheme === 'https' || (scheme === 'http' && isRedirectUriSecure(request.redirect_uri, false));
  }

  // ---- Consent verifier: the authorization response (verifyConsent + the authorize handler's end) ----

  async function redeemConsent(input: Input, verifier: string): Promise<AuthorizeReply> {
    const now = clock();
    const flow = await deps.flows.byConsentVerifier(hashVerifier(verifier));
    if (flow?.state === 'consent_used') {
      return endpoint.toClient(
        input.request,
        new AccessDenied('The consent verifier has already been used.'),
      );
    }
    if (flow?.state !== 'consent_handled' || flow.expires_at <= now) {
      return endpoint.toClient(
        input.request,
        new AccessDenied('The consent verifier has already been used, has not been granted, or is invalid.'),
      );
    }
    if (first(input.query.client_id) !== flow.client_id || input.client.client_id !== flow.client_id) {
      return endpoint.toClient(
        input.request,
        new InvalidClient('The flow client id does not match the authorize request client id.'),
      );
    }
    const toClient = (error: OAuth2Error) => endpoint.toClient(flow.request, error);
    if (flow.consent_error) return toClient(deniedToError(flow.consent_error, deps.exposeInternalErrors));
    const failed = csrfFailure('consent', flow, input);
    if (failed) return toClient(failed.error);
    const problem = endpoint.finalChecks(flow, input.client);
    if (problem) return toClient(problem);
    const { params, artefacts } = await deps.issuer.authorize(flow, input.client, now);
    if (!(await deps.flows.complete(flow.id, artefacts, now))) {
      return toClient(new AccessDenied('The consent verifier has already been used.'));
    }
    return endpoint.success(flow.request, params, []);
  }

  return {
    handle(input) {
      const loginVerifier = first(input.query.login_verifier)?.trim();
      if (loginVerifier) return redeemLogin(input, loginVerifier);
      const consentVerifier = first(input.query.consent_verifier)?.trim();
      if (consentVerifier) return redeemConsent(input, consentVerifier);
      return start(input);
    },
  };
}

// The admin side of login and consent (Hydra's consent/handler.go): read a request, accept or reject it. Each
// answer is a redirect_to the login or consent UI sends the browser to. A request that was already used, or
// whose time ran out, answers 410 with the original authorization URL, which starts a fresh flow: Hydra
// documents that 410 but never sends it (its challenges are stateless), and its 401 for an expired request
// leaves the UI no way forward (ory/hydra#2057).
import type { StoredClient } from '../clients/client.js';
import { deriveKey } from '../crypto/secrets.js';
import { InvalidRequest, NotFoundError } from '../oauth2/errors.js';
import { deriveVerifier, hashVerifier } from './challenges.js';
import { setQuery } from './login-consent.js';
import type { FlowStore } from './ports.js';
import type { ConsentDecision, DeniedError, FlowRecord, LoginDecision, OidcContext } from './types.js';

export interface LoginConsentAdminDeps {
  flows: FlowStore;
  /** The client shown in login and consent requests (its document has no secret). */
  clients: { get(id: string): Promise<StoredClient | null> };
  /** secrets.system: the first derives the verifiers. */
  secrets: readonly string[];
  clock?: () => Date;
}

export type RedirectTo = { redirect_to: string };
/** 200 with a body, or 410 with the URL that restarts the flow (Tollgate: Hydra answers 200, then 401 once expired). */
export type AdminAnswer<T> = { status: 200; body: T } | { status: 410; body: RedirectTo };

export interface LoginConsentAdmin {
  getLogin(challenge: string | undefined): Promise<AdminAnswer<Record<string, unknown>>>;
  acceptLogin(challenge: string | undefined, body: unknown): Promise<AdminAnswer<RedirectTo>>;
  rejectLogin(challenge: string | undefined, body: unknown): Promise<AdminAnswer<RedirectTo>>;
  getConsent(challenge: string | undefined): Promise<AdminAnswer<Record<string, unknown>>>;
  acceptConsent(challenge: string | undefined, body: unknown): Promise<AdminAnswer<RedirectTo>>;
  rejectConsent(challenge: string | undefined, body: unknown): Promise<AdminAnswer<RedirectTo>>;
}

/** Hydra's herodot 404 for a challenge it cannot read. */
const notFound = () => new NotFoundError('Not Found', 'Unable to locate the requested resource');

function requireChallenge(challenge: string | undefined): string {
  if (!challenge)
    throw new InvalidRequest("Query parameter 'challenge' is not defined but should have been.");
  return challenge;
}

// ---- Bodies, decoded as Go's encoding/json would into Hydra's structs (unknown fields ignored, v25) ----

type Kind = 'string' | 'bool' | 'int' | 'strings' | 'object' | 'any';
const GO_TYPES: Record<Kind, string> = {
  string: 'string',
  bool: 'bool',
  int: 'int',
  strings: 'sqlxx.StringSliceJSONFormat',
  object: 'map[string]interface {}',
  any: 'sqlxx.JSONRawMessage',
};

const jsonType = (v: unknown) =>
  Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : v === null ? 'null' : typeof v;

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'object':
      return typeof v === 'object' && !Array.isArray(v);
    case 'any':
      return true;
  }
}

/** The fields present and not null; a wrong type is Hydra's 400 "Unable to decode body because: …". */
function decode(struct: string, body: unknown, fields: Record<string, Kind>): Record<string, unknown> {
  if (body === undefined) throw new InvalidRequest('Unable to decode body because: EOF');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (body === null) return {};
    throw new InvalidRequest(
      `Unable to decode body because: json: cannot unmarshal ${jsonType(body)} into Go value of type flow.${struct}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(fields)) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    if (!fits(kind, value)) {
      const what = typeof value === 'number' && kind === 'int' ? `number ${value}` : jsonType(value);
      throw new InvalidRequest(
        `Unable to decode body because: json: cannot unmarshal ${what} into Go struct field ${struct}.${name} of type ${GO_TYPES[kind]}`,
      );
    }
    out[name] = value;
  }
  return out;
}

const REJECT_FIELDS: Record<string, Kind> = {
  error: 'string',
  error_description: 'string',
  error_hint: 'string',
  error_debug: 'string',
  status_code: 'int',
};

/** A reject body with Hydra's defaults (RequestDeniedError.SetDefaults): the named error, status 400. */
function denied(body: unknown, defaultError: string): DeniedError {
  const b = decode('RequestDeniedError', body, REJECT_FIELDS);
  return {
    error: (b.error as string) || defaultError,
    error_description: (b.error_description as string) ?? '',
    error_hint: (b.error_hint as string) ?? '',
    error_debug: (b.error_debug as string) ?? '',
    status_code: (b.status_code as number) || 400,
  };
}

// ---- Wire shapes, keys in Hydra's order (flow/consent_types.go) ----

/** OAuth2ConsentRequestOpenIDConnectContext: every field omitempty. */
export function oidcContextBody(c: OidcContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.acr_values.length > 0) out.acr_values = c.acr_values;
  if (c.ui_locales.length > 0) out.ui_locales = c.ui_locales;
  if (c.display) out.display = c.display;
  if (c.id_token_hint_claims && Object.keys(c.id_token_hint_claims).length > 0) {
    out.id_token_hint_claims = c.id_token_hint_claims;
  }
  if (c.login_hint) out.login_hint = c.login_hint;
  return out;
}

/** OAuth2ConsentRequest (GET consent, and `consent_request` of a consent session). */
export function consentRequestBody(
  flow: FlowRecord,
  challenge: string,
  client: unknown,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    challenge,
    consent_request_id: flow.id.replaceAll('-', ''),
    requested_scope: flow.request.requested_scope,
    requested_access_token_audience: flow.request.requested_audience,
    skip: flow.consent_skip,
    subject: flow.subject,
    oidc_context: oidcContextBody(flow.request.oidc_context),
    client,
    request_url: flow.request.request_url,
    login_challenge: flow.login_challenge,
    login_session_id: flow.login_session_id,
    acr: flow.login?.acr ?? '',
    amr: flow.login?.amr ?? [],
  };
  const context = flow.login?.context;
  if (context !== undefined && context !== null) body.context = context;
  return body;
}

export function createLoginConsentAdmin(deps: LoginConsentAdminDeps): LoginConsentAdmin {
  const clock = deps.clock ?? (() => new Date());
  if (deps.secrets.length === 0) throw new Error('the login and consent verifiers need a secret');
  const key = deriveKey(deps.secrets[0]!);

  const clientBody = async (flow: FlowRecord) => {
    const client = await deps.clients.get(flow.client_id);
    if (!client) throw notFound(); // the flow goes with its client (ON DELETE CASCADE); a race at most
    return client.document;
  };

  const gone = (flow: FlowRecord): { status: 410; body: RedirectTo } => ({
    status: 410,
    body: { redirect_to: flow.request.request_url },
  });

  const loginOpen = (flow: FlowRecord, now: Date) =>
    flow.expires_at > now && (flow.state === 'login_initialized' || flow.state === 'login_handled');
  const consentOpen = (flow: FlowRecord, now: Date) =>
    flow.expires_at > now && (flow.state === 'consent_initialized' || flow.state === 'consent_handled');

  async function loginFlow(challenge: string | undefined) {
    const flow = await deps.flows.byLoginChallenge(requireChallenge(challenge));
    if (!flow) throw notFound();
    return flow;
  }

  async function consentFlow(challenge: string | undefined) {
    const flow = await deps.flows.byConsentChallenge(requireChallenge(challenge));
    if (!flow) throw notFound();
    return flow;
  }

  /** Store the outcome; the guard failing in between (used, expired) is the same 410. */
  async function handle(
    flow: FlowRecord,
    purpose: 'login' | 'consent',
    challenge: string,
    store: (verifierHash: string, now: Date) => Promise<FlowRecord | null>,
  ) {
    const verifier = deriveVerifier(key, purpose, challenge);
    if (!(await store(hashVerifier(verifier), clock()))) return gone(flow);
    return {
      status: 200 as const,
      body: { redirect_to: setQuery(flow.request.request_url, { [`${purpose}_verifier`]: verifier }) },
    };
  }

  const handleLogin = (flow: FlowRecord, outcome: { login: LoginDecision } | { error: DeniedError }) =>
    handle(flow, 'login', flow.login_challenge, (hash, now) =>
      deps.flows.handleLogin(flow.login_challenge, outcome, hash, now),
    );

  const handleConsent = (flow: FlowRecord, outcome: { consent: ConsentDecision } | { error: DeniedError }) =>
    handle(flow, 'consent', flow.consent_challenge!, (hash, now) =>
      deps.flows.handleConsent(flow.consent_challenge!, outcome, hash, now),
    );

  return {
    async getLogin(challenge) {
      const flow = await loginFlow(challenge);
      if (!loginOpen(flow, clock())) return gone(flow);
      return {
        status: 200,
        body: {
          challenge: flow.login_challenge,
          requested_scope: flow.request.requested_scope,
          requested_access_token_audience: flow.request.requested_audience,
          skip: flow.login_skip,
          subject: flow.subject,
          oidc_context: oidcContextBody(flow.request.oidc_context),
          client: await clientBody(flow),
          request_url: flow.request.request_url,
          session_id: flow.login_session_id,
        },
      };
    },

    async acceptLogin(challenge, body) {
      requireChallenge(challenge);
      const b = decode('HandledLoginRequest', body, {
        remember: 'bool',
        remember_for: 'int',
        extend_session_lifespan: 'bool',
        acr: 'string',
        amr: 'strings',
        subject: 'string',
        identity_provider_session_id: 'string',
        force_subject_identifier: 'string',
        context: 'any',
      });
      const subject = (b.subject as string | undefined) ?? '';
      if (subject === '') throw new InvalidRequest("Field 'subject' must not be empty.");
      const flow = await loginFlow(challenge);
      if (!loginOpen(flow, clock())) return gone(flow);
      if (flow.subject !== '' && subject !== flow.subject) {
        // Someone else is signing in on this browser: start again with a forced login, and no verifier.
        return {
          status: 200,
          body: { redirect_to: setQuery(flow.request.request_url, { prompt: 'login' }) },
        };
      }
      return handleLogin(flow, {
        login: {
          subject,
          // A skipped login stays remembered, so the next request can skip again (Hydra's handler).
          remember: flow.login_skip ? true : ((b.remember as boolean) ?? false),
          remember_for: (b.remember_for as number) ?? 0,
          acr: (b.acr as string) ?? '',
          amr: (b.amr as string[]) ?? [],
          context: b.context ?? null,
          extend_session_lifespan: (b.extend_session_lifespan as boolean) ?? false,
          force_subject_identifier: (b.force_subject_identifier as string) ?? '',
          identity_provider_session_id: (b.identity_provider_session_id as string) ?? '',
        },
      });
    },

    async rejectLogin(challenge, body) {
      requireChallenge(challenge);
      const error = denied(body, 'login request denied');
      const flow = await loginFlow(challenge);
      if (!loginOpen(flow, clock())) return gone(flow);
      return handleLogin(flow, { error });
    },

    async getConsent(challenge) {
      const flow = await consentFlow(challenge);
      if (!consentOpen(flow, clock())) return gone(flow);
      return { status: 200, body: consentRequestBody(flow, flow.consent_challenge!, await clientBody(flow)) };
    },

    async acceptConsent(challenge, body) {
      requireChallenge(challenge);
      const b = decode('AcceptOAuth2ConsentRequest', body, {
        grant_scope: 'strings',
        grant_access_token_audience: 'strings',
        session: 'object',
        remember: 'bool',
        remember_for: 'int',
        context: 'any',
      });
      const session = b.session as { access_token?: unknown; id_token?: unknown } | undefined;
      if (session) {
        for (const part of ['access_token', 'id_token'] as const) {
          const v = session[part];
          if (v !== undefined && v !== null && !fits('object', v)) {
            throw new InvalidRequest(
              `Unable to decode body because: json: cannot unmarshal ${jsonType(v)} into Go struct field AcceptOAuth2ConsentRequestSession.session.${part} of type map[string]interface {}`,
            );
          }
        }
      }
      const flow = await consentFlow(challenge);
      const now = clock();
      if (!consentOpen(flow, now)) return gone(flow);
      let granted = session
        ? {
            access_token: (session.access_token as Record<string, unknown> | null) ?? {},
            id_token: (session.id_token as Record<string, unknown> | null) ?? {},
          }
        : undefined;
      if (!granted && flow.consent_skip) {
        // A skipped consent accepted without `session` keeps the remembered one (ory/hydra#1861): the reference
        // UI forgets to send it, and the ID token then loses its claims.
        const [previous] = await deps.flows.rememberedConsents(flow.subject, flow.client_id, now);
        granted = previous?.consent?.session;
      }
      // Hydra does not check the grants against the request or the client: a grant the client may not have
      // only fails later, at refresh (invalid_scope).
      return handleConsent(flow, {
        consent: {
          grant_scope: (b.grant_scope as string[]) ?? [],
          grant_access_token_audience: (b.grant_access_token_audience as string[]) ?? [],
          remember: (b.remember as boolean) ?? false,
          remember_for: (b.remember_for as number) ?? 0,
          session: granted ?? { access_token: {}, id_token: {} },
          context: b.context ?? flow.login?.context ?? null,
        },
      });
    },

    async rejectConsent(challenge, body) {
      requireChallenge(challenge);
      const error = denied(body, 'consent request denied');
      const flow = await consentFlow(challenge);
      if (!consentOpen(flow, clock())) return gone(flow);
      return handleConsent(flow, { error });
    },
  };
}

// The login and consent strategy with its admin API, on the in-memory stores. The response writer is a small
// stand-in that puts the outcome in a URL (the real one is tested with the authorize endpoint); everything the
// strategy decides is read back from the URLs, cookies and stored rows.
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import type { StoredClient } from '../../server/clients/client.js';
import { createLoginConsentAdmin } from '../../server/flows/admin-requests.js';
import { createFlowEngine, type FlowEngineDeps } from '../../server/flows/login-consent.js';
import { createSessionAdmin } from '../../server/flows/sessions.js';
import type {
  AuthorizeEndpoint,
  AuthorizeReply,
  AuthorizeRequest,
  GrantIssuer,
  IdTokens,
} from '../../server/flows/types.js';
import {
  CONSENT_REQUEST_KEYS,
  CONSENT_SESSION_KEYS,
  LOGIN_REQUEST_KEYS,
} from '../helpers/hydra-flow-shapes.js';
import { MemoryFlowStore } from '../helpers/memory-flow-store.js';
import { MemoryLoginSessionStore } from '../helpers/memory-login-session-store.js';

const ISSUER = 'http://127.0.0.1:4444/';
const HOUR = 3_600_000;
const SESSION_TTL = 720 * HOUR;
const HINT_KEY = 'id-token-hint-test-key';

function client(id: string, fields: Record<string, unknown> = {}): StoredClient {
  return {
    client_id: id,
    client_name: '',
    owner: '',
    secret_hash: null,
    document: {
      client_id: id,
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...fields,
    } as unknown as StoredClient['document'],
    created_at: new Date(0),
    updated_at: new Date(0),
  };
}

/** HS256 compact JWS: the hint verifier below accepts only these (a stand-in for the ID token key set). */
function hintToken(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${enc({ alg: 'HS256' })}.${enc(claims)}`;
  return `${body}.${createHmac('sha256', HINT_KEY).update(body).digest('base64url')}`;
}

const idTokens: Pick<IdTokens, 'verifyHint'> = {
  async verifyHint(token) {
    const [h, p, s] = token.split('.');
    const expected = createHmac('sha256', HINT_KEY).update(`${h}.${p}`).digest('base64url');
    if (!p || s !== expected) return { ok: false, reason: 'The id_token_hint is not signed by this server.' };
    return { ok: true, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) };
  },
};

/** The response writer as a URL: the client's redirect with the outcome in the query. */
const endpoint: Pick<AuthorizeEndpoint, 'finalChecks' | 'success' | 'toClient' | 'toErrorPage'> = {
  finalChecks: () => null,
  success: (request, params, cookies) => ({
    kind: 'redirect',
    status: 303,
    location: `${request.redirect_uri}?${new URLSearchParams(params)}`,
    cookies,
  }),
  toClient: (request, error, cookies = []) => ({
    kind: 'redirect',
    status: 303,
    location: `${request.redirect_uri}?${new URLSearchParams({
      error: error.error,
      error_description: error.description,
      state: request.state,
    })}`,
    cookies,
  }),
  toErrorPage: (error, cookies = []) => ({
    kind: 'redirect',
    status: 302,
    location: `http://127.0.0.1:4444/oauth2/fallbacks/error?error=${error.error}`,
    cookies,
  }),
};

function setup(overrides: Partial<FlowEngineDeps> = {}) {
  const clock = { now: new Date('2026-12-06T00:00:00Z') };
  const tick = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  const flows = new MemoryFlowStore();
  const sessions = new MemoryLoginSessionStore();
  const clients = new Map<string, StoredClient>([
    ['app', client('app')],
    ['other', client('other')],
    ['spa', client('spa', { token_endpoint_auth_method: 'none', redirect_uris: ['myapp://cb'] })],
  ]);
  const issued: string[] = [];
  const issuer: GrantIssuer = {
    async authorize(flow, _client, now) {
      const code = `ory_ac_${flow.id}`;
      issued.push(code);
      return {
        params: { code, scope: flow.consent!.grant_scope.join(' '), state: flow.request.state },
        artefacts: {
          code: {
            signature: code,
            request_id: flow.id,
            client_id: flow.client_id,
            requested_at: now,
            expires_at: new Date(now.getTime() + 600_000),
            used_at: null,
          },
        },
      };
    },
  };
  const clientReader = { get: async (id: string) => clients.get(id) ?? null };
  const engine = createFlowEngine({
    flows,
    sessions,
    endpoint,
    issuer,
    idTokens,
    clock: () => clock.now,
    urls: {
      login: 'https://login.example/login?theme=dark',
      consent: 'https://login.example/consent?theme=dark',
      registration: 'https://login.example/register',
    },
    ttl: { loginConsentRequestMs: 30 * 60_000, authenticationSessionMs: SESSION_TTL },
    cookies: {
      sameSiteMode: 'None',
      sameSiteLegacyWorkaround: false,
      secure: false,
      names: {
        loginCsrf: 'ory_hydra_login_csrf',
        consentCsrf: 'ory_hydra_consent_csrf',
        session: 'ory_hydra_session',
      },
      paths: { session: '/' },
    },
    secrets: ['cookie-secret-cookie-secret-32ch'],
    dev: false,
    issuerUrl: ISSUER,
    ...overrides,
  });
  const admin = createLoginConsentAdmin({
    flows,
    clients: clientReader,
    secrets: ['system-secret-system-secret-32ch'],
    clock: () => clock.now,
  });
  const sessionAdmin = createSessionAdmin({ flows, sessions, clients: clientReader });

  /** A browser: a cookie jar per host, and the Host it talks to. */
  function browser(host = '127.0.0.1:4444') {
    const jars = new Map<string, Record<string, string>>();
    const b = {
      host,
      jar: () => {
        if (!jars.has(b.host)) jars.set(b.host, {});
        return jars.get(b.host)!;
      },
      /** GET /oauth2/auth?<query> through the engine, as the authorize handler calls it after parsing. */
      async authorize(query: Record<string, string>, headers: Record<string, string> = {}) {
        const c = clients.get(query.client_id ?? 'app')!;
        const request: AuthorizeRequest = {
          client_id: c.client_id,
          response_types: ['code'],
          response_mode: 'query',
          redirect_uri: query.redirect_uri ?? (c.document.redirect_uris as string[])[0]!,
          redirect_uri_sent: query.redirect_uri !== undefined,
          state: query.state ?? 'state-123',
          requested_scope: (query.scope ?? 'openid offline').split(' ').filter(Boolean),
          requested_audience: [],
          prompt: (query.prompt ?? '').split(' ').filter(Boolean),
          ...(query.max_age !== undefined ? { max_age: query.max_age } : {}),
          ...(query.id_token_hint !== undefined ? { id_token_hint: query.id_token_hint } : {}),
          oidc_context: {
            acr_values: [],
            ui_locales: [],
            ...(query.login_hint ? { login_hint: query.login_hint } : {}),
          },
          request_url: `http://127.0.0.1:4444/oauth2/auth?${new URLSearchParams(
            Object.entries(query).filter(([k]) => !k.endsWith('_verifier')),
          )}`,
        };
        const reply = await engine.handle({
          request,
          client: c,
          query: { client_id: c.client_id, ...query },
          cookies: { ...b.jar() },
          headers: { host: b.host, ...headers },
        });
        for (const set of reply.cookies) {
          const pair = set.split(';')[0]!;
          const name = pair.slice(0, pair.indexOf('='));
          if (/Max-Age=0;/.test(set)) delete b.jar()[name];
          else b.jar()[name] = pair.slice(pair.indexOf('=') + 1);
        }
        return reply;
      },
      /** Follows a redirect_to of the admin API back into /oauth2/auth. */
      follow(redirectTo: string) {
        return b.authorize(Object.fromEntries(new URL(redirectTo).searchParams));
      },
    };
    return b;
  }

  return { clock, tick, flows, sessions, engine, admin, sessionAdmin, browser, issued, clients };
}

type Setup = ReturnType<typeof setup>;
type Browser = ReturnType<Setup['browser']>;

const location = (reply: AuthorizeReply) => {
  expect(reply.kind).to.equal('redirect');
  return new URL((reply as { location: string }).location);
};
const param = (reply: AuthorizeReply, name: string) => location(reply).searchParams.get(name);

async function ok<T>(answer: Promise<{ status: number; body: T }>): Promise<T> {
  const a = await answer;
  expect(a.status).to.equal(200);
  return a.body;
}

/** Login (accepting with `login`), then consent (accepting with `consent`); returns the final reply. */
async function signIn(
  t: Setup,
  b: Browser,
  query: Record<string, string> = {},
  login: Record<string, unknown> = { subject: 'alice' },
  consent: Record<string, unknown> = { grant_scope: ['openid', 'offline'] },
) {
  const first = await b.authorize({ client_id: 'app', ...query });
  const loginChallenge = param(first, 'login_challenge')!;
  expect(loginChallenge, location(first).toString()).to.be.a('string');
  const { redirect_to: toLogin } = await ok(t.admin.acceptLogin(loginChallenge, login));
  const afterLogin = await b.follow(toLogin);
  const consentChallenge = param(afterLogin, 'consent_challenge');
  if (!consentChallenge) return { first, afterLogin, loginChallenge, final: afterLogin };
  const consentRequest = await ok(t.admin.getConsent(consentChallenge));
  const { redirect_to: toConsent } = await ok(t.admin.acceptConsent(consentChallenge, consent));
  const final = await b.follow(toConsent);
  return { first, afterLogin, loginChallenge, consentChallenge, consentRequest, toLogin, toConsent, final };
}

describe('login and consent', () => {
  it('runs the whole chain: login UI, consent UI, code; with the CSRF cookies, Hydra-shaped requests and sorted redirects', async () => {
    const t = setup();
    const b = t.browser();
    const first = await b.authorize({ client_id: 'app', scope: 'openid offline', login_hint: 'a@b.c' });
    expect(first.status).to.equal(302);
    const toLogin = location(first);
    // v25 replaces the query configured on urls.login.
    expect(`${toLogin.origin}${toLogin.pathname}`).to.equal('https://login.example/login');
    expect([...toLogin.searchParams.keys()]).to.deep.equal(['login_challenge']);
    const challenge = toLogin.searchParams.get('login_challenge')!;
    expect(challenge).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(first.cookies).to.have.length(1);
    expect(first.cookies[0]).to.match(/^ory_hydra_login_csrf_\d+=/);

    const request = await t.admin.getLogin(challenge);
    expect(request.status).to.equal(200);
    const body = request.body as Record<string, unknown>;
    expect(Object.keys(body)).to.deep.equal(LOGIN_REQUEST_KEYS);
    expect(body).to.include({ challenge, skip: false, subject: '' });
    expect(body.oidc_context).to.deep.equal({ login_hint: 'a@b.c' });
    expect((body.client as { client_id: string }).client_id).to.equal('app');
    expect(body.session_id).to.match(/^[0-9a-f-]{36}$/);

    const { redirect_to } = await ok(
      t.admin.acceptLogin(challenge, { subject: 'alice', acr: '1', amr: ['pwd'] }),
    );
    // Go's url.Values.Encode: the whole query sorted, the verifier among it.
    const keys = [...new URL(redirect_to).searchParams.keys()];
    expect(keys).to.deep.equal([...keys].sort());
    expect(new URL(redirect_to).searchParams.get('login_verifier')).to.match(/^[A-Za-z0-9_-]{43}$/);

    const afterLogin = await b.follow(redirect_to);
    expect(afterLogin.status).to.equal(302);
    const toConsent = location(afterLogin);
    expect(toConsent.searchParams.get('theme')).to.equal('dark'); // the consent URL's query is merged
    const consentChallenge = toConsent.searchParams.get('consent_challenge')!;
    expect(afterLogin.cookies.some((c) => c.startsWith('ory_hydra_consent_csrf_'))).to.equal(true);

    const consent = await ok(t.admin.getConsent(consentChallenge));
    expect(Object.keys(consent)).to.deep.equal(CONSENT_REQUEST_KEYS);
    expect(consent).to.include({ skip: false, subject: 'alice', acr: '1', login_challenge: challenge });
    expect(consent.amr).to.deep.equal(['pwd']);
    expect(consent.consent_request_id).to.match(/^[0-9a-f]{32}$/);
    expect(consent.login_session_id).to.equal(body.session_id);

    // No validation of grants: a scope that was never requested is accepted as is.
    const accepted = await ok(t.admin.acceptConsent(consentChallenge, { grant_scope: ['openid', 'extra'] }));
    const final = await b.follow(accepted.redirect_to);
    expect(final.status).to.equal(303);
    expect(param(final, 'code')).to.equal(t.issued[0]);
    expect(param(final, 'scope')).to.equal('openid extra');
    expect(param(final, 'state')).to.equal('state-123');
    const flow = [...t.flows.rows.values()][0]!.flow;
    expect(flow.state).to.equal('consent_used');
    expect(t.flows.codes.size).to.equal(1);
  });

  describe('remembered sessions and skipping', () => {
    it('skips the login UI with a remembered session (skip:true, its subject and sid), without touching the session', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      const [session] = [...t.sessions.rows.values()];
      expect(session).to.include({ subject: 'alice', remember: true });
      expect(session!.expires_at.getTime() - t.clock.now.getTime()).to.equal(SESSION_TTL); // remember_for 0
      t.tick(60_000);
      const first = await b.authorize({ client_id: 'app' });
      const request = (await t.admin.getLogin(param(first, 'login_challenge')!)).body as Record<
        string,
        unknown
      >;
      expect(request).to.include({ skip: true, subject: 'alice', session_id: session!.id });
      // Accept with remember:false: a skipped login stays remembered; no new cookie, the expiry unchanged.
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice', remember: false }),
      );
      const afterLogin = await b.follow(redirect_to);
      expect(afterLogin.cookies.some((c) => c.startsWith('ory_hydra_session='))).to.equal(false);
      expect(t.sessions.rows.get(session!.id)!.expires_at).to.deep.equal(session!.expires_at);
      const consent = await ok(t.admin.getConsent(param(afterLogin, 'consent_challenge')!));
      expect(consent.login_session_id).to.equal(session!.id);
    });

    it('answers a skipped login accepted for another subject with the request URL and prompt=login, and no verifier', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      const first = await b.authorize({ client_id: 'app', scope: 'openid' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'bob' }),
      );
      const url = new URL(redirect_to);
      expect(url.searchParams.get('prompt')).to.equal('login');
      expect(url.searchParams.has('login_verifier')).to.equal(false);
      // Following it asks for a login (prompt=login): no skip.
      const again = await b.follow(redirect_to);
      const request = (await t.admin.getLogin(param(again, 'login_challenge')!)).body as Record<
        string,
        unknown
      >;
      expect(request.skip).to.equal(false);
    });

    it('sets the session cookie with remember_for as Max-Age, and ttl.authentication_session for remember_for 0', async () => {
      const t = setup();
      const b = t.browser();
      const short = await signIn(t, b, {}, { subject: 'alice', remember: true, remember_for: 3600 });
      const cookie = short.afterLogin.cookies.find((c) => c.startsWith('ory_hydra_session='))!;
      expect(cookie).to.contain('Max-Age=3600;');
      const zero = await signIn(t, t.browser(), {}, { subject: 'bob', remember: true, remember_for: 0 });
      const long = zero.afterLogin.cookies.find((c) => c.startsWith('ory_hydra_session='))!;
      expect(long).to.contain(`Max-Age=${SESSION_TTL / 1000};`);
    });

    it('with remember:false sets no cookie, ends the session the browser had, and keeps a non-remembered row for the sid', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      const [remembered] = [...t.sessions.rows.keys()];
      const forced = await signIn(t, b, { prompt: 'login' }, { subject: 'alice', remember: false });
      expect(forced.afterLogin.cookies.find((c) => c.startsWith('ory_hydra_session='))).to.contain(
        'Max-Age=0;',
      );
      // Only the new login's row is left, not remembered: a logout with its ID token's sid can end it.
      const rows = [...t.sessions.rows.values()];
      expect(rows).to.have.length(1);
      expect(rows[0]!.remember).to.equal(false);
      expect(rows[0]!.id).to.not.equal(remembered);
      const next = await b.authorize({ client_id: 'app' });
      expect(
        ((await t.admin.getLogin(param(next, 'login_challenge')!)).body as { skip: boolean }).skip,
      ).to.equal(false);
    });

    it('extends a skipped session with extend_session_lifespan, keeping auth_time', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true, remember_for: 3600 });
      const [before] = [...t.sessions.rows.values()];
      t.tick(30 * 60_000);
      const plain = await signIn(t, b, {}, { subject: 'alice' });
      expect(plain.afterLogin.cookies.some((c) => c.startsWith('ory_hydra_session='))).to.equal(false);
      expect(t.sessions.rows.get(before!.id)!.expires_at).to.deep.equal(before!.expires_at);

      const extended = await signIn(
        t,
        b,
        {},
        { subject: 'alice', extend_session_lifespan: true, remember_for: 3600 },
      );
      const after = t.sessions.rows.get(before!.id)!;
      expect(after.expires_at.getTime()).to.equal(t.clock.now.getTime() + HOUR);
      expect(after.authenticated_at).to.deep.equal(before!.authenticated_at);
      expect(extended.afterLogin.cookies.find((c) => c.startsWith('ory_hydra_session='))).to.contain(
        'Max-Age=3600;',
      );
    });

    it('skips consent when a remembered consent covers the requested scopes, never on prompt=consent', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(
        t,
        b,
        { scope: 'openid offline' },
        { subject: 'alice', remember: true },
        { grant_scope: ['openid', 'offline'], remember: true, session: { id_token: { email: 'a@b.c' } } },
      );
      const skipped = await signIn(t, b, { scope: 'openid' }, { subject: 'alice' }, {});
      expect(skipped.consentRequest!.skip).to.equal(true);
      // A skipped consent accepted without `session` keeps the remembered one (ory/hydra#1861).
      const flow = [...t.flows.rows.values()].find(
        (r) => r.flow.consent_challenge === skipped.consentChallenge,
      )!;
      expect(flow.flow.consent!.session.id_token).to.deep.equal({ email: 'a@b.c' });

      const wider = await signIn(t, b, { scope: 'openid email' }, { subject: 'alice' }, {});
      expect(wider.consentRequest!.skip).to.equal(false);
      const prompted = await signIn(t, b, { scope: 'openid', prompt: 'consent' }, { subject: 'alice' }, {});
      expect(prompted.consentRequest!.skip).to.equal(false);
    });

    it('never skips consent for a public client with a custom-scheme redirect', async () => {
      const t = setup();
      const b = t.browser();
      const q = { client_id: 'spa', scope: 'openid' };
      await signIn(
        t,
        b,
        q,
        { subject: 'alice', remember: true },
        { grant_scope: ['openid'], remember: true },
      );
      const again = await signIn(t, b, q, { subject: 'alice' });
      expect(again.consentRequest!.skip).to.equal(false);
    });
  });

  describe('prompt and max_age', () => {
    it('prompt=none without a session: login_required to the client, no flow', async () => {
      const t = setup();
      const reply = await t.browser().authorize({ client_id: 'app', prompt: 'none' });
      expect(param(reply, 'error')).to.equal('login_required');
      expect(param(reply, 'error_description')).to.equal(
        "The Authorization Server requires End-User authentication. Prompt 'none' was requested, but no existing login session was found.",
      );
      expect(t.flows.rows.size).to.equal(0);
    });

    it('prompt=none with a session but no remembered consent: consent_required after the login step', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      const { final } = await signIn(t, b, { prompt: 'none' }, { subject: 'alice' });
      expect(param(final, 'error')).to.equal('consent_required');
      expect(param(final, 'error_description')).to.contain(
        "Prompt 'none' was requested, but no previous consent",
      );
    });

    it('prompt=none with a session and a remembered consent: through both skips to a code', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(
        t,
        b,
        {},
        { subject: 'alice', remember: true },
        { grant_scope: ['openid', 'offline'], remember: true },
      );
      const { final } = await signIn(t, b, { prompt: 'none' }, { subject: 'alice' }, {});
      expect(param(final, 'code')).to.be.a('string');
    });

    it('validates prompt values when the login verifier comes back', async () => {
      const t = setup();
      const unknown = await signIn(t, t.browser(), { prompt: 'select_account' });
      expect(param(unknown.final, 'error')).to.equal('invalid_request');
      expect(param(unknown.final, 'error_description')).to.contain(
        "Used unknown value '[select_account]' for prompt parameter",
      );
      const rb = t.browser();
      const registration = await rb.authorize({ client_id: 'app', prompt: 'registration' });
      expect(location(registration).pathname).to.equal('/register');
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(registration, 'login_challenge')!, { subject: 'alice', remember: true }),
      );
      expect(param(await rb.follow(redirect_to), 'consent_challenge')).to.be.a('string');
      // `none` with another value, once a session lets the first request through.
      const noneConsent = await signIn(t, rb, { prompt: 'none consent' });
      expect(param(noneConsent.final, 'error')).to.equal('invalid_request');
      expect(param(noneConsent.final, 'error_description')).to.contain(
        "Parameter 'prompt' was set to 'none', but contains other values as well which is not allowed.",
      );
      // prompt=login drops the session first, so `none` finds nothing: login_required at the first request.
      const mixed = await t.browser().authorize({ client_id: 'app', prompt: 'none login' });
      expect(param(mixed, 'error')).to.equal('login_required');
    });

    it('max_age=0 always asks for a login; with prompt=none it is login_required; a non-integer is `error`', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      const zero = await b.authorize({ client_id: 'app', max_age: '0' });
      expect(
        ((await t.admin.getLogin(param(zero, 'login_challenge')!)).body as { skip: boolean }).skip,
      ).to.equal(false);
      t.tick(1000);
      const none = await b.authorize({ client_id: 'app', max_age: '0', prompt: 'none' });
      expect(param(none, 'error')).to.equal('login_required');
      expect(param(none, 'error_description')).to.contain("authentication time reached 'max_age'");
      const bad = await b.authorize({ client_id: 'app', max_age: 'soon' });
      expect(param(bad, 'error')).to.equal('error');
      expect(param(bad, 'error_description')).to.equal('The error is unrecognizable');
      const fresh = await b.authorize({ client_id: 'app', max_age: '3600' });
      expect(
        ((await t.admin.getLogin(param(fresh, 'login_challenge')!)).body as { skip: boolean }).skip,
      ).to.equal(true);
    });

    it('id_token_hint: a foreign token is invalid_request, another subject is login_required, the same one skips', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      const bad = await b.authorize({ client_id: 'app', id_token_hint: 'a.b.c' });
      expect(param(bad, 'error')).to.equal('invalid_request');
      expect(param(bad, 'error_description')).to.contain('The id_token_hint is not signed by this server.');
      const other = await b.authorize({ client_id: 'app', id_token_hint: hintToken({ sub: 'bob' }) });
      expect(param(other, 'error')).to.equal('login_required');
      expect(param(other, 'error_description')).to.contain(
        'Request failed because subject claim from id_token_hint does not match subject from authentication session.',
      );
      const same = await b.authorize({ client_id: 'app', id_token_hint: hintToken({ sub: 'alice', x: 1 }) });
      const body = (await t.admin.getLogin(param(same, 'login_challenge')!)).body as Record<string, any>;
      expect(body.skip).to.equal(true);
      expect(body.oidc_context.id_token_hint_claims).to.deep.equal({ sub: 'alice', x: 1 });
    });
  });

  describe('repeats and races', () => {
    it('keeps the first verifier on a repeated accept (the decision is the last one), and redeems once', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const challenge = param(first, 'login_challenge')!;
      const one = await ok(t.admin.acceptLogin(challenge, { subject: 'alice' }));
      const two = await ok(t.admin.acceptLogin(challenge, { subject: 'carol' }));
      expect(two.redirect_to).to.equal(one.redirect_to);
      const afterLogin = await b.follow(one.redirect_to);
      const consent = await ok(t.admin.getConsent(param(afterLogin, 'consent_challenge')!));
      expect(consent.subject).to.equal('carol');
      // The login is used: its request is gone, a late accept is told where to restart.
      const late = await t.admin.acceptLogin(challenge, { subject: 'alice' });
      expect(late).to.deep.equal({
        status: 410,
        body: { redirect_to: (await t.flows.byLoginChallenge(challenge))!.request.request_url },
      });
    });

    it('answers a replayed login verifier with the same consent request (the first answer was lost)', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice' }),
      );
      const one = await b.follow(redirect_to);
      const two = await b.follow(redirect_to);
      expect(param(two, 'consent_challenge')).to.equal(param(one, 'consent_challenge'));
      // Another browser holding the URL does not get it.
      const thief = await t.browser().follow(redirect_to);
      expect(param(thief, 'error')).to.equal('request_forbidden');
    });

    it('redeems a consent verifier once: the second is access_denied and issues nothing', async () => {
      const t = setup();
      const b = t.browser();
      const { toConsent, final } = await signIn(t, b);
      expect(param(final, 'code')).to.be.a('string');
      const again = await b.follow(toConsent!);
      expect(param(again, 'error')).to.equal('access_denied');
      expect(param(again, 'error_description')).to.equal(
        'The resource owner or authorization server denied the request. The consent verifier has already been used.',
      );
      expect(t.issued).to.have.length(1);
    });

    it('refuses a login verifier of another client (invalid_client) and an unknown one (access_denied)', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice' }),
      );
      const verifier = new URL(redirect_to).searchParams.get('login_verifier')!;
      const foreign = await b.authorize({ client_id: 'other', login_verifier: verifier });
      expect(param(foreign, 'error')).to.equal('invalid_client');
      const unknown = await b.authorize({ client_id: 'app', login_verifier: 'x'.repeat(43) });
      expect(param(unknown, 'error')).to.equal('access_denied');
      expect(param(unknown, 'error_description')).to.contain(
        'The login verifier has already been used, has not been granted, or is invalid.',
      );
    });
  });

  describe('reject', () => {
    it('sends `login request denied` with an empty description for an empty reject body', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(t.admin.rejectLogin(param(first, 'login_challenge')!, {}));
      const reply = await b.follow(redirect_to);
      expect(param(reply, 'error')).to.equal('login request denied');
      expect(param(reply, 'error_description')).to.equal('');
      expect(param(reply, 'state')).to.equal('state-123');
    });

    it('joins description and hint, keeps debug to itself, ignores status_code; consent defaults to `consent request denied`', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.rejectLogin(param(first, 'login_challenge')!, {
          error: 'access_denied',
          error_description: 'No.',
          error_hint: 'Really.',
          error_debug: 'secret',
          status_code: 418,
        }),
      );
      const reply = await b.follow(redirect_to);
      expect(param(reply, 'error')).to.equal('access_denied');
      expect(param(reply, 'error_description')).to.equal('No. Really.');

      const second = await b.authorize({ client_id: 'app' });
      const login = await ok(t.admin.acceptLogin(param(second, 'login_challenge')!, { subject: 'alice' }));
      const afterLogin = await b.follow(login.redirect_to);
      const rejected = await ok(t.admin.rejectConsent(param(afterLogin, 'consent_challenge')!, {}));
      const final = await b.follow(rejected.redirect_to);
      expect(param(final, 'error')).to.equal('consent request denied');
    });
  });

  describe('the admin API', () => {
    it('400 without a challenge or with an empty subject, 404 for an unknown challenge, 400 for a body of the wrong type', async () => {
      const t = setup();
      await expectError(
        t.admin.getLogin(undefined),
        400,
        "Query parameter 'challenge' is not defined but should have been.",
      );
      await expectError(
        t.admin.getLogin('nope'),
        404,
        'Unable to locate the requested resource',
        'Not Found',
      );
      await expectError(t.admin.acceptLogin('nope', {}), 400, "Field 'subject' must not be empty.");
      await expectError(
        t.admin.acceptLogin('nope', { subject: 'a', remember: 'yes' }),
        400,
        'Unable to decode body because: json: cannot unmarshal string into Go struct field HandledLoginRequest.remember of type bool',
      );
      await expectError(
        t.admin.acceptConsent('nope', {}),
        404,
        'Unable to locate the requested resource',
        'Not Found',
      );
    });

    it('410 with the restart URL for an expired login or consent request', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app', scope: 'openid' });
      const challenge = param(first, 'login_challenge')!;
      const restart = (await t.flows.byLoginChallenge(challenge))!.request.request_url;
      t.tick(30 * 60_000);
      expect(await t.admin.getLogin(challenge)).to.deep.equal({
        status: 410,
        body: { redirect_to: restart },
      });
      expect(await t.admin.acceptLogin(challenge, { subject: 'a' })).to.deep.equal({
        status: 410,
        body: { redirect_to: restart },
      });
      expect((await t.admin.rejectLogin(challenge, {})).status).to.equal(410);

      const second = await b.authorize({ client_id: 'app', scope: 'openid' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(second, 'login_challenge')!, { subject: 'a' }),
      );
      const afterLogin = await b.follow(redirect_to);
      const consentChallenge = param(afterLogin, 'consent_challenge')!;
      t.tick(30 * 60_000);
      expect((await t.admin.getConsent(consentChallenge)).status).to.equal(410);
      expect((await t.admin.acceptConsent(consentChallenge, {})).status).to.equal(410);
      // The verifier of an expired flow no longer works either.
      const late = await b.follow(redirect_to);
      expect(param(late, 'error')).to.equal('access_denied');
    });

    it('410 for a consent request that was used', async () => {
      const t = setup();
      const { consentChallenge } = await signIn(t, t.browser());
      const gone = await t.admin.getConsent(consentChallenge!);
      expect(gone.status).to.equal(410);
      expect((gone.body as { redirect_to: string }).redirect_to).to.match(
        /^http:\/\/127\.0\.0\.1:4444\/oauth2\/auth\?/,
      );
    });
  });

  describe('CSRF', () => {
    it('refuses a login verifier from a browser without the cookie, saying why', async () => {
      const t = setup();
      const first = await t.browser().authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice' }),
      );
      const reply = await t.browser().follow(redirect_to);
      expect(param(reply, 'error')).to.equal('request_forbidden');
      expect(param(reply, 'error_description')).to.match(
        /^The request is not allowed\. No CSRF value available in the session cookie\. The browser sent no cookies at all/,
      );
    });

    it('names the localhost / 127.0.0.1 mix-up when the flow comes back on another host', async () => {
      const t = setup();
      const b = t.browser('localhost:4444');
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice' }),
      );
      b.host = '127.0.0.1:4444';
      const reply = await b.follow(redirect_to);
      expect(param(reply, 'error_description')).to.contain(
        "This authorization request started on host 'localhost' and came back on '127.0.0.1'",
      );
    });

    it('refuses a tampered cookie as undecodable', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice' }),
      );
      const [name] = Object.keys(b.jar());
      b.jar()[name!] = `${b.jar()[name!]}x`;
      const reply = await b.follow(redirect_to);
      expect(param(reply, 'error_description')).to.contain('CSRF session cookie could not be decoded.');
    });

    it('lets two tabs of one client finish in any order, and names newer flows once more than 4 were started', async () => {
      const t = setup();
      const b = t.browser();
      const tab1 = await b.authorize({ client_id: 'app' });
      const tab2 = await b.authorize({ client_id: 'app' });
      const r2 = await ok(t.admin.acceptLogin(param(tab2, 'login_challenge')!, { subject: 'alice' }));
      const r1 = await ok(t.admin.acceptLogin(param(tab1, 'login_challenge')!, { subject: 'alice' }));
      expect(param(await b.follow(r2.redirect_to), 'consent_challenge')).to.be.a('string');
      expect(param(await b.follow(r1.redirect_to), 'consent_challenge')).to.be.a('string');

      const old = await b.authorize({ client_id: 'app' });
      for (let i = 0; i < 4; i++) await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(old, 'login_challenge')!, { subject: 'alice' }),
      );
      const reply = await b.follow(redirect_to);
      expect(param(reply, 'error')).to.equal('request_forbidden');
      expect(param(reply, 'error_description')).to.contain(
        'The CSRF value from the token does not match the CSRF value from the data store.',
      );
      expect(param(reply, 'error_description')).to.contain(
        'only holds newer authorization requests of this client',
      );
    });

    it('checks the consent CSRF cookie at the consent verifier', async () => {
      const t = setup();
      const b = t.browser();
      const first = await b.authorize({ client_id: 'app' });
      const { redirect_to } = await ok(
        t.admin.acceptLogin(param(first, 'login_challenge')!, { subject: 'alice' }),
      );
      const afterLogin = await b.follow(redirect_to);
      const accepted = await ok(t.admin.acceptConsent(param(afterLogin, 'consent_challenge')!, {}));
      for (const name of Object.keys(b.jar()))
        if (name.startsWith('ory_hydra_consent_csrf')) delete b.jar()[name];
      const reply = await b.follow(accepted.redirect_to);
      expect(param(reply, 'error')).to.equal('request_forbidden');
      expect(t.issued).to.have.length(0);
    });
  });

  describe('consent and login sessions', () => {
    it('lists the consent sessions of a subject in Hydra’s shape, pages them, and revokes them with their codes', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(
        t,
        b,
        { scope: 'openid' },
        { subject: 'alice', remember: true },
        { grant_scope: ['openid'], remember: true },
      );
      t.tick(1000);
      await signIn(
        t,
        b,
        { scope: 'openid', prompt: 'consent' },
        { subject: 'alice' },
        { grant_scope: ['openid'] },
      );
      await expectError(
        t.sessionAdmin.listConsentSessions({}),
        400,
        "Query parameter 'subject' is not defined but should have been.",
      );
      const all = await t.sessionAdmin.listConsentSessions({ subject: 'alice' });
      expect(all.sessions).to.have.length(2);
      expect(Object.keys(all.sessions[0]!)).to.deep.equal(CONSENT_SESSION_KEYS);
      expect((all.sessions[1]!.consent_request as { challenge: string }).challenge).to.equal('');
      const page = await t.sessionAdmin.listConsentSessions({ subject: 'alice', page_size: 1 });
      expect(page.sessions).to.have.length(1);
      expect(page.nextPageToken).to.be.a('string');
      const rest = await t.sessionAdmin.listConsentSessions({
        subject: 'alice',
        page_size: 1,
        page_token: page.nextPageToken!,
      });
      expect(rest.sessions[0]!.consent_request_id).to.equal(all.sessions[1]!.consent_request_id);

      await expectError(
        t.sessionAdmin.revokeConsentSessions({ subject: 'alice' }),
        400,
        'Invalid combination of query parameters.',
      );
      await t.sessionAdmin.revokeConsentSessions({
        consent_request_id: all.sessions[0]!.consent_request_id as string,
      });
      expect((await t.sessionAdmin.listConsentSessions({ subject: 'alice' })).sessions).to.have.length(1);
      await t.sessionAdmin.revokeConsentSessions({ subject: 'alice', all: 'true' });
      expect((await t.sessionAdmin.listConsentSessions({ subject: 'alice' })).sessions).to.deep.equal([]);
      expect(t.flows.codes.size).to.equal(0);
    });

    it('revokes login sessions by sid or subject, so the next request asks for a login', async () => {
      const t = setup();
      const b = t.browser();
      await signIn(t, b, {}, { subject: 'alice', remember: true });
      await expectError(
        t.sessionAdmin.revokeLoginSessions({}),
        400,
        "Either 'subject' or 'sid' query parameters need to be defined.",
      );
      await t.sessionAdmin.revokeLoginSessions({ subject: 'alice' });
      const next = await b.authorize({ client_id: 'app' });
      expect(
        ((await t.admin.getLogin(param(next, 'login_challenge')!)).body as { skip: boolean }).skip,
      ).to.equal(false);
    });
  });
});

async function expectError(promise: Promise<unknown>, status: number, description: string, error?: string) {
  try {
    await promise;
  } catch (e) {
    const err = e as { status: number; description: string; error: string };
    expect(err.status).to.equal(status);
    expect(err.description).to.contain(description);
    if (error) expect(err.error).to.equal(error);
    return;
  }
  expect.fail('expected an error');
}

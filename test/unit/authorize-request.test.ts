import { expect } from 'chai';
import type { StoredClient } from '../../server/clients/client.js';
import {
  type AuthorizeEndpointDeps,
  type AuthorizeInput,
  createAuthorizeEndpoint,
} from '../../server/flows/authorize-request.js';
import { fallbackErrorPage, goQueryEscape, withDebug } from '../../server/flows/authorize-response.js';
import type { AuthorizeReply, AuthorizeRequest, FlowEngine, FlowRecord } from '../../server/flows/types.js';
import { goTime } from '../../server/go-time.js';
import { authorizeHandlers, notConfiguredPage } from '../../server/http/public/authorize.js';
import { defaultAudienceStrategy } from '../../server/oauth2/audience-strategy.js';
import { AccessDenied } from '../../server/oauth2/errors.js';
import { wildcardScopeStrategy } from '../../server/oauth2/scope-strategy.js';
import { clientLookup, makeClient } from '../helpers/oauth2-clients.js';

const ERROR_URL = 'https://auth.example/oauth2/fallbacks/error';
const web = makeClient({
  client_id: 'web',
  redirect_uris: [
    'https://app.example/cb?keep=1',
    'http://127.0.0.1/cb',
    'http://[::1]/cb',
    'http://localhost:8080/cb',
  ],
  scope: 'openid offline read',
  audience: ['https://api.example'],
  response_types: ['code', 'token', 'code id_token', 'id_token'],
  grant_types: ['authorization_code', 'refresh_token'],
});
const spa = makeClient(
  {
    client_id: 'spa',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://app.example/cb'],
    scope: 'openid read',
    response_types: ['code'],
    grant_types: ['authorization_code', 'implicit'],
  },
  null,
);

function endpoint(overrides: Partial<AuthorizeEndpointDeps> = {}) {
  return createAuthorizeEndpoint({
    clients: clientLookup(web, spa),
    scopeStrategy: wildcardScopeStrategy,
    audienceStrategy: defaultAudienceStrategy,
    publicUrl: 'https://auth.example/',
    errorUrl: ERROR_URL,
    stateMinLength: 8,
    pkce: { enforced: false, enforcedForPublicClients: false },
    dev: false,
    exposeInternalErrors: false,
    ...overrides,
  });
}

const GOOD = {
  client_id: 'web',
  response_type: 'code',
  redirect_uri: 'https://app.example/cb?keep=1',
  scope: 'read',
  state: 'state-123456',
};

async function parse(
  query: Record<string, unknown>,
  deps?: Partial<AuthorizeEndpointDeps>,
  extra?: Partial<AuthorizeInput>,
) {
  return endpoint(deps).parse({ query, method: 'GET', ...extra });
}

async function parsed(query: Record<string, unknown>, deps?: Partial<AuthorizeEndpointDeps>) {
  const result = await parse(query, deps);
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.reply)}`);
  return result;
}

async function failure(
  query: Record<string, unknown>,
  deps?: Partial<AuthorizeEndpointDeps>,
): Promise<AuthorizeReply> {
  const result = await parse(query, deps);
  if (result.ok) throw new Error('expected a failure');
  return result.reply;
}

function location(reply: AuthorizeReply): URL {
  if (reply.kind !== 'redirect') throw new Error(`expected a redirect, got ${reply.kind}`);
  return new URL(reply.location);
}

/** Where the failure went and what it said. */
function outcome(reply: AuthorizeReply) {
  if (reply.kind !== 'redirect') throw new Error(`expected a redirect, got ${reply.kind}`);
  const url = new URL(reply.location.replace('#', '?'));
  return {
    status: reply.status,
    to: `${url.origin}${url.pathname}`,
    error: url.searchParams.get('error'),
    description: url.searchParams.get('error_description'),
    state: url.searchParams.get('state'),
  };
}

describe('/oauth2/auth: steps 1–9 in fosite order (fosite authorize_request_handler.go)', () => {
  // Each fault alone yields the error on its line; applied with the next fault, it still wins.
  const faults: {
    name: string;
    apply: Record<string, string>;
    status: 302 | 303;
    error: string;
    hint: string;
  }[] = [
    {
      name: 'unknown client_id',
      apply: { client_id: 'nobody' },
      status: 302,
      error: 'invalid_client',
      hint: 'The requested OAuth 2.0 Client does not exist.',
    },
    {
      name: 'request object with openid',
      apply: { scope: 'openid', request: 'eyJhbGciOiJub25lIn0.e30.' },
      status: 302,
      error: 'invalid_request',
      hint: 'Tollgate does not support request objects.',
    },
    {
      name: 'unknown response_mode',
      apply: { response_mode: 'web_message' },
      status: 302,
      error: 'unsupported_response_mode',
      hint: `Request with unsupported response_mode 'web_message'.`,
    },
    {
      name: 'unregistered redirect_uri',
      apply: { redirect_uri: 'https://evil.example/cb' },
      status: 302,
      error: 'invalid_request',
      hint: "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.",
    },
    {
      name: 'scope the client may not request',
      apply: { scope: 'read admin' },
      status: 303,
      error: 'invalid_scope',
      hint: "The OAuth 2.0 Client is not allowed to request scope 'admin'.",
    },
    {
      name: 'audience not whitelisted',
      apply: { audience: 'https://other.example' },
      status: 303,
      error: 'invalid_request',
      hint: "Requested audience 'https://other.example' has not been whitelisted by the OAuth 2.0 Client.",
    },
    {
      name: 'registration parameter',
      apply: { registration: '{}' },
      status: 303,
      error: 'registration_not_supported',
      hint: '',
    },
    {
      name: 'response_type not registered',
      apply: { response_type: 'code token' },
      status: 303,
      error: 'unsupported_response_type',
      hint: "The client is not allowed to request response_type 'code token'.",
    },
    {
      name: 'state too short',
      apply: { state: 'short' },
      status: 303,
      error: 'invalid_state',
      hint: "Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.",
    },
  ];

  it('accepts the good request', async () => {
    const { request, client } = await parsed(GOOD);
    expect(client.client_id).to.equal('web');
    expect(request).to.include({
      client_id: 'web',
      response_mode: 'query',
      redirect_uri: 'https://app.example/cb?keep=1',
      redirect_uri_sent: true,
      state: 'state-123456',
    });
    expect(request.response_types).to.deep.equal(['code']);
    expect(request.requested_scope).to.deep.equal(['read']);
  });

  for (const [i, fault] of faults.entries()) {
    it(`step ${i + 1}: ${fault.name} → ${fault.error} (${fault.status === 302 ? 'urls.error, 302' : 'client, 303'})`, async () => {
      const result = outcome(await failure({ ...GOOD, ...fault.apply }));
      expect(result.status).to.equal(fault.status);
      expect(result.error).to.equal(fault.error);
      expect(result.description).to.match(
        new RegExp(`${fault.hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      );
      if (fault.status === 302) {
        expect(result.to).to.equal(ERROR_URL);
        expect(result.state, 'urls.error never gets the state').to.equal(null);
      } else {
        expect(result.to).to.equal('https://app.example/cb');
        expect(result.state).to.equal(fault.apply.state ?? GOOD.state);
      }
    });
  }

  for (let i = 0; i + 1 < faults.length; i++) {
    const [earlier, later] = [faults[i]!, faults[i + 1]!];
    it(`${earlier.name} wins over ${later.name}`, async () => {
      const result = outcome(await failure({ ...GOOD, ...later.apply, ...earlier.apply }));
      expect(result.error).to.equal(earlier.error);
      expect(result.status).to.equal(earlier.status);
      expect(result.description).to.contain(earlier.hint);
    });
  }

  it('a missing client_id is an unknown client', async () => {
    const { client_id: _, ...rest } = GOOD;
    expect(outcome(await failure(rest)).error).to.equal('invalid_client');
  });

  it('a missing response_type keeps fosite hint, stray backtick included', async () => {
    const { response_type: _, ...rest } = GOOD;
    expect(outcome(await failure(rest)).description).to.match(
      / `The request is missing the 'response_type' parameter\.$/,
    );
  });

  it('a request object without openid is ignored, as fosite does', async () => {
    await parsed({ ...GOOD, request_uri: 'https://x.example/r' });
  });

  it('encodes errors to the client like Go: sorted keys, `+` for spaces, the redirect URI query kept', async () => {
    const reply = await failure({ ...GOOD, scope: 'read admin' });
    expect(reply).to.deep.equal({
      kind: 'redirect',
      status: 303,
      location:
        'https://app.example/cb?error=invalid_scope&error_description=The+requested+scope+is+invalid%2C+unknown%2C+or+malformed.+The+OAuth+2.0+Client+is+not+allowed+to+request+scope+%27admin%27.&keep=1&state=state-123456',
      cookies: [],
    });
  });

  it('sends state even when it is empty', async () => {
    const { state: _, ...rest } = GOOD;
    const reply = await failure({ ...rest, scope: 'admin' });
    expect(location(reply).search).to.contain('&state=');
    expect(outcome(reply).state).to.equal('');
  });

  it('sends the error page only error and error_description, keeping the query of urls.error', async () => {
    const reply = await failure(
      { ...GOOD, client_id: 'nobody' },
      { errorUrl: 'https://errors.example/e?lang=en' },
    );
    expect(reply).to.deep.equal({
      kind: 'redirect',
      status: 302,
      location:
        'https://errors.example/e?error=invalid_client&error_description=Client+authentication+failed+%28e.g.%2C+unknown+client%2C+no+client+authentication+included%2C+or+unsupported+authentication+method%29.+The+requested+OAuth+2.0+Client+does+not+exist.&lang=en',
      cookies: [],
    });
  });

  it('adds the near-miss hint to the error page for a redirect_uri mismatch', async () => {
    const url = location(await failure({ ...GOOD, redirect_uri: 'http://localhost:9000/cb' }));
    expect(url.searchParams.get('error_hint')).to.contain("but not for 'localhost'");
    const slash = location(await failure({ ...GOOD, redirect_uri: 'https://app.example/cb/?keep=1' }));
    expect(slash.searchParams.get('error_hint')).to.contain('trailing slash');
  });

  it('accepts any port on 127.0.0.1 and [::1], and keeps that port as the redirect URI', async () => {
    const v4 = await parsed({ ...GOOD, redirect_uri: 'http://127.0.0.1:49152/cb' });
    expect(v4.request.redirect_uri).to.equal('http://127.0.0.1:49152/cb');
    const v6 = await parsed({ ...GOOD, redirect_uri: 'http://[::1]:50000/cb' });
    expect(v6.request.redirect_uri).to.equal('http://[::1]:50000/cb');
  });

  it('refuses another port on localhost, and a trailing slash', async () => {
    expect(outcome(await failure({ ...GOOD, redirect_uri: 'http://localhost:9000/cb' })).status).to.equal(
      302,
    );
    expect(
      outcome(await failure({ ...GOOD, redirect_uri: 'https://app.example/cb/?keep=1' })).status,
    ).to.equal(302);
  });

  it('requires redirect_uri for openid; otherwise a sole registered one is used', async () => {
    const { redirect_uri: _, ...rest } = GOOD;
    const openid = outcome(await failure({ ...rest, scope: 'openid' }));
    expect(openid).to.include({ status: 302, error: 'invalid_request' });
    expect(openid.description).to.contain(
      "The 'redirect_uri' parameter is required when using OpenID Connect 1.0.",
    );
    const sole = await parsed({ ...rest, client_id: 'spa' });
    expect(sole.request.redirect_uri).to.equal('http://app.example/cb');
    expect(sole.request.redirect_uri_sent).to.equal(false);
  });

  it('state_min_length 0 makes state optional; the configured length is named', async () => {
    const { state: _, ...rest } = GOOD;
    const result = await parsed(rest, { stateMinLength: 0 });
    expect(result.request.state).to.equal('');
    expect(
      outcome(await failure({ ...GOOD, state: 'a'.repeat(11) }, { stateMinLength: 12 })).description,
    ).to.contain('at least be 12 characters');
  });

  it('counts state in bytes, as Go does', async () => {
    await parsed({ ...GOOD, state: 'éééé' }); // 4 characters, 8 bytes
  });

  it('answers in the query until the response type is known, then in its default mode', async () => {
    // Step 8 fails before the default is set: query, whatever the response type.
    const early = await failure({ ...GOOD, response_type: 'token id_token' });
    expect(location(early).hash).to.equal('');
    // Step 9 fails after: fragment for token.
    const late = await failure({ ...GOOD, response_type: 'token', state: 'short' });
    expect((late as { location: string }).location).to.match(
      /^https:\/\/app\.example\/cb\?keep=1#error=invalid_state&error_description=.+&state=short$/,
    );
  });

  it('answers in the requested fragment mode', async () => {
    const reply = await failure({ ...GOOD, response_mode: 'fragment', scope: 'admin' });
    expect((reply as { location: string }).location).to.match(
      /^https:\/\/app\.example\/cb\?keep=1#error=invalid_scope&error_description=[^#]+&state=state-123456$/,
    );
  });

  it('renders form_post errors as an escaped self-submitting form that works without JavaScript', async () => {
    const reply = await failure({
      ...GOOD,
      response_mode: 'form_post',
      scope: 'admin',
      state: '"><script>alert(1)</script>',
    });
    if (reply.kind !== 'form_post') throw new Error('expected form_post');
    expect(reply.status).to.equal(200);
    expect(reply.html).to.contain('<form method="post" action="https://app.example/cb?keep=1">');
    expect(reply.html).to.contain(
      '<input type="hidden" name="state" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
    );
    expect(reply.html).to.contain('name="error" value="invalid_scope"');
    expect(reply.html).not.to.contain('<script>');
    expect(reply.html).to.match(/<noscript>.*<button type="submit">/s);
  });

  it('reads POST forms together with the query, body first, and keeps the body in request_url', async () => {
    const result = await parse(
      { client_id: 'web', scope: 'ignored' },
      {},
      { method: 'POST', form: { ...GOOD, client_id: 'web', scope: 'read openid' } },
    );
    if (!result.ok) throw new Error('expected success');
    expect(result.request.requested_scope).to.deep.equal(['read', 'openid']);
    const restart = new URL(result.request.request_url);
    expect(`${restart.origin}${restart.pathname}`).to.equal('https://auth.example/oauth2/auth');
    expect(restart.searchParams.getAll('scope')).to.deep.equal(['read openid', 'ignored']);
    expect(restart.searchParams.get('redirect_uri')).to.equal(GOOD.redirect_uri);
  });

  it('keeps the OpenID Connect parameters and drops verifiers from request_url', async () => {
    const { request } = await parsed({
      ...GOOD,
      prompt: 'login consent',
      max_age: '60',
      login_hint: 'foo@bar.com',
      acr_values: 'a b',
      ui_locales: 'de en',
      display: 'page',
      nonce: 'n-0123456789',
      login_verifier: 'v',
    });
    expect(request.prompt).to.deep.equal(['login', 'consent']);
    expect(request).to.include({ max_age: '60', nonce: 'n-0123456789' });
    expect(request.oidc_context).to.deep.equal({
      acr_values: ['a', 'b'],
      ui_locales: ['de', 'en'],
      display: 'page',
      login_hint: 'foo@bar.com',
    });
    expect(request.request_url).not.to.contain('login_verifier');
    expect(request.request_url).to.contain(`login_hint=${goQueryEscape('foo@bar.com')}`);
  });

  it('lets a database failure through (the HTML error handler answers 503)', async () => {
    const failing = { get: async (): Promise<StoredClient | null> => Promise.reject(new Error('db down')) };
    let caught: unknown;
    try {
      await parse(GOOD, { clients: failing });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.equal('db down');
  });
});

describe('/oauth2/auth response writers', () => {
  const target = (mode: AuthorizeRequest['response_mode']) =>
    ({
      redirect_uri: 'https://app.example/cb?keep=1&code=old',
      state: 'st ate',
      response_mode: mode,
    }) as AuthorizeRequest;

  it('success in the query: 303, parameters set over the redirect URI query, Go-sorted', () => {
    const reply = endpoint().success(
      target('query'),
      { code: 'ory_ac_x', scope: 'openid read', state: 'st ate' },
      ['c=1'],
    );
    expect(reply).to.deep.equal({
      kind: 'redirect',
      status: 303,
      location: 'https://app.example/cb?code=ory_ac_x&keep=1&scope=openid+read&state=st+ate',
      cookies: ['c=1'],
    });
  });

  it('success in the fragment keeps the redirect URI query as it is', () => {
    const reply = endpoint().success(target('fragment'), { access_token: 'a', state: 's' }, []);
    expect(reply).to.include({
      status: 303,
      location: 'https://app.example/cb?keep=1&code=old#access_token=a&state=s',
    });
  });

  it('success as form_post: 200 page posting every parameter', () => {
    const reply = endpoint().success(target('form_post'), { code: 'c<&>', state: "s'" }, []);
    expect(reply.kind).to.equal('form_post');
    expect((reply as { html: string }).html).to.contain('name="code" value="c&lt;&amp;&gt;"');
    expect((reply as { html: string }).html).to.contain('name="state" value="s&#39;"');
  });

  it('toClient adds to a same-named query parameter rather than replacing it (fosite uses Add)', () => {
    const reply = endpoint().toClient(
      { ...target('query'), redirect_uri: 'https://app.example/cb?state=theirs' },
      new AccessDenied(),
    );
    const url = location(reply);
    expect(url.searchParams.getAll('state')).to.deep.equal(['st ate', 'theirs']);
  });

  it('appends the debug text only with exposeInternalErrors', () => {
    const error = () => withDebug(new AccessDenied(), 'the "reason"');
    const hidden = location(endpoint().toClient(target('query'), error()));
    expect(hidden.searchParams.get('error_description')).to.equal(
      'The resource owner or authorization server denied the request.',
    );
    const shown = location(endpoint({ exposeInternalErrors: true }).toClient(target('query'), error()));
    expect(shown.searchParams.get('error_description')).to.equal(
      "The resource owner or authorization server denied the request. the 'reason'",
    );
  });
});

describe('the fallback error page (getOAuth2FallbackError)', () => {
  it('is a 400 HTML page naming the error, with every value escaped', () => {
    const page = fallbackErrorPage({
      error: '<b>invalid_request</b>',
      error_description: 'bad & "worse"',
      error_hint: "The client registered 'http://127.0.0.1/cb'",
    });
    expect(page.status).to.equal(400);
    expect(page.html).to.contain('&lt;b&gt;invalid_request&lt;/b&gt;');
    expect(page.html).to.contain('bad &amp; &#34;worse&#34;');
    expect(page.html).to.contain('The client registered &#39;http://127.0.0.1/cb&#39;');
    expect(page.html).not.to.contain('<b>');
    expect(page.html).to.contain('<html lang="en">');
  });
});

describe('final checks (fosite authorize_request_handler.go step 11)', () => {
  const NOW = new Date('2026-01-01T10:00:00.000Z');

  function flow(request: AuthorizeRequest, overrides: Partial<FlowRecord> = {}): FlowRecord {
    return {
      id: '00000000-0000-4000-8000-000000000000',
      client_id: request.client_id,
      state: 'consent_handled',
      request,
      requested_at: new Date(NOW.getTime() - 60_000),
      expires_at: new Date(NOW.getTime() + 60_000),
      login_challenge: 'lc',
      login_csrf: 'csrf',
      login_skip: false,
      subject: 'foo@bar.com',
      login_session_id: 'sid',
      login: null,
      login_error: null,
      authenticated_at: new Date(NOW.getTime() - 30_000),
      consent_challenge: 'cc',
      consent_csrf: 'csrf',
      consent_skip: false,
      consent: {
        grant_scope: request.requested_scope,
        grant_access_token_audience: [],
        remember: false,
        remember_for: 0,
        session: { access_token: {}, id_token: {} },
        context: null,
      },
      consent_error: null,
      consent_handled_at: NOW,
      ...overrides,
    };
  }

  async function check(
    query: Record<string, unknown>,
    deps: Partial<AuthorizeEndpointDeps> = {},
    overrides = {},
  ) {
    const e = endpoint({ clock: () => NOW, ...deps });
    const result = await e.parse({ query, method: 'GET' });
    if (!result.ok) throw new Error('expected the request to parse');
    return e.finalChecks(flow(result.request, overrides), result.client);
  }

  const described = (error: { toJSON(): { error: string; error_description: string } } | null) =>
    error === null ? null : `${error.toJSON().error}: ${error.toJSON().error_description}`;

  it('passes a good code flow', async () => {
    expect(await check(GOOD)).to.equal(null);
  });

  it('refuses an http redirect URI off localhost, unless --dev', async () => {
    const query = { ...GOOD, client_id: 'spa', redirect_uri: 'http://app.example/cb' };
    expect(described(await check(query))).to.match(
      /^invalid_request: .* Redirect URL is using an insecure protocol, http is only allowed for hosts with suffix 'localhost', for example: http:\/\/myapp\.localhost\/\.$/,
    );
    expect(await check(query, { dev: true })).to.equal(null);
    expect(await check({ ...GOOD, redirect_uri: 'http://127.0.0.1:4000/cb' })).to.equal(null);
  });

  it('PKCE: plain refused, other methods refused, enforcement for public clients', async () => {
    expect(
      described(await check({ ...GOOD, code_challenge: 'abc', code_challenge_method: 'plain' })),
    ).to.match(/plain is not allowed\.$/);
    expect(described(await check({ ...GOOD, code_challenge: 'abc' }))).to.match(/plain is not allowed\.$/);
    expect(
      described(await check({ ...GOOD, code_challenge: 'abc', code_challenge_method: 'S384' })),
    ).to.match(/use S256 instead\.$/);
    expect(await check({ ...GOOD, code_challenge: 'abc', code_challenge_method: 'S256' })).to.equal(null);
    const spaQuery = { ...GOOD, client_id: 'spa', redirect_uri: 'http://app.example/cb' };
    const pkce = { enforced: false, enforcedForPublicClients: true };
    expect(described(await check(spaQuery, { dev: true, pkce }))).to.match(
      /This client must include a code_challenge/,
    );
    expect(
      described(await check(GOOD, { pkce: { enforced: true, enforcedForPublicClients: false } })),
    ).to.match(/Clients must include a code_challenge/);
  });

  it('openid with code needs the redirect_uri parameter, even though a sole URI matched', async () => {
    const e = endpoint({ clock: () => NOW, dev: true });
    const result = await e.parse({
      query: { ...GOOD, client_id: 'spa', redirect_uri: 'http://app.example/cb', scope: 'openid' },
      method: 'GET',
    });
    if (!result.ok) throw new Error('parse');
    const request = { ...result.request, redirect_uri_sent: false };
    expect(described(e.finalChecks(flow(request), result.client))).to.contain(
      "The 'redirect_uri' parameter is required when using OpenID Connect 1.0.",
    );
  });

  it('implicit needs the implicit grant; id_token needs a nonce of 8 or more', async () => {
    expect(described(await check({ ...GOOD, response_type: 'token' }))).to.equal(
      "invalid_grant: The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client. The OAuth 2.0 Client is not allowed to use the authorization grant 'implicit'.",
    );
    const hybrid = { ...GOOD, response_type: 'code id_token', scope: 'openid' };
    expect(described(await check(hybrid))).to.match(
      /Parameter 'nonce' must be set when requesting an ID Token using the OpenID Connect Hybrid Flow\.$/,
    );
    expect(described(await check({ ...hybrid, nonce: 'short' }))).to.match(
      /^insufficient_entropy: .* Parameter 'nonce' is set but does not satisfy the minimum entropy of 8 characters\.$/,
    );
    expect(await check({ ...hybrid, nonce: 'nonce-123' })).to.equal(null);
  });

  it('a fragment response type may not be sent in the query', async () => {
    const hybrid = {
      ...GOOD,
      response_type: 'code id_token',
      scope: 'openid',
      nonce: 'nonce-123',
      response_mode: 'query',
    };
    expect(described(await check(hybrid))).to.match(
      /^unsupported_response_mode: .* Insecure response_mode 'query' for the response_type '\[code id_token\]'\.$/,
    );
  });

  it('id_token without openid granted is a response type nobody handles', async () => {
    expect(described(await check({ ...GOOD, response_type: 'id_token', nonce: 'nonce-123' }))).to.match(
      /^unsupported_response_type: /,
    );
  });

  it('prompt=login needs an authentication after the request', async () => {
    const query = { ...GOOD, scope: 'openid', prompt: 'login' };
    const before = new Date(NOW.getTime() - 120_000);
    const error = await check(query, {}, { authenticated_at: before });
    expect(described(error)).to.contain(
      `prompt was set to 'login' but auth_time ('${goTime(before)}') happened before the authorization request`,
    );
    expect(await check(query)).to.equal(null);
  });

  it('re-checks the scope against the client as it is now', async () => {
    const e = endpoint({ clock: () => NOW });
    const result = await e.parse({ query: GOOD, method: 'GET' });
    if (!result.ok) throw new Error('parse');
    const narrowed = makeClient({ ...result.client.document, client_id: 'web', scope: 'openid' });
    expect(described(e.finalChecks(flow(result.request), narrowed))).to.match(
      /^invalid_scope: .* The OAuth 2.0 Client is not allowed to request scope 'read'\.$/,
    );
  });
});

describe('authorizeHandlers: AuthorizeReply to HTTP', () => {
  type HttpReply = { status: number; headers: Record<string, string | string[]>; body?: string };

  /** Calls a handler with the fields of an OperationRequest it reads (the rest is never looked at). */
  async function invoke(
    handler: (request: never) => Promise<unknown>,
    fields: {
      query: Record<string, string>;
      body?: Record<string, string>;
      cookies?: Record<string, string>;
      headers?: Record<string, string>;
    },
  ): Promise<HttpReply> {
    const request = { cookies: {}, headers: {}, method: fields.body ? 'POST' : 'GET', ...fields };
    return (await handler(request as never)) as HttpReply;
  }
  /** A FlowEngine that answers every request with the login redirect and remembers what it was given. */
  function recordingEngine() {
    const seen: Parameters<FlowEngine['handle']>[0][] = [];
    const engine: FlowEngine = {
      async handle(input) {
        seen.push(input);
        return {
          kind: 'redirect',
          status: 302,
          location: 'https://login.example/?login_challenge=c',
          cookies: ['a=1; Path=/', 'b=2; Path=/'],
        };
      },
    };
    return { engine, seen };
  }

  it('passes a valid request to the engine and writes its redirect with every Set-Cookie', async () => {
    const { engine, seen } = recordingEngine();
    const handlers = authorizeHandlers({ endpoint: endpoint(), engine });
    const reply = await invoke(handlers.oAuth2Authorize, {
      query: { ...GOOD, login_verifier: 'v' },
      cookies: { ory_hydra_session: 's' },
      headers: { host: 'auth.example' },
    });
    expect(reply).to.deep.equal({
      status: 302,
      headers: {
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
        'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'],
        Location: 'https://login.example/?login_challenge=c',
      },
    });
    expect(seen).to.have.length(1);
    expect(seen[0]?.query).to.include({ login_verifier: 'v', client_id: 'web' });
    expect(seen[0]?.cookies).to.deep.equal({ ory_hydra_session: 's' });
    expect(seen[0]?.request.client_id).to.equal('web');
  });

  it('answers a failed step without calling the engine', async () => {
    const { engine, seen } = recordingEngine();
    const handlers = authorizeHandlers({ endpoint: endpoint(), engine });
    const reply = await invoke(handlers.oAuth2Authorize, {
      query: { ...GOOD, client_id: 'nobody' },
      cookies: {},
      headers: {},
    });
    expect(reply.status).to.equal(302);
    expect(String(reply.headers.Location)).to.match(
      /^https:\/\/auth\.example\/oauth2\/fallbacks\/error\?error=invalid_client&/,
    );
    expect(seen).to.have.length(0);
  });

  it('reads a POST form before its query', async () => {
    const { engine, seen } = recordingEngine();
    const handlers = authorizeHandlers({ endpoint: endpoint(), engine });
    await invoke(handlers.oAuth2AuthorizeWithForm, {
      query: { state: 'from-the-query' },
      body: { ...GOOD },
      cookies: {},
      headers: {},
    });
    expect(seen[0]?.request.state).to.equal(GOOD.state);
    expect(seen[0]?.query.state).to.equal(GOOD.state);
  });

  it('writes form_post and error pages as HTML', async () => {
    const handlers = authorizeHandlers({ endpoint: endpoint(), engine: recordingEngine().engine });
    const post = await invoke(handlers.oAuth2Authorize, {
      query: { ...GOOD, response_mode: 'form_post', scope: 'admin' },
      cookies: {},
      headers: {},
    });
    expect(post.status).to.equal(200);
    expect(post.headers['Content-Type']).to.equal('text/html;charset=UTF-8');
    expect(post.body).to.contain('<form method="post"');
    const page = await invoke(handlers.getOAuth2FallbackError, {
      query: { error: 'invalid_client', error_hint: '<x>' },
    });
    expect(page).to.include({ status: 400 });
    expect(page.headers['Content-Type']).to.equal('text/html;charset=UTF-8');
    expect(page.body).to.contain('&lt;x&gt;');
  });

  it("names the missing key on Hydra's not-configured page (500)", () => {
    const page = notConfiguredPage('urls.login');
    expect(page.status).to.equal(500);
    expect(page.html).to.contain('configuration key <code>urls.login</code> is not set');
  });
});

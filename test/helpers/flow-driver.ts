// A browser without a browser: drives the authorization code flow over real HTTP (manual redirects, a cookie
// jar, the admin login and consent API), the way a user agent and a login/consent app would. Every answer of
// /oauth2/auth and of the admin API is checked against openapi.yaml.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { call, contractProblem } from './api.js';
import { basicHeader, type CreatedClient, createClient } from './oauth2.js';
import type { TestServer } from './server.js';

export interface Hop {
  status: number;
  /** The Location header, re-based onto the test server's real public port when it points at the issuer. */
  location?: string;
  headers: Headers;
  text: string;
  url: string;
}

/** An RFC 7636 verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const randomState = () => randomBytes(12).toString('base64url');

/** A confidential web-app client: code + refresh, one redirect URI, openid and offline scopes. */
export function webClient(server: TestServer, extra: Record<string, unknown> = {}): Promise<CreatedClient> {
  return createClient(server, {
    client_secret: 'a-web-client-secret-0123456789',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1:5555/cb'],
    scope: 'openid offline_access offline profile email',
    ...extra,
  });
}

export class FlowDriver {
  /** Cookies by name (every cookie of these tests belongs to 127.0.0.1; paths are `/`). */
  readonly jar = new Map<string, string>();

  constructor(readonly server: TestServer) {}

  /** The server's URLs name the configured issuer (port 4444 in tests); requests go to the real port. */
  rebase(url: string): string {
    const target = new URL(url);
    const issuer = new URL(this.server.config.publicUrl);
    if (target.origin === issuer.origin) {
      const real = new URL(this.server.publicUrl);
      target.protocol = real.protocol;
      target.host = real.host;
    }
    return target.href;
  }

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** One request of the user agent: no redirect followed, cookies stored and sent. */
  async hop(url: string, init: RequestInit = {}): Promise<Hop> {
    const target = this.rebase(url);
    const headers = new Headers(init.headers);
    if (this.jar.size > 0 && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await response.text();
    const location = response.headers.get('location') ?? undefined;
    const checked = new URL(target).pathname;
    if (checked.startsWith('/oauth2/auth') || checked.startsWith('/oauth2/sessions/logout')) {
      const problem = contractProblem(
        init.method ?? 'GET',
        target,
        response.status,
        response.headers.get('content-type') ?? undefined,
        text === '' ? undefined : text,
      );
      expect(problem, `${target} ${response.status} violates openapi.yaml`).to.equal(null);
    }
    return {
      status: response.status,
      location: location === undefined ? undefined : this.rebase(new URL(location, target).href),
      headers: response.headers,
      text,
      url: target,
    };
  }

  /** GET /oauth2/auth with the given parameters. */
  authorize(params: Record<string, string>): Promise<Hop> {
    const url = new URL('/oauth2/auth', this.server.publicUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return this.hop(url.href);
  }

  /** Starts a flow and returns the login challenge of the redirect to urls.login. */
  async startLogin(params: Record<string, string>): Promise<{ challenge: string; hop: Hop }> {
    const hop = await this.authorize(params);
    expect(hop.status, hop.text).to.equal(302);
    const challenge = new URL(hop.location!).searchParams.get('login_challenge');
    expect(challenge, hop.location).to.be.a('string');
    return { challenge: challenge!, hop };
  }

  /** PUT …/login/accept or …/consent/accept (or reject); the redirect_to. */
  async decide(
    operationId:
      | 'acceptOAuth2LoginRequest'
      | 'rejectOAuth2LoginRequest'
      | 'acceptOAuth2ConsentRequest'
      | 'rejectOAuth2ConsentRequest',
    challenge: string,
    body: Record<string, unknown>,
  ): Promise<string> {
    const key = operationId.includes('Login') ? 'login_challenge' : 'consent_challenge';
    const res = await call(this.server, operationId, { query: { [key]: challenge }, json: body });
    expect(res.status, res.text).to.equal(200);
    return res.body.redirect_to as string;
  }

  /** Follows a redirect_to handed out by the admin API; expects the redirect to urls.consent. */
  async toConsent(redirectTo: string): Promise<{ challenge: string; hop: Hop }> {
    const hop = await this.hop(redirectTo);
    expect(hop.status, hop.text).to.equal(302);
    const challenge = new URL(hop.location!).searchParams.get('consent_challenge');
    expect(challenge, hop.location).to.be.a('string');
    return { challenge: challenge!, hop };
  }

  /**
   * The whole chain: /oauth2/auth → login accepted for `subject` → consent accepted with `grant` → the final
   * redirect to the client. Returns that redirect's parameters (query, or fragment for implicit types).
   */
  async login(
    params: Record<string, string>,
    options: {
      subject?: string;
      login?: Record<string, unknown>;
      consent?: Record<string, unknown>;
    } = {},
  ): Promise<{ hop: Hop; params: URLSearchParams }> {
    const { challenge } = await this.startLogin(params);
    const afterLogin = await this.decide('acceptOAuth2LoginRequest', challenge, {
      subject: options.subject ?? 'foo@bar.com',
      ...options.login,
    });
    const { challenge: consent } = await this.toConsent(afterLogin);
    const afterConsent = await this.decide('acceptOAuth2ConsentRequest', consent, {
      grant_scope: (params.scope ?? '').split(' ').filter(Boolean),
      ...options.consent,
    });
    const hop = await this.hop(afterConsent);
    return { hop, params: redirectParams(hop) };
  }
}

/** The parameters a redirect to the client carries: the query, or the fragment (implicit and hybrid). */
export function redirectParams(hop: Hop): URLSearchParams {
  expect(hop.location, `${hop.status} ${hop.text.slice(0, 300)}`).to.be.a('string');
  const url = new URL(hop.location!);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/** POST /oauth2/token with authorization_code, client_secret_basic (or `none` with client_id in the form). */
export async function exchangeCode(
  server: TestServer,
  client: CreatedClient,
  form: { code: string; redirect_uri?: string; code_verifier?: string },
) {
  const headers: Record<string, string> = {};
  const body: Record<string, string> = { grant_type: 'authorization_code', ...form };
  if (client.client_secret) headers.authorization = basicHeader(client.client_id, client.client_secret);
  else body.client_id = client.client_id;
  return call(server, 'oauth2TokenExchange', { form: body, headers });
}

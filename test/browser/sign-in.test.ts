// A person signs in with a real browser (Chromium through playwright-core) to a relying party built on
// openid-client, through the built-in login and consent UI of `serve --dev`: authorization code with PKCE and
// a nonce, an ID token whose signature and claims openid-client checks, userinfo, a refresh, a remembered
// second sign-in, a denied consent, a browser without JavaScript, and a wrong password. Chromium must start:
// a browser that cannot is a failure of this suite, never a skip.
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createAdminClient } from '../../sdk/index.js';
import { escapeHtml } from '../../server/html.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));
const SCOPE = 'openid offline_access email profile';
// The consent page shows the client's logo (an image URL; here inline).
const LOGO = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#0f766e"/><path d="M16 44 32 16l16 28z" fill="#fff"/></svg>',
)}`;

/** What the relying party learnt from one callback. */
interface Outcome {
  error?: string;
  error_description?: string;
  failure?: string;
  sub?: string;
  idToken?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  refreshed?: {
    newAccessToken: boolean;
    newRefreshToken: boolean;
    idToken?: Record<string, unknown>;
  };
}

/** A port that was free a moment ago: the issuer must name the public port before the server starts. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The relying party: /start sends the browser to /oauth2/auth, /cb redeems the code and shows the outcome. */
class RelyingParty {
  readonly outcomes: Outcome[] = [];
  private readonly pending = new Map<string, { verifier: string; nonce: string }>();
  private config: oidc.Configuration | undefined;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async discover(issuer: string, clientId: string, secret: string) {
    this.config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    // Verify the ID token's signature against the issuer's JWKS too (for the code flow openid-client would
    // otherwise rely on TLS alone, OIDC Core §3.1.3.7 item 6).
    oidc.enableNonRepudiationChecks(this.config);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const config = this.config!;
    const current = new URL(req.url ?? '/', this.url);
    if (current.pathname === '/start') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      this.pending.set(state, { verifier, nonce });
      const params: Record<string, string> = {
        redirect_uri: `${this.url}/cb`,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      const prompt = current.searchParams.get('prompt');
      if (prompt) params.prompt = prompt;
      res.writeHead(302, { location: oidc.buildAuthorizationUrl(config, params).href }).end();
      return;
    }
    if (current.pathname !== '/cb') {
      res.writeHead(404).end();
      return;
    }
    const outcome = await this.callback(config, current);
    this.outcomes.push(outcome);
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html lang="en"><title>Relying party</title><h1>Signed in?</h1><pre id="outcome">${escapeHtml(JSON.stringify(outcome, null, 2))}</pre></html>`,
      );
  }

  private async callback(config: oidc.Configuration, current: URL): Promise<Outcome> {
    const state = current.searchParams.get('state') ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    const error = current.searchParams.get('error');
    if (error !== null)
      return { error, error_description: current.searchParams.get('error_description') ?? '' };
    if (!pending) return { failure: `unknown state ${state}` };
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      return {
        sub: idToken.sub,
        idToken: { ...idToken },
        userinfo: { ...userinfo },
        refreshed: {
          newAccessToken: refreshed.access_token !== tokens.access_token,
          newRefreshToken: !!refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token,
          ...(refreshed.id_token ? { idToken: { ...refreshed.claims() } } : {}),
        },
      };
    } catch (err) {
      return { failure: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }
}

/** The URLs the tab showed (committed navigations of the main frame; redirects in between are not pages). */
function navigationLog(page: Page): string[] {
  const log: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) log.push(frame.url());
  });
  return log;
}

describe('signing in with a browser (Chromium, openid-client, the built-in dev UI)', function () {
  this.timeout(120_000);

  let browser: Browser;
  let server: TestServer;
  let rp: RelyingParty;
  let issuer: string;
  let clientId: string;

  before(async () => {
    // Not wrapped: a browser that cannot start fails the suite.
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
    });
    await mkdir(ARTIFACTS, { recursive: true });
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/`;
    server = await startTestServer({ 'urls.self.issuer': issuer, 'serve.public.port': port });
    rp = new RelyingParty();
    const rpUrl = await rp.listen();
    const admin = createAdminClient({ baseUrl: server.adminUrl, token: server.adminToken });
    const { data: client } = await admin.POST('/admin/clients', {
      body: {
        client_name: 'Acme Dashboard',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: SCOPE,
        redirect_uris: [`${rpUrl}/cb`],
        token_endpoint_auth_method: 'client_secret_basic',
        logo_uri: LOGO,
        policy_uri: 'https://acme.example/privacy',
        tos_uri: 'https://acme.example/terms',
      },
    });
    clientId = client.client_id!;
    await rp.discover(issuer, clientId, client.client_secret!);
  });

  after(async () => {
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  describe('one browser profile, three visits', () => {
    let context: BrowserContext;
    let page: Page;
    before(async () => {
      context = await browser.newContext();
      page = await context.newPage();
    });
    after(async () => {
      await context?.close();
    });

    it('signs in with the keyboard, consents, and gets a verified ID token, userinfo and a refresh', async () => {
      await page.goto(`${rp.url}/start`);
      expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/login');
      await page.getByLabel('Email').fill('foo@bar.com');
      await page.getByLabel('Password').fill('foobar');
      await page.getByLabel('Remember me').check();
      await page.screenshot({ path: `${ARTIFACTS}login.png`, fullPage: true });
      await Promise.all([
        page.waitForURL(/\/oauth2\/fallbacks\/consent\?/),
        page.getByLabel('Password').press('Enter'),
      ]);

      expect(await page.getByText('Acme Dashboard').first().isVisible()).to.equal(true);
      expect(await page.getByRole('img', { name: 'Acme Dashboard logo' }).count()).to.equal(1);
      const boxes = page.getByRole('checkbox', { checked: true });
      // One checked box per requested scope; "Remember this decision" starts unchecked.
      expect(await boxes.count()).to.equal(SCOPE.split(' ').length);
      for (const scope of SCOPE.split(' '))
        expect(await page.getByLabel(scope, { exact: true }).isChecked()).to.equal(true);
      await page.getByLabel('Remember this decision').check();
      await page.screenshot({ path: `${ARTIFACTS}consent.png`, fullPage: true });
      await Promise.all([
        page.waitForURL(`${rp.url}/cb?**`),
        page.getByRole('button', { name: 'Allow' }).click(),
      ]);
      await page.screenshot({ path: `${ARTIFACTS}relying-party.png`, fullPage: true });

      const outcome = rp.outcomes.at(-1)!;
      expect(outcome.failure, outcome.failure).to.equal(undefined);
      expect(outcome.sub).to.equal('foo@bar.com');
      expect(outcome.idToken).to.include({
        iss: issuer,
        sub: 'foo@bar.com',
        email: 'foo@bar.com',
        email_verified: true,
      });
      expect(outcome.idToken?.aud).to.satisfy(
        (aud: unknown) => aud === clientId || (Array.isArray(aud) && aud.includes(clientId)),
      );
      expect(outcome.userinfo).to.include({ sub: 'foo@bar.com', email: 'foo@bar.com', name: 'foo' });
      expect(outcome.refreshed).to.include({ newAccessToken: true, newRefreshToken: true });
      expect(outcome.refreshed?.idToken).to.include({ iss: issuer, sub: 'foo@bar.com' });
    });

    it('signs in again without a login or consent page (both remembered)', async () => {
      const log = navigationLog(page);
      await page.goto(`${rp.url}/start`);
      await page.waitForURL(`${rp.url}/cb?**`);
      expect(log.filter((u) => u.includes('/oauth2/fallbacks/'))).to.deep.equal([]);
      const outcome = rp.outcomes.at(-1)!;
      expect(outcome.failure, outcome.failure).to.equal(undefined);
      expect(outcome.sub).to.equal('foo@bar.com');
      expect(outcome.userinfo).to.include({ email: 'foo@bar.com' });
    });

    it('asks again with prompt=consent, and Deny reaches the client as access_denied', async () => {
      const log = navigationLog(page);
      await page.goto(`${rp.url}/start?prompt=consent`);
      expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/consent');
      expect(log.some((u) => u.includes('/oauth2/fallbacks/login'))).to.equal(false);
      await Promise.all([
        page.waitForURL(`${rp.url}/cb?**`),
        page.getByRole('button', { name: 'Deny' }).click(),
      ]);
      expect(rp.outcomes.at(-1)).to.include({ error: 'access_denied' });
    });
  });

  it('works with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${rp.url}/start`);
      await page.getByLabel('Email').fill('foo@bar.com');
      await page.getByLabel('Password').fill('foobar');
      await Promise.all([
        page.waitForURL(/\/oauth2\/fallbacks\/consent\?/),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await Promise.all([
        page.waitForURL(`${rp.url}/cb?**`),
        page.getByRole('button', { name: 'Allow' }).click(),
      ]);
      const outcome = rp.outcomes.at(-1)!;
      expect(outcome.failure, outcome.failure).to.equal(undefined);
      expect(outcome.sub).to.equal('foo@bar.com');
    } finally {
      await context.close();
    }
  });

  it('announces a wrong password with role="alert" and keeps the focus in the form', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${rp.url}/start`);
      await page.getByLabel('Email').fill('foo@bar.com');
      await page.getByLabel('Password').fill('wrong');
      await Promise.all([
        page.waitForURL('**/oauth2/fallbacks/login'),
        page.getByLabel('Password').press('Enter'),
      ]);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).to.match(/password is not correct/);
      expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/login');
      expect(await page.getByLabel('Email').inputValue()).to.equal('foo@bar.com');
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).to.equal('password');
      await page.screenshot({ path: `${ARTIFACTS}wrong-password.png`, fullPage: true });
      // The second try succeeds from the same page.
      await page.getByLabel('Password').fill('foobar');
      await Promise.all([
        page.waitForURL(/\/oauth2\/fallbacks\/consent\?/),
        page.getByLabel('Password').press('Enter'),
      ]);
    } finally {
      await context.close();
    }
  });
});

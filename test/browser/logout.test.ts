// A person signs in with a real browser (Chromium through playwright-core) to a relying party built on
// openid-client, through the built-in UI of `serve --dev`, then signs out from the relying party
// (RP-initiated logout with id_token_hint, post_logout_redirect_uri and state): the built-in logout page
// (No keeps the session, Yes ends it), the front-channel iframe that reaches the relying party with iss and
// sid, the back-channel logout token the relying party verifies with jose, the landing on the post-logout URI
// with the state, and a login page again on the next authorization request.
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createAdminClient } from '../../sdk/index.js';
import { escapeHtml } from '../../server/html.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));
const SCOPE = 'openid email';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A port that was free a moment ago: the issuer must name the public port before the server starts. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const page200 = (res: ServerResponse, title: string, body: string) =>
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(`<!doctype html><html lang="en"><title>${title}</title><h1>${title}</h1>${body}</html>`);

/**
 * The relying party: /start and /cb sign in (code with PKCE and a nonce), /logout sends the browser to the
 * end_session_endpoint, /logged-out is its post-logout URI, /fc its front-channel logout URI and /bc its
 * back-channel logout URI (which verifies the logout token as Back-Channel Logout 1.0 §2.6 says).
 */
class RelyingParty {
  idToken = '';
  sid = '';
  readonly frontChannel: URLSearchParams[] = [];
  readonly backChannel: { payload?: JWTPayload; header?: Record<string, unknown>; failure?: string }[] = [];
  readonly loggedOut: URLSearchParams[] = [];
  logoutState = '';
  private readonly pending = new Map<string, { verifier: string; nonce: string }>();
  private config: oidc.Configuration | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private issuer = '';
  private clientId = '';
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
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async discover(issuer: string, clientId: string, secret: string) {
    this.issuer = issuer;
    this.clientId = clientId;
    this.config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.enableNonRepudiationChecks(this.config);
    this.jwks = createRemoteJWKSet(new URL(this.config.serverMetadata().jwks_uri!), {
      timeoutDuration: 20_000,
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const config = this.config!;
    const current = new URL(req.url ?? '/', this.url);
    switch (current.pathname) {
      case '/start': {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        this.pending.set(state, { verifier, nonce });
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${this.url}/cb`,
          scope: SCOPE,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        res.writeHead(302, { location: url.href }).end();
        return;
      }
      case '/cb': {
        const state = current.searchParams.get('state') ?? '';
        const pending = this.pending.get(state)!;
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        this.idToken = tokens.id_token!;
        this.sid = String(tokens.claims()!.sid);
        page200(res, 'Signed in', `<p id="sub">${escapeHtml(String(tokens.claims()!.sub))}</p>`);
        return;
      }
      case '/logout': {
        // RP-Initiated Logout 1.0 §2, as openid-client builds it.
        this.logoutState = oidc.randomState();
        const url = oidc.buildEndSessionUrl(config, {
          id_token_hint: this.idToken,
          post_logout_redirect_uri: `${this.url}/logged-out`,
          state: this.logoutState,
        });
        res.writeHead(302, { location: url.href }).end();
        return;
      }
      case '/logged-out':
        this.loggedOut.push(current.searchParams);
        page200(res, 'Signed out of the relying party', '');
        return;
      case '/fc':
        // Front-Channel Logout 1.0 §2: rendered in an iframe of the OP's page.
        this.frontChannel.push(current.searchParams);
        page200(res, 'Front-channel logout', '');
        return;
      case '/bc': {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token') ?? '';
        try {
          // Back-Channel Logout 1.0 §2.6: signature, iss, aud, iat, events; sid or sub; no nonce.
          const { payload, protectedHeader } = await jwtVerify(token, this.jwks!, {
            issuer: this.issuer,
            audience: this.clientId,
          });
          if (!(payload.events as Record<string, unknown> | undefined)?.[EVENT]) throw new Error('no event');
          if ('nonce' in payload) throw new Error('a nonce');
          this.backChannel.push({ payload, header: protectedHeader as Record<string, unknown> });
          res.writeHead(200, { 'cache-control': 'no-store' }).end();
        } catch (err) {
          this.backChannel.push({ failure: String(err) });
          res.writeHead(400).end();
        }
        return;
      }
      default:
        res.writeHead(404).end();
    }
  }
}

describe('signing out with a browser (Chromium, openid-client, the built-in dev UI)', function () {
  this.timeout(120_000);

  let browser: Browser;
  let server: TestServer;
  let rp: RelyingParty;
  let issuer: string;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
    });
    await mkdir(ARTIFACTS, { recursive: true });
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/`;
    server = await startTestServer({
      'urls.self.issuer': issuer,
      'serve.public.port': port,
      // The relying party's back-channel endpoint listens on 127.0.0.1.
      'clients.http.disallow_private_ip_ranges': false,
    });
    rp = new RelyingParty();
    const rpUrl = await rp.listen();
    const admin = createAdminClient({ baseUrl: server.adminUrl, token: server.adminToken });
    const { data: client } = await admin.POST('/admin/clients', {
      body: {
        client_name: 'Acme Dashboard',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: SCOPE,
        redirect_uris: [`${rpUrl}/cb`],
        post_logout_redirect_uris: [`${rpUrl}/logged-out`],
        frontchannel_logout_uri: `${rpUrl}/fc`,
        backchannel_logout_uri: `${rpUrl}/bc`,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    });
    await rp.discover(issuer, client.client_id!, client.client_secret!);
    context = await browser.newContext();
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await rp?.close();
    await server?.close();
  });

  async function signIn() {
    await page.goto(`${rp.url}/start`);
    expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/login');
    await page.getByLabel('Email').fill('foo@bar.com');
    await page.getByLabel('Password').fill('foobar');
    await page.getByLabel('Remember me').check();
    await Promise.all([
      page.waitForURL(/\/oauth2\/fallbacks\/consent\?/),
      page.getByLabel('Password').press('Enter'),
    ]);
    await page.getByLabel('Remember this decision').check();
    await Promise.all([
      page.waitForURL(`${rp.url}/cb?**`),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    expect(await page.locator('#sub').textContent()).to.equal('foo@bar.com');
  }

  it('signs in, then No on the logout page keeps the session', async () => {
    await signIn();
    await page.goto(`${rp.url}/logout`);
    expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/logout');
    await page.getByRole('heading', { name: 'Do you want to sign out?' }).waitFor();
    await page.getByRole('button', { name: 'No' }).click();
    await page.getByRole('heading', { name: 'You are still signed in' }).waitFor();
    // Still remembered: the next sign-in passes no login page.
    await page.goto(`${rp.url}/start`);
    await page.waitForURL(`${rp.url}/cb?**`);
    expect(rp.backChannel).to.deep.equal([]);
  });

  it('Yes: front-channel iframe, back-channel logout token, the post-logout URI with state, and a login page next time', async () => {
    const { sid } = rp;
    expect(sid).to.match(/^[0-9a-f-]{36}$/);
    await page.goto(`${rp.url}/logout`);
    expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/logout');
    await page.screenshot({ path: `${ARTIFACTS}logout.png`, fullPage: true });
    await Promise.all([
      page.waitForURL(`${rp.url}/logged-out?**`),
      page.getByRole('button', { name: 'Yes, sign me out' }).click(),
    ]);
    // The browser landed on the post-logout URI with the relying party's state.
    expect(rp.loggedOut.at(-1)?.get('state')).to.equal(rp.logoutState);
    // The front-channel page loaded the relying party's URI in an iframe, with iss and sid.
    expect(rp.frontChannel).to.have.length(1);
    expect(rp.frontChannel[0]!.get('iss')).to.equal(issuer);
    expect(rp.frontChannel[0]!.get('sid')).to.equal(sid);
    // The back-channel logout token reached the relying party, which verified it.
    const end = Date.now() + 40_000;
    while (rp.backChannel.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(rp.backChannel).to.have.length(1);
    const [delivery] = rp.backChannel;
    expect(delivery!.failure, delivery!.failure).to.equal(undefined);
    expect(delivery!.header).to.include({ typ: 'JWT', alg: 'RS256' });
    expect(delivery!.payload).to.include({ iss: issuer, sid });
    expect(delivery!.payload!.events).to.deep.equal({ [EVENT]: {} });
    // A new authorization request asks for a login again.
    await page.goto(`${rp.url}/start`);
    expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/login');
  });
});

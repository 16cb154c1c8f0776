// The device authorization grant (RFC 8628) with a real browser: a CLI-like device polls the token endpoint
// with plain fetch (honouring `interval` and `slow_down`) while a person, in Chromium, opens the verification
// URI (the complete one, or the bare one and types the code), signs in on the built-in login page, consents,
// and lands on the built-in done page; the device then holds access, refresh and ID tokens. A denied consent
// reaches the device as access_denied. Chromium must start: a browser that cannot is a failure, never a skip.
import { mkdir } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createAdminClient } from '../../sdk/index.js';
import type { DeviceAuthorization } from '../helpers/device.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'openid offline_access profile';

/** A port that was free a moment ago: the issuer must name the public port before the server starts. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a command-line tool does (RFC 8628 §3.1, §3.4–3.5): ask for a code, show it, poll until an answer. */
class DevicePoller {
  readonly answers: string[] = [];

  constructor(
    private readonly issuer: string,
    private readonly clientId: string,
    private readonly secret: string,
  ) {}

  private post(path: string, form: Record<string, string>) {
    return fetch(new URL(path, this.issuer), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.clientId}:${this.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form),
    });
  }

  async start(): Promise<DeviceAuthorization> {
    const res = await this.post('oauth2/device/auth', { client_id: this.clientId, scope: SCOPE });
    expect(res.status).to.equal(200);
    return (await res.json()) as DeviceAuthorization;
  }

  /** Polls every `interval` seconds (5 more after each slow_down) until tokens or an error other than pending. */
  async poll(
    start: DeviceAuthorization,
    maxPolls = Number.POSITIVE_INFINITY,
  ): Promise<Record<string, string>> {
    let interval = start.interval;
    for (let n = 1; ; n++) {
      await sleep(interval * 1000);
      const res = await this.post('oauth2/token', {
        grant_type: DEVICE_GRANT,
        device_code: start.device_code,
      });
      const body = (await res.json()) as Record<string, string>;
      this.answers.push(body.error ?? 'tokens');
      if (n >= maxPolls) return body;
      if (body.error === 'authorization_pending') continue;
      if (body.error === 'slow_down') {
        interval += 5;
        continue;
      }
      return body;
    }
  }
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

describe('the device flow with a browser (Chromium, the built-in device, login and consent pages)', function () {
  this.timeout(120_000);

  let browser: Browser;
  let server: TestServer;
  let issuer: string;
  let poller: () => DevicePoller;
  let clientId: string;

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
      // Short polls keep the test quick; the device still honours what the server says.
      'oauth2.device_authorization.token_polling_interval': '1s',
    });
    const admin = createAdminClient({ baseUrl: server.adminUrl, token: server.adminToken });
    const { data: client } = await admin.POST('/admin/clients', {
      body: {
        client_name: 'Acme TV',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        scope: SCOPE,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    });
    clientId = client.client_id!;
    poller = () => new DevicePoller(issuer, clientId, client.client_secret!);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The built-in login and consent pages, then the done page. */
  async function signInAndConsent(page: Page, decision: 'Allow' | 'Deny') {
    await page.waitForURL(/\/oauth2\/fallbacks\/login\?/);
    await page.getByLabel('Email').fill('foo@bar.com');
    await page.getByLabel('Password').fill('foobar');
    await Promise.all([
      page.waitForURL(/\/oauth2\/fallbacks\/consent\?/),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(await page.getByText('Acme TV').first().isVisible()).to.equal(true);
    await page.getByRole('button', { name: decision }).click();
  }

  it('opens verification_uri_complete, signs in, consents; the polling device gets access, refresh and ID tokens', async () => {
    const device = poller();
    const start = await device.start();
    const tokens = device.poll(start);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(start.verification_uri_complete);
      expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/device');
      // The code of the link is filled in; the person only confirms it.
      expect(await page.getByLabel('Code').inputValue()).to.equal(start.user_code);
      await page.screenshot({ path: `${ARTIFACTS}device-code.png`, fullPage: true });
      await page.getByRole('button', { name: 'Continue' }).click();
      await signInAndConsent(page, 'Allow');
      await page.waitForURL(/\/oauth2\/fallbacks\/device\/done\?/);
      expect(new URL(page.url()).searchParams.get('client_id')).to.equal(clientId);
      expect(await page.getByRole('heading', { name: 'Device connected' }).isVisible()).to.equal(true);
      await page.screenshot({ path: `${ARTIFACTS}device-done.png`, fullPage: true });
    } finally {
      await context.close();
    }
    const body = await tokens;
    expect(body.access_token).to.match(/^ory_at_/);
    expect(body.refresh_token).to.match(/^ory_rt_/);
    expect(claimsOf(body.id_token!)).to.include({ iss: issuer, sub: 'foo@bar.com' });
    expect(body.scope).to.equal(SCOPE);
    expect(device.answers.at(-1)).to.equal('tokens');
    expect(device.answers.slice(0, -1).every((a) => a === 'authorization_pending')).to.equal(true);
  });

  it('opens verification_uri and takes the code typed in lower case; a wrong code is announced first', async () => {
    const device = poller();
    const start = await device.start();
    const tokens = device.poll(start);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(start.verification_uri);
      expect(new URL(page.url()).pathname).to.equal('/oauth2/fallbacks/device');
      await page.getByLabel('Code').fill('zzzz-zzzz');
      await page.getByRole('button', { name: 'Continue' }).click();
      const alert = page.getByRole('alert');
      expect(await alert.textContent()).to.contain('That code is not valid');
      expect(await page.getByLabel('Code').getAttribute('aria-invalid')).to.equal('true');
      await page.getByLabel('Code').fill(start.user_code.toLowerCase().replace('-', ' '));
      await page.getByLabel('Code').press('Enter');
      await signInAndConsent(page, 'Allow');
      await page.waitForURL(/\/oauth2\/fallbacks\/device\/done\?/);
    } finally {
      await context.close();
    }
    const body = await tokens;
    expect(body.access_token).to.match(/^ory_at_/);
  });

  it('a denied consent reaches the polling device as access_denied', async () => {
    const device = poller();
    const start = await device.start();
    const tokens = device.poll(start);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(start.verification_uri_complete);
      await page.getByRole('button', { name: 'Continue' }).click();
      await signInAndConsent(page, 'Deny');
      // Hydra writes this leg's errors to the browser as JSON.
      await page.waitForURL(/\/oauth2\/device\/verify\?.*consent_verifier=/);
      expect(await page.textContent('body')).to.contain('access_denied');
    } finally {
      await context.close();
    }
    const body = await tokens;
    expect(body.error).to.equal('access_denied');
  });

  it('answers slow_down to a device that polls sooner than the interval', async () => {
    const device = poller();
    const start = await device.start();
    // A device that ignores the interval: the second poll comes at once.
    const body = await device.poll({ ...start, interval: 0 }, 2);
    expect(device.answers).to.deep.equal(['authorization_pending', 'slow_down']);
    expect(body.error).to.equal('slow_down');
  });
});

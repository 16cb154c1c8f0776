// `tollgate perform authorization-code` as users run it (the compiled CLI in a child process): it prints the
// authorization URL on stderr, a "browser" (flow-driver) signs in through the login and consent API, the
// redirect lands on the command's loopback callback server, and the token response is printed on stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { BIN } from '../helpers/cli.js';
import { FlowDriver } from '../helpers/flow-driver.js';
import { type CreatedClient, createClient, introspect } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The authorization URL: the line of stderr that carries the request's parameters. */
const AUTH_URL = /^(http:\/\/\S+\?\S*response_type=code\S*)$/m;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A running `tollgate perform authorization-code`: its output so far and its end. */
class Perform {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string> = {}) {
    // A clean environment: only PATH and what the test passes.
    this.child = spawn(process.execPath, [BIN, 'perform', 'authorization-code', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => {
      this.stdout += String(chunk);
    });
    this.child.stderr!.on('data', (chunk) => {
      this.stderr += String(chunk);
    });
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  /** The authorization URL printed on stderr, once the callback server listens. */
  async authorizationUrl(): Promise<URL> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const match = AUTH_URL.exec(this.stderr);
      if (match && this.stderr.includes('Waiting for the callback')) return new URL(match[1]!);
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no authorization URL on stderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  kill() {
    if (this.child.exitCode === null) this.child.kill();
  }
}

describe('tollgate perform authorization-code', function () {
  // Each run is a fresh node process; on a busy machine that takes seconds.
  this.timeout(120_000);
  let server: TestServer;
  let runs: Perform[] = [];

  const perform = (args: string[], env?: Record<string, string>) => {
    const run = new Perform(args, env);
    runs.push(run);
    return run;
  };

  /** A client of the code flow whose redirect URI is the command's callback on `port`. */
  const codeClient = (port: number, extra: Record<string, unknown> = {}) =>
    createClient(server, {
      client_secret: 'a-cli-client-secret-0123456789',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`http://127.0.0.1:${port}/callback`],
      scope: 'openid offline',
      ...extra,
    });

  const flags = (client: CreatedClient, port: number) => [
    '-e',
    server.publicUrl,
    '--client-id',
    client.client_id,
    ...(client.client_secret ? ['--client-secret', client.client_secret] : []),
    '--port',
    String(port),
    '--no-open',
  ];

  before(async () => {
    server = await startTestServer();
  });
  afterEach(() => {
    for (const run of runs) run.kill();
    runs = [];
  });
  after(() => server.close());

  /** Signs in through the URL the command printed; returns the browser's last hop (the callback's page). */
  async function signIn(url: URL) {
    const browser = new FlowDriver(server);
    const start = await browser.hop(url.href);
    expect(start.status, start.text).to.equal(302);
    const challenge = new URL(start.location!).searchParams.get('login_challenge')!;
    const afterLogin = await browser.decide('acceptOAuth2LoginRequest', challenge, {
      subject: 'foo@bar.com',
    });
    const { challenge: consent } = await browser.toConsent(afterLogin);
    const afterConsent = await browser.decide('acceptOAuth2ConsentRequest', consent, {
      grant_scope: url.searchParams.get('scope')!.split(' '),
    });
    const toClient = await browser.hop(afterConsent);
    expect(toClient.status, toClient.text).to.be.oneOf([302, 303]);
    expect(toClient.location).to.match(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    return browser.hop(toClient.location!);
  }

  it('signs in with a confidential client: state, nonce and PKCE S256 sent; tokens printed as JSON', async () => {
    const port = await freePort();
    const client = await codeClient(port);
    const run = perform(flags(client, port));
    const url = await run.authorizationUrl();
    expect(`${url.origin}${url.pathname}`).to.equal(new URL('/oauth2/auth', server.publicUrl).href);
    const params = Object.fromEntries(url.searchParams);
    expect(params).to.include({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: `http://127.0.0.1:${port}/callback`,
      scope: 'offline openid',
      code_challenge_method: 'S256',
    });
    expect(params.state).to.match(/^[\w-]{32}$/);
    expect(params.nonce).to.match(/^[\w-]{32}$/);
    expect(params.code_challenge).to.match(/^[\w-]{43}$/);

    const callback = await signIn(url);
    expect(callback.status, callback.text).to.equal(200);
    expect(callback.text).to.contain('Signed in');
    expect(await run.exited, run.stderr).to.equal(0);
    const token = JSON.parse(run.stdout);
    expect(token).to.include({ token_type: 'bearer', scope: 'offline openid' });
    expect(token.access_token).to.be.a('string');
    expect(token.refresh_token).to.be.a('string');
    expect(token.id_token).to.be.a('string');
    const claims = JSON.parse(Buffer.from(token.id_token.split('.')[1], 'base64url').toString());
    expect(claims).to.include({ sub: 'foo@bar.com', nonce: params.nonce });
    const active = await introspect(server, token.access_token);
    expect(active).to.include({ active: true, sub: 'foo@bar.com', client_id: client.client_id });
  });

  it('signs in with a public client (no secret): the PKCE verifier alone redeems the code', async () => {
    const port = await freePort();
    const client = await codeClient(port, { client_secret: undefined, token_endpoint_auth_method: 'none' });
    expect(client.client_secret ?? '').to.equal('');
    const run = perform([...flags(client, port), '--scope', 'openid', '-q']);
    const url = await run.authorizationUrl();
    const callback = await signIn(url);
    expect(callback.status, callback.text).to.equal(200);
    expect(await run.exited, run.stderr).to.equal(0);
    // -q prints only the access token.
    const accessToken = run.stdout.trim();
    expect(accessToken).to.match(/^\S+$/);
    expect(await introspect(server, accessToken)).to.include({ active: true, sub: 'foo@bar.com' });
  });

  it('passes prompt, max_age, audience, response_mode and a fixed state; / redirects to the URL', async () => {
    const port = await freePort();
    const run = perform([
      ...flags({ client_id: 'any' }, port),
      '--prompt',
      'login,consent',
      '--max-age',
      '0',
      '--audience',
      'https://api.example',
      '--response-mode',
      'query',
      '--state',
      'a-fixed-state-value',
      '--scope',
      'openid',
      '--scope',
      'email',
    ]);
    const url = await run.authorizationUrl();
    expect(Object.fromEntries(url.searchParams)).to.include({
      prompt: 'login consent',
      max_age: '0',
      audience: 'https://api.example',
      response_mode: 'query',
      state: 'a-fixed-state-value',
      scope: 'openid email',
    });
    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(home.status).to.equal(302);
    expect(home.headers.get('location')).to.equal(url.href);
  });

  it('an error at the callback (the user denied) exits 1 with the error and its description', async () => {
    const port = await freePort();
    const run = perform(flags({ client_id: 'any', client_secret: 'whatever' }, port));
    const url = await run.authorizationUrl();
    const state = url.searchParams.get('state')!;
    const res = await fetch(
      `http://127.0.0.1:${port}/callback?error=access_denied&error_description=The+resource+owner+denied+the+request&state=${state}`,
    );
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('access_denied');
    expect(await run.exited).to.equal(1);
    expect(run.stderr).to.contain(
      'tollgate: the authorization server answered access_denied: The resource owner denied the request',
    );
    expect(run.stdout).to.equal('');
  });

  it('a callback with another state is refused (exit 1) and no code is exchanged', async () => {
    const port = await freePort();
    const run = perform(flags({ client_id: 'any', client_secret: 'whatever' }, port));
    await run.authorizationUrl();
    const res = await fetch(`http://127.0.0.1:${port}/callback?code=stolen&state=not-ours`);
    expect(res.status).to.equal(400);
    expect(await run.exited).to.equal(1);
    expect(run.stderr).to.contain(
      'tollgate: the callback\'s state "not-ours" is not the one this command sent',
    );
  });

  it("a code the server refuses exits 1 with the token endpoint's error", async () => {
    const port = await freePort();
    const client = await codeClient(port);
    const run = perform(flags(client, port));
    const state = (await run.authorizationUrl()).searchParams.get('state')!;
    const res = await fetch(`http://127.0.0.1:${port}/callback?code=not-a-code&state=${state}`);
    expect(res.status).to.equal(502);
    expect(await run.exited).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^tollgate: the server answered 400: invalid_grant/m);
  });

  it('--auth-url/--token-url: sends the PKCE verifier of its challenge and refuses an ID token with another nonce', async () => {
    // A stand-in token endpoint: records the exchange, answers with an ID token minted for another request.
    let exchange: { authorization?: string; form: URLSearchParams } | undefined;
    const fake = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        exchange = { authorization: req.headers.authorization, form: new URLSearchParams(body) };
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            access_token: 'at',
            token_type: 'bearer',
            expires_in: 3600,
            id_token: `${part({ alg: 'RS256' })}.${part({ sub: 'x', nonce: 'another-request' })}.sig`,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    try {
      const port = await freePort();
      const run = perform([
        '--auth-url',
        `${base}/authorize?tenant=a`,
        '--token-url',
        `${base}/token`,
        '--client-id',
        'c:1',
        '--client-secret',
        's',
        '--port',
        String(port),
        '--no-open',
      ]);
      const url = await run.authorizationUrl();
      expect(`${url.origin}${url.pathname}`).to.equal(`${base}/authorize`);
      expect(url.searchParams.get('tenant')).to.equal('a');
      const state = url.searchParams.get('state')!;
      const res = await fetch(`http://127.0.0.1:${port}/callback?code=the-code&state=${state}`);
      expect(res.status).to.equal(502);
      expect(await run.exited).to.equal(1);
      expect(run.stderr).to.contain('tollgate: the ID token does not carry the nonce of this request');
      expect(run.stdout).to.equal('');

      const form = exchange!.form;
      expect(Object.fromEntries(form)).to.include({
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: `http://127.0.0.1:${port}/callback`,
      });
      // RFC 7636 §4.6: BASE64URL(SHA256(verifier)) is the challenge that was sent.
      const verifier = form.get('code_verifier')!;
      expect(createHash('sha256').update(verifier).digest('base64url')).to.equal(
        url.searchParams.get('code_challenge'),
      );
      expect(exchange!.authorization).to.equal(`Basic ${Buffer.from('c%3A1:s').toString('base64')}`);
    } finally {
      fake.close();
    }
  });

  it('--no-shutdown keeps serving after an error, with a new state', async () => {
    const port = await freePort();
    const run = perform([...flags({ client_id: 'any', client_secret: 'whatever' }, port), '--no-shutdown']);
    const first = (await run.authorizationUrl()).searchParams.get('state')!;
    await fetch(`http://127.0.0.1:${port}/callback?error=access_denied&state=${first}`);
    const deadline = Date.now() + 30_000;
    while (run.stderr.split('/oauth2/auth?').length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const urls = [...run.stderr.matchAll(new RegExp(AUTH_URL, 'gm'))].map((m) => new URL(m[1]!));
    expect(urls).to.have.length(2);
    expect(urls[1]!.searchParams.get('state')).not.to.equal(first);
    expect(run.stderr).to.contain('tollgate: the authorization server answered access_denied');
    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(home.headers.get('location')).to.equal(urls[1]!.href);
  });

  it('takes the client from OAUTH2_CLIENT_ID; usage errors exit 2', async () => {
    const port = await freePort();
    const fromEnv = perform(['-e', server.publicUrl, '--port', String(port), '--no-open'], {
      OAUTH2_CLIENT_ID: 'from-the-environment',
    });
    expect((await fromEnv.authorizationUrl()).searchParams.get('client_id')).to.equal('from-the-environment');
    fromEnv.kill();

    const noClient = perform(['-e', server.publicUrl, '--no-open']);
    expect(await noClient.exited).to.equal(2);
    expect(noClient.stderr).to.contain('no client id: pass --client-id or set OAUTH2_CLIENT_ID');
    const badPort = perform(['-e', server.publicUrl, '--client-id', 'x', '--port', 'abc']);
    expect(await badPort.exited).to.equal(2);
    expect(badPort.stderr).to.contain('--port must be a whole number from 1 to 65535');
    const noEndpoint = perform(['--client-id', 'x', '--no-open']);
    expect(await noEndpoint.exited).to.equal(2);
    expect(noEndpoint.stderr).to.contain('no public API URL: pass --endpoint or set TOLLGATE_PUBLIC_URL');
  });
});

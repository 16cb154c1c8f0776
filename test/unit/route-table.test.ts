// The route table is the contract: an operation's `x-tollgate-*` extensions and its security requirements
// decide validation, rate limits, admin authentication and the wording of errors, on every path the app serves
// it (aliases included), through Express and the fast path alike.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { adminAuthentication } from '../../server/http/admin-auth.js';
import { type AppHooks, createAdminApp, createPublicApp } from '../../server/http/apps.js';
import {
  CONTRACT_FILE,
  type Contract,
  loadContract,
  RequestValidationError,
} from '../../server/http/contract.js';
import { errorPage } from '../../server/http/error-handler.js';
import type { Handlers, OperationId, OperationRequest } from '../../server/http/operations.js';
import { rateLimit } from '../../server/http/rate-limit.js';
import { routeTable } from '../../server/http/routes.js';
import { OAuth2Error, TemporarilyUnavailable } from '../../server/oauth2/errors.js';
import { TokenBuckets } from '../../server/protection/token-bucket.js';

type Document = { paths: Record<string, Record<string, Record<string, unknown>>> };

/** A copy of openapi.yaml with one operation changed. */
const contractWith = (path: string, method: string, change: (op: Record<string, unknown>) => void) =>
  changedContract((document) => change(document.paths[path]![method]!));

/** A copy of openapi.yaml, changed. */
function changedContract(change: (document: Document) => void): Contract {
  const document = parse(readFileSync(CONTRACT_FILE, 'utf8')) as Document;
  change(document);
  const file = join(mkdtempSync(join(tmpdir(), 'tollgate-contract-')), 'openapi.yaml');
  writeFileSync(file, stringify(document));
  return loadContract(file);
}

const handlers = {
  createOAuth2Client: async () => ({ status: 201, body: {} }),
  getVersion: async () => ({ status: 200, body: { version: 'test' } }),
  isAlive: async () => ({ status: 200, body: { status: 'ok' } }),
  introspectOAuth2Token: async () => ({ status: 200, body: { active: false } }),
  setJsonWebKeySet: async () => ({ status: 200, body: { keys: [] } }),
} as unknown as Handlers;

async function serve(listener: RequestListener, run: (base: string) => Promise<void>) {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const adminApp = (contract: Contract, hooks: AppHooks) =>
  createAdminApp(pino({ level: 'silent' }), contract, handlers, hooks);

describe('route table from the contract', () => {
  it('x-tollgate-values-in-domain lets value faults through to the domain, and only there', () => {
    const request = () => ({
      params: {},
      query: {},
      body: {},
      contentType: 'application/x-www-form-urlencoded',
    });
    // No grant_type: a value fault, which the token endpoint words itself (fosite's invalid_request).
    expect(() => loadContract().operations.get('oauth2TokenExchange')!.validate(request())).not.to.throw();
    const without = contractWith('/oauth2/token', 'post', (op) => {
      delete op['x-tollgate-values-in-domain'];
    });
    expect(() => without.operations.get('oauth2TokenExchange')!.validate(request())).to.throw(
      RequestValidationError,
    );
  });

  it('x-tollgate-rate-limit limits an operation on its path and its admin alias', async () => {
    const post = (base: string, path: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then((r) => r.status);
    const limited = (contract: Contract) =>
      adminApp(contract, {
        operationHooks: rateLimit({ perAddress: new TokenBuckets({ rate: 0.001, burst: 1 }) }),
      });

    await serve(limited(loadContract()), async (base) => {
      expect([await post(base, '/admin/clients'), await post(base, '/clients')]).to.deep.equal([201, 201]);
    });
    const marked = contractWith('/admin/clients', 'post', (op) => {
      op['x-tollgate-rate-limit'] = 'claimed_client';
    });
    await serve(limited(marked), async (base) => {
      expect([await post(base, '/admin/clients'), await post(base, '/clients')]).to.deep.equal([201, 429]);
    });
  });

  it('admin authentication spares exactly the operations whose security is empty', async () => {
    const hooks = { beforeBody: [adminAuthentication(['admin-token'])] };
    const statuses = (base: string) =>
      Promise.all(
        ['/admin/version', '/version', '/admin/health/alive'].map((p) =>
          fetch(`${base}${p}`).then((r) => r.status),
        ),
      );

    await serve(adminApp(loadContract(), hooks), async (base) => {
      expect(await statuses(base)).to.deep.equal([401, 401, 200]);
    });
    const open = contractWith('/admin/version', 'get', (op) => {
      op.security = [];
    });
    await serve(adminApp(open, hooks), async (base) => {
      expect(await statuses(base)).to.deep.equal([200, 200, 200]);
    });
  });

  it('x-tollgate-error-style: the OAuth 2.0 operations, and only they, answer fosite errors', () => {
    const contract = loadContract();
    const all = Object.fromEntries(
      [...contract.operations.keys()].map((id) => [id, handlers.isAlive]),
    ) as unknown as Handlers;
    const table = routeTable(contract, all, (path) =>
      path.startsWith('/admin/') ? [path.slice('/admin'.length)] : [],
    );
    const styles = Object.fromEntries(
      table.routes.flatMap(({ operation, paths }) =>
        paths.map((path) => [`${operation.method} ${path}`, operation.errorStyle]),
      ),
    );
    const fosite = Object.keys(styles).filter((route) => styles[route] === 'oauth2');
    expect(fosite.sort()).to.deep.equal([
      'delete /admin/oauth2/auth/sessions/consent',
      'delete /admin/oauth2/auth/sessions/login',
      'delete /admin/oauth2/tokens',
      'delete /oauth2/auth/sessions/consent',
      'delete /oauth2/auth/sessions/login',
      'delete /oauth2/register/{id}',
      'delete /oauth2/tokens',
      'get /admin/oauth2/auth/requests/consent',
      'get /admin/oauth2/auth/requests/login',
      'get /admin/oauth2/auth/requests/logout',
      'get /admin/oauth2/auth/sessions/consent',
      'get /oauth2/auth/requests/consent',
      'get /oauth2/auth/requests/login',
      'get /oauth2/auth/requests/logout',
      'get /oauth2/auth/sessions/consent',
      'get /oauth2/device/verify',
      'get /oauth2/register/{id}',
      'get /userinfo',
      'post /admin/oauth2/introspect',
      'post /oauth2/device/auth',
      'post /oauth2/introspect',
      'post /oauth2/register',
      'post /oauth2/revoke',
      'post /oauth2/token',
      'post /userinfo',
      'put /admin/oauth2/auth/requests/consent/accept',
      'put /admin/oauth2/auth/requests/consent/reject',
      'put /admin/oauth2/auth/requests/device/accept',
      'put /admin/oauth2/auth/requests/login/accept',
      'put /admin/oauth2/auth/requests/login/reject',
      'put /admin/oauth2/auth/requests/logout/accept',
      'put /admin/oauth2/auth/requests/logout/reject',
      'put /oauth2/auth/requests/consent/accept',
      'put /oauth2/auth/requests/consent/reject',
      'put /oauth2/auth/requests/device/accept',
      'put /oauth2/auth/requests/login/accept',
      'put /oauth2/auth/requests/login/reject',
      'put /oauth2/auth/requests/logout/accept',
      'put /oauth2/auth/requests/logout/reject',
      'put /oauth2/register/{id}',
    ]);
    const pages = Object.keys(styles).filter((route) => styles[route] === 'html');
    expect(pages.sort()).to.deep.equal([
      'get /oauth2/auth',
      'get /oauth2/fallbacks/consent',
      'get /oauth2/fallbacks/device',
      'get /oauth2/fallbacks/device/done',
      'get /oauth2/fallbacks/error',
      'get /oauth2/fallbacks/login',
      'get /oauth2/fallbacks/logout',
      'get /oauth2/fallbacks/logout/callback',
      'get /oauth2/sessions/logout',
      'post /oauth2/auth',
      'post /oauth2/fallbacks/consent',
      'post /oauth2/fallbacks/device',
      'post /oauth2/fallbacks/login',
      'post /oauth2/fallbacks/logout',
      'post /oauth2/sessions/logout',
    ]);
    // Paths without parameters take their route's style, before the body is read.
    expect(['/oauth2/token', '/oauth2/introspect/', '/admin/clients'].map(table.errorStyle)).to.deep.equal([
      'oauth2',
      'oauth2',
      'admin',
    ]);
  });

  it('one path, one error style: a body is refused before its method counts', () => {
    const mixed = contractWith('/admin/clients', 'post', (op) => {
      op['x-tollgate-error-style'] = 'oauth2';
    });
    const both = { ...handlers, listOAuth2Clients: handlers.isAlive } as Handlers;
    expect(() => routeTable(mixed, both)).to.throw(/different x-tollgate-error-style/);
    expect(() => routeTable(mixed, handlers)).not.to.throw();
    const misspelt = () =>
      contractWith('/admin/clients', 'post', (op) => {
        op['x-tollgate-error-style'] = 'fosite';
      });
    expect(misspelt).to.throw(/x-tollgate-error-style must be one of oauth2, admin, html/);
  });

  it('x-tollgate-cors and x-tollgate-dev-only mark their operations; unknown values are refused at load', () => {
    const operations = loadContract().operations;
    const marked = (flag: 'cors' | 'devOnly') =>
      [...operations.values()]
        .filter((o) => o[flag])
        .map((o) => o.operationId)
        .sort();
    expect(marked('cors')).to.deep.equal([
      'getOidcUserInfo',
      'oauth2TokenExchange',
      'postOidcUserInfo',
      'revokeOAuth2Token',
    ]);
    expect(marked('devOnly')).to.deep.equal([
      'getDevConsent',
      'getDevDeviceDone',
      'getDevDeviceVerification',
      'getDevLogin',
      'getDevLogout',
      'submitDevConsent',
      'submitDevDeviceVerification',
      'submitDevLogin',
      'submitDevLogout',
    ]);
    const withCors = (value: unknown) => () =>
      contractWith('/oauth2/token', 'post', (op) => {
        op['x-tollgate-cors'] = value;
      });
    expect(withCors('any')).to.throw(/oauth2TokenExchange: x-tollgate-cors must be one of client/);
    expect(withCors(true)).to.throw(/x-tollgate-cors must be one of client/);
    expect(withCors('client')().operations.get('oauth2TokenExchange')!.cors).to.equal(true);
    // The path knows it too, for a preflight answered before any operation is chosen.
    const table = routeTable(loadContract(), handlers);
    expect(table.find('/admin/oauth2/introspect')?.cors).to.equal(false);
    expect(
      routeTable(loadContract(), { oauth2TokenExchange: handlers.isAlive } as Handlers).find('/oauth2/token'),
    ).to.deep.include({ cors: true });
    const devOnly = (value: unknown) => () =>
      contractWith('/admin/version', 'get', (op) => {
        op['x-tollgate-dev-only'] = value;
      });
    expect(devOnly('yes')).to.throw(/getVersion: x-tollgate-dev-only must be true or false/);
    expect(devOnly(true)().operations.get('getVersion')!.devOnly).to.equal(true);
    expect(devOnly(false)().operations.get('getVersion')!.devOnly).to.equal(false);
  });

  /** Status, the error key and whether the answer forbids caching (fosite does, herodot does not). */
  const answer = async (base: string, path: string, init: RequestInit) => {
    const res = await fetch(`${base}${path}`, init);
    const body = (await res.json()) as { error: string };
    return `${res.status} ${body.error}${res.headers.get('cache-control') === 'no-store' ? ' no-store' : ''}`;
  };
  const malformedJson = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' };
  const HERODOT_400 = '400 The request was malformed or contained invalid parameters';

  it('an operation declared oauth2-style outside /oauth2/ answers fosite errors, on its alias too', async () => {
    const shapeFault = { ...malformedJson, body: '{"client_name": 7}' };
    await serve(adminApp(loadContract(), {}), async (base) => {
      expect(await answer(base, '/admin/clients', malformedJson)).to.equal(HERODOT_400);
      expect(await answer(base, '/clients', shapeFault)).to.equal(HERODOT_400);
    });
    const fosite = contractWith('/admin/clients', 'post', (op) => {
      op['x-tollgate-error-style'] = 'oauth2';
    });
    await serve(adminApp(fosite, {}), async (base) => {
      expect(await answer(base, '/admin/clients', malformedJson)).to.equal('400 invalid_request no-store');
      expect(await answer(base, '/clients', shapeFault)).to.equal('400 invalid_request no-store');
      // A method the path does not serve: the 405 is worded as the path's operations word their errors.
      expect(await answer(base, '/admin/clients', { method: 'DELETE' })).to.equal(
        '405 Method Not Allowed no-store',
      );
    });
  });

  it('the fast path words errors as the operation declares, not as its path suggests', async () => {
    const missingToken = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=x',
    };
    await serve(adminApp(loadContract(), {}), async (base) => {
      expect(await answer(base, '/admin/oauth2/introspect', missingToken)).to.equal(
        '400 invalid_request no-store',
      );
    });
    const herodot = contractWith('/admin/oauth2/introspect', 'post', (op) => {
      delete op['x-tollgate-error-style'];
    });
    await serve(adminApp(herodot, {}), async (base) => {
      expect(await answer(base, '/admin/oauth2/introspect', missingToken)).to.equal(HERODOT_400);
      expect(await answer(base, '/oauth2/introspect', missingToken)).to.equal(HERODOT_400);
    });
  });

  it("a path with parameters takes its operations' style even when the body parser refuses the body", async () => {
    const put = { ...malformedJson, method: 'PUT' };
    await serve(adminApp(loadContract(), {}), async (base) => {
      expect(await answer(base, '/admin/keys/some-set', put)).to.equal(HERODOT_400);
    });
    const fosite = changedContract((document) => {
      for (const op of Object.values(document.paths['/admin/keys/{set}']!)) {
        if (typeof op === 'object' && op !== null && 'operationId' in op)
          op['x-tollgate-error-style'] = 'oauth2';
      }
    });
    await serve(adminApp(fosite, {}), async (base) => {
      expect(await answer(base, '/admin/keys/some-set', put)).to.equal('400 invalid_request no-store');
      expect(await answer(base, '/keys/some-set', put)).to.equal('400 invalid_request no-store');
    });
  });

  it('a malformed JSON body to /admin/clients/{id} is refused herodot-style, on its alias too', async () => {
    const served = {
      ...handlers,
      getOAuth2Client: handlers.isAlive,
      setOAuth2Client: handlers.isAlive,
    } as Handlers;
    const app = createAdminApp(pino({ level: 'silent' }), loadContract(), served);
    await serve(app, async (base) => {
      for (const path of ['/admin/clients/x', '/clients/x', '/admin/clients/x/']) {
        for (const method of ['PUT', 'POST']) {
          expect(await answer(base, path, { ...malformedJson, method }), `${method} ${path}`).to.equal(
            HERODOT_400,
          );
        }
      }
    });
  });

  it('find knows the paths with parameters too, with their style and methods', () => {
    const fosite = changedContract((document) => {
      for (const op of Object.values(document.paths['/admin/keys/{set}']!)) {
        if (typeof op === 'object' && op !== null && 'operationId' in op)
          op['x-tollgate-error-style'] = 'oauth2';
      }
    });
    const table = routeTable(fosite, { ...handlers, getJsonWebKeySet: handlers.isAlive } as Handlers);
    for (const path of ['/admin/keys/some-set', '/admin/keys/some-set/']) {
      expect(table.find(path), path).to.deep.include({ errorStyle: 'oauth2', open: false });
    }
    expect(table.find('/admin/keys/some-set')?.allow).to.equal('GET, HEAD, OPTIONS, PUT');
    expect(table.find('/admin/keys/')).to.equal(undefined);
    expect(table.find('/admin/keys/some-set/kid/extra')).to.equal(undefined);
  });

  // Pins the behaviour from before the style moved into the contract (a pattern on the path): a request no
  // route serves is refused in the style of its directory, and its 404 is always herodot's.
  it('requests that match no route keep their wording on both ports', async () => {
    const oversized = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a'.repeat(1024 * 1024 + 1),
    };
    const json = { ...malformedJson, body: '{}' };
    const apps = {
      public: createPublicApp(pino({ level: 'silent' }), loadContract(), {
        oauth2TokenExchange: handlers.createOAuth2Client,
      } as unknown as Handlers),
      admin: adminApp(loadContract(), {}),
    };
    for (const [port, app] of Object.entries(apps)) {
      await serve(app, async (base) => {
        const seen: Record<string, string[]> = {};
        for (const path of [
          '/oauth2/xyz',
          '/oauth2/token/extra',
          '/admin/oauth2/xyz',
          '/oauth2/',
          '/oauth2',
          '/admin/oauth2',
          '/admin/xyz',
          '/OAuth2/token',
          '/xyz',
        ]) {
          seen[path] = [
            await answer(base, path, malformedJson),
            await answer(base, path, oversized),
            await answer(base, path, json),
          ];
        }
        const fosite = ['400 invalid_request no-store', '413 invalid_request no-store', '404 Not Found'];
        const herodot = [HERODOT_400, '413 Payload Too Large', '404 Not Found'];
        expect(seen, port).to.deep.equal({
          '/oauth2/xyz': fosite,
          '/oauth2/token/extra': fosite,
          '/admin/oauth2/xyz': fosite,
          '/oauth2/': fosite,
          '/oauth2': herodot,
          '/admin/oauth2': herodot,
          '/admin/xyz': herodot,
          '/OAuth2/token': herodot,
          '/xyz': herodot,
        });
      });
    }
  });
});

describe('the browser endpoints: HTML error pages, cookies, headers and forms reach the handler', () => {
  /** Answers what the handler saw, as a page; `state` picks a failure. */
  const echo = async (request: OperationRequest<OperationId>) => {
    const { state } = request.query as { state?: string };
    if (state === 'down') throw new TemporarilyUnavailable();
    if (state === 'bug') throw new Error('unexpected at /srv/secret/module.ts:12');
    if (state === 'markup')
      throw new OAuth2Error(400, 'invalid_request', '<script>alert("x")</script> & more');
    const seen = { method: request.method, origin: request.headers.origin, cookies: request.cookies };
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] },
      body: `<pre>${JSON.stringify({ ...seen, body: request.body })}</pre>`,
    };
  };
  const app = createPublicApp(pino({ level: 'silent' }), loadContract(), {
    oAuth2Authorize: echo,
    oAuth2AuthorizeWithForm: echo,
    submitDevConsent: echo,
    getOAuth2FallbackError: async () => ({ status: 400, body: '<p>no type given</p>' }),
    getOidcUserInfo: async () => ({
      status: 200,
      headers: { 'Content-Type': 'application/jwt' },
      body: 'h.p.s',
    }),
  } as unknown as Handlers);
  const page = async (res: Response) => {
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const text = await res.text();
    expect(text).to.match(/^<!doctype html>\n<html lang="en">/);
    return text;
  };
  const seen = async (res: Response) => JSON.parse(/<pre>(.*)<\/pre>/.exec(await res.text())![1]!);
  const form = (body: string) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

  it('a request the contract refuses gets a page titled with the error, with its status', async () => {
    await serve(app, async (base) => {
      // A repeated parameter is no fault: it counts with its first value, as Hydra reads it.
      expect((await fetch(`${base}/oauth2/auth?state=a&state=b`)).status).to.equal(200);
      const refused = await fetch(`${base}/oauth2/auth?state=a%00b`);
      expect(refused.status).to.equal(400);
      const text = await page(refused);
      expect(text).to.include('<title>invalid_request</title>');
      expect(text).to.include('<h1>invalid_request</h1>');
      expect(text).not.to.include('error_description');
      const oversized = await fetch(`${base}/oauth2/auth`, form(`state=${'x'.repeat(1024 * 1024)}`));
      expect(oversized.status).to.equal(413);
      expect(await page(oversized)).to.include('larger than the allowed 1 MiB');
    });
  });

  it('an error description is escaped, and an unexpected error shows no detail', async () => {
    await serve(app, async (base) => {
      const markup = await page(await fetch(`${base}/oauth2/auth?state=markup`));
      expect(markup).to.include('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more');
      expect(markup).not.to.include('<script>');
      const bug = await fetch(`${base}/oauth2/auth?state=bug`);
      expect(bug.status).to.equal(500);
      const text = await page(bug);
      expect(text).to.include('<title>server_error</title>');
      expect(text).not.to.match(/secret|module\.ts|at \//);
    });
  });

  it('503: a link that repeats the GET, escaped; a POST is not repeated by a link', async () => {
    await serve(app, async (base) => {
      const down = await fetch(`${base}/oauth2/auth?state=down&client_id=a%22b&x=<i>`);
      expect(down.status).to.equal(503);
      expect(down.headers.get('retry-after')).to.equal('1');
      const text = await page(down);
      expect(text).to.include('<title>temporarily_unavailable</title>');
      expect(text).to.include(
        '<a href="/oauth2/auth?state=down&amp;client_id=a%22b&amp;x=%3Ci%3E">Try again</a>',
      );
      const posted = await page(await fetch(`${base}/oauth2/auth?state=down`, form('client_id=c')));
      expect(posted).not.to.include('href');
      expect(posted).to.include('send the form again');
    });
    // A target that starts with `//` names another host as a link: never linked.
    for (const url of ['//evil.example/x', '/\\evil.example/x', 'http://evil.example/']) {
      expect(errorPage(new TemporarilyUnavailable(), { method: 'GET', url }), url).not.to.include('href');
    }
  });

  it('the handler sees the method, the headers and the parsed cookies, and may set several cookies', async () => {
    await serve(app, async (base) => {
      const res = await fetch(`${base}/oauth2/auth?state=ok`, {
        headers: { cookie: 'a=1; b="two"; a=shadowed; junk', origin: 'https://rp.example' },
      });
      expect(res.status).to.equal(200);
      expect(res.headers.getSetCookie()).to.deep.equal(['a=1; Path=/', 'b=2; Path=/']);
      expect(await seen(res)).to.deep.equal({
        method: 'GET',
        origin: 'https://rp.example',
        cookies: { a: '1', b: 'two' },
      });
    });
  });

  it('form bodies: a repeated field counts once, unless the contract makes it a list (grant_scope)', async () => {
    await serve(app, async (base) => {
      const authorize = await seen(await fetch(`${base}/oauth2/auth`, form('scope=a&scope=b&state=ok')));
      expect(authorize).to.deep.include({ method: 'POST', body: { scope: 'a', state: 'ok' } });
      const consent = (body: string) => fetch(`${base}/oauth2/fallbacks/consent`, form(body)).then(seen);
      expect((await consent('grant_scope=openid&grant_scope=email&action=allow')).body).to.deep.equal({
        grant_scope: ['openid', 'email'],
        action: 'allow',
      });
      expect((await consent('grant_scope=openid')).body).to.deep.equal({ grant_scope: ['openid'] });
    });
  });

  it('a string body is sent as it is: HTML by default on a browser endpoint, or the media type set (a JWT)', async () => {
    await serve(app, async (base) => {
      const page = await fetch(`${base}/oauth2/fallbacks/error`);
      expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(await page.text()).to.equal('<p>no type given</p>');
      const jwt = await fetch(`${base}/userinfo`);
      expect(jwt.headers.get('content-type')).to.equal('application/jwt');
      expect(await jwt.text()).to.equal('h.p.s');
    });
  });
});

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
import type { Handlers } from '../../server/http/operations.js';
import { rateLimit } from '../../server/http/rate-limit.js';
import { routeTable } from '../../server/http/routes.js';
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
      'delete /oauth2/tokens',
      'get /admin/oauth2/auth/requests/consent',
      'get /admin/oauth2/auth/requests/login',
      'get /admin/oauth2/auth/sessions/consent',
      'get /oauth2/auth/requests/consent',
      'get /oauth2/auth/requests/login',
      'get /oauth2/auth/sessions/consent',
      'get /userinfo',
      'post /admin/oauth2/introspect',
      'post /oauth2/introspect',
      'post /oauth2/revoke',
      'post /oauth2/token',
      'post /userinfo',
      'put /admin/oauth2/auth/requests/consent/accept',
      'put /admin/oauth2/auth/requests/consent/reject',
      'put /admin/oauth2/auth/requests/login/accept',
      'put /admin/oauth2/auth/requests/login/reject',
      'put /oauth2/auth/requests/consent/accept',
      'put /oauth2/auth/requests/consent/reject',
      'put /oauth2/auth/requests/login/accept',
      'put /oauth2/auth/requests/login/reject',
    ]);
    const pages = Object.keys(styles).filter((route) => styles[route] === 'html');
    expect(pages.sort()).to.deep.equal([
      'get /oauth2/auth',
      'get /oauth2/fallbacks/consent',
      'get /oauth2/fallbacks/error',
      'get /oauth2/fallbacks/login',
      'post /oauth2/auth',
      'post /oauth2/fallbacks/consent',
      'post /oauth2/fallbacks/login',
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

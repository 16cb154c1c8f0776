// The route table is the contract: an operation's `x-tollgate-*` extensions and its security requirements
// decide validation, rate limits and admin authentication, on every path the app serves it (aliases included).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { adminAuthentication } from '../../server/http/admin-auth.js';
import { type AppHooks, createAdminApp } from '../../server/http/apps.js';
import {
  CONTRACT_FILE,
  type Contract,
  loadContract,
  RequestValidationError,
} from '../../server/http/contract.js';
import type { Handlers } from '../../server/http/operations.js';
import { rateLimit } from '../../server/http/rate-limit.js';
import { TokenBuckets } from '../../server/protection/token-bucket.js';

type Document = { paths: Record<string, Record<string, Record<string, unknown>>> };

/** A copy of openapi.yaml with one operation changed. */
function contractWith(path: string, method: string, change: (op: Record<string, unknown>) => void): Contract {
  const document = parse(readFileSync(CONTRACT_FILE, 'utf8')) as Document;
  change(document.paths[path]![method]!);
  const file = join(mkdtempSync(join(tmpdir(), 'tollgate-contract-')), 'openapi.yaml');
  writeFileSync(file, stringify(document));
  return loadContract(file);
}

const handlers = {
  createOAuth2Client: async () => ({ status: 201, body: {} }),
  getVersion: async () => ({ status: 200, body: { version: 'test' } }),
  isAlive: async () => ({ status: 200, body: { status: 'ok' } }),
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
        afterBody: [rateLimit({ perAddress: new TokenBuckets({ rate: 0.001, burst: 1 }) })],
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
});

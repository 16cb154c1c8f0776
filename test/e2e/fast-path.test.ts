// The hot operations are served by http/fast-path.ts when the request is plain, by Express otherwise (a query
// string, a trailing slash, another content type). Both must answer alike: same status, body and headers.
import { expect } from 'chai';
import fc from 'fast-check';
import { basicHeader, ccClient } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SAME_HEADERS = ['content-type', 'cache-control', 'pragma', 'retry-after'];

async function both(base: string, path: string, init: RequestInit) {
  const answer = async (url: string) => {
    const res = await fetch(url, init);
    const text = await res.text();
    return {
      status: res.status,
      body: text.startsWith('{') ? JSON.parse(text) : text,
      headers: Object.fromEntries(SAME_HEADERS.map((h) => [h, res.headers.get(h)])),
      requestId: res.headers.get('x-request-id'),
    };
  };
  // `?via=express` sends the same request through Express (the fast path takes only exact paths).
  return { fast: await answer(`${base}${path}`), express: await answer(`${base}${path}?via=express`) };
}

describe('fast path and Express answer alike', () => {
  let server: TestServer;
  let authorization: string;
  before(async () => {
    server = await startTestServer();
    const client = await ccClient(server, { scope: 'api' });
    authorization = basicHeader(client.client_id, client.client_secret!);
  });
  after(() => server.close());

  const form = (body: string | Uint8Array, extra: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body,
  });

  for (const [what, body, auth] of [
    ['an empty body', '', true],
    ['no grant_type', 'scope=api', true],
    ['an unknown grant type', 'grant_type=password', true],
    ['a scope the client may not have', 'grant_type=client_credentials&scope=admin', true],
    ['no client credentials', 'grant_type=client_credentials', false],
  ] as const) {
    it(`token endpoint, ${what}`, async () => {
      const { fast, express } = await both(
        server.publicUrl,
        '/oauth2/token',
        form(body, auth ? { authorization } : {}),
      );
      expect(fast.status).to.be.within(400, 499);
      expect({ ...fast, requestId: undefined }).to.deep.equal({ ...express, requestId: undefined });
      expect(fast.requestId).to.match(/^[\w.:-]+$/);
    });
  }

  it('token endpoint, success: same headers and keys', async () => {
    const { fast, express } = await both(
      server.publicUrl,
      '/oauth2/token',
      form('grant_type=client_credentials&scope=api', { authorization }),
    );
    expect(fast.status).to.equal(200);
    expect(fast.headers).to.deep.equal(express.headers);
    expect(Object.keys(fast.body)).to.deep.equal(Object.keys(express.body));
  });

  it('token endpoint, generated bodies: the fast form reader parses exactly as Express', async () => {
    // Keys the endpoint echoes in its errors (grant type, scope) among others, and values mixing plain text,
    // escapes valid and not, `+`, separators inside escapes, non-ASCII and repeated keys.
    const piece = fc.constantFrom(
      'client_credentials',
      'api',
      'a b',
      '+',
      '%20',
      '%2B',
      '%26',
      '%3D',
      '%',
      '%2',
      '%zz',
      '%E2%82',
      '%E2%9C%93',
      '%FF',
      'ü',
      '✓',
      '[x]',
      '',
    );
    const key = fc.oneof(fc.constantFrom('grant_type', 'scope', 'audience', 'x'), piece);
    const pair = fc.tuple(key, fc.array(piece, { maxLength: 3 }), fc.boolean());
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { minLength: 1, maxLength: 6 }), async (pairs) => {
        const body = pairs.map(([k, v, eq]) => (eq ? `${k}=${v.join('')}` : `${k}${v.join('')}`)).join('&');
        const { fast, express } = await both(
          server.publicUrl,
          '/oauth2/token',
          form(body, { authorization }),
        );
        expect({ ...fast, requestId: undefined }, body).to.deep.equal({ ...express, requestId: undefined });
      }),
      { numRuns: 80, seed: 20261126 },
    );
  });

  it('token endpoint, more than 1,000 parameters: the same 413 on both paths', async () => {
    const body = Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&');
    const { fast, express } = await both(server.publicUrl, '/oauth2/token', form(body, { authorization }));
    expect(fast.status).to.equal(413);
    expect({ ...fast, requestId: undefined }).to.deep.equal({ ...express, requestId: undefined });
  });

  it('token endpoint, raw bytes that are not UTF-8: the same answer on both paths', async () => {
    const body = Buffer.concat([
      Buffer.from('grant_type=a'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('&scope=api'),
    ]);
    const { fast, express } = await both(server.publicUrl, '/oauth2/token', form(body, { authorization }));
    expect(fast.status).to.equal(400);
    expect({ ...fast, requestId: undefined }).to.deep.equal({ ...express, requestId: undefined });
  });

  it('introspection: unknown and missing tokens', async () => {
    for (const body of ['token=nope', 'scope=api', '']) {
      const { fast, express } = await both(server.adminUrl, '/admin/oauth2/introspect', form(body));
      expect({ ...fast, requestId: undefined }, body).to.deep.equal({ ...express, requestId: undefined });
    }
  });

  it('a request id sent by the caller is echoed on the fast path', async () => {
    const res = await fetch(
      `${server.adminUrl}/admin/oauth2/introspect`,
      form('token=x', { 'x-request-id': 'abc-1' }),
    );
    expect(res.headers.get('x-request-id')).to.equal('abc-1');
    expect(
      server.logs.some(
        (l) => l.includes('"request_id":"abc-1"') && l.includes('"path":"/admin/oauth2/introspect"'),
      ),
    ).to.equal(true);
  });
});

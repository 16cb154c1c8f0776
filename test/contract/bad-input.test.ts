// Bad input on both ports against a real server: malformed JSON, wrong content types, oversized bodies, wrong
// JSON types, unknown enum values, non-patch bodies, missing parameters, unknown routes and wrong methods.
// Every answer must be a 4xx with a JSON body holding string `error` and `error_description` (never a 5xx,
// never HTML), and a rejected request must change nothing.
import { expect } from 'chai';
import { type ApiResponse, type CallOptions, call, raw } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MALFORMED = 'The request was malformed or contained invalid parameters';
const INVALID_REQUEST =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
const INVALID_CLIENT_METADATA =
  "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata.";
const OVERSIZED = JSON.stringify({ client_name: 'x'.repeat(1024 * 1024 + 10) });

/** A 4xx with Hydra's two-key JSON error body. */
function expectJsonError(response: ApiResponse, status?: number) {
  const where = `${response.status} ${response.text.slice(0, 300)}`;
  if (status !== undefined) expect(response.status, where).to.equal(status);
  expect(response.status, where).to.be.within(400, 499);
  expect(response.headers.get('content-type'), where).to.match(/^application\/json/);
  expect(response.body, where).to.be.an('object');
  expect(response.body.error, where).to.be.a('string').that.is.not.empty;
  expect(response.body.error_description, where).to.be.a('string');
  expect(Object.keys(response.body).sort(), where).to.deep.equal(['error', 'error_description']);
}

/** The OAuth 2.0 endpoints also forbid caching their errors (RFC 6749 §5.2, fosite). */
function expectOAuth2Error(response: ApiResponse, status: number, error: string) {
  expectJsonError(response, status);
  expect(response.body.error).to.equal(error);
  expect(response.headers.get('content-type')).to.equal('application/json;charset=UTF-8');
  expect(response.headers.get('cache-control')).to.equal('no-store');
  expect(response.headers.get('pragma')).to.equal('no-cache');
}

describe('bad input on both ports: always a 4xx JSON error, never a 5xx, and nothing changes', function () {
  this.timeout(30_000);
  let server: TestServer;
  let clientId: string;
  const secret = 'the-stable-secret';
  let snapshot: unknown;

  before(async () => {
    server = await startTestServer();
    const created = await call(server, 'createOAuth2Client', {
      json: {
        client_id: 'stable-client',
        client_name: 'stable',
        client_secret: secret,
        grant_types: ['client_credentials'],
        scope: 'read',
        contacts: ['ops@example.com'],
      },
    });
    expect(created.status).to.equal(201);
    clientId = created.body.client_id;
    snapshot = (await call(server, 'getOAuth2Client', { params: { id: clientId } })).body;
  });

  /** The client, its secret and its listing are exactly as created. */
  async function expectUnchanged() {
    const now = await call(server, 'getOAuth2Client', { params: { id: clientId } });
    expect(now.status).to.equal(200);
    expect(now.body).to.deep.equal(snapshot);
    const token = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'client_credentials', scope: 'read' },
      basic: [clientId, secret],
    });
    expect(token.status, token.text).to.equal(200);
    const list = await call(server, 'listOAuth2Clients');
    expect(list.body.map((c: { client_id: string }) => c.client_id)).to.deep.equal([clientId]);
  }

  after(async () => {
    // No request of this suite reached the 500 path of the error handler.
    const errors = server?.logs.filter((line) => /"level":"(error|fatal)"|"status":5\d\d/.test(line)) ?? [];
    await server?.close();
    expect(errors, errors.join('\n')).to.deep.equal([]);
  });

  describe('malformed JSON', () => {
    const bodies = ['{"client_name":', '{client_name: "x"}', "{'a':1}", '{"a":1}}', 'nul', '\u0000'];
    const targets: [string, CallOptions][] = [
      ['createOAuth2Client', {}],
      ['setOAuth2Client', { params: { id: 'stable-client' } }],
      ['patchOAuth2Client', { params: { id: 'stable-client' } }],
      ['setOAuth2ClientLifespans', { params: { id: 'stable-client' } }],
      ['createJsonWebKeySet', { params: { set: 'bad-json' } }],
      ['setJsonWebKeySet', { params: { set: 'bad-json' } }],
      ['setJsonWebKey', { params: { set: 'bad-json', kid: 'k' } }],
    ];
    for (const [operationId, options] of targets) {
      it(`${operationId}: 400 "Unable to decode the request body" for each malformed body`, async () => {
        for (const body of bodies) {
          const response = await call(server, operationId, {
            ...options,
            body,
            headers: { 'content-type': 'application/json' },
          });
          expectJsonError(response, 400);
          expect(response.body.error).to.equal(MALFORMED);
          expect(response.body.error_description).to.match(/^Unable to decode the request body: /);
          expect(response.headers.get('content-type')).to.equal('application/json');
        }
        await expectUnchanged();
        expect((await call(server, 'getJsonWebKeySet', { params: { set: 'bad-json' } })).status).to.equal(
          404,
        );
      });
    }

    it('a JSON value that is not an object (array, string, number, null, true) is 400 on create and PUT', async () => {
      for (const body of ['[]', '"client"', '42', 'null', 'true', '[{"client_name":"x"}]']) {
        for (const operationId of ['createOAuth2Client', 'setOAuth2Client']) {
          const response = await call(server, operationId, {
            params: { id: clientId },
            body,
            headers: { 'content-type': 'application/json' },
          });
          expectJsonError(response, 400);
        }
      }
      await expectUnchanged();
    });
  });

  describe('wrong content type', () => {
    it('text/plain, form or no content type to POST /admin/clients: 4xx, nothing created', async () => {
      const body = JSON.stringify({ client_id: 'wrong-type', client_name: 'x' });
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', undefined]) {
        const response = await call(server, 'createOAuth2Client', {
          body,
          headers: type ? { 'content-type': type } : {},
        });
        expectJsonError(response);
        const missing = await call(server, 'getOAuth2Client', { params: { id: 'wrong-type' } });
        expect(missing.status, String(type)).to.equal(404);
      }
      await expectUnchanged();
    });

    it('an unsupported JSON charset is a 4xx', async () => {
      const response = await call(server, 'setOAuth2Client', {
        params: { id: clientId },
        body: JSON.stringify({ client_name: 'latin' }),
        headers: { 'content-type': 'application/json; charset=latin1' },
      });
      expectJsonError(response, 415);
      await expectUnchanged();
    });

    for (const operationId of ['oauth2TokenExchange', 'revokeOAuth2Token', 'introspectOAuth2Token']) {
      it(`JSON to ${operationId}: 400 invalid_request`, async () => {
        const response = await call(server, operationId, {
          json: { grant_type: 'client_credentials', token: 'x', client_id: clientId, client_secret: secret },
        });
        expectOAuth2Error(response, 400, 'invalid_request');
        expect(response.body.error_description.startsWith(INVALID_REQUEST)).to.equal(true);
      });

      it(`malformed JSON to ${operationId}: 400 invalid_request, worded as OAuth 2.0`, async () => {
        const response = await call(server, operationId, {
          body: '{"grant_type":',
          headers: { 'content-type': 'application/json' },
        });
        expectOAuth2Error(response, 400, 'invalid_request');
      });

      it(`an empty body to ${operationId}: 400 invalid_request`, async () => {
        const response = await call(server, operationId, {
          body: '',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expectOAuth2Error(response, 400, 'invalid_request');
      });
    }
  });

  describe('oversized bodies (> 1 MiB)', () => {
    it('POST and PUT /admin/clients: 413 with error JSON, nothing stored', async () => {
      const created = await call(server, 'createOAuth2Client', {
        body: OVERSIZED,
        headers: { 'content-type': 'application/json' },
      });
      expectJsonError(created, 413);
      const replaced = await call(server, 'setOAuth2Client', {
        params: { id: clientId },
        body: OVERSIZED,
        headers: { 'content-type': 'application/json' },
      });
      expectJsonError(replaced, 413);
      await expectUnchanged();
    });

    it('POST /oauth2/token and /admin/oauth2/introspect: 413 invalid_request', async () => {
      const form = `grant_type=client_credentials&scope=${'a'.repeat(1024 * 1024 + 10)}`;
      for (const operationId of ['oauth2TokenExchange', 'introspectOAuth2Token']) {
        const response = await call(server, operationId, { form, basic: [clientId, secret] });
        expectOAuth2Error(response, 413, 'invalid_request');
      }
    });

    it('a body just under the limit is read (and judged on its content)', async () => {
      const response = await call(server, 'setOAuth2Client', {
        params: { id: clientId },
        body: JSON.stringify({ client_name: 'x'.repeat(1000 * 1000), skip_consent: 'yes' }),
        headers: { 'content-type': 'application/json' },
      });
      expectJsonError(response, 400);
      expect(response.body.error_description).to.match(/skip_consent/);
      await expectUnchanged();
    });
  });

  describe('wrong JSON types', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['grant_types', { grant_types: 'client_credentials' }],
      ['grant_types', { grant_types: [1, 2] }],
      ['skip_consent', { skip_consent: 'yes' }],
      ['client_name', { client_name: 42 }],
      ['scope', { scope: ['read'] }],
      ['metadata', { metadata: 'x' }],
      ['metadata', { metadata: [1] }],
      ['jwks', { jwks: 'x' }],
      ['client_secret', { client_secret: 123456 }],
      ['skip_logout_consent', { skip_logout_consent: 'no' }],
      [
        'client_credentials_grant_access_token_lifespan',
        { client_credentials_grant_access_token_lifespan: 3600 },
      ],
    ];
    for (const [field, body] of cases) {
      it(`${JSON.stringify(body)}: 400 naming ${field} on create and PUT, nothing changed`, async () => {
        const created = await call(server, 'createOAuth2Client', { json: { client_id: 'typed', ...body } });
        expectJsonError(created, 400);
        expect(created.body.error).to.equal(MALFORMED);
        expect(created.body.error_description).to.include(field);
        const replaced = await call(server, 'setOAuth2Client', {
          params: { id: clientId },
          json: { client_name: 'changed', grant_types: ['client_credentials'], ...body },
        });
        expectJsonError(replaced, 400);
        expect(replaced.body.error_description).to.include(field);
        expect((await call(server, 'getOAuth2Client', { params: { id: 'typed' } })).status).to.equal(404);
        await expectUnchanged();
      });
    }

    it('a JSON Patch that writes a wrong type is 400 and changes nothing', async () => {
      for (const patch of [
        [{ op: 'replace', path: '/grant_types', value: 'client_credentials' }],
        [{ op: 'replace', path: '/skip_consent', value: 'yes' }],
        [{ op: 'add', path: '/client_secret', value: 42 }],
        [{ op: 'add', path: '/client_secret', value: 'short' }],
      ]) {
        const response = await call(server, 'patchOAuth2Client', { params: { id: clientId }, json: patch });
        expectJsonError(response, 400);
      }
      await expectUnchanged();
    });
  });

  describe('unknown enum values', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['subject_type', { subject_type: 'magic' }],
      ['userinfo_signed_response_alg', { userinfo_signed_response_alg: 'HS256' }],
      ['access_token_strategy', { access_token_strategy: 'magic' }],
    ];
    for (const [field, body] of cases) {
      it(`${JSON.stringify(body)}: 400 naming ${field} on create, PUT and PATCH, nothing changed`, async () => {
        const created = await call(server, 'createOAuth2Client', { json: { client_id: 'enum', ...body } });
        expectJsonError(created, 400);
        const named = new RegExp(field.replaceAll('_', '[ _]'), 'i');
        expect(created.body.error_description).to.match(named);
        const replaced = await call(server, 'setOAuth2Client', { params: { id: clientId }, json: body });
        expectJsonError(replaced, 400);
        expect(replaced.body.error_description).to.match(named);
        const patched = await call(server, 'patchOAuth2Client', {
          params: { id: clientId },
          json: [{ op: 'replace', path: `/${field}`, value: body[field] }],
        });
        expectJsonError(patched, 400);
        expect(patched.body.error_description).to.match(named);
        expect((await call(server, 'getOAuth2Client', { params: { id: 'enum' } })).status).to.equal(404);
        await expectUnchanged();
      });
    }

    // Hydra's validator answers invalid_client_metadata with this hint, naming the configured
    // oidc.subject_identifiers.supported_types (`public` by default). The contract declares `subject_type` an enum,
    // but leaves value checks of client bodies to the domain validator, which words them as Hydra does.
    it("subject_type magic on create answers Hydra's invalid_client_metadata body", async () => {
      const created = await call(server, 'createOAuth2Client', { json: { subject_type: 'magic' } });
      expect(created.body).to.deep.equal({
        error: 'invalid_client_metadata',
        error_description: `${INVALID_CLIENT_METADATA} Subject type magic is not supported by server, only [public] are allowed.`,
      });
    });

    it("subject_type magic through PATCH answers Hydra's invalid_client_metadata body", async () => {
      const patched = await call(server, 'patchOAuth2Client', {
        params: { id: clientId },
        json: [{ op: 'replace', path: '/subject_type', value: 'magic' }],
      });
      expect(patched.status).to.equal(400);
      expect(patched.body).to.deep.equal({
        error: 'invalid_client_metadata',
        error_description: `${INVALID_CLIENT_METADATA} Subject type magic is not supported by server, only [public] are allowed.`,
      });
    });

    it('an unknown key-generation alg or a non-string use is 400', async () => {
      for (const json of [
        { alg: 'XX999', use: 'sig', kid: 'k' },
        { alg: 'ES256', use: 7, kid: 'k' },
        { alg: 'ES256', use: 'encrypt', kid: 'k' },
        { use: 'sig', kid: 'k' },
      ]) {
        const response = await call(server, 'createJsonWebKeySet', { params: { set: 'enum-set' }, json });
        expectJsonError(response, 400);
      }
      expect((await call(server, 'getJsonWebKeySet', { params: { set: 'enum-set' } })).status).to.equal(404);
    });
  });

  describe('JSON nested deeper than 64 levels (the stack is not the limit)', () => {
    const nested = (levels: number, core = '1') => `${'{"a":'.repeat(levels)}${core}${'}'.repeat(levels)}`;
    const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

    it('client metadata nested 5,000 deep: 400 on create, PUT and PATCH, nothing changed', async () => {
      const deep = nested(5_000);
      const requests: [string, CallOptions][] = [
        ['createOAuth2Client', { body: `{"client_name":"deep","metadata":${deep}}` }],
        ['setOAuth2Client', { params: { id: clientId }, body: `{"metadata":${deep}}` }],
        [
          'patchOAuth2Client',
          { params: { id: clientId }, body: `[{"op":"add","path":"/metadata/x","value":${deep}}]` },
        ],
        ['setJsonWebKeySet', { params: { set: 'deep' }, body: `{"keys":[${arrays(5_000)}]}` }],
      ];
      for (const [operationId, options] of requests) {
        const response = await call(server, operationId, {
          ...options,
          headers: { 'content-type': 'application/json' },
        });
        expectJsonError(response, 400);
        expect(response.body.error_description).to.include('more than 64 levels deep');
      }
      await expectUnchanged();
    });

    it('64 levels are accepted, 65 are not', async () => {
      // The body is level 1, so metadata's 63 nested objects reach level 64.
      const ok = await call(server, 'createOAuth2Client', {
        body: `{"client_id":"depth-64","metadata":${nested(63)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(ok.status, ok.text).to.equal(201);
      expect((await call(server, 'deleteOAuth2Client', { params: { id: 'depth-64' } })).status).to.equal(204);
      const tooDeep = await call(server, 'createOAuth2Client', {
        body: `{"client_id":"depth-65","metadata":${nested(64)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expectJsonError(tooDeep, 400);
      await expectUnchanged();
    });

    it('a JSON Patch path of 10,000 segments, or one that builds a document too deep: 400, nothing changed', async () => {
      for (const patch of [
        [{ op: 'add', path: `/metadata${'/a'.repeat(10_000)}`, value: 1 }],
        [{ op: 'add', path: `/metadata${'/a'.repeat(40)}`, value: JSON.parse(nested(40)) }],
      ]) {
        const response = await call(server, 'patchOAuth2Client', { params: { id: clientId }, json: patch });
        expectJsonError(response, 400);
        expect(response.body.error_description).to.match(/more than 64 (segments|levels deep)/);
      }
      await expectUnchanged();
    });
  });

  describe('PATCH bodies that are not JSON Patch documents', () => {
    const bodies: unknown[] = [
      { op: 'replace', path: '/client_name', value: 'x' },
      { client_name: 'x' },
      'replace',
      [{ path: '/client_name', value: 'x' }],
      [{ op: 'replace', value: 'x' }],
      [{ op: 'replace', path: 5, value: 'x' }],
      [{ op: 'frobnicate', path: '/client_name', value: 'x' }],
      [{ op: 'add', path: '/client_name' }],
      ['replace /client_name x'],
      [null],
    ];
    for (const body of bodies) {
      it(`${JSON.stringify(body)}: 400, client unchanged`, async () => {
        const response = await call(server, 'patchOAuth2Client', { params: { id: clientId }, json: body });
        expectJsonError(response, 400);
        expect(response.body.error).to.equal(MALFORMED);
        await expectUnchanged();
      });
    }

    it('a merge-patch content type is refused', async () => {
      const response = await call(server, 'patchOAuth2Client', {
        params: { id: clientId },
        body: JSON.stringify({ client_name: 'merged' }),
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expectJsonError(response, 400);
      await expectUnchanged();
    });
  });

  describe('missing or invalid parameters', () => {
    it("DELETE /admin/oauth2/tokens without client_id: Hydra's 400 invalid_request", async () => {
      for (const query of [{}, { client_id: '' }] as Record<string, string>[]) {
        const response = await call(server, 'deleteOAuth2Token', { query });
        expectOAuth2Error(response, 400, 'invalid_request');
        expect(response.body.error_description).to.equal(
          `${INVALID_REQUEST} Query parameter 'client_id' is not defined but it should have been.`,
        );
      }
      // The client's tokens are still active.
      await expectUnchanged();
    });

    it('POST /oauth2/token without grant_type, with an unknown one, or with bad credentials', async () => {
      const missing = await call(server, 'oauth2TokenExchange', {
        form: { scope: 'read' },
        basic: [clientId, secret],
      });
      expectOAuth2Error(missing, 400, 'invalid_request');
      const unknown = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'magic' },
        basic: [clientId, secret],
      });
      expectOAuth2Error(unknown, 400, 'unsupported_grant_type');
      const wrong = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'client_credentials' },
        basic: [clientId, 'not-the-secret'],
      });
      expectOAuth2Error(wrong, 401, 'invalid_client');
      expect(wrong.headers.get('www-authenticate')).to.equal(null);
      for (const authorization of [
        'Basic !!!not-base64',
        'Basic ',
        'Bearer abc',
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
      ]) {
        const response = await call(server, 'oauth2TokenExchange', {
          form: { grant_type: 'client_credentials' },
          headers: { authorization },
        });
        expectJsonError(response);
        expect(['invalid_request', 'invalid_client']).to.include(response.body.error);
      }
      const badEscape = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'client_credentials' },
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:%zz`).toString('base64')}` },
      });
      expectOAuth2Error(badEscape, 400, 'invalid_request');
    });

    it('POST /oauth2/revoke and /admin/oauth2/introspect without token: 400 invalid_request', async () => {
      const revoke = await call(server, 'revokeOAuth2Token', {
        form: { token_type_hint: 'access_token' },
        basic: [clientId, secret],
      });
      expectOAuth2Error(revoke, 400, 'invalid_request');
      const introspect = await call(server, 'introspectOAuth2Token', { form: { scope: 'read' } });
      expectOAuth2Error(introspect, 400, 'invalid_request');
    });

    it('a form body with a malformed percent escape is answered, never a 5xx', async () => {
      for (const operationId of ['oauth2TokenExchange', 'introspectOAuth2Token', 'revokeOAuth2Token']) {
        const response = await call(server, operationId, {
          form: 'grant_type=client_credentials&token=%zz&scope=%',
          basic: [clientId, secret],
        });
        expect(response.status, `${operationId} ${response.text}`).to.be.below(500);
        if (response.status >= 400) expectJsonError(response);
      }
      await expectUnchanged();
    });
  });

  describe('unknown routes and wrong methods', () => {
    const unknown = [
      '/nope',
      '/admin/nope',
      '/admin/clients/x/y/z',
      '/oauth2/nope',
      '/.well-known/nope',
      '/%',
    ];
    for (const port of ['public', 'admin'] as const) {
      it(`unknown paths on the ${port} port: JSON 404`, async () => {
        const base = port === 'public' ? server.publicUrl : server.adminUrl;
        for (const path of unknown) {
          for (const method of ['GET', 'POST', 'DELETE']) {
            const response = await raw(base, path, { method, headers: { accept: 'text/html' } });
            expectJsonError(response, path === '/%' ? response.status : 404);
          }
        }
        const notFound = await raw(base, '/nope');
        expect(notFound.body).to.deep.equal({
          error: 'Not Found',
          error_description: 'The requested route does not exist.',
        });
      });
    }

    it('a known path with a method it does not have: a 4xx JSON error, and nothing happens', async () => {
      const cases: [string, string, string][] = [
        [server.publicUrl, 'GET', '/oauth2/token'],
        [server.publicUrl, 'PUT', '/oauth2/token'],
        [server.publicUrl, 'GET', '/oauth2/revoke'],
        [server.publicUrl, 'POST', '/.well-known/jwks.json'],
        [server.publicUrl, 'DELETE', '/health/alive'],
        [server.adminUrl, 'DELETE', '/admin/clients'],
        [server.adminUrl, 'PUT', '/admin/clients'],
        [server.adminUrl, 'POST', `/admin/clients/${clientId}`],
        [server.adminUrl, 'DELETE', `/clients/${clientId}/lifespans`],
        [server.adminUrl, 'GET', '/admin/oauth2/introspect'],
        [server.adminUrl, 'POST', '/admin/oauth2/tokens'],
        [server.adminUrl, 'POST', '/admin/version'],
        [server.adminUrl, 'PATCH', '/admin/keys/some-set'],
        [server.adminUrl, 'POST', '/admin/keys/some-set/kid'],
      ];
      for (const [base, method, path] of cases) {
        const response = await raw(base, path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        // A known path with another method is 405 with the methods it does take (Hydra v25's router).
        expect(response.status, `${method} ${path}`).to.equal(405);
        expect(response.headers.get('allow'), `${method} ${path}`).to.match(/^[A-Z, ]+$/);
        expect(response.headers.get('allow')).not.to.include(method);
        expectJsonError(response);
      }
      await expectUnchanged();
    });

    it('admin operations are not served on the public port, nor public ones on the admin port', async () => {
      const onPublic = await raw(server.publicUrl, `/admin/clients/${clientId}`);
      expectJsonError(onPublic, 404);
      expect(onPublic.text).not.to.include('stable');
      const onAdmin = await raw(server.adminUrl, '/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expectJsonError(onAdmin, 404);
    });
  });
});

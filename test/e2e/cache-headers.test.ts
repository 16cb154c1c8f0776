// Every response that carries a secret, a private key or a token says `Cache-Control: no-store` and
// `Pragma: no-cache` (RFC 6749 §5.1), whatever its method: the contract marks those operations
// (`x-tollgate-no-store`) and the one response writer obeys. Each marked operation is called here.
import { expect } from 'chai';
import { loadContract } from '../../server/http/contract.js';
import { type ApiResponse, call } from '../helpers/api.js';
import { ccClient, issueToken } from '../helpers/oauth2.js';
import { PENDING } from '../helpers/pending-operations.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET_BEARING = [
  'createOAuth2Client',
  'setOAuth2Client',
  'patchOAuth2Client',
  'oauth2TokenExchange',
  'introspectOAuth2Token',
  'createJsonWebKeySet',
  'setJsonWebKeySet',
  'setJsonWebKey',
  'getJsonWebKeySet',
  'getJsonWebKey',
];
/** Issue 17's operations are marked too, and called here once their handlers land; all but these carry one. */
const CARRY_NONE = new Set([
  'getOAuth2FallbackError',
  'getOAuth2LoginRequest',
  'getOAuth2ConsentRequest',
  'listOAuth2ConsentSessions',
  'revokeOAuth2ConsentSessions',
  'revokeOAuth2LoginSessions',
]);
const SECRET_BEARING_PENDING = [...PENDING].filter((id) => !CARRY_NONE.has(id));

function expectNoStore(res: ApiResponse, operationId: string) {
  expect(res.status, `${operationId}: ${res.text.slice(0, 200)}`).to.be.within(200, 299);
  expect(res.headers.get('cache-control'), operationId).to.match(/(^|, )no-store(,|$)/);
  expect(res.headers.get('pragma'), operationId).to.equal('no-cache');
}

describe('Cache-Control: no-store on every response with a secret, a private key or a token', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('the contract marks exactly the operations whose responses carry one', () => {
    const marked = [...loadContract().operations.values()].filter((o) => o.noStore).map((o) => o.operationId);
    expect(marked.sort()).to.deep.equal([...SECRET_BEARING, ...SECRET_BEARING_PENDING].sort());
  });

  it('client create, replace and patch, which echo client_secret', async () => {
    const created = await call(server, 'createOAuth2Client', {
      json: { client_id: 'cached', grant_types: ['client_credentials'] },
    });
    expect(created.body.client_secret).to.be.a('string');
    expectNoStore(created, 'createOAuth2Client');
    const replaced = await call(server, 'setOAuth2Client', {
      params: { id: 'cached' },
      json: { grant_types: ['client_credentials'], client_secret: 'a-replaced-secret-0123456789' },
    });
    expect(replaced.body.client_secret).to.equal('a-replaced-secret-0123456789');
    expectNoStore(replaced, 'setOAuth2Client');
    const patched = await call(server, 'patchOAuth2Client', {
      params: { id: 'cached' },
      json: [{ op: 'replace', path: '/client_secret', value: 'a-patched-secret-0123456789' }],
    });
    expect(patched.body.client_secret).to.equal('a-patched-secret-0123456789');
    expectNoStore(patched, 'patchOAuth2Client');
  });

  it("token issuance and introspection (exactly fosite's headers)", async () => {
    const client = await ccClient(server);
    const token = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'client_credentials' },
      basic: [client.client_id, client.client_secret!],
    });
    expectNoStore(token, 'oauth2TokenExchange');
    expect(token.headers.get('cache-control')).to.equal('no-store');
    const introspected = await call(server, 'introspectOAuth2Token', {
      form: { token: await issueToken(server, client) },
    });
    expectNoStore(introspected, 'introspectOAuth2Token');
    expect(introspected.headers.get('cache-control')).to.equal('no-store');
  });

  it('JSON Web Keys with private parts: generated, replaced, read', async () => {
    const generated = await call(server, 'createJsonWebKeySet', {
      params: { set: 'cached' },
      json: { alg: 'ES256', use: 'sig', kid: 'k1' },
    });
    expect(generated.body.keys[0].d).to.be.a('string');
    expectNoStore(generated, 'createJsonWebKeySet');
    const key = generated.body.keys[0];
    expectNoStore(
      await call(server, 'setJsonWebKeySet', { params: { set: 'cached' }, json: { keys: [key] } }),
      'setJsonWebKeySet',
    );
    expectNoStore(
      await call(server, 'setJsonWebKey', { params: { set: 'cached', kid: 'k1' }, json: key }),
      'setJsonWebKey',
    );
    expectNoStore(await call(server, 'getJsonWebKeySet', { params: { set: 'cached' } }), 'getJsonWebKeySet');
    expectNoStore(
      await call(server, 'getJsonWebKey', { params: { set: 'cached', kid: 'k1' } }),
      'getJsonWebKey',
    );
  });
});

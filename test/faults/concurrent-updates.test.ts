// Many writers of one client at once lose no update: each PATCH `add`s its own entry to a list, each PUT sets
// its own field, and in the end every one of them is there (the read-modify-write runs under a row lock).
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { ccClient } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('concurrent updates of one client', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('keeps every one of 60 concurrent PATCH add operations', async () => {
    const client = await ccClient(server, { contacts: [] });
    const n = 60;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        call(server, 'patchOAuth2Client', {
          params: { id: client.client_id },
          json: [{ op: 'add', path: '/contacts/-', value: `writer-${i}@example.com` }],
        }),
      ),
    );
    for (const res of results) expect(res.status, res.text).to.equal(200);
    const stored = await call(server, 'getOAuth2Client', { params: { id: client.client_id } });
    const contacts = stored.body.contacts as string[];
    expect(contacts).to.have.length(n);
    expect(new Set(contacts)).to.deep.equal(
      new Set(Array.from({ length: n }, (_, i) => `writer-${i}@example.com`)),
    );
  });

  it('keeps PATCHes interleaved with lifespan PUTs and a secret rotation', async () => {
    const client = await ccClient(server, { metadata: {} });
    const patches = Array.from({ length: 30 }, (_, i) =>
      call(server, 'patchOAuth2Client', {
        params: { id: client.client_id },
        json: [{ op: 'add', path: `/metadata/k${i}`, value: i }],
      }),
    );
    const lifespans = call(server, 'setOAuth2ClientLifespans', {
      params: { id: client.client_id },
      json: { client_credentials_grant_access_token_lifespan: '2h' },
    });
    const rotate = call(server, 'patchOAuth2Client', {
      params: { id: client.client_id },
      json: [{ op: 'add', path: '/client_secret', value: 'a-rotated-secret-0123456789' }],
    });
    const all = await Promise.all([...patches, lifespans, rotate]);
    for (const res of all) expect(res.status, res.text).to.equal(200);
    const stored = (await call(server, 'getOAuth2Client', { params: { id: client.client_id } })).body;
    expect(Object.keys(stored.metadata).sort()).to.deep.equal(
      Array.from({ length: 30 }, (_, i) => `k${i}`).sort(),
    );
    expect(stored.client_credentials_grant_access_token_lifespan).to.equal('2h0m0s');
    const token = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'client_credentials' },
      basic: [client.client_id, 'a-rotated-secret-0123456789'],
    });
    expect(token.status).to.equal(200);
  });
});

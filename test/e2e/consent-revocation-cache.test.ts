// Revoking a consent session deletes its tokens in SQL, behind the introspection cache: the replica that
// revoked must answer `active: false` at once, not when PostgreSQL's change notification arrives.
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, webClient } from '../helpers/flow-driver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('revoking consent sessions and the introspection cache', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('introspects a revoked consent’s access token as inactive immediately, every time', async () => {
    const redirect_uri = 'http://127.0.0.1:5555/cb';
    for (let i = 0; i < 15; i++) {
      const subject = `user-${i}@example.com`;
      const client = await webClient(server);
      const driver = new FlowDriver(server);
      const { params } = await driver.login(
        {
          client_id: client.client_id,
          response_type: 'code',
          redirect_uri,
          scope: 'openid',
          state: 'state-0123',
        },
        { subject },
      );
      const tokens = await exchangeCode(server, client, { code: params.get('code')!, redirect_uri });
      expect(tokens.status, tokens.text).to.equal(200);
      const token = tokens.body.access_token as string;
      const before = await call(server, 'introspectOAuth2Token', { form: { token } });
      expect(before.body.active).to.equal(true);
      const revoked = await call(server, 'revokeOAuth2ConsentSessions', {
        query: { subject, client: client.client_id },
      });
      expect(revoked.status).to.equal(204);
      const after = await call(server, 'introspectOAuth2Token', { form: { token } });
      expect(after.body.active, `attempt ${i}`).to.equal(false);
    }
  });
});

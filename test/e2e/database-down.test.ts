// A database that cannot be reached is a 503 with an error body: never `invalid_client`, never a hang, and
// the process keeps serving (docs/hydra-differences.md; Hydra answers such outages with 401 invalid_client).
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { serverUrl } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('with the database unreachable', () => {
  let server: TestServer;

  before(async () => {
    // Port 9 (discard) refuses connections on loopback.
    server = await startTestServer(
      {},
      { dsn: 'postgres://postgres:pw@127.0.0.1:9/tollgate', migrate: false },
    );
  });
  after(() => server.close());

  it('is alive but not ready', async () => {
    expect((await call(server, 'isAlive')).status).to.equal(200);
    const ready = await call(server, 'isReady');
    expect(ready.status).to.equal(503);
    expect(ready.body.errors).to.have.property('database').that.is.a('string');
  });

  it('answers the token endpoint 503 temporarily_unavailable, not invalid_client', async () => {
    const started = Date.now();
    const res = await call(server, 'oauth2TokenExchange', {
      basic: ['some-client', 'some-secret'],
      form: { grant_type: 'client_credentials' },
    });
    expect(res.status).to.equal(503);
    expect(res.body.error).to.equal('temporarily_unavailable');
    expect(res.headers.get('retry-after')).to.equal('1');
    expect(Date.now() - started).to.be.below(5_000);
  });

  it('answers admin reads and introspection 503 with an error body', async () => {
    const list = await call(server, 'listOAuth2Clients');
    expect(list.status).to.equal(503);
    expect(list.body).to.have.keys('error', 'error_description');
    const introspect = await call(server, 'introspectOAuth2Token', {
      form: { token: `ory_at_${'a'.repeat(43)}.${'b'.repeat(43)}` },
    });
    // An opaque token whose HMAC does not verify is inactive without any database access.
    expect(introspect.status).to.equal(200);
    expect(introspect.body).to.deep.equal({ active: false });
  });
});

describe('with a wrong database password', () => {
  let server: TestServer;

  before(async () => {
    const dsn = new URL(serverUrl());
    dsn.password = 'not-the-password';
    server = await startTestServer({}, { dsn: dsn.toString(), migrate: false });
  });
  after(() => server.close());

  it("answers /health/ready with generic text on both ports, never the driver's; the log has the reason", async () => {
    for (const port of ['public', 'admin'] as const) {
      const ready = await call(server, 'isReady', { port });
      expect(ready.status).to.equal(503);
      expect(ready.body).to.deep.equal({ errors: { database: 'the database is unreachable' } });
      expect(ready.text).not.to.match(/password|authentication|postgres/i);
    }
    const logged = server.logs.map((line) => JSON.parse(line)).filter((line) => line.reason);
    // Once per reason, however often the probe asks.
    const reasons = logged.filter((line) => line.msg === 'not ready: the database is unreachable');
    expect(reasons).to.have.length(1);
    expect(reasons[0].reason).to.match(/password authentication failed/);
  });

  it('answers the token endpoint 503 temporarily_unavailable without the reason', async () => {
    const res = await call(server, 'oauth2TokenExchange', {
      basic: ['some-client', 'some-secret'],
      form: { grant_type: 'client_credentials' },
    });
    expect(res.status, res.text).to.equal(503);
    expect(res.body.error).to.equal('temporarily_unavailable');
    expect(res.text).not.to.match(/password|authentication/i);
  });
});

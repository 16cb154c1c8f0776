// PostgreSQL stopped in the middle of a login, at each step where the flow moves on (the login verifier, the
// consent verifier, the code exchange): the step answers 503 (an HTML page on /oauth2/auth, JSON on the token
// endpoint), nothing is half-written, and the very same request succeeds once the database is back.
import { expect } from 'chai';
import knexFactory from 'knex';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, redirectParams, webClient } from '../helpers/flow-driver.js';
import { type RestartablePostgres, startRestartablePostgres } from '../helpers/restartable-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a PostgreSQL outage in the middle of a login', function () {
  this.timeout(120_000);
  let db: RestartablePostgres;
  let server: TestServer;

  before(async () => {
    db = await startRestartablePostgres();
    server = await startTestServer({ 'log.level': 'info' }, { dsn: db.dsn });
  });
  after(async () => {
    await server?.close();
    await db?.destroy();
  });

  /** Stops PostgreSQL, runs `during`, starts it again and waits until the server is ready. */
  async function outage<T>(during: () => Promise<T>): Promise<T> {
    await db.stop();
    try {
      return await during();
    } finally {
      await db.start();
      const started = Date.now();
      while (Date.now() - started < 15_000) {
        const ready = await call(server, 'isReady').catch(() => undefined);
        if (ready?.status === 200) break;
        await sleep(100);
      }
    }
  }

  async function rows(table: string, where: Record<string, string>): Promise<number> {
    const knex = knexFactory({ client: 'pg', connection: db.dsn });
    try {
      const [row] = await knex(table).where(where).count({ count: '*' });
      return Number(row?.count);
    } finally {
      await knex.destroy();
    }
  }

  it('answers 503 at each step, writes nothing, and the same request then succeeds', async () => {
    const client = await webClient(server);
    const driver = new FlowDriver(server);
    const { verifier, challenge } = pkcePair();
    const redirect_uri = 'http://127.0.0.1:5555/cb';
    const { challenge: login } = await driver.startLogin({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri,
      scope: 'openid offline_access',
      state: 'state-of-the-art',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

    // The admin API answers 503 JSON while the database is down.
    const refused = await outage(() =>
      call(server, 'acceptOAuth2LoginRequest', {
        query: { login_challenge: login },
        json: { subject: 'foo@bar.com' },
      }),
    );
    expect(refused.status).to.equal(503);
    const afterLogin = await driver.decide('acceptOAuth2LoginRequest', login, {
      subject: 'foo@bar.com',
      remember: true,
    });

    // The login verifier: an HTML page with 503, no session remembered, no consent started.
    const down = await outage(() => driver.hop(afterLogin));
    expect(down.status).to.equal(503);
    expect(down.headers.get('content-type')).to.match(/^text\/html/);
    expect(down.text).to.not.match(/at \w+ \(|node:internal/);
    expect(await rows('oauth2_authentication_sessions', { subject: 'foo@bar.com' })).to.equal(0);
    const { challenge: consent } = await driver.toConsent(afterLogin);
    expect(await rows('oauth2_authentication_sessions', { subject: 'foo@bar.com' })).to.equal(1);

    // The consent verifier: 503, no code stored; then the same URL gives the code.
    const afterConsent = await driver.decide('acceptOAuth2ConsentRequest', consent, {
      grant_scope: ['openid', 'offline_access'],
    });
    const downAgain = await outage(() => driver.hop(afterConsent));
    expect(downAgain.status).to.equal(503);
    expect(await rows('oauth2_authorization_codes', { client_id: client.client_id })).to.equal(0);
    const final = await driver.hop(afterConsent);
    expect(final.status, final.text).to.equal(303);
    const code = redirectParams(final).get('code')!;
    expect(code).to.match(/^ory_ac_/);
    expect(await rows('oauth2_authorization_codes', { client_id: client.client_id })).to.equal(1);

    // The exchange: 503 JSON and the code stays unused; the retry gets the tokens, a second use does not.
    const form = { code, redirect_uri, code_verifier: verifier };
    const exchangeDown = await outage(() => exchangeCode(server, client, form));
    expect(exchangeDown.status).to.equal(503);
    expect(exchangeDown.body.error).to.equal('temporarily_unavailable');
    const tokens = await exchangeCode(server, client, form);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.body).to.include.keys('access_token', 'refresh_token', 'id_token');
    const reused = await exchangeCode(server, client, form);
    expect(reused.status).to.equal(400);
    expect(reused.body.error).to.equal('invalid_grant');
  });
});

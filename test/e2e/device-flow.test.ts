// The device authorization grant (RFC 8628) over real HTTP and PostgreSQL: the device authorization endpoint's
// checks in fosite's order, the verification URI and the admin accept of user codes, the login and consent
// chain ending on urls.device.success, and the token endpoint's answers to the polling device.
import { expect } from 'chai';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { deleteExpiredDeviceRows } from '../../server/storage/pg-janitor.js';
import { call } from '../helpers/api.js';
import {
  acceptUserCode,
  approveDevice,
  DEVICE_GRANT,
  deviceClient,
  deviceCode,
  openVerification,
  pollToken,
  requestDeviceCode,
} from '../helpers/device.js';
import { FlowDriver } from '../helpers/flow-driver.js';
import { type CreatedClient, expectOAuth2Error, introspect, sleep } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('device authorization grant, end to end', () => {
  let server: TestServer;
  let client: CreatedClient;

  before(async () => {
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'oauth2.device_authorization.token_polling_interval': '1s',
    });
    client = await deviceClient(server);
  });
  after(() => server?.close());

  it('issues access, refresh and ID tokens once the user approved, and the success redirect names the client', async () => {
    const auth = await deviceCode(server, client);
    const pending = await pollToken(server, client, auth.device_code);
    expectOAuth2Error(pending, 400, 'authorization_pending');
    const done = await approveDevice(server, auth);
    expect(done.status, done.text).to.equal(302);
    const success = new URL(done.location!);
    expect(success.pathname).to.equal('/oauth2/fallbacks/device/done');
    expect(success.searchParams.get('client_id')).to.equal(client.client_id);
    const res = await pollToken(server, client, auth.device_code);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.access_token).to.match(/^ory_at_/);
    expect(res.body.refresh_token).to.match(/^ory_rt_/);
    expect(res.body.id_token).to.be.a('string');
    expect(res.body.scope).to.equal('openid offline_access');
    const active = await introspect(server, res.body.access_token);
    expect(active).to.include({ active: true, sub: 'foo@bar.com', client_id: client.client_id });
  });

  describe('POST /oauth2/device/auth', () => {
    it('answers RFC 8628 §3.2 with an ory_dc_ code, a XXXX-XXXX user code and no-store', async () => {
      const res = await requestDeviceCode(server, client, { scope: 'openid' });
      expect(res.status, res.text).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal([
        'device_code',
        'user_code',
        'verification_uri',
        'verification_uri_complete',
        'expires_in',
        'interval',
      ]);
      expect(res.body.device_code).to.match(/^ory_dc_[\w-]{43}\.[\w-]{43}$/);
      expect(res.body.user_code).to.match(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      expect(res.body.verification_uri).to.equal('http://127.0.0.1:4444/oauth2/device/verify');
      expect(res.body.verification_uri_complete).to.equal(
        `http://127.0.0.1:4444/oauth2/device/verify?user_code=${res.body.user_code}`,
      );
      expect(res.body.expires_in).to.be.oneOf([599, 600]);
      expect(res.body.interval).to.equal(1);
      expect(res.headers.get('cache-control')).to.equal('no-store');
    });

    it('refuses in fosite order: empty body, client authentication, client_id mismatch, grant, scope, audience', async () => {
      const empty = await call(server, 'oAuth2DeviceFlow', { form: {}, headers: {} });
      expectOAuth2Error(empty, 400, 'invalid_request');
      expect(empty.body.error_description).to.contain('The POST body can not be empty.');

      const badSecret = await call(server, 'oAuth2DeviceFlow', {
        form: { client_id: client.client_id },
        basic: [client.client_id, 'wrong-secret'],
      });
      expectOAuth2Error(badSecret, 401, 'invalid_client');

      const other = await deviceClient(server);
      const mismatch = await requestDeviceCode(server, client, { client_id: other.client_id });
      expectOAuth2Error(mismatch, 400, 'invalid_request');
      expect(mismatch.body.error_description).to.contain('Provided client_id mismatch.');
      const missing = await call(server, 'oAuth2DeviceFlow', {
        form: { scope: 'openid' },
        basic: [client.client_id, client.client_secret!],
      });
      expect(missing.body.error_description).to.contain('Provided client_id mismatch.');

      const noGrant = await deviceClient(server, { grant_types: ['authorization_code'] });
      const grant = await requestDeviceCode(server, noGrant);
      expectOAuth2Error(grant, 400, 'invalid_grant');
      expect(grant.body.error_description).to.contain(
        `The requested OAuth 2.0 Client does not have the '${DEVICE_GRANT}' grant.`,
      );

      const scope = await requestDeviceCode(server, client, { scope: 'openid admin' });
      expectOAuth2Error(scope, 400, 'invalid_scope');
      expect(scope.body.error_description).to.contain("not allowed to request scope 'admin'");

      const audience = await requestDeviceCode(server, client, { audience: 'https://api.example.com' });
      expectOAuth2Error(audience, 400, 'invalid_request');
    });
  });

  describe('GET /oauth2/device/verify and the admin accept', () => {
    it('redirects to urls.device.verification with a device challenge, the user code and the device CSRF cookie', async () => {
      const driver = new FlowDriver(server);
      const { location } = await openVerification(
        driver,
        `${server.publicUrl}/oauth2/device/verify?user_code=BCDF-GHJK`,
      );
      expect(location.pathname).to.equal('/oauth2/fallbacks/device');
      expect(location.searchParams.get('user_code')).to.equal('BCDF-GHJK');
      expect([...driver.jar.keys()]).to.deep.equal(['ory_hydra_device_csrf_dev']);
    });

    it('accepts a code typed in lower case with spaces, and answers the device verifier URL', async () => {
      const auth = await deviceCode(server, client);
      const { challenge } = await openVerification(new FlowDriver(server), auth.verification_uri);
      const typed = ` ${auth.user_code.toLowerCase().replace('-', ' ')} `;
      const res = await acceptUserCode(server, challenge, typed);
      expect(res.status, res.text).to.equal(200);
      const to = new URL(res.body.redirect_to);
      expect(`${to.origin}${to.pathname}`).to.equal('http://127.0.0.1:4444/oauth2/device/verify');
      expect(to.searchParams.get('client_id')).to.equal(client.client_id);
      expect(to.searchParams.get('device_verifier')).to.be.a('string');
      expect(res.headers.get('cache-control')).to.equal('no-store');
      // A repeated accept (a double click) answers the same URL.
      const again = await acceptUserCode(server, challenge, auth.user_code);
      expect(again.body.redirect_to).to.equal(res.body.redirect_to);
    });

    it("answers Hydra's errors: no challenge, an empty code, an unknown challenge, an unknown code", async () => {
      const noChallenge = await call(server, 'acceptUserCodeRequest', { json: { user_code: 'BCDF-GHJK' } });
      expectOAuth2Error(noChallenge, 400, 'invalid_request');
      expect(noChallenge.body.error_description).to.contain(
        "Query parameter 'device_challenge' is not defined but should have been.",
      );
      const { challenge } = await openVerification(
        new FlowDriver(server),
        `${server.publicUrl}/oauth2/device/verify`,
      );
      const empty = await acceptUserCode(server, challenge, '');
      expectOAuth2Error(empty, 400, 'invalid_request');
      expect(empty.body.error_description).to.contain("Field 'user_code' must not be empty.");
      const unknownChallenge = await acceptUserCode(server, 'no-such-challenge', 'BCDF-GHJK');
      expect(unknownChallenge.status, unknownChallenge.text).to.equal(404);
      const wrong = await acceptUserCode(server, challenge, 'BCDF-GHJK');
      expectOAuth2Error(wrong, 400, 'invalid_request');
      expect(wrong.body.error_description).to.contain(
        "The 'user_code' session could not be found or has expired or is otherwise malformed.",
      );
    });

    it('uses up a device challenge after 5 wrong codes: even the right code then answers 410', async () => {
      const auth = await deviceCode(server, client);
      const { challenge } = await openVerification(new FlowDriver(server), auth.verification_uri);
      for (let i = 1; i <= 4; i++) {
        const wrong = await acceptUserCode(server, challenge, 'ZZZZ-ZZZZ');
        expect(wrong.status, `attempt ${i}: ${wrong.text}`).to.equal(400);
      }
      const fifth = await acceptUserCode(server, challenge, 'ZZZZ-ZZZZ');
      expect(fifth.status, fifth.text).to.equal(410);
      expect(fifth.body.redirect_to).to.equal('http://127.0.0.1:4444/oauth2/device/verify');
      const right = await acceptUserCode(server, challenge, auth.user_code);
      expect(right.status, right.text).to.equal(410);
      // A new challenge (a new visit of the verification URI) may still enter the right code.
      const fresh = await openVerification(new FlowDriver(server), auth.verification_uri);
      expect((await acceptUserCode(server, fresh.challenge, auth.user_code)).status).to.equal(200);
    });

    it('refuses to redeem the device verifier in a browser without the device CSRF cookie', async () => {
      const auth = await deviceCode(server, client);
      const { challenge } = await openVerification(new FlowDriver(server), auth.verification_uri);
      const accepted = await acceptUserCode(server, challenge, auth.user_code);
      const stranger = await new FlowDriver(server).hop(accepted.body.redirect_to);
      expect(stranger.status, stranger.text).to.equal(403);
      expect(JSON.parse(stranger.text).error).to.equal('request_forbidden');
    });
  });

  describe('the token endpoint', () => {
    it('answers in order: unauthorized_client, then an unknown code is invalid_grant', async () => {
      const auth = await deviceCode(server, client);
      const noGrant = await deviceClient(server, { grant_types: ['authorization_code'] });
      expectOAuth2Error(await pollToken(server, noGrant, auth.device_code), 400, 'unauthorized_client');
      const unknown = await pollToken(server, client, `${auth.device_code.slice(0, -2)}xx`);
      expectOAuth2Error(unknown, 400, 'invalid_grant');
      const other = await pollToken(server, client, 'ory_dc_nonsense');
      expectOAuth2Error(other, 400, 'invalid_grant');
    });

    it("answers slow_down to a poll sooner than the interval, and adds 5 s to that code's interval", async () => {
      const auth = await deviceCode(server, client);
      expectOAuth2Error(await pollToken(server, client, auth.device_code), 400, 'authorization_pending');
      const fast = await pollToken(server, client, auth.device_code);
      expectOAuth2Error(fast, 400, 'slow_down');
      // Polling at the old interval (1 s) is now too fast: the interval is 6 s.
      await sleep(1100);
      expectOAuth2Error(await pollToken(server, client, auth.device_code), 400, 'slow_down');
      // Another code keeps its own interval.
      const second = await deviceCode(server, client);
      expectOAuth2Error(await pollToken(server, client, second.device_code), 400, 'authorization_pending');
      await sleep(1100);
      expectOAuth2Error(await pollToken(server, client, second.device_code), 400, 'authorization_pending');
    });

    it("gives another client's code invalid_grant, pending or approved", async () => {
      const other = await deviceClient(server);
      const auth = await deviceCode(server, client);
      const pending = await pollToken(server, other, auth.device_code);
      expectOAuth2Error(pending, 400, 'invalid_grant');
      expect(pending.body.error_description).to.contain('does not match the one from the authorize request');
      await approveDevice(server, auth);
      expectOAuth2Error(await pollToken(server, other, auth.device_code), 400, 'invalid_grant');
      expect((await pollToken(server, client, auth.device_code)).status).to.equal(200);
    });

    it('is single use: a second exchange is invalid_grant and revokes what the first gave out', async () => {
      const auth = await deviceCode(server, client);
      await approveDevice(server, auth);
      const first = await pollToken(server, client, auth.device_code);
      expect(first.status, first.text).to.equal(200);
      const second = await pollToken(server, client, auth.device_code);
      expectOAuth2Error(second, 400, 'invalid_grant');
      expect(second.body.error_description).to.contain('The device code has already been used.');
      expect(await introspect(server, first.body.access_token)).to.deep.equal({ active: false });
    });

    it('answers access_denied when the login or the consent is rejected', async () => {
      for (const step of ['login', 'consent'] as const) {
        const auth = await deviceCode(server, client);
        const driver = new FlowDriver(server);
        const { challenge } = await openVerification(driver, auth.verification_uri_complete);
        const accepted = await acceptUserCode(server, challenge, auth.user_code);
        const toLogin = await driver.hop(accepted.body.redirect_to);
        const login = new URL(toLogin.location!).searchParams.get('login_challenge')!;
        if (step === 'login') {
          await driver.decide('rejectOAuth2LoginRequest', login, { error: 'access_denied' });
        } else {
          const afterLogin = await driver.decide('acceptOAuth2LoginRequest', login, {
            subject: 'foo@bar.com',
          });
          const { challenge: consent } = await driver.toConsent(afterLogin);
          const afterReject = await driver.decide('rejectOAuth2ConsentRequest', consent, {
            error: 'access_denied',
            error_description: 'The resource owner denied the request',
          });
          // Hydra writes this leg's errors to the browser as JSON.
          const hop = await driver.hop(afterReject);
          expect(hop.status, hop.text).to.equal(400);
          expect(JSON.parse(hop.text).error).to.equal('access_denied');
        }
        const res = await pollToken(server, client, auth.device_code);
        expectOAuth2Error(res, 400, 'access_denied');
      }
    });

    it('serves a public client (client_id in the form, no secret)', async () => {
      const cli = await deviceClient(server, {
        token_endpoint_auth_method: 'none',
        client_secret: undefined,
      });
      const { client_secret: _, ...publicClient } = cli;
      const auth = await deviceCode(server, publicClient);
      await approveDevice(server, auth);
      const res = await pollToken(server, publicClient, auth.device_code);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.access_token).to.match(/^ory_at_/);
    });

    it("keeps the two kinds of flow apart: a device flow's login verifier does not finish at /oauth2/auth", async () => {
      const both = await deviceClient(server, {
        grant_types: [DEVICE_GRANT, 'authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1:5555/cb'],
      });
      const auth = await deviceCode(server, both);
      const driver = new FlowDriver(server);
      const { challenge } = await openVerification(driver, auth.verification_uri_complete);
      const accepted = await acceptUserCode(server, challenge, auth.user_code);
      const toLogin = await driver.hop(accepted.body.redirect_to);
      const login = new URL(toLogin.location!).searchParams.get('login_challenge')!;
      const afterLogin = new URL(
        await driver.decide('acceptOAuth2LoginRequest', login, { subject: 'foo@bar.com' }),
      );
      const hop = await driver.authorize({
        client_id: both.client_id,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:5555/cb',
        scope: 'openid',
        state: 'a-state-of-some-length',
        login_verifier: afterLogin.searchParams.get('login_verifier')!,
      });
      expect(hop.status, hop.text).to.equal(303);
      expect(new URL(hop.location!).searchParams.get('error')).to.equal('access_denied');
    });

    it('gives a refresh token that refreshes like any other', async () => {
      const auth = await deviceCode(server, client);
      await approveDevice(server, auth);
      const tokens = await pollToken(server, client, auth.device_code);
      const refreshed = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token },
        basic: [client.client_id, client.client_secret!],
      });
      expect(refreshed.status, refreshed.text).to.equal(200);
      expect(refreshed.body.refresh_token).to.match(/^ory_rt_/);
    });
  });
});

describe('device authorization grant: expiry and the global guessing budget', () => {
  let server: TestServer;
  let client: CreatedClient;

  before(async () => {
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'ttl.device_user_code': '1s',
      'rate_limit.device_user_code.per_minute': 3,
    });
    client = await deviceClient(server);
  });
  after(() => server?.close());

  it('answers expired_token for an expired code that was never approved (Hydra keeps answering pending)', async () => {
    const auth = await deviceCode(server, client);
    expect(auth.expires_in).to.be.oneOf([0, 1]);
    await sleep(1100);
    const res = await pollToken(server, client, auth.device_code);
    expectOAuth2Error(res, 400, 'expired_token');
    expect(res.body.error_description).to.contain('The device_code has expired');
  });

  it('the janitor removes expired challenges at once and expired device codes after the request TTL', async () => {
    const auth = await deviceCode(server, client);
    await openVerification(new FlowDriver(server), auth.verification_uri);
    const knex = createKnex(parsePostgresDsn(server.dsn, 1));
    try {
      const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0]!.n);
      const codes = await count('oauth2_device_codes');
      expect(codes).to.be.greaterThan(0);
      // Challenges live ttl.login_consent_request (30m); device codes are kept `keepMs` past their expiry.
      const later = new Date(Date.now() + 31 * 60_000);
      const bounds = { batchSize: 10, limit: 1000 };
      expect(
        await deleteExpiredDeviceRows(knex, { ...bounds, keepMs: 60 * 60_000, now: later }),
      ).to.be.greaterThan(0);
      expect(await count('oauth2_device_challenges')).to.equal(0);
      expect(await count('oauth2_device_codes')).to.equal(codes);
      await deleteExpiredDeviceRows(knex, { ...bounds, keepMs: 30 * 60_000, now: later });
      expect(await count('oauth2_device_codes')).to.equal(0);
    } finally {
      await knex.destroy();
    }
  });

  it('its migration comments both tables and every column, and down() drops exactly them', async () => {
    const knex = createKnex(parsePostgresDsn(server.dsn, 1));
    const tables = ['oauth2_device_challenges', 'oauth2_device_codes'];
    try {
      const { rows } = await knex.raw<{ rows: { name: string; comment: string | null }[] }>(
        `SELECT c.table_name || '.' || c.column_name AS name,
                col_description(format('%I', c.table_name)::regclass, c.ordinal_position) AS comment
           FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.table_name = ANY(?)`,
        [tables],
      );
      expect(rows.length).to.be.greaterThan(15);
      expect(rows.filter((r) => !r.comment?.trim()).map((r) => r.name)).to.deep.equal([]);
      for (const table of tables) {
        const { rows: described } = await knex.raw<{ rows: { comment: string | null }[] }>(
          'SELECT obj_description(?::regclass) AS comment',
          [table],
        );
        expect(described[0]?.comment, table).to.be.a('string').and.not.equal('');
      }
      const present = async () =>
        (
          await knex.raw<{ rows: { table_name: string }[] }>(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY(?) ORDER BY 1`,
            [tables],
          )
        ).rows.map((r) => r.table_name);
      // The tables go, and come back (the tests after this one start from empty tables).
      await knex.migrate.down({ ...migratorConfig(), name: '20261207000200_create_device_flow.js' });
      expect(await present()).to.deep.equal([]);
      await knex.migrate.latest(migratorConfig());
      expect(await present()).to.deep.equal(tables);
    } finally {
      await knex.destroy();
    }
  });

  it('refuses every user code for the rest of the minute once the server saw too many wrong ones', async () => {
    for (let i = 0; i < 3; i++) {
      // A fresh challenge each time: the per-challenge limit is not what stops these.
      const { challenge } = await openVerification(
        new FlowDriver(server),
        `${server.publicUrl}/oauth2/device/verify`,
      );
      expect((await acceptUserCode(server, challenge, 'ZZZZ-ZZZZ')).status).to.equal(400);
    }
    const auth = await deviceCode(server, client);
    const { challenge } = await openVerification(new FlowDriver(server), auth.verification_uri);
    const res = await acceptUserCode(server, challenge, auth.user_code);
    expect(res.status, res.text).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
  });
});

describe('device authorization grant: the guessing budget under concurrent guesses', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'rate_limit.device_user_code.per_minute': 4,
      'rate_limit.device_user_code.per_challenge': 1000,
    });
  });
  after(() => server?.close());

  it('looks up no more wrong codes than the budget allows, even when they arrive at once', async () => {
    const verify = `${server.publicUrl}/oauth2/device/verify`;
    const challenges = await Promise.all(
      Array.from({ length: 6 }, () => openVerification(new FlowDriver(server), verify)),
    );
    const guesses = challenges.flatMap(({ challenge }) =>
      Array.from({ length: 5 }, (_, i) => acceptUserCode(server, challenge, `ZZZZ-ZZZ${'BCDFG'[i]}`)),
    );
    const statuses = (await Promise.all(guesses)).map((r) => r.status);
    expect(statuses.filter((s) => s === 400).length, statuses.join(' ')).to.equal(4);
    expect(statuses.filter((s) => s === 429).length, statuses.join(' ')).to.equal(26);
  });
});

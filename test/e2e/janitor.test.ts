// Bounded storage (issue 5): expired access tokens are deleted in the background in small batches, and by
// `tollgate janitor` with Hydra's flags; unexpired tokens stay. The browser flows' rows too: expired refresh
// tokens and codes (--tokens), login/consent requests that can no longer finish and expired login sessions
// (--requests).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import pg from 'pg';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex } from '../../server/storage/knex.js';
import { call } from '../helpers/api.js';
import { runTollgate } from '../helpers/cli.js';
import { codeFor, type FlowBackend, flowIn, pairFor, pgBackend } from '../helpers/flow-backends.js';
import { ccClient, introspect, issueToken, sleep } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function countTokens(dsn: string): Promise<number> {
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    return (await db.query('SELECT count(*)::int AS n FROM oauth2_access_tokens')).rows[0].n;
  } finally {
    await db.end();
  }
}

describe('bounded storage: expired tokens are removed', () => {
  describe('in the background (janitor.interval, janitor.batch_size)', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'janitor.interval': '300ms', 'janitor.batch_size': 2 });
    });
    after(() => server.close());

    it('the token table shrinks back once tokens expire; a live token stays', async () => {
      const shortLived = await ccClient(server, { client_credentials_grant_access_token_lifespan: '1s' });
      const longLived = await ccClient(server);
      for (let i = 0; i < 7; i++) await issueToken(server, shortLived);
      const live = await issueToken(server, longLived);
      const sizes = [await countTokens(server.dsn)];
      expect(sizes[0]).to.equal(8);
      const deadline = Date.now() + 15_000;
      while (sizes.at(-1)! > 1 && Date.now() < deadline) {
        await sleep(200);
        sizes.push(await countTokens(server.dsn));
      }
      expect(sizes.at(-1), `table sizes seen: ${sizes.join(', ')}`).to.equal(1);
      expect(await introspect(server, live)).to.include({ active: true });
      expect(server.logs.some((l) => l.includes('janitor removed expired tokens'))).to.equal(true);
    });
  });

  describe('tollgate janitor', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'janitor.interval': '0' });
    });
    after(() => server.close());

    it('deletes expired tokens in batches up to --limit, honours --keep-if-younger, and needs --tokens', async () => {
      const client = await ccClient(server, { client_credentials_grant_access_token_lifespan: '1s' });
      for (let i = 0; i < 5; i++) await issueToken(server, client);
      await ccClient(server).then((c) => issueToken(server, c));
      await sleep(1200);
      expect(await countTokens(server.dsn)).to.equal(6);

      const none = await runTollgate(['janitor', server.dsn]);
      expect(none.code).to.equal(2);
      expect(none.stderr).to.include('Janitor requires at least one of --tokens, --requests or --grants');

      const young = await runTollgate(['janitor', server.dsn, '--tokens', '--keep-if-younger', '1h']);
      expect(young.stdout, young.stderr).to.include('Deleted 0 expired access token(s).');

      const first = await runTollgate([
        'janitor',
        server.dsn,
        '--tokens',
        '--batch-size',
        '2',
        '--limit',
        '3',
      ]);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stdout).to.include('Deleted 3 expired access token(s).');
      expect(await countTokens(server.dsn)).to.equal(3);

      const rest = await runTollgate(['janitor', '-e', '--tokens', '--batch-size', '2'], {
        env: { DSN: server.dsn },
      });
      expect(rest.stdout, rest.stderr).to.include('Deleted 2 expired access token(s).');
      expect(await countTokens(server.dsn)).to.equal(1);
    });
  });

  describe('tollgate janitor and the browser flows', () => {
    let server: TestServer;
    let knex: Knex;
    let b: FlowBackend;
    const client = 'browser-app';
    const MIN = 60_000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    const later = (ms: number) => new Date(Date.now() + ms);
    before(async () => {
      server = await startTestServer({ 'janitor.interval': '0' });
      knex = createKnex(parsePostgresDsn(server.dsn, 2));
      b = pgBackend(knex);
      await b.addClient(client);
    });
    after(async () => {
      await knex.destroy();
      await server.close();
    });

    const exists = async (table: string, where: Record<string, string>) =>
      (await knex(table).where(where).first()) !== undefined;

    /** A completed flow whose code (expiring at `codeExpires`) was redeemed for a pair. */
    async function grant(codeExpires: Date, refresh: { expires_at: Date | null }) {
      const requested = ago(120 * MIN);
      const flow = await flowIn(b, client, 'consent_handled', {
        flow: { requested_at: requested, expires_at: later(MIN) },
      });
      const code = codeFor(flow.id, client, { requested_at: requested, expires_at: codeExpires });
      expect(await b.flows.complete(flow.id, { code }, requested)).to.equal(true);
      const pair = pairFor(flow, refresh, { requested_at: requested, expires_at: later(60 * MIN) });
      expect(await b.grants.redeemCode(code.signature, pair, requested)).to.equal('issued');
      return { flow, code: code.signature, refresh: pair.refresh.signature, access: pair.access.signature };
    }

    it('--tokens deletes expired refresh tokens, and codes 30 minutes past expiry; --refresh-lifespan more', async () => {
      const old = await grant(ago(40 * MIN), { expires_at: ago(MIN) });
      const recent = await grant(ago(10 * MIN), { expires_at: later(60 * MIN) });
      const forever = await grant(later(5 * MIN), { expires_at: null });

      const run = await runTollgate(['janitor', server.dsn, '--tokens']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.include('Deleted 0 expired access token(s).');
      expect(run.stdout).to.include('Deleted 1 expired refresh token(s) and 1 authorization code(s).');
      expect(await exists('oauth2_authorization_codes', { signature: old.code })).to.equal(false);
      expect(await exists('oauth2_refresh_tokens', { signature: old.refresh })).to.equal(false);
      expect(await exists('oauth2_access_tokens', { signature: old.access })).to.equal(true);
      // A code expired 10 minutes ago is still there to recognise a replay; live tokens stay.
      expect(await exists('oauth2_authorization_codes', { signature: recent.code })).to.equal(true);
      expect(await exists('oauth2_refresh_tokens', { signature: recent.refresh })).to.equal(true);
      expect(await exists('oauth2_refresh_tokens', { signature: forever.refresh })).to.equal(true);
      // The consent sessions themselves are not tokens.
      expect(await exists('oauth2_flows', { id: old.flow.id })).to.equal(true);

      const lifespan = await runTollgate(['janitor', server.dsn, '--tokens', '--refresh-lifespan', '1h']);
      expect(lifespan.stdout, lifespan.stderr).to.include(
        'Deleted 2 expired refresh token(s) and 0 authorization code(s).',
      );
      expect(await exists('oauth2_refresh_tokens', { signature: forever.refresh })).to.equal(false);
    });

    it('--requests deletes unfinished and rejected requests past their lifespan and expired login sessions', async () => {
      const at = (minutesAgo: number) => ({ requested_at: ago(minutesAgo * MIN), expires_at: later(MIN) });
      const stale = await flowIn(b, client, 'login_handled', { flow: at(45) });
      const young = await flowIn(b, client, 'consent_initialized', { flow: at(10) });
      const rejected = await flowIn(b, client, 'consent_used', {
        flow: at(45),
        consent: 'rejected',
        code: null,
      });
      const session = await flowIn(b, client, 'consent_used', { flow: at(45) });
      const expired = { id: randomUUID(), expires_at: ago(MIN) };
      const live = { id: randomUUID(), expires_at: later(60 * MIN) };
      for (const s of [expired, live]) {
        await b.sessions.upsert({
          ...s,
          subject: 'alice',
          authenticated_at: ago(60 * MIN),
          remember: true,
          identity_provider_session_id: null,
        });
      }

      const run = await runTollgate(['janitor', '-e', '--requests'], { env: { DSN: server.dsn } });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.include(
        'Deleted 2 inactive login/consent request(s) and 1 expired login session(s).',
      );
      expect(await exists('oauth2_flows', { id: stale.id })).to.equal(false);
      expect(await exists('oauth2_flows', { id: rejected.id })).to.equal(false);
      expect(await exists('oauth2_flows', { id: young.id })).to.equal(true);
      expect(await exists('oauth2_flows', { id: session.id })).to.equal(true);
      expect(await exists('oauth2_authentication_sessions', { id: expired.id })).to.equal(false);
      expect(await exists('oauth2_authentication_sessions', { id: live.id })).to.equal(true);

      const kept = await runTollgate([
        'janitor',
        server.dsn,
        '--requests',
        '--consent-request-lifespan',
        '5m',
        '--keep-if-younger',
        '15m',
      ]);
      expect(kept.stdout, kept.stderr).to.include('Deleted 0 inactive login/consent request(s)');
      const shorter = await runTollgate(['janitor', server.dsn, '--requests'], {
        env: { TTL_LOGIN_CONSENT_REQUEST: '5m' },
      });
      expect(shorter.stdout, shorter.stderr).to.include('Deleted 1 inactive login/consent request(s)');
      expect(await exists('oauth2_flows', { id: young.id })).to.equal(false);
      expect(await exists('oauth2_flows', { id: session.id })).to.equal(true);
    });

    it('--grants deletes expired jwt-bearer trust relationships; a bad lifespan is a usage error; --help tells what goes', async () => {
      const trust = async (subject: string, expires_at: string) => {
        const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        const res = await call(server, 'trustOAuth2JwtGrantIssuer', {
          json: {
            issuer: 'https://janitor-idp.example.com',
            subject,
            scope: [],
            jwk: { ...publicKey.export({ format: 'jwk' }), kid: subject },
            expires_at,
          },
        });
        expect(res.status, res.text).to.equal(201);
        return res.body.id as string;
      };
      const expired = await trust('expired', '2020-01-01T00:00:00Z');
      const live = await trust('live', '2031-01-01T00:00:00Z');
      const grants = await runTollgate(['janitor', server.dsn, '--grants']);
      expect(grants.code, grants.stderr).to.equal(0);
      expect(grants.stdout).to.equal('Deleted 1 expired jwt-bearer trust relationship(s).\n');
      const get = (id: string) => call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id } });
      expect((await get(expired)).status).to.equal(404);
      expect((await get(live)).status).to.equal(200);
      const bad = await runTollgate([
        'janitor',
        server.dsn,
        '--requests',
        '--consent-request-lifespan',
        'soon',
      ]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.include('--consent-request-lifespan must be a duration');
      const help = await runTollgate(['janitor', '--help']);
      expect(help.stdout).to.include('refresh tokens, and authorization codes');
      expect(help.stdout).to.include('login/consent requests');
      expect(help.stdout).not.to.include('Tollgate keeps no login/consent requests');
    });
  });
});

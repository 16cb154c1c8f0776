import { expect } from 'chai';
import type { RotationPolicy } from '../../server/flows/ports.js';
import {
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  type OAuth2Error,
  ScopeNotGranted,
  UnauthorizedClient,
} from '../../server/oauth2/errors.js';
import type { TokenResponse } from '../../server/oauth2/grant-handler.js';
import { signatureKey } from '../../server/oauth2/token-strategies.js';
import { described, flowGrants, json, REDIRECT_URI, rejection } from '../helpers/flow-grants.js';
import { basic, makeClient } from '../helpers/oauth2-clients.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const STRICT: RotationPolicy = { gracePeriodMs: 0, reuseCount: 0, keepRotatedMs: 24 * HOUR };
const GRACEFUL: RotationPolicy = { gracePeriodMs: 60_000, reuseCount: 3, keepRotatedMs: 24 * HOUR };

const webApp = makeClient({
  client_id: 'web-app',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access profile',
  audience: ['https://api.example'],
});
const other = makeClient({
  client_id: 'other',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access profile',
});
const noRefreshGrant = makeClient({
  client_id: 'no-refresh',
  grant_types: ['authorization_code'],
  scope: 'openid offline_access',
});
const lifespans = makeClient({
  client_id: 'lifespans',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline',
  refresh_token_grant_access_token_lifespan: '15m',
  refresh_token_grant_refresh_token_lifespan: '48h',
  refresh_token_grant_id_token_lifespan: '2m',
});
const jwtApp = makeClient({
  client_id: 'jwt-app',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access profile',
  access_token_strategy: 'jwt',
});
const asWebApp = basic('web-app', 'secret-123');

const ALREADY_USED = described(InvalidGrant, 'The refresh token was already used.');
const MALFORMED = described(InvalidGrant, 'The refresh token is malformed or not valid.');

function setup(rotation: RotationPolicy = STRICT, refreshTokenMs?: number | null) {
  let now = new Date(NOW);
  const clients = [webApp, other, noRefreshGrant, lifespans, jwtApp];
  const env = flowGrants({ clients, now: () => now, rotation, refreshTokenMs });
  const sig = (token: string) => signatureKey(token.split('.')[1]!);
  return {
    ...env,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    refresh: (refresh_token: string, authorization = asWebApp) =>
      env.token({ grant_type: 'refresh_token', refresh_token }, authorization),
    /** Runs the code flow for webApp (or `client`) and returns the token response. */
    async login(options: Partial<Parameters<typeof env.authorize>[0]> = {}): Promise<TokenResponse> {
      const client = options.client ?? webApp;
      const { params } = await env.authorize({
        client,
        scope: ['openid', 'offline_access', 'profile'],
        nonce: 'nonce-0123456789',
        session: { access_token: { tenant: 't1' }, id_token: { email: 'alice@example.com' } },
        ...options,
      });
      const form = { grant_type: 'authorization_code', code: params.code!, redirect_uri: REDIRECT_URI };
      return env.token(form, basic(client.client_id, 'secret-123'));
    },
    accessRow: (token: string) => env.accessTokens.rows.get(sig(token)),
    refreshRow: (token: string) => env.flows.refreshTokens.get(sig(token)),
  };
}

describe('refresh_token grant (fosite flow_refresh.go)', () => {
  it('rotates: a new pair, the old access token gone, an ID token with the original claims', async () => {
    const env = setup();
    const first = await env.login();
    env.advance(5 * 60_000);
    const second = await env.refresh(first.refresh_token!);
    expect(Object.keys(second)).to.deep.equal([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(second).to.include({
      expires_in: 3599,
      scope: 'openid offline_access profile',
      token_type: 'bearer',
    });
    expect(second.refresh_token)
      .to.match(/^ory_rt_/)
      .and.not.equal(first.refresh_token);
    expect(env.accessRow(first.access_token)).to.equal(undefined);
    expect(env.accessRow(second.access_token)).to.deep.include({ subject: 'alice', ext: { tenant: 't1' } });
    expect(env.refreshRow(first.refresh_token!)).to.include({ active: false, used_times: 1 });
    expect(env.refreshRow(second.refresh_token!)).to.deep.include({ active: true, ext: { tenant: 't1' } });

    const before = await env.idTokens.decode(first.id_token!);
    const after = await env.idTokens.decode(second.id_token!);
    for (const claim of ['auth_time', 'rat', 'sid', 'acr', 'nonce', 'email', 'sub']) {
      expect(after[claim], claim).to.deep.equal(before[claim]);
    }
    expect(after.amr).to.deep.equal(before.amr);
    expect(after.iat).to.equal((before.iat as number) + 300);
    expect(after.jti).to.not.equal(before.jti);
    expect(after.at_hash).to.not.equal(before.at_hash);
  });

  it("this replica's introspection cache forgets the access tokens a rotation deleted, at once", async () => {
    for (const rotation of [STRICT, GRACEFUL]) {
      const env = setup(rotation);
      const first = await env.login();
      expect(await env.introspect({ token: first.access_token })).to.include({ active: true });
      const second = await env.refresh(first.refresh_token!);
      expect(await env.introspect({ token: first.access_token })).to.deep.equal({ active: false });
      expect(await env.introspect({ token: second.access_token })).to.include({ active: true });
    }
  });

  it('strict rotation: a used token again is a reuse that revokes the whole grant', async () => {
    const env = setup(STRICT);
    const first = await env.login();
    const second = await env.refresh(first.refresh_token!);
    expect(json(await rejection(env.refresh(first.refresh_token!)))).to.deep.equal(ALREADY_USED);
    // Everything of the grant is gone, the newest pair included.
    expect(env.accessRow(second.access_token)).to.equal(undefined);
    expect(env.flows.refreshTokens.size).to.equal(0);
    expect(json(await rejection(env.refresh(second.refresh_token!)))).to.deep.equal(MALFORMED);
  });

  it('graceful rotation: within the period the old token forks the chain and deletes only its paired access token', async () => {
    const env = setup(GRACEFUL);
    const first = await env.login();
    const second = await env.refresh(first.refresh_token!);
    env.advance(30_000);
    const fork = await env.refresh(first.refresh_token!);
    expect(fork.refresh_token).to.not.equal(second.refresh_token);
    // The pair from the first refresh is untouched; both chains work.
    expect(env.accessRow(second.access_token)).to.not.equal(undefined);
    expect(env.accessRow(fork.access_token)).to.not.equal(undefined);
    expect(env.refreshRow(first.refresh_token!)).to.include({ used_times: 2 });
    expect((await env.refresh(second.refresh_token!)).access_token).to.match(/^ory_at_/);
    expect((await env.refresh(fork.refresh_token!)).access_token).to.match(/^ory_at_/);
  });

  it('graceful rotation with JWT access tokens: a retry in the same second gets a different token', async () => {
    const env = setup(GRACEFUL);
    const first = await env.login({ client: jwtApp });
    const asJwtApp = basic('jwt-app', 'secret-123');
    const a = await env.refresh(first.refresh_token!, asJwtApp);
    const b = await env.refresh(first.refresh_token!, asJwtApp);
    expect(a.access_token).to.not.equal(b.access_token);
    const jti = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    expect(jti(a.access_token)).to.not.equal(jti(b.access_token));
  });

  it('graceful rotation: past the reuse count, or past the period, it is a reuse again', async () => {
    const counted = setup(GRACEFUL);
    const a = await counted.login();
    for (let i = 0; i < 3; i++) await counted.refresh(a.refresh_token!);
    expect(json(await rejection(counted.refresh(a.refresh_token!)))).to.deep.equal(ALREADY_USED);
    expect(counted.accessTokens.rows.size).to.equal(0);

    const timed = setup(GRACEFUL);
    const b = await timed.login();
    const next = await timed.refresh(b.refresh_token!);
    timed.advance(60_000);
    expect(json(await rejection(timed.refresh(b.refresh_token!)))).to.deep.equal(ALREADY_USED);
    expect(timed.accessRow(next.access_token)).to.equal(undefined);
  });

  it('two concurrent refreshes under strict rotation: one wins, the other is a reuse (Hydra)', async () => {
    const env = setup(STRICT);
    const first = await env.login();
    const results = await Promise.allSettled([
      env.refresh(first.refresh_token!),
      env.refresh(first.refresh_token!),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
  });

  it('refuses a client without the refresh_token grant first', async () => {
    const env = setup();
    const error = await rejection(env.refresh('ory_rt_x.y', basic('no-refresh', 'secret-123')));
    expect(json(error)).to.deep.equal(
      described(
        UnauthorizedClient,
        "The OAuth 2.0 Client is not allowed to use authorization grant 'refresh_token'.",
      ),
    );
  });

  it('malformed, forged, unknown and other kinds of tokens', async () => {
    const env = setup();
    const first = await env.login();
    const forged = `${first.refresh_token!.slice(0, -2)}${first.refresh_token!.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [
      forged,
      first.access_token,
      first.refresh_token!.replace('ory_rt_', 'ory_ac_'),
      env.refreshTokens.mint().token,
      '',
    ]) {
      expect(json(await rejection(env.refresh(token))), token).to.deep.equal(MALFORMED);
    }
    expect((await env.refresh(first.refresh_token!)).refresh_token).to.match(/^ory_rt_/);
  });

  it('an expired refresh token; one that never expires (ttl -1)', async () => {
    const env = setup();
    const first = await env.login();
    env.advance(720 * HOUR + 1);
    expect(json(await rejection(env.refresh(first.refresh_token!)))).to.deep.equal(
      described(InvalidGrant, 'The refresh token expired.'),
    );

    const forever = setup(STRICT, null);
    const token = await forever.login();
    expect(forever.refreshRow(token.refresh_token!)!.expires_at).to.equal(null);
    forever.advance(10 * 365 * 24 * HOUR);
    expect((await forever.refresh(token.refresh_token!)).refresh_token).to.match(/^ory_rt_/);
  });

  it('403 scope_not_granted for a grant without offline scopes', async () => {
    const env = setup();
    const first = await env.login();
    const row = env.refreshRow(first.refresh_token!)!;
    row.granted_scope = ['openid', 'profile'];
    const error = (await rejection(env.refresh(first.refresh_token!))) as OAuth2Error;
    expect(error.status).to.equal(403);
    expect(error.toJSON()).to.deep.equal(
      described(
        ScopeNotGranted,
        "The OAuth 2.0 Client was not granted scope offline and may thus not perform the 'refresh_token' authorization grant.",
      ),
    );
  });

  it("refuses another client's refresh token", async () => {
    const env = setup();
    const first = await env.login();
    expect(
      json(await rejection(env.refresh(first.refresh_token!, basic('other', 'secret-123')))),
    ).to.deep.equal(
      described(
        InvalidGrant,
        'The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.',
      ),
    );
  });

  it("checks the grant against the client's current scope and audience", async () => {
    const env = setup();
    const first = await env.login({ audience: ['https://api.example'] });
    const client = env.clients.byId.get('web-app')!;
    const original = client.document;
    client.document = { ...original, scope: 'openid offline_access' };
    expect(json(await rejection(env.refresh(first.refresh_token!)))).to.deep.equal(
      described(InvalidScope, "The OAuth 2.0 Client is not allowed to request scope 'profile'."),
    );
    client.document = { ...original, audience: [] };
    const audience = json(await rejection(env.refresh(first.refresh_token!)));
    expect(audience.error).to.equal(new InvalidRequest().error);
    expect(audience.error_description).to.contain('https://api.example');
    client.document = original;
    expect((await env.refresh(first.refresh_token!)).refresh_token).to.match(/^ory_rt_/);
  });

  it("honours the client's refresh_token_grant_* lifespans", async () => {
    const env = setup();
    const first = await env.login({ client: lifespans, scope: ['openid', 'offline'] });
    const next = await env.refresh(first.refresh_token!, basic('lifespans', 'secret-123'));
    expect(next.expires_in).to.equal(15 * 60 - 1);
    expect(env.refreshRow(next.refresh_token!)!.expires_at!.getTime()).to.equal(NOW.getTime() + 48 * HOUR);
    expect((await env.idTokens.decode(next.id_token!)).exp).to.equal(NOW.getTime() / 1000 + 120);
  });
});

import { expect } from 'chai';
import type { TokenResponse } from '../../server/oauth2/grant-handler.js';
import { signatureKey } from '../../server/oauth2/token-strategies.js';
import { flowGrants, ISSUER, REDIRECT_URI } from '../helpers/flow-grants.js';
import { basic, makeClient } from '../helpers/oauth2-clients.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const webApp = makeClient({
  client_id: 'web-app',
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  scope: 'openid offline_access profile',
  audience: ['https://api.example'],
});
const other = makeClient({ client_id: 'other', grant_types: ['authorization_code'], scope: 'openid' });

function setup(refreshTokenMs?: number | null) {
  let now = new Date(NOW);
  const env = flowGrants({ clients: [webApp, other], now: () => now, refreshTokenMs });
  return {
    ...env,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    async login(): Promise<{ flowId: string; tokens: TokenResponse; code: string }> {
      const { flow, params } = await env.authorize({
        client: webApp,
        scope: ['openid', 'offline_access', 'profile'],
        audience: ['https://api.example'],
        session: { access_token: { tenant: 't1' }, id_token: {} },
      });
      const tokens = await env.token(
        { grant_type: 'authorization_code', code: params.code!, redirect_uri: REDIRECT_URI },
        basic('web-app', 'secret-123'),
      );
      return { flowId: flow.id, tokens, code: params.code! };
    },
  };
}

describe('introspection and revocation of the browser flows’ tokens', () => {
  it('a refresh token introspects with token_use refresh_token; an access token carries sub and ext', async () => {
    const env = setup();
    const { tokens } = await env.login();
    const second = Math.floor(NOW.getTime() / 1000);
    expect(await env.introspect({ token: tokens.refresh_token! })).to.deep.equal({
      active: true,
      scope: 'openid offline_access profile',
      client_id: 'web-app',
      sub: 'alice',
      exp: second + 720 * 3600,
      iat: second,
      nbf: second,
      aud: ['https://api.example'],
      iss: ISSUER,
      token_type: 'Bearer',
      token_use: 'refresh_token',
      ext: { tenant: 't1' },
    });
    const access = await env.introspect({ token: tokens.access_token });
    expect(Object.keys(access)).to.deep.equal([
      'active',
      'scope',
      'client_id',
      'sub',
      'exp',
      'iat',
      'nbf',
      'aud',
      'iss',
      'token_type',
      'token_use',
      'ext',
    ]);
    expect(access).to.include({ sub: 'alice', token_use: 'access_token', exp: second + 3600 });
    // The hint only changes the order in which the kinds are looked up.
    expect(
      await env.introspect({ token: tokens.refresh_token!, token_type_hint: 'access_token' }),
    ).to.include({
      token_use: 'refresh_token',
    });
    expect(await env.introspect({ token: tokens.access_token, token_type_hint: 'refresh_token' })).to.include(
      {
        token_use: 'access_token',
      },
    );
    expect(await env.introspect({ token: tokens.refresh_token!, scope: 'email' })).to.deep.equal({
      active: false,
    });
  });

  it('a client_credentials token keeps its exact shape (no ext)', async () => {
    const env = setup();
    const cc = await env.token(
      { grant_type: 'client_credentials', scope: 'profile' },
      basic('web-app', 'secret-123'),
    );
    const result = await env.introspect({ token: cc.access_token });
    expect(result).to.include({ active: true, sub: 'web-app', token_use: 'access_token' });
    expect(result).to.not.have.property('ext');
  });

  it('codes, rotated, expired and never-expiring refresh tokens', async () => {
    const env = setup();
    const { tokens, code } = await env.login();
    expect(await env.introspect({ token: code })).to.deep.equal({ active: false });
    await env.token(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      basic('web-app', 'secret-123'),
    );
    expect(await env.introspect({ token: tokens.refresh_token! })).to.deep.equal({ active: false });

    const later = setup();
    const fresh = await later.login();
    later.advance(720 * HOUR + 1);
    expect(await later.introspect({ token: fresh.tokens.refresh_token! })).to.deep.equal({ active: false });

    const forever = setup(null);
    const endless = await forever.login();
    const result = await forever.introspect({ token: endless.tokens.refresh_token! });
    expect(result).to.include({ active: true, token_use: 'refresh_token' });
    expect(result).to.not.have.property('exp');
  });

  it('revoking a refresh token revokes its grant: access token, refresh token and code', async () => {
    const env = setup();
    const { tokens, flowId } = await env.login();
    const outcome = await env.revocation.revoke({ token: tokens.refresh_token! }, webApp);
    expect(outcome).to.deep.equal({ revoked: true });
    expect(await env.introspect({ token: tokens.access_token })).to.deep.equal({ active: false });
    expect(await env.introspect({ token: tokens.refresh_token! })).to.deep.equal({ active: false });
    expect([...env.flows.codes.values()].filter((c) => c.request_id === flowId)).to.deep.equal([]);
  });

  it("revoking a flow's access token revokes the grant too (fosite revokes by request id)", async () => {
    const env = setup();
    const { tokens } = await env.login();
    expect(await env.revocation.revoke({ token: tokens.access_token }, webApp)).to.deep.equal({
      revoked: true,
    });
    expect(await env.introspect({ token: tokens.refresh_token! })).to.deep.equal({ active: false });
    const refresh = env.token(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      basic('web-app', 'secret-123'),
    );
    await refresh.then(
      () => expect.fail('the refresh token should be revoked'),
      (error) => expect(error.error).to.equal('invalid_grant'),
    );
  });

  it('revoking a client_credentials token touches no grant (one delete, as before)', async () => {
    const env = setup();
    const { tokens } = await env.login();
    let grantRevocations = 0;
    const revokeGrant = env.grants.revokeGrant.bind(env.grants);
    env.grants.revokeGrant = (requestId) => {
      grantRevocations++;
      return revokeGrant(requestId);
    };
    const cc = await env.token({ grant_type: 'client_credentials' }, basic('web-app', 'secret-123'));
    expect(await env.revocation.revoke({ token: cc.access_token }, webApp)).to.deep.equal({ revoked: true });
    expect(await env.introspect({ token: cc.access_token })).to.deep.equal({ active: false });
    expect(grantRevocations).to.equal(0);
    expect(await env.introspect({ token: tokens.access_token })).to.include({ active: true });
    await env.revocation.revoke({ token: tokens.access_token }, webApp);
    expect(grantRevocations).to.equal(1);
  });

  it("another client's refresh token is not revoked", async () => {
    const env = setup();
    const { tokens } = await env.login();
    expect(await env.revocation.revoke({ token: tokens.refresh_token! }, other)).to.deep.equal({
      revoked: false,
      reason: 'other_client',
      token_client_id: 'web-app',
    });
    expect(await env.introspect({ token: tokens.refresh_token! })).to.include({ active: true });
  });

  it('DELETE /admin/oauth2/tokens removes access tokens, refresh tokens and codes of the client (R14)', async () => {
    const env = setup();
    const { tokens } = await env.login();
    const { params } = await env.authorize({ client: webApp });
    expect(env.flows.codes.size).to.equal(2);
    await env.revocation.deleteClientTokens('web-app');
    expect(await env.introspect({ token: tokens.access_token })).to.deep.equal({ active: false });
    expect(await env.introspect({ token: tokens.refresh_token! })).to.deep.equal({ active: false });
    expect(env.flows.codes.size).to.equal(0);
    expect(env.flows.codes.get(signatureKey(params.code!.split('.')[1]!))).to.equal(undefined);
  });
});

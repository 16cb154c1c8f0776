import { expect } from 'chai';
import { InvalidRequest, type OAuth2Error } from '../../server/oauth2/errors.js';
import type { AccessTokenRecord } from '../../server/oauth2/ports.js';
import { createRevocation } from '../../server/oauth2/revocation.js';
import { FakeTokenStrategy } from '../helpers/fake-token-strategy.js';
import { FailingAccessTokenStore, MemoryAccessTokenStore } from '../helpers/memory-token-store.js';
import { makeClient } from '../helpers/oauth2-clients.js';

const alice = makeClient({ client_id: 'alice', grant_types: ['client_credentials'] });
const bob = makeClient({ client_id: 'bob', grant_types: ['client_credentials'] });

function setup() {
  const tokens = new MemoryAccessTokenStore();
  const strategies = { opaque: new FakeTokenStrategy('opaque'), jwt: new FakeTokenStrategy('jwt') };
  const revocation = createRevocation({ strategies, tokens });

  async function mint(clientId: string, requestId: string, strategy: 'opaque' | 'jwt' = 'opaque') {
    const { token, signature } = await strategies[strategy].issue({} as never);
    const row: AccessTokenRecord = {
      signature,
      request_id: requestId,
      client_id: clientId,
      subject: clientId,
      granted_scope: [],
      granted_audience: [],
      requested_at: new Date(),
      expires_at: new Date(Date.now() + 3_600_000),
    };
    await tokens.insert(row);
    return token;
  }

  return { tokens, strategies, revocation, mint };
}

describe('POST /oauth2/revoke (RFC 7009)', () => {
  it("deletes the client's own token", async () => {
    const { revocation, mint, tokens } = setup();
    const token = await mint('alice', 'r1');
    const other = await mint('alice', 'r2');
    expect(await revocation.revoke({ token }, alice)).to.deep.equal({ revoked: true });
    expect([...tokens.rows.values()].map((row) => row.request_id)).to.deep.equal(['r2']);
    expect(other).to.be.a('string');
  });

  it('deletes every token of the same request', async () => {
    const { revocation, mint, tokens } = setup();
    const token = await mint('alice', 'r1');
    await mint('alice', 'r1', 'jwt');
    await revocation.revoke({ token }, alice);
    expect(tokens.rows.size).to.equal(0);
  });

  it('revokes JWT access tokens too', async () => {
    const { revocation, mint, tokens } = setup();
    const token = await mint('alice', 'r1', 'jwt');
    expect(await revocation.revoke({ token, token_type_hint: 'access_token' }, alice)).to.deep.equal({
      revoked: true,
    });
    expect(tokens.rows.size).to.equal(0);
  });

  it('answers success without revoking a token of another client, and says why', async () => {
    const { revocation, mint, tokens } = setup();
    const token = await mint('bob', 'r1');
    expect(await revocation.revoke({ token }, alice)).to.deep.equal({
      revoked: false,
      reason: 'other_client',
      token_client_id: 'bob',
    });
    expect(tokens.rows.size).to.equal(1);
    expect(await revocation.revoke({ token }, bob)).to.deep.equal({ revoked: true });
  });

  it('answers success for unknown, malformed or tampered tokens (RFC 7009 §2.2)', async () => {
    const { revocation, mint, strategies, tokens } = setup();
    const token = await mint('alice', 'r1');
    const { token: neverStored } = await strategies.opaque.issue({} as never);
    for (const candidate of ['garbage', 'a.b.c', `${token}x`, neverStored]) {
      expect(await revocation.revoke({ token: candidate }, alice), candidate).to.deep.equal({
        revoked: false,
        reason: 'unknown_token',
      });
    }
    expect(tokens.rows.size).to.equal(1);
  });

  it('ignores token_type_hint, including unsupported values (RFC 7009 §2.1)', async () => {
    const { revocation, mint } = setup();
    for (const [i, token_type_hint] of ['refresh_token', 'access_token', 'bogus'].entries()) {
      const token = await mint('alice', `r${i}`);
      expect(await revocation.revoke({ token, token_type_hint }, alice), token_type_hint).to.deep.equal({
        revoked: true,
      });
    }
  });

  it('refuses a request without a token with invalid_request', async () => {
    const { revocation } = setup();
    for (const request of [{}, { token: '' }, { token: [] }]) {
      const error = (await revocation.revoke(request, alice).catch((e: unknown) => e)) as OAuth2Error;
      expect(error, JSON.stringify(request)).to.be.instanceOf(InvalidRequest);
      expect(error.status).to.equal(400);
    }
  });

  it('lets a store failure through unchanged', async () => {
    const outage = new Error('connection refused');
    const strategies = { opaque: new FakeTokenStrategy('opaque'), jwt: new FakeTokenStrategy('jwt') };
    const revocation = createRevocation({ strategies, tokens: new FailingAccessTokenStore(outage) });
    const { token } = await strategies.opaque.issue({} as never);
    expect(await revocation.revoke({ token }, alice).catch((e: unknown) => e)).to.equal(outage);
  });
});

describe('DELETE /admin/oauth2/tokens', () => {
  it("deletes every access token of the client and nobody else's", async () => {
    const { revocation, mint, tokens } = setup();
    await mint('alice', 'r1');
    await mint('alice', 'r2', 'jwt');
    await mint('bob', 'r3');
    await revocation.deleteClientTokens('alice');
    expect([...tokens.rows.values()].map((row) => row.client_id)).to.deep.equal(['bob']);
  });

  it("succeeds for an unknown client and deletes no other client's token", async () => {
    const { revocation, mint, tokens } = setup();
    await mint('alice', 'r1');
    await mint('bob', 'r2', 'jwt');
    expect(await revocation.deleteClientTokens('nobody')).to.equal(undefined);
    expect([...tokens.rows.values()].map((row) => row.request_id)).to.deep.equal(['r1', 'r2']);
  });

  it('requires client_id, with Hydra’s message', async () => {
    const { revocation } = setup();
    for (const clientId of [undefined, '']) {
      const error = (await revocation.deleteClientTokens(clientId).catch((e: unknown) => e)) as OAuth2Error;
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.toJSON()).to.deep.equal(
        new InvalidRequest("Query parameter 'client_id' is not defined but it should have been.").toJSON(),
      );
    }
  });
});

import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { SystemSecrets } from '../../server/crypto/secrets.js';
import { KeyManager } from '../../server/keys/key-manager.js';
import { defaultAudienceStrategy } from '../../server/oauth2/audience-strategy.js';
import { authenticateClient } from '../../server/oauth2/client-authentication.js';
import { InvalidRequest } from '../../server/oauth2/errors.js';
import { createGrants } from '../../server/oauth2/grants/index.js';
import { createIntrospector, type IntrospectorDeps } from '../../server/oauth2/introspection.js';
import type { AccessTokenRecord, AccessTokenStrategy } from '../../server/oauth2/ports.js';
import { createRevocation } from '../../server/oauth2/revocation.js';
import { exactScopeStrategy, wildcardScopeStrategy } from '../../server/oauth2/scope-strategy.js';
import { createTokenEndpoint } from '../../server/oauth2/token-endpoint.js';
import { JwtTokenStrategy, OpaqueTokenStrategy } from '../../server/oauth2/token-strategies.js';
import { FakeTokenStrategy } from '../helpers/fake-token-strategy.js';
import { HYDRA_INTROSPECTION_KEYS } from '../helpers/hydra.js';
import { MemoryKeyStore } from '../helpers/memory-key-store.js';
import { FailingAccessTokenStore, MemoryAccessTokenStore } from '../helpers/memory-token-store.js';
import {
  basic,
  clientLookup,
  fakeUnknownClientHash,
  makeClient,
  verifyFakeSecret,
} from '../helpers/oauth2-clients.js';

const ISSUER = 'https://auth.example.com';
const REQUESTED_AT = new Date('2025-06-01T12:00:00.750Z');
const EXPIRES_AT = new Date('2025-06-01T13:00:00.750Z');
/** Changes the token's last character. */
const tamper = (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'Q' : 'A'}`;

const service = makeClient({
  client_id: 'service',
  grant_types: ['client_credentials'],
  scope: 'read write orders.*',
});

function setup(overrides: Partial<IntrospectorDeps> = {}) {
  const tokens = new MemoryAccessTokenStore();
  const strategies = { opaque: new FakeTokenStrategy('opaque'), jwt: new FakeTokenStrategy('jwt') };
  const clients = clientLookup(service);
  let now = new Date('2025-06-01T12:30:00Z');
  const introspector = createIntrospector({
    strategies,
    tokens,
    clients,
    scopeStrategy: wildcardScopeStrategy,
    issuer: ISSUER,
    now: () => now,
    ...overrides,
  });

  /** Mints a token with the given strategy and stores its row, as the grant would. */
  async function mint(record: Partial<AccessTokenRecord> = {}, strategy: 'opaque' | 'jwt' = 'opaque') {
    const row: Omit<AccessTokenRecord, 'signature'> = {
      request_id: `request-${tokens.rows.size + 1}`,
      client_id: 'service',
      subject: 'service',
      granted_scope: ['read', 'orders.*'],
      granted_audience: ['https://api'],
      requested_at: REQUESTED_AT,
      expires_at: EXPIRES_AT,
      ...record,
    };
    const { token, signature } = await strategies[strategy].issue({
      request_id: row.request_id,
      issuer: ISSUER,
      client_id: row.client_id,
      subject: row.subject,
      scope: row.granted_scope,
      audience: row.granted_audience,
      issued_at: row.requested_at,
      expires_at: row.expires_at,
    });
    await tokens.insert({ ...row, signature });
    return token;
  }

  return {
    tokens,
    strategies,
    clients,
    mint,
    setNow: (date: Date) => {
      now = date;
    },
    introspect: introspector.introspect,
  };
}

describe('POST /admin/oauth2/introspect (RFC 7662)', () => {
  it("answers an active token with Hydra's fields, in Hydra's order", async () => {
    const { mint, introspect } = setup();
    const result = await introspect({ token: await mint() });
    expect(result).to.deep.equal({
      active: true,
      scope: 'read orders.*',
      client_id: 'service',
      sub: 'service',
      exp: Math.floor(EXPIRES_AT.getTime() / 1000),
      iat: Math.floor(REQUESTED_AT.getTime() / 1000),
      nbf: Math.floor(REQUESTED_AT.getTime() / 1000),
      aud: ['https://api'],
      iss: ISSUER,
      token_type: 'Bearer',
      token_use: 'access_token',
    });
    expect(Object.keys(result)).to.deep.equal(HYDRA_INTROSPECTION_KEYS);
  });

  it('omits scope when nothing was granted and keeps aud an array', async () => {
    const { mint, introspect } = setup();
    const result = await introspect({ token: await mint({ granted_scope: [], granted_audience: [] }) });
    expect(result).to.not.have.property('scope');
    expect(result).to.deep.include({ active: true, aud: [] });
  });

  it('validates JWT-shaped tokens with the JWT strategy first', async () => {
    const { mint, introspect, strategies } = setup();
    const calls: string[] = [];
    for (const strategy of [strategies.opaque, strategies.jwt] as AccessTokenStrategy[]) {
      const validate = strategy.validate.bind(strategy);
      strategy.validate = (token) => {
        calls.push(strategy.name);
        return validate(token);
      };
    }
    const jwt = await mint({}, 'jwt');
    expect(await introspect({ token: jwt })).to.deep.include({ active: true });
    expect(calls).to.deep.equal(['jwt']);
    calls.length = 0;
    expect(await introspect({ token: await mint() })).to.deep.include({ active: true });
    expect(calls).to.deep.equal(['opaque']);
  });

  it('refuses an empty body with invalid_request, as fosite', async () => {
    const { introspect } = setup();
    const error = await introspect({}).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidRequest);
    expect((error as InvalidRequest).toJSON()).to.deep.equal(
      new InvalidRequest('The POST body can not be empty.').toJSON(),
    );
  });

  it('uses the first value of a repeated token parameter', async () => {
    const { mint, introspect } = setup();
    expect(await introspect({ token: [await mint(), 'garbage'] })).to.deep.include({ active: true });
  });

  describe('answers {active:false}', () => {
    it('without a token', async () => {
      const { introspect } = setup();
      expect(await introspect({ scope: 'read' })).to.deep.equal({ active: false });
      expect(await introspect({ token: '' })).to.deep.equal({ active: false });
    });

    it('for malformed or unknown tokens', async () => {
      const { introspect, strategies } = setup();
      expect(await introspect({ token: 'not-a-token' })).to.deep.equal({ active: false });
      expect(await introspect({ token: 'a.b.c' })).to.deep.equal({ active: false });
      // Integrity holds but there is no row: never issued here, or deleted.
      const { token } = await strategies.opaque.issue({} as never);
      expect(await introspect({ token })).to.deep.equal({ active: false });
    });

    it('for a token with a bad signature', async () => {
      const { mint, introspect } = setup();
      const token = await mint();
      expect(await introspect({ token: tamper(token) })).to.deep.equal({ active: false });
    });

    it('for an expired token (active up to its expiry instant, as fosite)', async () => {
      const { mint, introspect, setNow } = setup();
      const token = await mint();
      setNow(EXPIRES_AT);
      expect(await introspect({ token })).to.deep.include({ active: true });
      setNow(new Date(EXPIRES_AT.getTime() + 1));
      expect(await introspect({ token })).to.deep.equal({ active: false });
    });

    it('for a revoked token', async () => {
      const { mint, introspect, tokens } = setup();
      const token = await mint();
      await tokens.deleteByRequestId('request-1');
      expect(await introspect({ token })).to.deep.equal({ active: false });
    });

    it("for a deleted client's token", async () => {
      const { mint, introspect, clients } = setup();
      const token = await mint();
      clients.byId.delete('service');
      expect(await introspect({ token })).to.deep.equal({ active: false });
    });

    it('when the scope parameter asks for a scope that was not granted', async () => {
      const { mint, introspect } = setup();
      const token = await mint();
      // `write` is allowed to the client but was not granted to this token.
      expect(await introspect({ token, scope: 'read write' })).to.deep.equal({ active: false });
      expect(await introspect({ token, scope: 'orders' })).to.deep.equal({ active: false });
    });
  });

  it('checks the scope parameter against the granted scopes with the scope strategy, skipping empty entries', async () => {
    const { mint, introspect } = setup();
    const token = await mint();
    expect(await introspect({ token, scope: '  read   orders.list ' })).to.deep.include({ active: true });
    expect(await introspect({ token, scope: '' })).to.deep.include({ active: true });

    const exact = setup({ scopeStrategy: exactScopeStrategy });
    const exactToken = await exact.mint();
    expect(await exact.introspect({ token: exactToken, scope: 'orders.list' })).to.deep.equal({
      active: false,
    });
    expect(await exact.introspect({ token: exactToken, scope: 'orders.*' })).to.deep.include({
      active: true,
    });
  });

  describe('lets failures through instead of answering inactive', () => {
    it('a token store failure', async () => {
      const outage = new Error('connection refused');
      const { introspect, strategies } = setup({ tokens: new FailingAccessTokenStore(outage) });
      const { token } = await strategies.opaque.issue({} as never);
      const error = await introspect({ token }).catch((e: unknown) => e);
      expect(error).to.equal(outage);
    });

    it('a client store failure', async () => {
      const outage = new Error('connection refused');
      const base = setup();
      const token = await base.mint();
      const { introspect } = setup({
        tokens: base.tokens,
        strategies: base.strategies,
        clients: { get: () => Promise.reject(outage) },
      });
      expect(await introspect({ token }).catch((e: unknown) => e)).to.equal(outage);
    });
  });

  describe('with the real token strategies', () => {
    const secrets = new SystemSecrets(['this-is-the-primary-secret']);
    const keys = new KeyManager(new MemoryKeyStore(), secrets, { rsaModulusLength: 2048 });
    const strategies = {
      opaque: new OpaqueTokenStrategy(secrets),
      jwt: new JwtTokenStrategy(keys, { scopeClaim: 'list' }),
    };
    const jwtClient = makeClient({
      client_id: 'jwt-service',
      grant_types: ['client_credentials'],
      scope: 'read',
      access_token_strategy: 'jwt',
    });

    function wire() {
      const tokens = new MemoryAccessTokenStore();
      const clients = clientLookup(service, jwtClient);
      const endpoint = createTokenEndpoint({
        grants: createGrants({
          scopeStrategy: wildcardScopeStrategy,
          audienceStrategy: defaultAudienceStrategy,
          issuer: ISSUER,
          defaultLifespanMs: 3_600_000,
          strategies,
          defaultStrategy: 'opaque',
          tokens,
          newRequestId: () => crypto.randomUUID(),
        }),
        authenticate: (request) =>
          authenticateClient(request, {
            clients,
            verifySecret: verifyFakeSecret,
            unknownClientHash: fakeUnknownClientHash,
          }),
      });
      const introspector = createIntrospector({
        strategies,
        tokens,
        clients,
        scopeStrategy: wildcardScopeStrategy,
        issuer: ISSUER,
      });
      const revocation = createRevocation({ strategies, tokens });
      return { tokens, endpoint, introspector, revocation };
    }

    it('issues an ory_at_ token that introspects active, then inactive once revoked', async () => {
      const { tokens, endpoint, introspector, revocation } = wire();
      const response = await endpoint.handle({
        authorization: basic('service', 'secret-123'),
        form: { grant_type: 'client_credentials', scope: 'read' },
      });
      expect(response.access_token).to.match(/^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      expect(response.expires_in).to.equal(3599);

      // The row is keyed by hex(SHA-384(signature part)), never by the token itself (Hydra's `x/sighash.go`).
      const sigPart = response.access_token.split('.')[1] as string;
      const [row] = [...tokens.rows.values()];
      expect(row?.signature).to.equal(createHash('sha384').update(sigPart).digest('hex'));

      const active = await introspector.introspect({ token: response.access_token, scope: 'read' });
      expect(active).to.deep.include({
        active: true,
        scope: 'read',
        client_id: 'service',
        sub: 'service',
        aud: [],
      });
      expect(await introspector.introspect({ token: tamper(response.access_token) })).to.deep.equal({
        active: false,
      });

      expect(await revocation.revoke({ token: response.access_token }, service)).to.deep.equal({
        revoked: true,
      });
      expect(await introspector.introspect({ token: response.access_token })).to.deep.equal({
        active: false,
      });
    });

    it('issues a JWT for a client that asks for one, and introspects it', async () => {
      const { endpoint, introspector } = wire();
      const response = await endpoint.handle({
        authorization: basic('jwt-service', 'secret-123'),
        form: { grant_type: 'client_credentials', scope: 'read' },
      });
      expect(response.access_token.split('.')).to.have.length(3);
      expect(await introspector.introspect({ token: response.access_token })).to.deep.include({
        active: true,
        client_id: 'jwt-service',
        scope: 'read',
      });
    });
  });
});

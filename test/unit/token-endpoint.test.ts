import { expect } from 'chai';
import { defaultAudienceStrategy } from '../../server/oauth2/audience-strategy.js';
import { authenticateClient } from '../../server/oauth2/client-authentication.js';
import {
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  type OAuth2Error,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '../../server/oauth2/errors.js';
import type { Form } from '../../server/oauth2/form.js';
import type { GrantHandler } from '../../server/oauth2/grant-handler.js';
import { type ClientCredentialsDeps, secondsUntil } from '../../server/oauth2/grants/client-credentials.js';
import { createGrants } from '../../server/oauth2/grants/index.js';
import { wildcardScopeStrategy } from '../../server/oauth2/scope-strategy.js';
import { createTokenEndpoint } from '../../server/oauth2/token-endpoint.js';
import { FakeTokenStrategy } from '../helpers/fake-token-strategy.js';
import { FailingAccessTokenStore, MemoryAccessTokenStore } from '../helpers/memory-token-store.js';
import {
  basic,
  clientLookup,
  fakeUnknownClientHash,
  makeClient,
  verifyFakeSecret,
} from '../helpers/oauth2-clients.js';

const ISSUER = 'https://auth.example.com';
const HOUR = 3_600_000;
const NOW = new Date('2025-06-01T12:00:00.000Z');

const service = makeClient({
  client_id: 'service',
  grant_types: ['client_credentials'],
  scope: 'read write orders.*',
  audience: ['https://api/x', 'https://other'],
});
const noGrant = makeClient({ client_id: 'no-grant', grant_types: ['authorization_code'], scope: 'read' });
const noGrantTypes = makeClient({ client_id: 'no-grant-types', grant_types: [], scope: 'read' });
const upperGrant = makeClient({ client_id: 'upper', grant_types: ['CLIENT_CREDENTIALS'], scope: 'read' });
const publicClient = makeClient(
  {
    client_id: 'public',
    token_endpoint_auth_method: 'none',
    grant_types: ['client_credentials'],
    scope: 'read',
  },
  null,
);
const publicNoGrant = makeClient(
  { client_id: 'public-no-grant', token_endpoint_auth_method: 'none', scope: 'read' },
  null,
);
const shortLived = makeClient({
  client_id: 'short',
  grant_types: ['client_credentials'],
  client_credentials_grant_access_token_lifespan: '30m',
});
const jwtClient = makeClient({
  client_id: 'jwt',
  grant_types: ['client_credentials'],
  access_token_strategy: 'jwt',
});
const jwtUpper = makeClient({
  client_id: 'jwt-upper',
  grant_types: ['client_credentials'],
  access_token_strategy: 'JWT' as 'jwt', // stored lowercase by the client service; read case-insensitively anyway
});
const opaqueClient = makeClient({
  client_id: 'opaque',
  grant_types: ['client_credentials'],
  access_token_strategy: 'opaque',
});

function setup(overrides: Partial<ClientCredentialsDeps> & { clock?: () => Date } = {}) {
  const tokens = new MemoryAccessTokenStore();
  const strategies = { opaque: new FakeTokenStrategy('opaque'), jwt: new FakeTokenStrategy('jwt') };
  const clients = clientLookup(
    service,
    noGrant,
    noGrantTypes,
    upperGrant,
    publicClient,
    publicNoGrant,
    shortLived,
    jwtClient,
    jwtUpper,
    opaqueClient,
  );
  let requestIds = 0;
  let authentications = 0;
  const clock = overrides.clock ?? (() => new Date(NOW));
  const endpoint = createTokenEndpoint({
    grants: createGrants({
      scopeStrategy: wildcardScopeStrategy,
      audienceStrategy: defaultAudienceStrategy,
      issuer: ISSUER,
      defaultLifespanMs: HOUR,
      strategies,
      defaultStrategy: 'opaque',
      tokens,
      newRequestId: () => `request-${++requestIds}`,
      clock,
      ...overrides,
    }),
    authenticate: (request) => {
      authentications++;
      return authenticateClient(request, {
        clients,
        verifySecret: verifyFakeSecret,
        unknownClientHash: fakeUnknownClientHash,
      });
    },
    clock,
  });
  return {
    tokens,
    strategies,
    endpoint,
    authentications: () => authentications,
    token: (form: Form, authorization?: string) => endpoint.handle({ authorization, form }),
  };
}

const asService = basic('service', 'secret-123');

async function rejection(promise: Promise<unknown>): Promise<OAuth2Error> {
  try {
    await promise;
  } catch (error) {
    return error as OAuth2Error;
  }
  throw new Error('expected the request to fail');
}

function described(ErrorClass: new (hint?: string) => OAuth2Error, hint?: string) {
  return new ErrorClass(hint).toJSON();
}

describe('POST /oauth2/token', () => {
  describe('request checks, in Hydra order', () => {
    it('refuses an empty body with invalid_request', async () => {
      const { token } = setup();
      const error = await rejection(token({}, asService));
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.status).to.equal(400);
      expect(error.toJSON()).to.deep.equal(described(InvalidRequest, 'The POST body can not be empty.'));
    });

    it('refuses a body without grant_type with invalid_request', async () => {
      const { token } = setup();
      for (const form of [{ scope: 'read' }, { grant_type: '' }, { grant_type: '   ' }]) {
        const error = await rejection(token(form, asService));
        expect(error.toJSON(), JSON.stringify(form)).to.deep.equal(
          described(InvalidRequest, "Request parameter 'grant_type' is missing"),
        );
      }
    });

    it('answers unsupported_grant_type (RFC 6749 §5.2) for an unknown grant type', async () => {
      const { token } = setup();
      const error = await rejection(token({ grant_type: 'password' }, asService));
      expect(error).to.be.instanceOf(UnsupportedGrantType);
      expect(error.status).to.equal(400);
      expect(error.toJSON()).to.deep.equal(
        described(UnsupportedGrantType, "The grant type 'password' is not supported."),
      );
    });

    it('matches grant types exactly: several values or another case are unknown', async () => {
      const { token } = setup();
      for (const grant_type of ['client_credentials foo', 'Client_Credentials']) {
        expect(await rejection(token({ grant_type }, asService)), grant_type).to.be.instanceOf(
          UnsupportedGrantType,
        );
      }
    });

    it('reports the unknown grant type before bad credentials, without authenticating', async () => {
      const { token, authentications } = setup();
      const error = await rejection(token({ grant_type: 'foo' }, basic('service', 'wrong')));
      expect(error).to.be.instanceOf(UnsupportedGrantType);
      expect(authentications()).to.equal(0);
    });

    it('authenticates the client before running the grant', async () => {
      const { token } = setup();
      const error = await rejection(
        token({ grant_type: 'client_credentials', scope: 'nope' }, basic('service', 'x')),
      );
      expect(error).to.be.instanceOf(InvalidClient);
      expect(error.status).to.equal(401);
    });

    it('uses the first value of a repeated parameter', async () => {
      const { token } = setup();
      const response = await token(
        { grant_type: ['client_credentials', 'password'], scope: ['read', 'write'] },
        asService,
      );
      expect(response.scope).to.equal('read');
    });

    it('passes a grant only the parameters it declared', async () => {
      const seen: Form[] = [];
      const spy = {
        grantType: 'urn:test',
        parameters: ['scope', 'audience'],
        async handle({ form }) {
          seen.push(form);
          return { access_token: 't', expires_in: 1, scope: '', token_type: 'bearer' };
        },
      } satisfies GrantHandler;
      const endpoint = createTokenEndpoint({ grants: [spy], authenticate: async () => service });
      await endpoint.handle({
        form: { grant_type: 'urn:test', scope: 'a', audience: ['x', 'y'], client_secret: 's', foo: 'bar' },
      });
      expect(seen).to.deep.equal([{ scope: 'a', audience: ['x', 'y'] }]);
    });

    it('refuses to register one grant type twice', () => {
      const grant = createGrants({} as ClientCredentialsDeps)[0] as GrantHandler;
      expect(() =>
        createTokenEndpoint({ grants: [grant, grant], authenticate: async () => service }),
      ).to.throw(/registered twice/);
    });
  });

  describe('grant_type=client_credentials (RFC 6749 §4.4)', () => {
    it('issues a token: 200 body with Hydra keys, 3599 s for 1 h, lowercase bearer', async () => {
      const { token, tokens, strategies } = setup();
      const response = await token({ grant_type: 'client_credentials', scope: 'read write' }, asService);
      expect(Object.keys(response)).to.deep.equal(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(response).to.deep.include({ expires_in: 3599, scope: 'read write', token_type: 'bearer' });
      expect(response.access_token).to.match(/^fake_at_/);

      const signature = await strategies.opaque.validate(response.access_token);
      expect(await tokens.get(signature as string)).to.deep.equal({
        signature,
        request_id: 'request-1',
        client_id: 'service',
        subject: 'service',
        granted_scope: ['read', 'write'],
        granted_audience: [],
        requested_at: NOW,
        expires_at: new Date(NOW.getTime() + HOUR),
      });
      expect(strategies.opaque.issued).to.deep.equal([
        {
          request_id: 'request-1',
          issuer: ISSUER,
          client_id: 'service',
          subject: 'service',
          scope: ['read', 'write'],
          audience: [],
          issued_at: NOW,
          expires_at: new Date(NOW.getTime() + HOUR),
        },
      ]);
    });

    it('answers 3599 for a 1 h token with the real clock too', async () => {
      const { token } = setup({ clock: () => new Date() });
      const response = await token({ grant_type: 'client_credentials' }, asService);
      expect(response.expires_in).to.equal(3599);
    });

    it('counts expires_in from the clock read after storing', async () => {
      const readings = [NOW, new Date(NOW.getTime() + 1500)];
      const { token } = setup({ clock: () => readings.shift() ?? NOW });
      expect((await token({ grant_type: 'client_credentials' }, asService)).expires_in).to.equal(3598);
    });

    it('grants nothing by default: no scope gives scope "" and no audience', async () => {
      const { token, tokens } = setup();
      const response = await token({ grant_type: 'client_credentials' }, asService);
      expect(response.scope).to.equal('');
      const [row] = [...tokens.rows.values()];
      expect(row?.granted_scope).to.deep.equal([]);
      expect(row?.granted_audience).to.deep.equal([]);
    });

    it('de-duplicates requested scopes, case-sensitively, keeping the order', async () => {
      const { token } = setup();
      const response = await token(
        { grant_type: 'client_credentials', scope: ' write read  write ' },
        asService,
      );
      expect(response.scope).to.equal('write read');
    });

    it('allows scopes through the wildcard strategy', async () => {
      const { token } = setup();
      const response = await token(
        { grant_type: 'client_credentials', scope: 'orders.read orders.read.all' },
        asService,
      );
      expect(response.scope).to.equal('orders.read orders.read.all');
    });

    it('refuses a scope the client may not request with invalid_scope', async () => {
      const { token, tokens } = setup();
      for (const scope of ['admin', 'read admin', 'orders', 'Read']) {
        const error = await rejection(token({ grant_type: 'client_credentials', scope }, asService));
        const refused = scope.split(' ').find((s) => !['read', 'write'].includes(s));
        expect(error, scope).to.be.instanceOf(InvalidScope);
        expect(error.status).to.equal(400);
        expect(error.toJSON()).to.deep.equal(
          described(InvalidScope, `The OAuth 2.0 Client is not allowed to request scope '${refused}'.`),
        );
      }
      expect(tokens.rows.size).to.equal(0);
    });

    it('grants requested audiences, repeated or space-separated', async () => {
      const { token, tokens } = setup();
      await token({ grant_type: 'client_credentials', audience: 'https://api/x/y https://other' }, asService);
      await token(
        { grant_type: 'client_credentials', audience: ['https://other', 'https://api/x'] },
        asService,
      );
      expect([...tokens.rows.values()].map((row) => row.granted_audience)).to.deep.equal([
        ['https://api/x/y', 'https://other'],
        ['https://other', 'https://api/x'],
      ]);
    });

    it('refuses an audience the client may not request with invalid_request', async () => {
      const { token } = setup();
      const error = await rejection(
        token({ grant_type: 'client_credentials', audience: 'https://api/xy' }, asService),
      );
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.status).to.equal(400);
      expect(error.toJSON()).to.deep.equal(
        described(
          InvalidRequest,
          "Requested audience 'https://api/xy' has not been whitelisted by the OAuth 2.0 Client.",
        ),
      );
    });

    it('checks scope before audience', async () => {
      const { token } = setup();
      const error = await rejection(
        token({ grant_type: 'client_credentials', scope: 'admin', audience: 'https://evil' }, asService),
      );
      expect(error).to.be.instanceOf(InvalidScope);
    });

    it('refuses a public client with invalid_grant', async () => {
      const { token } = setup();
      const error = await rejection(token({ grant_type: 'client_credentials', client_id: 'public' }));
      expect(error).to.be.instanceOf(InvalidGrant);
      expect(error.status).to.equal(400);
      expect(error.toJSON()).to.deep.equal(
        described(
          InvalidGrant,
          "The OAuth 2.0 Client is marked as public and is thus not allowed to use authorization grant 'client_credentials'.",
        ),
      );
    });

    it('checks scope before refusing a public client, and the public client before its grant types', async () => {
      const { token } = setup();
      expect(
        await rejection(token({ grant_type: 'client_credentials', client_id: 'public', scope: 'x' })),
      ).to.be.instanceOf(InvalidScope);
      expect(
        await rejection(token({ grant_type: 'client_credentials', client_id: 'public-no-grant' })),
      ).to.be.instanceOf(InvalidGrant);
    });

    it('refuses a client without client_credentials in grant_types with unauthorized_client', async () => {
      const { token, tokens } = setup();
      for (const id of ['no-grant', 'no-grant-types']) {
        const error = await rejection(token({ grant_type: 'client_credentials' }, basic(id, 'secret-123')));
        expect(error, id).to.be.instanceOf(UnauthorizedClient);
        expect(error.status).to.equal(400);
        expect(error.toJSON()).to.deep.equal(
          described(
            UnauthorizedClient,
            "The OAuth 2.0 Client is not allowed to use authorization grant 'client_credentials'.",
          ),
        );
      }
      expect(tokens.rows.size).to.equal(0);
    });

    it('checks grant_types only after scope and audience', async () => {
      const { token } = setup();
      const asNoGrant = basic('no-grant', 'secret-123');
      expect(
        await rejection(token({ grant_type: 'client_credentials', scope: 'write' }, asNoGrant)),
      ).to.be.instanceOf(InvalidScope);
      expect(
        await rejection(token({ grant_type: 'client_credentials', audience: 'https://api' }, asNoGrant)),
      ).to.be.instanceOf(InvalidRequest);
    });

    it('matches grant_types case-insensitively', async () => {
      const { token } = setup();
      const response = await token(
        { grant_type: 'client_credentials', scope: 'read' },
        basic('upper', 'secret-123'),
      );
      expect(response.scope).to.equal('read');
    });

    it("uses the client's client_credentials_grant_access_token_lifespan", async () => {
      const { token, tokens } = setup();
      const response = await token({ grant_type: 'client_credentials' }, basic('short', 'secret-123'));
      expect(response.expires_in).to.equal(1799);
      expect([...tokens.rows.values()][0]?.expires_at).to.deep.equal(new Date(NOW.getTime() + 30 * 60_000));
    });

    it('uses the configured default lifespan otherwise', async () => {
      const { token } = setup({ defaultLifespanMs: 5 * 60_000 });
      expect((await token({ grant_type: 'client_credentials' }, asService)).expires_in).to.equal(299);
    });

    it("uses the client's access_token_strategy, case-insensitively, else the default", async () => {
      const { token, strategies } = setup();
      expect(
        (await token({ grant_type: 'client_credentials' }, basic('jwt', 'secret-123'))).access_token,
      ).to.match(/^eyJ/);
      await token({ grant_type: 'client_credentials' }, basic('jwt-upper', 'secret-123'));
      await token({ grant_type: 'client_credentials' }, asService);
      expect(strategies.jwt.issued.map((c) => c.client_id)).to.deep.equal(['jwt', 'jwt-upper']);
      expect(strategies.opaque.issued.map((c) => c.client_id)).to.deep.equal(['service']);
    });

    it('lets a client choose opaque when the server default is jwt', async () => {
      const { token, strategies } = setup({ defaultStrategy: 'jwt' });
      await token({ grant_type: 'client_credentials' }, basic('opaque', 'secret-123'));
      await token({ grant_type: 'client_credentials' }, asService);
      expect(strategies.opaque.issued.map((c) => c.client_id)).to.deep.equal(['opaque']);
      expect(strategies.jwt.issued.map((c) => c.client_id)).to.deep.equal(['service']);
    });

    it('lets a storage failure through unchanged', async () => {
      const outage = new Error('connection refused');
      const { token } = setup({ tokens: new FailingAccessTokenStore(outage) });
      expect(await rejection(token({ grant_type: 'client_credentials' }, asService))).to.equal(outage);
    });
  });

  describe('secondsUntil (fosite expires_in)', () => {
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    it('is just under the lifespan when no measurable time passed', () =>
      expect(secondsUntil(at(HOUR), NOW)).to.equal(3599));
    it('truncates partial seconds', () => {
      expect(secondsUntil(at(HOUR - 1), NOW)).to.equal(3599);
      expect(secondsUntil(at(HOUR - 999), NOW)).to.equal(3599);
      expect(secondsUntil(at(HOUR - 1001), NOW)).to.equal(3598);
    });
    it('truncates toward zero for an already expired token', () => {
      expect(secondsUntil(NOW, NOW)).to.equal(0);
      expect(secondsUntil(at(-400), NOW)).to.equal(0);
      expect(secondsUntil(at(-1000), NOW)).to.equal(-1);
    });
  });
});

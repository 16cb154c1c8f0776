import { expect } from 'chai';
import type { OAuth2ClientWire } from '../../server/clients/client.js';
import { ClientService } from '../../server/clients/client-service.js';
import {
  type ApiError,
  BadRequestError,
  ConflictError,
  InvalidClientMetadata,
  InvalidRedirectUri,
  NotFoundError,
} from '../../server/oauth2/errors.js';
import { HYDRA_LIFESPANS, HYDRA_STORED_ARRAYS } from '../helpers/hydra.js';
import { MemoryClientStore } from '../helpers/memory-client-store.js';

// Honest fake: distinct secrets give distinct hashes, and the secret is recoverable only by the test.
const hasher = { hash: async (secret: string) => `fake-hash:${secret}` };

const T0 = new Date('2025-11-07T12:00:00.987Z');
const T1 = new Date('2025-11-07T13:30:45.123Z');

function setup(publicUrl = 'http://127.0.0.1:4444/') {
  const store = new MemoryClientStore();
  let clock = T0;
  let tokens = 0;
  const service = new ClientService({
    store,
    hasher,
    registrationToken: () => {
      tokens++;
      return { token: `ory_at_token${tokens}.sig${tokens}`, signature: `key${tokens}` };
    },
    publicUrl,
    now: () => clock,
  });
  return {
    store,
    service,
    setNow: (d: Date) => {
      clock = d;
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('ClientService', () => {
  describe('create', () => {
    it("returns the guide's create response, key for key", async () => {
      const { service } = setup();
      const out = await service.create({
        access_token_strategy: 'opaque',
        client_name: 'my_client',
        client_secret: 'my_secret',
        grant_types: ['client_credentials'],
        scope: 'api',
      } as OAuth2ClientWire);
      const id = out.client_id as string;
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // The seed guide's response (Hydra 25.4.0), with the generated values filled in.
      const expected: Record<string, unknown> = {
        client_id: id,
        client_name: 'my_client',
        client_secret: 'my_secret',
        redirect_uris: null,
        grant_types: ['client_credentials'],
        response_types: null,
        scope: 'api',
        audience: [],
        owner: '',
        policy_uri: '',
        allowed_cors_origins: [],
        tos_uri: '',
        client_uri: '',
        logo_uri: '',
        contacts: null,
        client_secret_expires_at: 0,
        subject_type: 'public',
        jwks: {},
        token_endpoint_auth_method: 'client_secret_basic',
        userinfo_signed_response_alg: 'none',
        created_at: '2025-11-07T12:00:00Z',
        updated_at: '2025-11-07T12:00:00.987000Z',
        metadata: {},
        registration_access_token: 'ory_at_token1.sig1',
        registration_client_uri: `http://127.0.0.1:4444/oauth2/register/${id}`,
        access_token_strategy: 'opaque',
        skip_consent: false,
        skip_logout_consent: null,
      };
      for (const f of HYDRA_LIFESPANS) expected[f] = null;
      expect(out).to.deep.equal(expected);
      expect(Object.keys(out)).to.deep.equal(Object.keys(expected));
    });

    it('generates a 26-character secret from [a-zA-Z0-9_-.~] when none is sent, and stores only its hash', async () => {
      const { service, store } = setup();
      const out = await service.create({ client_name: 'svc' } as OAuth2ClientWire);
      expect(out.client_secret).to.match(/^[a-zA-Z0-9_.~-]{26}$/);
      const raw = store.raw(out.client_id as string);
      expect(raw?.secret_hash).to.equal(`fake-hash:${out.client_secret}`);
      expect(raw?.document).not.to.have.property('client_secret');
      expect(raw?.document).not.to.have.property('registration_access_token');
      expect(raw?.document).not.to.have.property('registration_client_uri');
      expect(JSON.stringify(raw)).not.to.contain(`"${out.client_secret}"`);
    });

    it('gives a public client (method none) no secret', async () => {
      const { service, store } = setup();
      const out = await service.create({ client_id: 'spa', token_endpoint_auth_method: 'none' });
      expect(out).not.to.have.property('client_secret');
      expect(out.token_endpoint_auth_method).to.equal('none');
      expect(store.raw('spa')?.secret_hash).to.equal(null);
    });

    it('keeps a chosen id, and escapes it in registration_client_uri without a double slash', async () => {
      const { service } = setup('https://auth.example/base//');
      const out = await service.create({ client_id: 'a b/c' } as OAuth2ClientWire);
      expect(out.client_id).to.equal('a b/c');
      expect(out.registration_client_uri).to.equal('https://auth.example/base/oauth2/register/a%20b%2Fc');
    });

    it('refuses a short secret with invalid_client_metadata', async () => {
      const { service, store } = setup();
      const err = await rejection(
        service.create({ client_id: 'x', client_secret: 'short' } as OAuth2ClientWire),
      );
      expect(err).to.be.instanceOf(InvalidClientMetadata);
      expect(err.toJSON()).to.deep.equal({
        error: 'invalid_client_metadata',
        error_description:
          "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata. Field client_secret must contain a secret that is at least 6 characters long.",
      });
      expect(await store.get('x')).to.equal(null);
    });

    it('refuses a bad redirect URI with invalid_redirect_uri', async () => {
      const { service } = setup();
      const err = await rejection(
        service.create({ redirect_uris: ['https://a.example/cb#frag'] } as OAuth2ClientWire),
      );
      expect(err).to.be.instanceOf(InvalidRedirectUri);
      expect(err.error).to.equal('invalid_redirect_uri');
    });

    it('lets the store report a duplicate id as a conflict', async () => {
      const { service } = setup();
      await service.create({ client_id: 'dup' } as OAuth2ClientWire);
      expect(await rejection(service.create({ client_id: 'dup' } as OAuth2ClientWire))).to.be.instanceOf(
        ConflictError,
      );
    });
  });

  describe('get and delete', () => {
    it('GET shows [] for every array, omits empty request_uris/post_logout_redirect_uris, and never a secret', async () => {
      const { service } = setup();
      const created = await service.create({ client_id: 'c1', client_name: 'svc' } as OAuth2ClientWire);
      const got = await service.get('c1');
      for (const k of HYDRA_STORED_ARRAYS) {
        expect(got, k).to.have.deep.property(k, []);
      }
      expect(got).not.to.have.property('client_secret');
      expect(got).not.to.have.property('registration_access_token');
      expect(got).not.to.have.property('registration_client_uri');
      expect(got).not.to.have.property('request_uris');
      expect(got).not.to.have.property('post_logout_redirect_uris');
      expect(got.created_at).to.equal(created.created_at);
      expect(got.updated_at).to.equal(created.updated_at);
      expect(got.skip_logout_consent).to.equal(null);
      expect(got.jwks).to.deep.equal({});
    });

    it('GET keeps Hydra key order although the store may not (jsonb)', async () => {
      const { service, store } = setup();
      await service.create({ client_id: 'c1' } as OAuth2ClientWire);
      const raw = store.raw('c1');
      if (raw === undefined) throw new Error('not stored');
      const shuffled = Object.fromEntries(Object.entries(raw.document).reverse()) as OAuth2ClientWire;
      await store.update({ ...raw, document: shuffled });
      const keys = Object.keys(await service.get('c1'));
      expect(keys.slice(0, 3)).to.deep.equal(['client_id', 'client_name', 'redirect_uris']);
    });

    it('answers NotFoundError for an unknown client', async () => {
      const { service } = setup();
      expect(await rejection(service.get('nope'))).to.be.instanceOf(NotFoundError);
      expect(await rejection(service.delete('nope'))).to.be.instanceOf(NotFoundError);
    });

    it('deletes', async () => {
      const { service } = setup();
      await service.create({ client_id: 'gone' } as OAuth2ClientWire);
      await service.delete('gone');
      expect(await rejection(service.get('gone'))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('set (PUT)', () => {
    it('replaces fully: the path id wins and unsent fields fall back to defaults', async () => {
      const { service, setNow } = setup();
      await service.create({
        client_id: 'c1',
        client_name: 'old',
        scope: 'a b',
        owner: 'team',
        audience: ['https://api'],
        client_secret: 'first-secret',
      } as OAuth2ClientWire);
      setNow(T1);
      const out = await service.set('c1', { client_id: 'other', client_name: 'new' } as OAuth2ClientWire);
      expect(out).to.include({
        client_id: 'c1',
        client_name: 'new',
        scope: 'offline_access offline openid',
        owner: '',
        created_at: '2025-11-07T12:00:00Z',
        updated_at: '2025-11-07T13:30:45.123000Z',
      });
      expect(out.audience).to.deep.equal([]);
      // Like Hydra's update response, arrays the body did not carry are null; GET shows [].
      expect(out.redirect_uris).to.equal(null);
      expect((await service.get('c1')).redirect_uris).to.deep.equal([]);
      expect(out).not.to.have.property('client_secret');
      expect(out).not.to.have.property('registration_access_token');
    });

    it('keeps the stored hash when no secret is sent', async () => {
      const { service, store } = setup();
      await service.create({ client_id: 'c1', client_secret: 'first-secret' } as OAuth2ClientWire);
      await service.set('c1', { client_name: 'renamed' } as OAuth2ClientWire);
      expect(store.raw('c1')?.secret_hash).to.equal('fake-hash:first-secret');
    });

    it('hashes and echoes a new secret once', async () => {
      const { service, store } = setup();
      await service.create({ client_id: 'c1', client_secret: 'first-secret' } as OAuth2ClientWire);
      const out = await service.set('c1', { client_secret: 'second-secret' } as OAuth2ClientWire);
      expect(out.client_secret).to.equal('second-secret');
      expect(store.raw('c1')?.secret_hash).to.equal('fake-hash:second-secret');
      expect(await service.get('c1')).not.to.have.property('client_secret');
    });

    it('keeps created_at from the store', async () => {
      const { service, store, setNow } = setup();
      await service.create({ client_id: 'c1' } as OAuth2ClientWire);
      setNow(T1);
      const out = await service.set('c1', { created_at: '2000-01-01T00:00:00Z' } as OAuth2ClientWire);
      expect(out.created_at).to.equal('2025-11-07T12:00:00Z');
      // Stored to the millisecond: it tells a client from an earlier one of the same id (oauth2/stateless.ts).
      expect(store.raw('c1')?.created_at.toISOString()).to.equal(T0.toISOString());
      expect(store.raw('c1')?.updated_at.toISOString()).to.equal(T1.toISOString());
    });

    it('validates like create, and reports an unknown client as not found', async () => {
      const { service } = setup();
      await service.create({ client_id: 'c1' } as OAuth2ClientWire);
      expect(
        await rejection(service.set('c1', { client_secret: 'abc' } as OAuth2ClientWire)),
      ).to.be.instanceOf(InvalidClientMetadata);
      expect(await rejection(service.set('nope', {} as OAuth2ClientWire))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('patch', () => {
    const seed = async () => {
      const ctx = setup();
      await ctx.service.create({
        client_id: 'c1',
        client_name: 'svc',
        client_secret: 'first-secret',
        redirect_uris: ['https://app.example/cb'],
        grant_types: ['client_credentials'],
        metadata: { team: 'core' },
      } as unknown as OAuth2ClientWire);
      ctx.setNow(T1);
      return ctx;
    };

    it('applies add, replace and remove to the stored client', async () => {
      const { service } = await seed();
      const out = await service.patch('c1', [
        { op: 'replace', path: '/client_name', value: 'renamed' },
        { op: 'add', path: '/redirect_uris/-', value: 'https://app.example/cb2' },
        { op: 'add', path: '/metadata/tier', value: 'gold' },
        { op: 'remove', path: '/grant_types/0' },
        { op: 'replace', path: '/access_token_strategy', value: 'JWT' },
      ]);
      expect(out).to.include({ client_name: 'renamed', access_token_strategy: 'jwt' });
      expect(out.redirect_uris).to.deep.equal(['https://app.example/cb', 'https://app.example/cb2']);
      expect(out.grant_types).to.deep.equal([]);
      expect(out.metadata).to.deep.equal({ team: 'core', tier: 'gold' });
      expect(out.updated_at).to.equal('2025-11-07T13:30:45.123000Z');
      expect(out.created_at).to.equal('2025-11-07T12:00:00Z');
      expect(out).not.to.have.property('client_secret');
      expect(await service.get('c1')).to.deep.equal(out);
    });

    it('rotates the secret when the patch sets /client_secret, and only then shows it', async () => {
      const { service, store } = await seed();
      const out = await service.patch('c1', [{ op: 'add', path: '/client_secret', value: 'rotated-secret' }]);
      expect(out.client_secret).to.equal('rotated-secret');
      expect(store.raw('c1')?.secret_hash).to.equal('fake-hash:rotated-secret');
      const again = await service.patch('c1', [{ op: 'replace', path: '/owner', value: 'me' }]);
      expect(again).not.to.have.property('client_secret');
      expect(store.raw('c1')?.secret_hash).to.equal('fake-hash:rotated-secret');
    });

    it('canonicalises patched lifespans', async () => {
      const { service } = await seed();
      const out = await service.patch('c1', [
        { op: 'replace', path: '/client_credentials_grant_access_token_lifespan', value: '90m' },
      ]);
      expect(out.client_credentials_grant_access_token_lifespan).to.equal('1h30m0s');
    });

    it('answers 400 for unsupported ops, denied or missing paths and malformed patches', async () => {
      const { service, store } = await seed();
      const before = store.raw('c1');
      const cases: [unknown, RegExp][] = [
        [[{ op: 'move', from: '/client_name', path: '/owner' }], /unsupported operation: move/],
        [[{ op: 'copy', from: '/client_name', path: '/owner' }], /unsupported operation: copy/],
        [[{ op: 'test', path: '/client_name', value: 'svc' }], /unsupported operation: test/],
        [[{ op: 'replace', path: '/client_id', value: 'hijack' }], /denied path: \/client_id/],
        [[{ op: 'remove', path: '/no_such_field' }], /does not exist/],
        [[{ op: 'replace', path: '/redirect_uris/5', value: 'https://x' }], /out of bounds/],
        [[{ op: 'add', path: 'client_name', value: 'x' }], /JSON Pointer/],
        [{ op: 'add' }, /JSON array/],
        [[{ op: 'add', path: '', value: [] }], /not a JSON object/],
        [[{ op: 'add', path: '/client_name', value: 42 }], /cannot unmarshal number/],
      ];
      for (const [patch, reason] of cases) {
        const err = await rejection(service.patch('c1', patch as never));
        expect(err, JSON.stringify(patch)).to.be.instanceOf(BadRequestError);
        expect(err.status).to.equal(400);
        expect(err.description).to.match(reason);
      }
      expect(store.raw('c1')).to.deep.equal(before);
    });

    it('re-validates the patched client', async () => {
      const { service } = await seed();
      const err = await rejection(
        service.patch('c1', [{ op: 'add', path: '/redirect_uris/-', value: 'https://app.example/cb#frag' }]),
      );
      expect(err).to.be.instanceOf(InvalidRedirectUri);
      const short = await rejection(
        service.patch('c1', [{ op: 'add', path: '/client_secret', value: 'abc' }]),
      );
      expect(short).to.be.instanceOf(InvalidClientMetadata);
    });

    it('answers NotFoundError for an unknown client', async () => {
      const { service } = setup();
      expect(await rejection(service.patch('nope', []))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('setLifespans', () => {
    it('round-trips "90m" as "1h30m0s", resets unsent lifespans and leaves other fields alone', async () => {
      const { service, store, setNow } = setup();
      await service.create({
        client_id: 'c1',
        client_name: 'svc',
        client_secret: 'first-secret',
        implicit_grant_access_token_lifespan: '1h',
      } as OAuth2ClientWire);
      setNow(T1);
      const out = await service.setLifespans('c1', {
        client_credentials_grant_access_token_lifespan: '90m',
        jwt_bearer_grant_access_token_lifespan: '1.5s',
      });
      expect(out.client_credentials_grant_access_token_lifespan).to.equal('1h30m0s');
      expect(out.jwt_bearer_grant_access_token_lifespan).to.equal('1.5s');
      expect(out.implicit_grant_access_token_lifespan).to.equal(null);
      expect(out).to.include({ client_name: 'svc', updated_at: '2025-11-07T13:30:45.123000Z' });
      expect(out).not.to.have.property('client_secret');
      expect(await service.get('c1')).to.deep.equal(out);
      expect(store.raw('c1')?.secret_hash).to.equal('fake-hash:first-secret');
    });

    it('refuses invalid durations and unknown clients', async () => {
      const { service } = setup();
      await service.create({ client_id: 'c1' } as OAuth2ClientWire);
      const err = await rejection(
        service.setLifespans('c1', { refresh_token_grant_access_token_lifespan: '5 minutes' }),
      );
      expect(err).to.be.instanceOf(BadRequestError);
      expect(err.description).to.match(/^Unable to decode the request body: time: /);
      expect(await rejection(service.setLifespans('nope', {}))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('list', () => {
    const seed = async () => {
      const ctx = setup();
      const clients = [
        { client_id: 'e', client_name: 'beta', owner: 'ops' },
        { client_id: 'a', client_name: 'alpha', owner: 'dev' },
        { client_id: 'c', client_name: 'alpha', owner: 'ops' },
        { client_id: 'b', client_name: 'beta', owner: 'dev' },
        { client_id: 'd', client_name: 'alpha', owner: 'dev' },
      ];
      for (const c of clients) await ctx.service.create(c as OAuth2ClientWire);
      return ctx;
    };

    it('pages by id with page_size 2 until there is no next token', async () => {
      const { service } = await seed();
      const seen: string[][] = [];
      let token: string | undefined;
      do {
        const page = await service.list({ page_size: 2, ...(token !== undefined && { page_token: token }) });
        expect(page.pageSize).to.equal(2);
        for (const c of page.clients) {
          expect(c).not.to.have.property('client_secret');
          expect(c.redirect_uris).to.deep.equal([]);
        }
        seen.push(page.clients.map((c) => c.client_id as string));
        token = page.nextPageToken;
      } while (token !== undefined);
      expect(seen).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]);
    });

    it('has no next token when the last page is exactly full', async () => {
      const { service } = await seed();
      const first = await service.list({ page_size: 5 });
      expect(first.clients).to.have.length(5);
      expect(first).not.to.have.property('nextPageToken');
    });

    it('applies the default and maximum page size', async () => {
      const { service } = await seed();
      expect((await service.list()).pageSize).to.equal(100);
      expect((await service.list({ page_size: 0 })).pageSize).to.equal(100);
      expect((await service.list({ page_size: -3 })).pageSize).to.equal(100);
      expect((await service.list({ page_size: 10_000 })).pageSize).to.equal(500);
      expect(await rejection(service.list({ page_size: 1.5 }))).to.be.instanceOf(BadRequestError);
    });

    it('answers 400 for a page token it did not issue', async () => {
      const { service } = await seed();
      for (const token of [
        'not a token',
        'bm90LWpzb24',
        Buffer.from('{"x":1}').toString('base64url'),
        '!!',
      ]) {
        const err = await rejection(service.list({ page_token: token }));
        expect(err, token).to.be.instanceOf(BadRequestError);
        expect(err.description).to.match(/^Unable to parse pagination parameters: /);
      }
    });

    it('filters by exact client_name and owner; empty filters are ignored', async () => {
      const { service } = await seed();
      const ids = async (q: Parameters<ClientService['list']>[0]) =>
        (await service.list(q)).clients.map((c) => c.client_id);
      expect(await ids({ client_name: 'alpha' })).to.deep.equal(['a', 'c', 'd']);
      expect(await ids({ owner: 'dev' })).to.deep.equal(['a', 'b', 'd']);
      expect(await ids({ client_name: 'alpha', owner: 'dev' })).to.deep.equal(['a', 'd']);
      expect(await ids({ client_name: 'alph' })).to.deep.equal([]);
      expect(await ids({ client_name: '', owner: '' })).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
      const page = await service.list({ client_name: 'alpha', page_size: 2 });
      expect(page.clients.map((c) => c.client_id)).to.deep.equal(['a', 'c']);
      const next = await service.list({ client_name: 'alpha', page_size: 2, page_token: page.nextPageToken });
      expect(next.clients.map((c) => c.client_id)).to.deep.equal(['d']);
    });
  });
});

// OAuth 2.0 client CRUD on a real server and PostgreSQL, held to Hydra v25's observable behaviour
// (docs/hydra-compatibility.md): response shapes (null vs []), secrets shown only when set, error bodies,
// PUT as a full replace, RFC 6902 PATCH, lifespans, and keyset pagination of the list.
import { expect } from 'chai';
import { type ApiResponse, call, raw } from '../helpers/api.js';
import { HYDRA_LIFESPANS } from '../helpers/hydra.js';
import { basic } from '../helpers/oauth2-clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NOT_FOUND = { error: 'Unable to locate the resource', error_description: '' };
const MALFORMED = 'The request was malformed or contained invalid parameters';
const INVALID_CLIENT_METADATA =
  "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata.";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Parses an RFC 8288 Link header into rel → URL. */
function links(header: string | null): Record<string, URL> {
  const out: Record<string, URL> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /^\s*<([^>]*)>\s*;\s*rel="([^"]+)"\s*$/.exec(part);
    if (!match) throw new Error(`malformed Link part: ${part}`);
    out[match[2]!] = new URL(match[1]!, 'http://link.invalid');
  }
  return out;
}

describe('OAuth 2.0 clients: Hydra-exact CRUD on a real server', () => {
  let server: TestServer;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await call(server, 'createOAuth2Client', { json: body });
    expect(response.status, response.text).to.equal(201);
    return response.body;
  };
  const get = (id: string) => call(server, 'getOAuth2Client', { params: { id } });
  const token = (id: string, secret: string, form: Record<string, string> = {}) =>
    call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'client_credentials', ...form },
      // RFC 6749 §2.3.1: both parts form-urlencoded (Hydra unescapes them).
      headers: { authorization: basic(id, secret) },
    });
  const expectTokenWorks = async (id: string, secret: string) => {
    const response = await token(id, secret);
    expect(response.status, response.text).to.equal(200);
    return response;
  };
  const expectTokenRefused = async (id: string, secret: string) => {
    const response = await token(id, secret);
    expect(response.status, response.text).to.equal(401);
    expect(response.body.error).to.equal('invalid_client');
  };

  describe('create', () => {
    it("answers 201 with Hydra's exact shape: unsent arrays null, audience and CORS [], the secret once", async () => {
      const response = await call(server, 'createOAuth2Client', {
        json: { client_name: 'svc', grant_types: ['client_credentials'], scope: 'read write' },
      });
      expect(response.status).to.equal(201);
      expect(response.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      const client = response.body;
      expect(client.client_id).to.match(UUID_V4);
      expect(response.headers.get('location')).to.equal(`/admin/clients/${client.client_id}`);
      // Hydra's x.GenerateSecret(26) alphabet.
      expect(client.client_secret).to.match(/^[a-zA-Z0-9_\-.~]{26}$/);
      expect(client.registration_access_token).to.match(/^ory_at_[\w-]{43}\.[\w-]{43}$/);
      expect(client.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(client.updated_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(Date.parse(client.created_at)).to.be.closeTo(Date.now(), 60_000);
      const { client_id, client_secret, registration_access_token, created_at, updated_at, ...rest } = client;
      expect(rest).to.deep.equal({
        client_name: 'svc',
        redirect_uris: null,
        grant_types: ['client_credentials'],
        response_types: null,
        scope: 'read write',
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
        metadata: {},
        registration_client_uri: `http://127.0.0.1:4444/oauth2/register/${client_id}`,
        skip_consent: false,
        skip_logout_consent: null,
        ...Object.fromEntries(HYDRA_LIFESPANS.map((f) => [f, null])),
      });
      // Key order is Hydra's struct declaration order.
      expect(Object.keys(client).slice(0, 4)).to.deep.equal([
        'client_id',
        'client_name',
        'client_secret',
        'redirect_uris',
      ]);
      // The generated secret authenticates.
      await expectTokenWorks(client_id, client_secret);
    });

    it('keeps a sent client_id and secret, and defaults the scope', async () => {
      const id = unique('chosen id/with+odd&chars');
      const response = await call(server, 'createOAuth2Client', {
        json: { client_id: id, client_secret: 'exactly-this-secret', grant_types: ['client_credentials'] },
      });
      expect(response.status).to.equal(201);
      expect(response.body).to.include({
        client_id: id,
        client_secret: 'exactly-this-secret',
        scope: 'offline_access offline openid',
      });
      // The Location resolves to the client, whatever characters its id has.
      const located = await raw(server.adminUrl, response.headers.get('location')!);
      expect(located.status).to.equal(200);
      expect(located.body.client_id).to.equal(id);
      expect((await get(id)).body.client_id).to.equal(id);
      await expectTokenWorks(id, 'exactly-this-secret');
    });

    it('does not return a secret for a public client (token_endpoint_auth_method none)', async () => {
      const client = await create({ token_endpoint_auth_method: 'none' });
      expect(client).not.to.have.property('client_secret');
      expect(client.token_endpoint_auth_method).to.equal('none');
    });

    it("answers 409 with Hydra's body for a duplicate id, and keeps the first client", async () => {
      const id = unique('dup');
      await create({ client_id: id, client_name: 'first', client_secret: 'first-secret' });
      const again = await call(server, 'createOAuth2Client', {
        json: { client_id: id, client_name: 'second', client_secret: 'second-secret' },
      });
      expect(again.status).to.equal(409);
      expect(again.headers.get('content-type')).to.equal('application/json');
      expect(again.body).to.deep.equal({
        error: 'Unable to insert or update resource because a resource with that value exists already',
        error_description: '',
      });
      expect((await get(id)).body.client_name).to.equal('first');
    });

    it('answers 400 invalid_client_metadata for a 5-character secret, and creates nothing', async () => {
      const id = unique('short-secret');
      const response = await call(server, 'createOAuth2Client', {
        json: { client_id: id, client_secret: '12345' },
      });
      expect(response.status).to.equal(400);
      expect(response.body).to.deep.equal({
        error: 'invalid_client_metadata',
        error_description: `${INVALID_CLIENT_METADATA} Field client_secret must contain a secret that is at least 6 characters long.`,
      });
      expect((await get(id)).status).to.equal(404);
    });

    it('accepts a 6-character secret', async () => {
      const client = await create({ client_secret: '123456', grant_types: ['client_credentials'] });
      await expectTokenWorks(client.client_id, '123456');
    });

    for (const uri of ['https://app.example/cb#fragment', 'not a uri', 'relative/path']) {
      it(`answers 400 invalid_redirect_uri for redirect_uris [${JSON.stringify(uri)}]`, async () => {
        const id = unique('bad-redirect');
        const response = await call(server, 'createOAuth2Client', {
          json: { client_id: id, redirect_uris: ['https://app.example/ok', uri] },
        });
        expect(response.status).to.equal(400);
        expect(response.body.error).to.equal('invalid_redirect_uri');
        expect(response.body.error_description).to.match(
          /^The value of one or more redirect_uris is invalid\. \S/,
        );
        expect((await get(id)).status).to.equal(404);
      });
    }

    it('accepts absolute URIs and absolute paths as redirect_uris', async () => {
      const client = await create({ redirect_uris: ['https://app.example/cb', '/local/cb'] });
      expect(client.redirect_uris).to.deep.equal(['https://app.example/cb', '/local/cb']);
    });
  });

  describe('read', () => {
    it('GET never shows the secret or registration data, and shows unsent arrays as []', async () => {
      const created = await create({ client_name: 'reader', client_secret: 'reader-secret', owner: 'me' });
      const response = await get(created.client_id);
      expect(response.status).to.equal(200);
      expect(response.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');
      const client = response.body;
      for (const key of ['client_secret', 'registration_access_token', 'registration_client_uri']) {
        expect(client, key).not.to.have.property(key);
      }
      // Stored arrays are "[]", so GET shows [] where create showed null; the omitempty ones disappear.
      for (const key of [
        'redirect_uris',
        'grant_types',
        'response_types',
        'audience',
        'allowed_cors_origins',
        'contacts',
      ]) {
        expect(client[key], key).to.deep.equal([]);
      }
      expect(client).not.to.have.property('request_uris');
      expect(client).not.to.have.property('post_logout_redirect_uris');
      expect(client).to.include({
        client_id: created.client_id,
        client_name: 'reader',
        owner: 'me',
        created_at: created.created_at,
        scope: 'offline_access offline openid',
      });
      expect(response.text).not.to.include('reader-secret');
    });

    it("answers 404 with Hydra's body for an unknown id on GET, PUT, PATCH, DELETE and lifespans", async () => {
      const id = unique('missing');
      const responses: ApiResponse[] = [
        await get(id),
        await call(server, 'setOAuth2Client', { params: { id }, json: { client_name: 'x' } }),
        await call(server, 'patchOAuth2Client', {
          params: { id },
          json: [{ op: 'replace', path: '/client_name', value: 'x' }],
        }),
        await call(server, 'deleteOAuth2Client', { params: { id } }),
        await call(server, 'setOAuth2ClientLifespans', { params: { id }, json: {} }),
      ];
      for (const response of responses) {
        expect(response.status).to.equal(404);
        expect(response.body).to.deep.equal(NOT_FOUND);
      }
      // PUT does not create (upsert) either.
      expect((await get(id)).status).to.equal(404);
    });
  });

  describe('PUT (full replace)', () => {
    it('takes the id from the path, resets unsent fields, and keeps the secret when none is sent', async () => {
      const created = await create({
        client_name: 'before',
        client_secret: 'old-secret-1',
        owner: 'owner-1',
        contacts: ['a@example.com'],
        grant_types: ['client_credentials'],
        scope: 'read write',
        metadata: { team: 'x' },
      });
      const id = created.client_id;
      const other = unique('body-id');
      const put = await call(server, 'setOAuth2Client', {
        params: { id },
        json: { client_id: other, client_name: 'after', grant_types: ['client_credentials'], scope: 'read' },
      });
      expect(put.status).to.equal(200);
      expect(put.body.client_id).to.equal(id);
      expect(put.body).not.to.have.property('client_secret');
      expect(put.body).to.include({ client_name: 'after', owner: '', scope: 'read' });
      expect(put.body.contacts).to.equal(null);
      expect(put.body.metadata).to.deep.equal({});

      // The body's id was ignored: no client was created or renamed.
      expect((await get(other)).status).to.equal(404);
      const stored = (await get(id)).body;
      expect(stored).to.include({
        client_name: 'after',
        owner: '',
        scope: 'read',
        created_at: created.created_at,
      });
      expect(stored.contacts).to.deep.equal([]);
      expect(stored.metadata).to.deep.equal({});

      // The omitted secret kept the old hash: the old secret still authenticates.
      const issued = await expectTokenWorks(id, 'old-secret-1');
      expect(issued.body.scope).to.equal('');
      // The new scope rules apply: "write" is no longer allowed.
      const refused = await token(id, 'old-secret-1', { scope: 'write' });
      expect(refused.status).to.equal(400);
      expect(refused.body.error).to.equal('invalid_scope');
    });

    it('echoes a new secret once; the old secret stops working and the new one works', async () => {
      const created = await create({ client_secret: 'old-secret-2', grant_types: ['client_credentials'] });
      const id = created.client_id;
      await expectTokenWorks(id, 'old-secret-2');
      const put = await call(server, 'setOAuth2Client', {
        params: { id },
        json: { client_secret: 'new-secret-2', grant_types: ['client_credentials'] },
      });
      expect(put.status).to.equal(200);
      expect(put.body.client_secret).to.equal('new-secret-2');
      expect((await get(id)).body).not.to.have.property('client_secret');
      await expectTokenRefused(id, 'old-secret-2');
      await expectTokenWorks(id, 'new-secret-2');
    });

    it('validates like create: a short secret is 400 and changes nothing', async () => {
      const created = await create({
        client_name: 'stays',
        client_secret: 'kept-secret',
        grant_types: ['client_credentials'],
      });
      const put = await call(server, 'setOAuth2Client', {
        params: { id: created.client_id },
        json: { client_name: 'changed', client_secret: 'short' },
      });
      expect(put.status).to.equal(400);
      expect(put.body.error).to.equal('invalid_client_metadata');
      expect((await get(created.client_id)).body.client_name).to.equal('stays');
      await expectTokenWorks(created.client_id, 'kept-secret');
    });
  });

  describe('PATCH (RFC 6902)', () => {
    it('applies add, replace and remove to the stored client, without showing the secret', async () => {
      const created = await create({
        client_name: 'patch-me',
        client_secret: 'patch-secret',
        audience: ['https://api.example/a'],
        metadata: { keep: 1, drop: 2 },
        owner: 'someone',
      });
      const id = created.client_id;
      const patched = await call(server, 'patchOAuth2Client', {
        params: { id },
        json: [
          { op: 'add', path: '/audience/-', value: 'https://api.example/b' },
          { op: 'replace', path: '/client_name', value: 'patched' },
          { op: 'remove', path: '/metadata/drop' },
          { op: 'remove', path: '/owner' },
          // Hydra turns replace of an absent member into add.
          { op: 'replace', path: '/client_uri', value: 'https://app.example' },
        ],
      });
      expect(patched.status, patched.text).to.equal(200);
      expect(patched.body).not.to.have.property('client_secret');
      const stored = (await get(id)).body;
      expect(stored).to.include({ client_name: 'patched', owner: '', client_uri: 'https://app.example' });
      expect(stored.audience).to.deep.equal(['https://api.example/a', 'https://api.example/b']);
      expect(stored.metadata).to.deep.equal({ keep: 1 });
      expect(stored.created_at).to.equal(created.created_at);
    });

    it('rotates the secret with /client_secret and returns it', async () => {
      const created = await create({ client_secret: 'before-rotation', grant_types: ['client_credentials'] });
      const id = created.client_id;
      const patched = await call(server, 'patchOAuth2Client', {
        params: { id },
        json: [{ op: 'add', path: '/client_secret', value: 'after-rotation' }],
      });
      expect(patched.status).to.equal(200);
      expect(patched.body.client_secret).to.equal('after-rotation');
      await expectTokenRefused(id, 'before-rotation');
      await expectTokenWorks(id, 'after-rotation');
      // A later patch that does not touch the secret neither shows nor changes it.
      const later = await call(server, 'patchOAuth2Client', {
        params: { id },
        json: [{ op: 'replace', path: '/client_name', value: 'renamed' }],
      });
      expect(later.body).not.to.have.property('client_secret');
      await expectTokenWorks(id, 'after-rotation');
    });

    const rejected: [string, unknown[], RegExp][] = [
      [
        'an unsupported op (move)',
        [{ op: 'move', from: '/client_name', path: '/owner' }],
        /unsupported operation: move/,
      ],
      [
        'an unsupported op (copy)',
        [{ op: 'copy', from: '/client_name', path: '/owner' }],
        /unsupported operation: copy/,
      ],
      [
        'an unsupported op (test)',
        [{ op: 'test', path: '/client_name', value: 'x' }],
        /unsupported operation: test/,
      ],
      ['a path without a leading /', [{ op: 'replace', path: 'client_name', value: 'x' }], /JSON Pointer/],
      ['an array index out of bounds', [{ op: 'replace', path: '/audience/7', value: 'x' }], /out of bounds/],
      ['removing a missing member', [{ op: 'remove', path: '/metadata/nope' }], /does not exist/],
      ['the immutable /client_id', [{ op: 'replace', path: '/client_id', value: 'stolen' }], /denied path/],
      [
        'a valid op followed by a bad one (all or nothing)',
        [
          { op: 'replace', path: '/client_name', value: 'half-applied' },
          { op: 'remove', path: '/nope' },
        ],
        /does not exist/,
      ],
    ];
    for (const [what, patch, reason] of rejected) {
      it(`answers 400 with error JSON for ${what}, and changes nothing`, async () => {
        const created = await create({ client_name: 'unchanged', client_secret: 'unchanged-secret' });
        const id = created.client_id;
        const before = (await get(id)).body;
        const response = await call(server, 'patchOAuth2Client', { params: { id }, json: patch });
        expect(response.status, response.text).to.equal(400);
        expect(response.body.error).to.equal(MALFORMED);
        expect(response.body.error_description).to.match(reason);
        expect((await get(id)).body).to.deep.equal(before);
        expect((await get('stolen')).status).to.equal(404);
      });
    }
  });

  describe('DELETE', () => {
    it('answers 204 with no body, then 404; the client can no longer get tokens', async () => {
      const created = await create({ client_secret: 'delete-secret', grant_types: ['client_credentials'] });
      const id = created.client_id;
      const issued = await expectTokenWorks(id, 'delete-secret');
      const deleted = await call(server, 'deleteOAuth2Client', { params: { id } });
      expect(deleted.status).to.equal(204);
      expect(deleted.text).to.equal('');
      expect((await get(id)).body).to.deep.equal(NOT_FOUND);
      const again = await call(server, 'deleteOAuth2Client', { params: { id } });
      expect(again.status).to.equal(404);
      expect(again.body).to.deep.equal(NOT_FOUND);
      await expectTokenRefused(id, 'delete-secret');
      // Its tokens went with it.
      const introspected = await call(server, 'introspectOAuth2Token', {
        form: { token: issued.body.access_token },
      });
      expect(introspected.body).to.deep.equal({ active: false });
    });
  });

  describe('lifespans', () => {
    it('stores Go durations in canonical form and issues tokens with them; other fields stay', async () => {
      const created = await create({
        client_name: 'timed',
        client_secret: 'lifespan-secret',
        grant_types: ['client_credentials'],
        scope: 'read',
      });
      const id = created.client_id;
      const response = await call(server, 'setOAuth2ClientLifespans', {
        params: { id },
        json: {
          client_credentials_grant_access_token_lifespan: '90m',
          authorization_code_grant_id_token_lifespan: '1.5s',
        },
      });
      expect(response.status).to.equal(200);
      expect(response.body).to.include({
        client_id: id,
        client_name: 'timed',
        scope: 'read',
        client_credentials_grant_access_token_lifespan: '1h30m0s',
        authorization_code_grant_id_token_lifespan: '1.5s',
      });
      expect(response.body).not.to.have.property('client_secret');
      for (const f of HYDRA_LIFESPANS.filter(
        (f) =>
          ![
            'client_credentials_grant_access_token_lifespan',
            'authorization_code_grant_id_token_lifespan',
          ].includes(f),
      )) {
        expect(response.body[f], f).to.equal(null);
      }
      const stored = (await get(id)).body;
      expect(stored.client_credentials_grant_access_token_lifespan).to.equal('1h30m0s');
      expect(stored.client_name).to.equal('timed');

      const issued = await expectTokenWorks(id, 'lifespan-secret');
      expect(issued.body.expires_in).to.equal(5399);
      const info = await call(server, 'introspectOAuth2Token', { form: { token: issued.body.access_token } });
      expect(info.body.exp - info.body.iat).to.equal(5400);

      // Every lifespan is replaced: an absent one goes back to null, and the server default (1h) applies.
      const reset = await call(server, 'setOAuth2ClientLifespans', { params: { id }, json: {} });
      expect(reset.body.client_credentials_grant_access_token_lifespan).to.equal(null);
      expect((await expectTokenWorks(id, 'lifespan-secret')).body.expires_in).to.equal(3599);
    });

    it('rejects a value that is not a Go duration with 400, and changes nothing', async () => {
      const created = await create({ client_secret: 'lifespan-secret' });
      const id = created.client_id;
      await call(server, 'setOAuth2ClientLifespans', {
        params: { id },
        json: { client_credentials_grant_access_token_lifespan: '2h' },
      });
      for (const bad of ['90 minutes', '1d', 12]) {
        const response = await call(server, 'setOAuth2ClientLifespans', {
          params: { id },
          json: { client_credentials_grant_access_token_lifespan: bad },
        });
        expect(response.status, String(bad)).to.equal(400);
        expect(response.body.error).to.be.a('string').that.is.not.empty;
      }
      expect((await get(id)).body.client_credentials_grant_access_token_lifespan).to.equal('2h0m0s');
    });
  });

  describe('list', () => {
    it('pages with page_size through Link rel="next" to the end: ordered by id (byte order), no duplicates', async () => {
      const owner = unique('pager');
      // Mixed case and punctuation: byte order puts "B" before "_" before "a"; a locale collation would not.
      const ids = ['a-1', 'B-2', '_-3', 'a-0', 'Z-4', 'b-5'].map((s) => `${s}-${owner}`);
      for (const id of ids) await create({ client_id: id, owner });

      const seen: string[] = [];
      let query: Record<string, string> = { owner, page_size: '2' };
      for (let page = 0; page < 10; page++) {
        const response = await call(server, 'listOAuth2Clients', { query });
        expect(response.status).to.equal(200);
        const rels = links(response.headers.get('link'));
        expect(rels, `page ${page}`).to.have.property('first');
        expect(rels.first!.pathname).to.equal('/admin/clients');
        expect(rels.first!.searchParams.get('page_token')).to.equal(null);
        expect(response.body.length).to.be.at.most(2);
        for (const client of response.body) {
          expect(client).not.to.have.property('client_secret');
          seen.push(client.client_id);
        }
        if (!rels.next) break;
        expect(rels.next.pathname).to.equal('/admin/clients');
        expect(rels.next.searchParams.get('owner')).to.equal(owner);
        expect(rels.next.searchParams.get('page_size')).to.equal('2');
        query = Object.fromEntries(rels.next.searchParams);
      }
      const byteOrder = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(seen).to.deep.equal(byteOrder);
      expect(new Set(seen).size).to.equal(ids.length);
    });

    it('walks every client without a filter, each once, ordered by id', async () => {
      for (let i = 0; i < 3; i++) await create({ owner: unique('walk') });
      const seen: string[] = [];
      let query: Record<string, string> = { page_size: '4' };
      for (let page = 0; page < 100; page++) {
        const response = await call(server, 'listOAuth2Clients', { query });
        seen.push(...response.body.map((c: { client_id: string }) => c.client_id));
        const next = links(response.headers.get('link')).next;
        if (!next) break;
        query = Object.fromEntries(next.searchParams);
      }
      const all = await call(server, 'listOAuth2Clients', { query: { page_size: '500' } });
      expect(seen).to.deep.equal(all.body.map((c: { client_id: string }) => c.client_id));
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen).to.deep.equal([...seen].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    });

    it('the last page has rel="first" and no rel="next"; a page that fits has no next either', async () => {
      const owner = unique('small');
      await create({ owner });
      await create({ owner });
      const response = await call(server, 'listOAuth2Clients', { query: { owner, page_size: '2' } });
      expect(response.body).to.have.length(2);
      const rels = links(response.headers.get('link'));
      expect(Object.keys(rels)).to.deep.equal(['first']);
    });

    it('filters by exact client_name and exact owner', async () => {
      const name = unique('named');
      const owner = unique('owned');
      const exact = await create({ client_name: name, owner });
      await create({ client_name: `${name}-suffix`, owner: `${owner}-suffix` });
      await create({ client_name: name.toUpperCase(), owner: owner.toUpperCase() });
      await create({ client_name: name, owner: 'someone-else' });

      const byName = await call(server, 'listOAuth2Clients', { query: { client_name: name } });
      expect(byName.body.map((c: { client_name: string }) => c.client_name)).to.deep.equal([name, name]);
      const byOwner = await call(server, 'listOAuth2Clients', { query: { owner } });
      expect(byOwner.body.map((c: { client_id: string }) => c.client_id)).to.deep.equal([exact.client_id]);
      const both = await call(server, 'listOAuth2Clients', { query: { client_name: name, owner } });
      expect(both.body.map((c: { client_id: string }) => c.client_id)).to.deep.equal([exact.client_id]);
      expect(links(both.headers.get('link')).first!.searchParams.get('client_name')).to.equal(name);
    });

    it('answers [] with a rel="first" Link when nothing matches', async () => {
      const response = await call(server, 'listOAuth2Clients', { query: { owner: unique('nobody') } });
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.equal([]);
      expect(response.text.trim()).to.equal('[]');
      expect(Object.keys(links(response.headers.get('link')))).to.deep.equal(['first']);
    });

    for (const pageToken of [
      'not-a-token',
      '!!!',
      'eyJvZmZzZXQiOiIwIiwidiI6Mn0',
      Buffer.from('{"id":1}').toString('base64url'),
    ]) {
      it(`answers 400 for the page_token ${JSON.stringify(pageToken)}`, async () => {
        const response = await call(server, 'listOAuth2Clients', { query: { page_token: pageToken } });
        expect(response.status).to.equal(400);
        expect(response.body.error).to.equal(MALFORMED);
        expect(response.body.error_description).to.be.a('string').that.is.not.empty;
      });
    }

    for (const pageSize of ['abc', '1.5', '10x']) {
      it(`answers 400 for page_size=${JSON.stringify(pageSize)}`, async () => {
        const response = await call(server, 'listOAuth2Clients', { query: { page_size: pageSize } });
        expect(response.status).to.equal(400);
        expect(response.body.error).to.equal(MALFORMED);
      });
    }

    it('treats page_size 0 or less as the default and caps it at 500', async () => {
      for (const [requested, effective] of [
        ['0', '100'],
        ['-3', '100'],
        ['100000', '500'],
      ]) {
        const response = await call(server, 'listOAuth2Clients', { query: { page_size: requested! } });
        expect(response.status).to.equal(200);
        expect(links(response.headers.get('link')).first!.searchParams.get('page_size')).to.equal(effective);
      }
    });
  });
});

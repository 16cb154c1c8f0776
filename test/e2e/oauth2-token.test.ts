// POST /oauth2/token with grant_type=client_credentials against a real server and PostgreSQL: client
// authentication, checks and scope strategies in Hydra's order (docs/hydra-compatibility.md), audience, token
// lifetimes and the response headers fosite sends.
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import {
  basicHeader,
  ccClient,
  createClient,
  expectOAuth2Error,
  introspect,
  issueToken,
  rawBasicHeader,
  tokenRequest,
} from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CC = { grant_type: 'client_credentials' };

describe('POST /oauth2/token (client_credentials), end to end', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  describe('client authentication', () => {
    // A secret with characters that form-encoding changes: `+`, `%`, `:`, space, and non-ASCII.
    const trickySecret = 'pa+ss%wo:rd é 100%';
    let basicClient: { client_id: string; client_secret?: string };
    let postClient: { client_id: string; client_secret?: string };
    let publicClient: { client_id: string };
    let trickyClient: { client_id: string; client_secret?: string };

    before(async () => {
      basicClient = await ccClient(server, { scope: 'read' });
      postClient = await ccClient(server, {
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'read',
      });
      publicClient = await createClient(server, {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'none',
        scope: 'read',
      });
      trickyClient = await ccClient(server, { client_id: 'svc+id %me:x', client_secret: trickySecret });
    });

    it('client_secret_basic: a token with exactly fosite’s headers and fields', async () => {
      const res = await tokenRequest(
        server,
        { ...CC, scope: 'read' },
        { id: basicClient.client_id, secret: basicClient.client_secret! },
      );
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/json;charset=UTF-8');
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.headers.get('pragma')).to.equal('no-cache');
      expect(Object.keys(res.body).sort()).to.deep.equal([
        'access_token',
        'expires_in',
        'scope',
        'token_type',
      ]);
      expect(res.body).to.include({ expires_in: 3599, scope: 'read', token_type: 'bearer' });
      expect(res.body.access_token).to.match(/^ory_at_[\w-]{43}\.[\w-]{43}$/);
    });

    it('client_secret_basic: the id and secret are form-urlencoded in the header (`+`, `%`, `:`, spaces, UTF-8)', async () => {
      const ok = await tokenRequest(server, CC, { id: trickyClient.client_id, secret: trickySecret });
      expect(ok.status, ok.text).to.equal(200);
      const info = await introspect(server, ok.body.access_token);
      expect(info).to.include({ active: true, client_id: 'svc+id %me:x' });
    });

    it('client_secret_basic: a malformed `%` escape in the header is 400 invalid_request, not a failed authentication', async () => {
      const res = await tokenRequest(server, CC, {
        authorization: rawBasicHeader(encodeURIComponent(trickyClient.client_id), trickySecret),
      });
      expectOAuth2Error(res, 400, 'invalid_request');
    });

    it('client_secret_basic: a secret with `+` sent as `%2B` works, sent raw fails', async () => {
      const client = await ccClient(server, { client_secret: 'with+plus+signs-0123' });
      const encoded = await tokenRequest(server, CC, {
        authorization: rawBasicHeader(client.client_id, 'with%2Bplus%2Bsigns-0123'),
      });
      expect(encoded.status, encoded.text).to.equal(200);
      const raw = await tokenRequest(server, CC, {
        authorization: rawBasicHeader(client.client_id, 'with+plus+signs-0123'),
      });
      expectOAuth2Error(raw, 401, 'invalid_client');
    });

    it('client_secret_post: credentials in the form body', async () => {
      const res = await tokenRequest(server, {
        ...CC,
        client_id: postClient.client_id,
        client_secret: postClient.client_secret!,
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.token_type).to.equal('bearer');
    });

    it('Basic with a body client_id but no body secret is accepted (fosite)', async () => {
      const res = await tokenRequest(
        server,
        { ...CC, client_id: basicClient.client_id },
        { id: basicClient.client_id, secret: basicClient.client_secret! },
      );
      expect(res.status, res.text).to.equal(200);
    });

    it('client_secret_basic to a client_secret_post client: 401 invalid_client naming both methods', async () => {
      const res = await tokenRequest(server, CC, {
        id: postClient.client_id,
        secret: postClient.client_secret!,
      });
      expectOAuth2Error(res, 401, 'invalid_client');
      expect(res.body.error_description).to.include(
        "supports client authentication method 'client_secret_post', but method 'client_secret_basic' was requested",
      );
    });

    it('client_secret_post to a client_secret_basic client: 401 invalid_client', async () => {
      const res = await tokenRequest(server, {
        ...CC,
        client_id: basicClient.client_id,
        client_secret: basicClient.client_secret!,
      });
      expectOAuth2Error(res, 401, 'invalid_client');
      expect(res.body.error_description).to.include(
        "supports client authentication method 'client_secret_basic', but method 'client_secret_post' was requested",
      );
    });

    it('a secret in both header and body: 401 invalid_client, whatever the client’s method', async () => {
      for (const client of [basicClient, postClient]) {
        const res = await tokenRequest(
          server,
          { ...CC, client_id: client.client_id, client_secret: client.client_secret! },
          { id: client.client_id, secret: client.client_secret! },
        );
        expectOAuth2Error(res, 401, 'invalid_client');
      }
    });

    it('an unknown client: 401 invalid_client, with Basic and with the form', async () => {
      expectOAuth2Error(
        await tokenRequest(server, CC, { id: 'no-such-client', secret: 'whatever-secret' }),
        401,
        'invalid_client',
      );
      expectOAuth2Error(
        await tokenRequest(server, { ...CC, client_id: 'no-such-client', client_secret: 'whatever-secret' }),
        401,
        'invalid_client',
      );
    });

    it('a wrong secret: 401 invalid_client, with Basic and with the form', async () => {
      expectOAuth2Error(
        await tokenRequest(server, CC, { id: basicClient.client_id, secret: 'wrong-secret' }),
        401,
        'invalid_client',
      );
      expectOAuth2Error(
        await tokenRequest(server, { ...CC, client_id: postClient.client_id, client_secret: 'wrong-secret' }),
        401,
        'invalid_client',
      );
      // A prefix of the right secret is still wrong.
      expectOAuth2Error(
        await tokenRequest(server, CC, {
          id: basicClient.client_id,
          secret: basicClient.client_secret!.slice(0, -1),
        }),
        401,
        'invalid_client',
      );
    });

    it('an empty secret: 401 invalid_client, with Basic and with the form', async () => {
      expectOAuth2Error(
        await tokenRequest(server, CC, { id: basicClient.client_id, secret: '' }),
        401,
        'invalid_client',
      );
      expectOAuth2Error(
        await tokenRequest(server, { ...CC, client_id: postClient.client_id, client_secret: '' }),
        401,
        'invalid_client',
      );
      expectOAuth2Error(
        await tokenRequest(server, { ...CC, client_id: postClient.client_id }),
        401,
        'invalid_client',
      );
    });

    it('no credentials at all: 400 invalid_request', async () => {
      const res = await tokenRequest(server, CC);
      expectOAuth2Error(res, 400, 'invalid_request');
      expect(res.body.error_description).to.include('Client credentials missing or malformed');
    });

    it('a public client (token_endpoint_auth_method none) authenticates but may not use the grant: 400 invalid_grant', async () => {
      const res = await tokenRequest(server, { ...CC, client_id: publicClient.client_id, scope: 'read' });
      expectOAuth2Error(res, 400, 'invalid_grant');
      expect(res.body.error_description).to.include('marked as public');
      // A Basic password for a public client is a method mismatch, found before the grant.
      expectOAuth2Error(
        await tokenRequest(server, CC, { id: publicClient.client_id, secret: 'some-secret' }),
        401,
        'invalid_client',
      );
    });
  });

  describe('grant type and the order of checks', () => {
    let client: { client_id: string; client_secret?: string };
    let noGrant: { client_id: string; client_secret?: string };

    before(async () => {
      client = await ccClient(server, { scope: 'read' });
      noGrant = await ccClient(server, {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://app.example/cb'],
        scope: 'read',
        audience: ['https://api.example/x'],
      });
    });

    it('a missing grant_type: 400 invalid_request', async () => {
      const res = await tokenRequest(
        server,
        { scope: 'read' },
        { id: client.client_id, secret: client.client_secret! },
      );
      expectOAuth2Error(res, 400, 'invalid_request');
      expect(res.body.error_description).to.include('grant_type');
    });

    it('an empty body: 400 invalid_request', async () => {
      const res = await tokenRequest(server, '', { id: client.client_id, secret: client.client_secret! });
      expectOAuth2Error(res, 400, 'invalid_request');
    });

    it('an unknown grant type: 400 unsupported_grant_type (a deliberate difference from Hydra)', async () => {
      for (const grant_type of [
        'password',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'client_credentials foo',
        'CLIENT_CREDENTIALS',
      ]) {
        const res = await tokenRequest(
          server,
          { grant_type },
          { id: client.client_id, secret: client.client_secret! },
        );
        expectOAuth2Error(res, 400, 'unsupported_grant_type');
      }
    });

    it('an unknown grant type with bad credentials still answers unsupported_grant_type', async () => {
      expectOAuth2Error(
        await tokenRequest(
          server,
          { grant_type: 'password' },
          { id: client.client_id, secret: 'wrong-secret' },
        ),
        400,
        'unsupported_grant_type',
      );
      expectOAuth2Error(
        await tokenRequest(server, { grant_type: 'password' }, { id: 'no-such-client', secret: 'x' }),
        400,
        'unsupported_grant_type',
      );
      expectOAuth2Error(
        await tokenRequest(server, { grant_type: 'password' }),
        400,
        'unsupported_grant_type',
      );
    });

    it('a known grant type with bad credentials: the authentication error', async () => {
      expectOAuth2Error(
        await tokenRequest(server, CC, { id: client.client_id, secret: 'wrong-secret' }),
        401,
        'invalid_client',
      );
    });

    it('grant_types without client_credentials: 400 unauthorized_client', async () => {
      const res = await tokenRequest(
        server,
        { ...CC, scope: 'read' },
        {
          id: noGrant.client_id,
          secret: noGrant.client_secret!,
        },
      );
      expectOAuth2Error(res, 400, 'unauthorized_client');
      expect(res.body.error_description).to.include("authorization grant 'client_credentials'");
    });

    it('the scope check comes before the grant-types check: invalid_scope', async () => {
      const res = await tokenRequest(
        server,
        { ...CC, scope: 'write' },
        {
          id: noGrant.client_id,
          secret: noGrant.client_secret!,
        },
      );
      expectOAuth2Error(res, 400, 'invalid_scope');
      expect(res.body.error_description).to.include("not allowed to request scope 'write'");
    });

    it('the audience check comes before the grant-types check: invalid_request', async () => {
      const res = await tokenRequest(
        server,
        { ...CC, audience: 'https://api.example/xy' },
        {
          id: noGrant.client_id,
          secret: noGrant.client_secret!,
        },
      );
      expectOAuth2Error(res, 400, 'invalid_request');
      expect(res.body.error_description).to.include("Requested audience 'https://api.example/xy'");
    });

    it('the scope check comes before the public-client check', async () => {
      const publicClient = await createClient(server, {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'none',
        scope: 'read',
      });
      expectOAuth2Error(
        await tokenRequest(server, { ...CC, client_id: publicClient.client_id, scope: 'write' }),
        400,
        'invalid_scope',
      );
    });

    it('the query string is ignored: credentials and grant_type come from the body only', async () => {
      const url = new URL('/oauth2/token', server.publicUrl);
      url.searchParams.set('grant_type', 'client_credentials');
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicHeader(client.client_id, client.client_secret!),
        },
        body: 'scope=read',
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.equal('invalid_request');
    });
  });

  describe('scopes (wildcard strategy, the default)', () => {
    let client: { client_id: string; client_secret?: string };

    before(async () => {
      client = await ccClient(server, { scope: 'foo.* read write' });
    });

    const request = (scope?: string) =>
      tokenRequest(server, scope === undefined ? CC : { ...CC, scope }, {
        id: client.client_id,
        secret: client.client_secret!,
      });

    it('`foo.*` allows `foo.bar` and `foo.bar.baz`', async () => {
      for (const scope of ['foo.bar', 'foo.bar.baz', 'foo.bar foo.baz.qux read']) {
        const res = await request(scope);
        expect(res.status, `${scope}: ${res.text}`).to.equal(200);
        expect(res.body.scope).to.equal(scope);
      }
    });

    it('`foo.*` does not allow `foo`, nor `foo.` nor `food.bar`', async () => {
      for (const scope of ['foo', 'foo.', 'food.bar', 'read Read']) {
        const res = await request(scope);
        expectOAuth2Error(res, 400, 'invalid_scope');
      }
    });

    it('no scope requested: `scope: ""` and nothing granted', async () => {
      const res = await request();
      expect(res.status, res.text).to.equal(200);
      expect(res.body.scope).to.equal('');
      const info = await introspect(server, res.body.access_token);
      expect(info.active).to.equal(true);
      expect(info).not.to.have.property('scope');
    });

    it('duplicate scopes are de-duplicated, first occurrence first', async () => {
      const res = await request('write read  write read foo.bar');
      expect(res.status, res.text).to.equal(200);
      expect(res.body.scope).to.equal('write read foo.bar');
      expect((await introspect(server, res.body.access_token)).scope).to.equal('write read foo.bar');
    });
  });

  describe('audience', () => {
    let client: { client_id: string; client_secret?: string };

    before(async () => {
      client = await ccClient(server, { audience: ['https://api/x', 'https://other.example/'] });
    });

    const request = (audience?: string | string[]) =>
      tokenRequest(server, audience === undefined ? CC : { ...CC, audience }, {
        id: client.client_id,
        secret: client.client_secret!,
      });

    it('an allowed audience is granted; none requested grants none', async () => {
      const res = await request('https://api/x');
      expect(res.status, res.text).to.equal(200);
      expect((await introspect(server, res.body.access_token)).aud).to.deep.equal(['https://api/x']);
      const none = await request();
      expect(none.status).to.equal(200);
      expect((await introspect(server, none.body.access_token)).aud).to.deep.equal([]);
    });

    it('a path below an allowed one, at a `/` boundary, is allowed', async () => {
      for (const audience of ['https://api/x/y', 'https://api/x/y/z', 'https://other.example/a']) {
        const res = await request(audience);
        expect(res.status, `${audience}: ${res.text}`).to.equal(200);
        expect((await introspect(server, res.body.access_token)).aud).to.deep.equal([audience]);
      }
    });

    const expectNotWhitelisted = async (audience: string) => {
      const res = await request(audience);
      expectOAuth2Error(res, 400, 'invalid_request');
      expect(res.body.error_description).to.include(
        `Requested audience '${audience}' has not been whitelisted`,
      );
    };

    it('a path that only shares a prefix, another host or scheme is denied: 400 invalid_request', async () => {
      for (const audience of [
        'https://api/xy',
        'https://api/',
        'http://api/x',
        'https://api2/x',
        'https://API/x',
      ]) {
        await expectNotWhitelisted(audience);
      }
    });

    it('a path with dot segments, percent-encoded or not, is denied: 400 invalid_request', async () => {
      for (const audience of [
        'https://api/x/../admin',
        'https://api/x/%2e%2e/admin',
        'https://api/x/%2E./admin',
        'https://api/x/./y',
        'https://other.example/%2e%2E',
      ]) {
        await expectNotWhitelisted(audience);
      }
    });

    it('repeated `audience` parameters are all granted, in order', async () => {
      const res = await request(['https://api/x/b', 'https://api/x/a']);
      expect(res.status, res.text).to.equal(200);
      expect((await introspect(server, res.body.access_token)).aud).to.deep.equal([
        'https://api/x/b',
        'https://api/x/a',
      ]);
      // One denied among repeated ones fails the request.
      expectOAuth2Error(await request(['https://api/x', 'https://api/xy']), 400, 'invalid_request');
    });

    it('a space-separated `audience` is split', async () => {
      const res = await request('https://api/x https://other.example/b');
      expect(res.status, res.text).to.equal(200);
      expect((await introspect(server, res.body.access_token)).aud).to.deep.equal([
        'https://api/x',
        'https://other.example/b',
      ]);
    });
  });

  describe('lifetimes', () => {
    it('the default 1 h answers expires_in 3599 and exp − iat = 3600', async () => {
      const client = await ccClient(server);
      const res = await tokenRequest(server, CC, { id: client.client_id, secret: client.client_secret! });
      expect(res.body.expires_in).to.equal(3599);
      const info = await introspect(server, res.body.access_token);
      expect((info.exp as number) - (info.iat as number)).to.equal(3600);
      expect(info.nbf).to.equal(info.iat);
      expect(Math.abs((info.iat as number) - Date.now() / 1000)).to.be.below(5);
    });

    it('a client’s client_credentials_grant_access_token_lifespan wins', async () => {
      const client = await ccClient(server, { client_credentials_grant_access_token_lifespan: '10m' });
      const res = await tokenRequest(server, CC, { id: client.client_id, secret: client.client_secret! });
      expect(res.body.expires_in).to.equal(599);
      const info = await introspect(server, res.body.access_token);
      expect((info.exp as number) - (info.iat as number)).to.equal(600);
    });

    it('a lifespan set later through PUT /admin/clients/{id}/lifespans applies to new tokens', async () => {
      const client = await ccClient(server);
      const set = await call(server, 'setOAuth2ClientLifespans', {
        params: { id: client.client_id },
        json: { client_credentials_grant_access_token_lifespan: '2h' },
      });
      expect(set.status, set.text).to.equal(200);
      const token = await issueToken(server, client);
      const info = await introspect(server, token);
      expect((info.exp as number) - (info.iat as number)).to.equal(7200);
    });
  });

  describe('errors', () => {
    it('an error carries no-store, no-cache, the OAuth JSON content type and no WWW-Authenticate, even on 401', async () => {
      const res = await tokenRequest(server, CC, { id: 'nobody', secret: 'nothing' });
      expectOAuth2Error(res, 401, 'invalid_client');
      expect(Object.keys(res.body)).to.deep.equal(['error', 'error_description']);
    });
  });
});

describe('POST /oauth2/token on a server with strategies.scope=exact and ttl.access_token=30m', () => {
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };

  before(async () => {
    server = await startTestServer({ 'strategies.scope': 'exact', 'ttl.access_token': '30m' });
    client = await ccClient(server, { scope: 'foo.* read' });
  });
  after(() => server?.close());

  const request = (scope: string, c = client) =>
    tokenRequest(server, { ...CC, scope }, { id: c.client_id, secret: c.client_secret! });

  it('`foo.*` allows only the literal `foo.*`', async () => {
    for (const scope of ['foo.bar', 'foo.bar.baz', 'foo']) {
      expectOAuth2Error(await request(scope), 400, 'invalid_scope');
    }
    const literal = await request('foo.* read');
    expect(literal.status, literal.text).to.equal(200);
    expect(literal.body.scope).to.equal('foo.* read');
  });

  it('introspection’s `scope` check also uses the exact strategy', async () => {
    const token = (await request('foo.*')).body.access_token;
    expect(await introspect(server, token, { scope: 'foo.*' })).to.include({ active: true });
    expect(await introspect(server, token, { scope: 'foo.bar' })).to.deep.equal({ active: false });
  });

  it('the global ttl.access_token sets expires_in; a client lifespan still overrides it', async () => {
    const res = await request('read');
    expect(res.body.expires_in).to.equal(1799);
    const info = await introspect(server, res.body.access_token);
    expect((info.exp as number) - (info.iat as number)).to.equal(1800);

    const short = await ccClient(server, {
      scope: 'read',
      client_credentials_grant_access_token_lifespan: '5m',
    });
    expect((await request('read', short)).body.expires_in).to.equal(299);
  });
});

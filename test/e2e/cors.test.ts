// CORS on the public port (Hydra's rs/cors + x/oauth2cors): off by default; when on, global origin globs on
// every public route, preflights answered before the router, and a client's own allowed_cors_origins on the
// token, revocation and userinfo endpoints, whoever the client says it is (form client_id, Basic user, bearer token).
// Never on the admin port.
import { expect } from 'chai';
import { formBody } from '../helpers/api.js';
import { basicHeader, ccClient, issueToken } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SPA = 'https://spa.example';
const SECRET = 'a-client-secret-0123456789';

function preflight(base: string, path: string, origin: string, method = 'POST', headers?: string) {
  return fetch(new URL(path, base), {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      ...(headers ? { 'access-control-request-headers': headers } : {}),
    },
  });
}

function post(base: string, path: string, form: Record<string, string>, headers: Record<string, string>) {
  return fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: formBody(form),
  });
}

describe('CORS on the public port', () => {
  describe('off by default', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('sends no CORS header on a preflight or a request, and preflights still meet the router', async () => {
      const pre = await preflight(server.publicUrl, '/oauth2/token', SPA);
      expect(pre.status).to.equal(405);
      expect(pre.headers.get('access-control-allow-origin')).to.equal(null);
      const client = await ccClient(server, { allowed_cors_origins: [SPA] });
      const res = await post(
        server.publicUrl,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { origin: SPA, authorization: basicHeader(client.client_id, SECRET) },
      );
      expect(res.status).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal(null);
      expect(res.headers.get('vary')).to.equal(null);
    });
  });

  describe('enabled', () => {
    let server: TestServer;
    let client: { client_id: string };
    before(async () => {
      server = await startTestServer({
        'serve.public.cors.enabled': true,
        'serve.public.cors.allowed_origins': ['https://*.good.example', 'http://*'],
        'serve.public.cors.max_age': 10,
      });
      client = await ccClient(server, { allowed_cors_origins: [SPA] });
    });
    after(() => server.close());

    it('answers a preflight from a globally allowed origin with 204 and the requested method and headers', async () => {
      const res = await preflight(
        server.publicUrl,
        '/.well-known/jwks.json',
        'https://app.good.example',
        'GET',
        'Authorization, Content-Type',
      );
      expect(res.status).to.equal(204);
      expect(res.headers.get('access-control-allow-origin')).to.equal('https://app.good.example');
      expect(res.headers.get('access-control-allow-methods')).to.equal('GET');
      expect(res.headers.get('access-control-allow-headers')).to.equal('Authorization, Content-Type');
      expect(res.headers.get('access-control-allow-credentials')).to.equal('true');
      expect(res.headers.get('access-control-max-age')).to.equal('10');
      expect(res.headers.get('vary')).to.equal(
        'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      );
    });

    it('globs: `*` stays within one DNS label, `scheme://*` admits any host of the scheme, case is ignored', async () => {
      const allowed = async (origin: string) =>
        (await preflight(server.publicUrl, '/.well-known/jwks.json', origin, 'GET')).headers.get(
          'access-control-allow-origin',
        );
      expect(await allowed('https://APP.Good.Example')).to.equal('https://APP.Good.Example');
      expect(await allowed('https://a.b.good.example')).to.equal(null);
      expect(await allowed('https://good.example.evil.example')).to.equal(null);
      expect(await allowed('http://anything.at.all:8080')).to.equal('http://anything.at.all:8080');
      expect(await allowed('https://evil.example')).to.equal(null);
    });

    it('refuses a preflight for a method or header not allowed, still with 204 and no CORS headers', async () => {
      for (const res of [
        await preflight(server.publicUrl, '/.well-known/jwks.json', 'https://app.good.example', 'CONNECT'),
        await preflight(
          server.publicUrl,
          '/.well-known/jwks.json',
          'https://app.good.example',
          'GET',
          'X-Custom',
        ),
        await preflight(server.publicUrl, '/nowhere', 'https://evil.example'),
      ]) {
        expect(res.status).to.equal(204);
        expect(res.headers.get('access-control-allow-origin')).to.equal(null);
      }
    });

    it('a request from a globally allowed origin gets the origin, exposed headers and credentials', async () => {
      const res = await fetch(new URL('/.well-known/openid-configuration', server.publicUrl), {
        headers: { origin: 'https://app.good.example' },
      });
      expect(res.status).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal('https://app.good.example');
      expect(res.headers.get('access-control-allow-credentials')).to.equal('true');
      expect(res.headers.get('access-control-expose-headers')).to.equal(
        'Cache-Control, Expires, Last-Modified, Pragma, Content-Length, Content-Language, Content-Type',
      );
      expect(res.headers.get('vary')).to.equal('Origin');
      const other = await fetch(new URL('/.well-known/openid-configuration', server.publicUrl), {
        headers: { origin: SPA },
      });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
      expect(other.headers.get('vary')).to.equal('Origin');
    });

    it('preflights to the token and revocation endpoints pass for any origin (they carry no credentials)', async () => {
      for (const path of ['/oauth2/token', '/oauth2/revoke']) {
        const res = await preflight(server.publicUrl, path, SPA, 'POST', 'authorization');
        expect(res.status).to.equal(204);
        expect(res.headers.get('access-control-allow-origin')).to.equal(SPA);
      }
    });

    it('token endpoint: the client’s allowed_cors_origins admit its origin (Basic and form client_id), not others', async () => {
      const basic = await post(
        server.publicUrl,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { origin: SPA, authorization: basicHeader(client.client_id, SECRET) },
      );
      expect(basic.status).to.equal(200);
      expect(basic.headers.get('access-control-allow-origin')).to.equal(SPA);
      expect(basic.headers.get('access-control-expose-headers')).to.include('Cache-Control');

      const postClient = await ccClient(server, {
        allowed_cors_origins: ['https://*.spa.example'],
        token_endpoint_auth_method: 'client_secret_post',
      });
      const form = await post(
        server.publicUrl,
        '/oauth2/token',
        { grant_type: 'client_credentials', client_id: postClient.client_id, client_secret: SECRET },
        { origin: 'https://app.spa.example' },
      );
      expect(form.status).to.equal(200);
      expect(form.headers.get('access-control-allow-origin')).to.equal('https://app.spa.example');

      const foreign = await post(
        server.publicUrl,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { origin: 'https://other.example', authorization: basicHeader(client.client_id, SECRET) },
      );
      expect(foreign.status).to.equal(200);
      expect(foreign.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('an error answer stays readable by the allowed page (wrong secret → 401 with the CORS headers)', async () => {
      const res = await post(
        server.publicUrl,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { origin: SPA, authorization: basicHeader(client.client_id, 'wrong-secret') },
      );
      expect(res.status).to.equal(401);
      expect(res.headers.get('access-control-allow-origin')).to.equal(SPA);
    });

    it('revocation: Basic user, and a bearer token whose client allows the origin', async () => {
      const token = await issueToken(server, client as never);
      const basic = await post(
        server.publicUrl,
        '/oauth2/revoke',
        { token },
        { origin: SPA, authorization: basicHeader(client.client_id, SECRET) },
      );
      expect(basic.status).to.equal(200);
      expect(basic.headers.get('access-control-allow-origin')).to.equal(SPA);

      const live = await issueToken(server, client as never);
      const bearer = await post(
        server.publicUrl,
        '/oauth2/revoke',
        { token: 'x' },
        { origin: SPA, authorization: `Bearer ${live}` },
      );
      expect(bearer.headers.get('access-control-allow-origin')).to.equal(SPA);
      const unknown = await post(
        server.publicUrl,
        '/oauth2/revoke',
        { token: 'x' },
        { origin: SPA, authorization: 'Bearer ory_at_unknown.token' },
      );
      expect(unknown.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('userinfo: the bearer token’s client admits its origin; the preflight passes for the Authorization header', async () => {
      const pre = await preflight(server.publicUrl, '/userinfo', SPA, 'GET', 'Authorization');
      expect(pre.status).to.equal(204);
      expect(pre.headers.get('access-control-allow-origin')).to.equal(SPA);
      expect(pre.headers.get('access-control-allow-headers')).to.equal('Authorization');
      const token = await issueToken(server, client as never);
      const get = (origin: string, authorization: string) =>
        fetch(new URL('/userinfo', server.publicUrl), { headers: { origin, authorization } });
      const allowed = await get(SPA, `Bearer ${token}`);
      expect(allowed.status).to.equal(200);
      expect(allowed.headers.get('access-control-allow-origin')).to.equal(SPA);
      const query = await fetch(
        new URL(`/userinfo?access_token=${encodeURIComponent(token)}`, server.publicUrl),
        {
          headers: { origin: SPA },
        },
      );
      expect(query.status).to.equal(200);
      expect(query.headers.get('access-control-allow-origin')).to.equal(SPA);
      const other = await get('https://other.example', `Bearer ${token}`);
      expect(other.status).to.equal(200);
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
      // A refused token names no client: the page cannot read the 401 unless its origin is allowed globally.
      const refused = await get(SPA, 'Bearer ory_at_unknown.token');
      expect(refused.status).to.equal(401);
      expect(refused.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('never on the admin port', async () => {
      const pre = await preflight(server.adminUrl, '/admin/clients', 'https://app.good.example', 'GET');
      expect(pre.headers.get('access-control-allow-origin')).to.equal(null);
      expect(pre.status).to.equal(405);
      const res = await fetch(new URL('/admin/clients', server.adminUrl), {
        headers: { origin: 'https://app.good.example' },
      });
      expect(res.status).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal(null);
      expect(res.headers.get('vary')).to.equal(null);
    });
  });
});

// The probes of an adversarial review (issue 15) that found nothing, kept as regression tests: admin
// authentication under path tricks, forged JWTs (alg none, HS256 keyed with the public key, kid injection,
// jku/x5u), prototype pollution through JSON and JSON Patch, and request smuggling (CL+TE). Requests that
// fetch would normalise are written on a raw socket.
import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import net from 'node:net';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { ccClient, introspect, issueToken } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ADMIN_TOKEN = 'admin-token-for-the-probes-0123456789';

/** One raw HTTP/1.1 exchange; the status code and the whole answer as text. */
function rawHttp(base: string, request: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(request);
  });
}

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('attacker probes that must keep failing', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      'serve.admin.auth.tokens': [ADMIN_TOKEN],
      'strategies.access_token': 'jwt',
    });
  });
  after(() => server.close());

  describe('admin authentication under path variants', () => {
    const PATHS = [
      '/admin/clients',
      '//admin/clients',
      '/admin//clients',
      '///admin///clients',
      '/ADMIN/clients',
      '/Admin/Clients',
      '/admin/clients/',
      '/admin/clients.',
      '/admin/clients..',
      '/admin/clients%2e',
      '/admin/%63lients',
      '/%61dmin/clients',
      '/admin%2fclients',
      '/admin%2Fclients',
      '/admin/./clients',
      '/admin/x/../clients',
      '/admin/%2e/clients',
      '/admin/x/%2e%2e/clients',
      '/health/ready/../../admin/clients',
      '/health/alive/../../admin/clients',
      '/health/ready/..%2f..%2fadmin/clients',
      '/health/ready%2f..%2f..%2fadmin%2fclients',
      '/admin/health/ready/../../clients',
      '/admin/health/alive/../../admin/clients',
      '/health/ready;/../admin/clients',
      '/admin/clients;/health/ready',
      '/admin/clients?/health/ready',
      '/admin/clients?path=/health/alive',
      '/admin/clients%00',
      '/admin/clients%20',
      '/admin/clients%09',
      '/clients',
      '//clients',
      '/CLIENTS',
      '/clients/',
      '/admin/clients/x',
      '/admin/keys/hydra.jwt.access-token',
      '/keys/hydra.jwt.access-token',
      '/admin/oauth2/introspect',
      '/oauth2/introspect',
      '/admin/oauth2/tokens?client_id=x',
      '/admin/metrics/prometheus',
      '/metrics/prometheus',
      '/admin/version',
      '/version',
      'http://127.0.0.1/admin/clients',
      'http://localhost:1/health/ready/../../admin/clients',
      '*',
    ];
    const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

    it(`${PATHS.length} paths × ${METHODS.length} methods without a token: never served`, async () => {
      const client = await ccClient(server, { client_name: 'secret-bearing-client' });
      const seen = new Map<number, number>();
      for (const path of PATHS) {
        for (const method of METHODS) {
          const res = await rawHttp(
            server.adminUrl,
            `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
          );
          const where = `${method} ${path} → ${res.text.slice(0, 200)}`;
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          // 401 from the guard, or 400 when Node's parser refuses the request line: never anything served.
          expect([400, 401], where).to.include(res.status);
          expect(res.text, where).not.to.include(client.client_id);
        }
      }
      expect(seen.get(401), JSON.stringify([...seen])).to.be.above(PATHS.length * METHODS.length - 20);
    });
  });

  describe('forged JWT access tokens', () => {
    let token: string;
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    before(async () => {
      const client = await ccClient(server);
      token = await issueToken(server, client);
      header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
      payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(await introspect(server, token)).to.include({ active: true });
    });

    const inactive = async (forged: string, what: string) =>
      expect(await introspect(server, forged), what).to.deep.equal({ active: false });

    it('alg none, with and without a signature', async () => {
      const body = `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}`;
      await inactive(`${body}.`, 'alg none, empty signature');
      await inactive(`${body}.${token.split('.')[2]}`, 'alg none, the original signature');
      await inactive(`${b64url({ ...header, alg: 'None' })}.${b64url(payload)}.`, 'alg None');
    });

    it('HS256 keyed with the published public key (algorithm confusion)', async () => {
      const jwks = (await call(server, 'discoverJsonWebKeys')).body.keys as Record<string, string>[];
      const published = jwks.find((k) => k.kid === header.kid)!;
      const pem = createPublicKey({ key: published, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const body = `${b64url({ ...header, alg: 'HS256' })}.${b64url(payload)}`;
      for (const secret of [pem, JSON.stringify(published), published.n ?? published.x ?? '']) {
        await inactive(`${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`, 'HS256');
      }
    });

    it('kid injection and jku/x5u pointing at a key of the attacker', async () => {
      const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = attacker.publicKey.export({ format: 'jwk' });
      const signed = (h: Record<string, unknown>) => {
        const body = `${b64url(h)}.${b64url(payload)}`;
        return `${body}.${sign('sha256', Buffer.from(body), attacker.privateKey).toString('base64url')}`;
      };
      for (const kid of ["' OR '1'='1", '../../../../etc/passwd', '*', '', 'x'.repeat(10_000), '%00']) {
        await inactive(signed({ ...header, kid }), `kid ${kid.slice(0, 20)}`);
      }
      await inactive(signed({ ...header, jku: 'https://attacker.example/jwks.json' }), 'jku');
      await inactive(signed({ ...header, x5u: 'https://attacker.example/cert.pem' }), 'x5u');
      await inactive(signed({ ...header, jwk: { ...jwk, kid: header.kid } }), 'embedded jwk');
      await inactive(signed({ ...header, kid: undefined }), 'no kid');
    });
  });

  describe('prototype pollution', () => {
    afterEach(() => {
      // The server runs in this process: a polluted prototype would show here.
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.prototype).not.to.have.property('polluted');
    });

    it('through a JSON body: __proto__ and constructor.prototype are stored as plain data', async () => {
      const body = `{"client_id":"proto","grant_types":["client_credentials"],"__proto__":{"polluted":true},"metadata":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}`;
      const created = await call(server, 'createOAuth2Client', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(created.status, created.text).to.equal(201);
      const read = await call(server, 'getOAuth2Client', { params: { id: 'proto' } });
      expect(JSON.parse(read.text).metadata).to.deep.equal(
        JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
      );
      expect(read.body).not.to.have.property('polluted');
    });

    it('through JSON Patch paths and values', async () => {
      const patch = await call(server, 'patchOAuth2Client', {
        params: { id: 'proto' },
        json: [
          { op: 'add', path: '/metadata/__proto__/polluted', value: true },
          { op: 'add', path: '/metadata/constructor/prototype/polluted', value: true },
          { op: 'add', path: '/metadata/x', value: JSON.parse('{"__proto__":{"polluted":true}}') },
        ],
      });
      expect(patch.status, patch.text).to.equal(200);
      for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted']) {
        const res = await call(server, 'patchOAuth2Client', {
          params: { id: 'proto' },
          json: [{ op: 'add', path, value: true }],
        });
        expect(res.status, `${path}: ${res.text}`).to.be.within(200, 499);
      }
      const read = await call(server, 'getOAuth2Client', { params: { id: 'proto' } });
      expect(JSON.parse(read.text).metadata.x).to.deep.equal(JSON.parse('{"__proto__":{"polluted":true}}'));
    });
  });

  describe('request smuggling', () => {
    const smuggled = 'GET /admin/clients HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const requests = [
      // CL.TE and TE.CL: both headers.
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n${smuggled}`,
      // Obfuscated Transfer-Encoding.
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${smuggled}`,
      // Two Content-Lengths that disagree.
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd${smuggled}`,
    ];
    for (const [i, request] of requests.entries()) {
      it(`ambiguous framing ${i + 1} of ${requests.length}: 400, and nothing smuggled through`, async () => {
        for (const base of [server.publicUrl, server.adminUrl]) {
          const res = await rawHttp(base, request);
          expect(res.status, res.text.slice(0, 300)).to.equal(400);
          // One answer only: the smuggled admin request never ran.
          expect(res.text.match(/HTTP\/1\.1 /g), res.text.slice(0, 300)).to.have.length(1);
        }
      });
    }
  });
});

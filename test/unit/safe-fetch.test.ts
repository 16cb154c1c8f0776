import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.js';
import {
  createSafeFetch,
  isPublicAddress,
  OutboundFailed,
  OutboundRefused,
  OutboundTimeout,
  OutboundTooLarge,
} from '../../server/net/safe-fetch.js';

/** A real server on 127.0.0.1 that counts what reaches it. */
async function startServer() {
  const hits: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/ok') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body, header: req.headers['x-test'] ?? null }));
      } else if (req.url === '/hang') {
        // never answers
      } else if (req.url === '/endless') {
        const chunk = Buffer.alloc(16 * 1024, 'a');
        const pump = () => {
          while (res.write(chunk)) {}
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      } else if (req.url === '/declared-big') {
        res.setHeader('content-length', String(10 * 1024 * 1024));
        res.write('x');
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/ok' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}

describe('safe-fetch: outbound HTTP that refuses private destinations (SSRF)', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());
  beforeEach(() => {
    srv.hits.length = 0;
  });

  describe('address policy', () => {
    const refused = [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.254',
      '224.0.0.1',
      '239.255.255.250',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'febf::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '::ffff:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::a00:1',
      '2002:7f00:1::',
      '2002:c0a8:0101::1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1
      '::ffff:0:7f00:1', // SIIT IPv4-translated (RFC 7915), 127.0.0.1
      '::ffff:0:a9fe:a9fe', // SIIT, 169.254.169.254
      '64:ff9b:1::a9fe:a9fe', // local-use NAT64 prefix (RFC 8215), not global
    ];
    const allowed = [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '169.255.0.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001:82a::200e',
      '::ffff:8.8.8.8',
      '2002:0808:0808::1',
    ];
    for (const a of refused) it(`refuses ${a}`, () => expect(isPublicAddress(a)).to.equal(false));
    for (const a of allowed) it(`allows ${a}`, () => expect(isPublicAddress(a)).to.equal(true));
    it('refuses what is not an address', () => expect(isPublicAddress('example.com')).to.equal(false));
  });

  describe('with the default policy (private ranges disallowed)', () => {
    const fetch = createSafeFetch({ allowPrivate: false, exceptionUrls: [] });

    const refusedUrls = (port: number) => [
      `http://127.0.0.1:${port}/ok`,
      `http://localhost:${port}/ok`,
      `http://[::1]:${port}/ok`,
      `http://[::ffff:127.0.0.1]:${port}/ok`,
      `http://[::ffff:7f00:1]:${port}/ok`,
      `http://2130706433:${port}/ok`,
      `http://0x7f.1:${port}/ok`,
      `http://0x7f000001:${port}/ok`,
      `http://017700000001:${port}/ok`,
      `http://127.1:${port}/ok`,
      `http://0:${port}/ok`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/',
      'http://10.0.0.1/',
    ];

    it('refuses loopback in every spelling, and makes no request', async () => {
      for (const url of refusedUrls(srv.port)) {
        const err = await fetch(url).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, url).to.be.instanceOf(OutboundRefused);
        expect((err as Error).message).to.include('private, loopback or link-local');
      }
      expect(srv.hits).to.deep.equal([]);
    });

    it('refuses other schemes', async () => {
      for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://example.com/', 'not a url']) {
        const err = await fetch(url).catch((e: unknown) => e);
        expect(err, url).to.be.instanceOf(OutboundRefused);
      }
    });

    it('fails cleanly for a name that does not resolve', async () => {
      const err = await fetch('http://no-such-host.invalid/').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OutboundFailed);
      expect((err as Error).message).to.equal("could not resolve the host of 'http://no-such-host.invalid/'");
    });
  });

  describe('names: every address is checked, and the connection uses the checked addresses', () => {
    it('refuses a name when any of its addresses is private', async () => {
      const calls: string[] = [];
      const fetch = createSafeFetch({ allowPrivate: false, exceptionUrls: [] }, async (host) => {
        calls.push(host);
        return [
          { address: '93.184.215.14', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ];
      });
      const err = await fetch(`http://jwks.example.test:${srv.port}/ok`).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OutboundRefused);
      expect(calls).to.deep.equal(['jwks.example.test']);
      expect(srv.hits).to.deep.equal([]);
    });

    it('resolves once and connects to that answer (no second lookup to rebind)', async () => {
      const calls: string[] = [];
      const fetch = createSafeFetch({ allowPrivate: true, exceptionUrls: [] }, async (host) => {
        calls.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      });
      // The name exists nowhere but in the resolver above: reaching the server proves the socket used it.
      const res = await fetch(`http://rebind.example.test:${srv.port}/ok`);
      expect(res.status).to.equal(200);
      expect(calls).to.deep.equal(['rebind.example.test']);
    });
  });

  describe('exception URLs', () => {
    it('allow exactly the listed URL', async () => {
      const fetch = createSafeFetch({ allowPrivate: false, exceptionUrls: [`${srv.base}/ok`] });
      const res = await fetch(`${srv.base}/ok`);
      expect(res.status).to.equal(200);
      const other = await fetch(`${srv.base}/redirect`).catch((e: unknown) => e);
      expect(other).to.be.instanceOf(OutboundRefused);
      const sameHostOtherSpelling = await fetch(`http://localhost:${srv.port}/ok`).catch((e: unknown) => e);
      expect(sameHostOtherSpelling).to.be.instanceOf(OutboundRefused);
      expect(srv.hits).to.deep.equal(['GET /ok ']);
    });
  });

  describe('when private ranges are allowed', () => {
    const fetch = createSafeFetch({ allowPrivate: true, exceptionUrls: [] });

    it('fetches, with method, headers and body', async () => {
      const res = await fetch(`${srv.base}/ok`, {
        method: 'POST',
        headers: { 'x-test': 'yes', 'content-type': 'text/plain' },
        body: 'hello',
      });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(res.body.toString())).to.deep.equal({ method: 'POST', body: 'hello', header: 'yes' });
    });

    it('reaches localhost by name', async () => {
      const res = await fetch(`http://localhost:${srv.port}/ok`);
      expect(res.status).to.equal(200);
    });

    it('does not follow redirects', async () => {
      const res = await fetch(`${srv.base}/redirect`);
      expect(res.status).to.equal(302);
      expect(res.headers.location).to.equal('/ok');
      expect(srv.hits).to.deep.equal(['GET /redirect ']);
    });

    it('gives up on a server that never answers', async () => {
      const err = await fetch(`${srv.base}/hang`, { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OutboundTimeout);
      expect((err as Error).message).to.equal(`fetching '${srv.base}/hang' took longer than 300 ms`);
    });

    it('stops reading an endless body without Content-Length', async () => {
      const err = await fetch(`${srv.base}/endless`, { maxBytes: 100_000 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OutboundTooLarge);
      expect((err as Error).message).to.equal(
        `the response from '${srv.base}/endless' is larger than 100000 bytes`,
      );
    });

    it('refuses a declared Content-Length over the cap before reading it', async () => {
      const err = await fetch(`${srv.base}/declared-big`, { maxBytes: 1000 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OutboundTooLarge);
    });

    it('reports a refused connection', async () => {
      const closed = await startServer();
      await closed.close();
      const err = await fetch(`${closed.base}/ok`).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OutboundFailed);
      expect((err as Error).message).to.equal(`could not fetch '${closed.base}/ok': connection refused`);
    });
  });

  describe('configuration', () => {
    const SECRET = 'sixteen-chars-at-least';
    it('disallows private ranges by default (Hydra allows them)', () => {
      const config = loadConfig({ env: { SECRETS_SYSTEM: SECRET } });
      expect(config.clientsHttp).to.deep.equal({ disallowPrivateIpRanges: true, privateIpExceptionUrls: [] });
    });

    it("reads Hydra's keys from the environment", () => {
      const config = loadConfig({
        env: {
          SECRETS_SYSTEM: SECRET,
          CLIENTS_HTTP_DISALLOW_PRIVATE_IP_RANGES: 'false',
          CLIENTS_HTTP_PRIVATE_IP_EXCEPTION_URLS: 'http://10.0.0.1/jwks.json,http://jwks.internal/keys',
        },
      });
      expect(config.clientsHttp).to.deep.equal({
        disallowPrivateIpRanges: false,
        privateIpExceptionUrls: ['http://10.0.0.1/jwks.json', 'http://jwks.internal/keys'],
      });
    });

    it('refuses an exception that is not a URL', () => {
      expect(() =>
        loadConfig({
          env: { SECRETS_SYSTEM: SECRET, CLIENTS_HTTP_PRIVATE_IP_EXCEPTION_URLS: 'jwks.internal' },
        }),
      ).to.throw('clients.http.private_ip_exception_urls');
    });
  });
});

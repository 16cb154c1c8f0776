// Slow and idle clients cannot hold connections open: raw sockets that dribble their headers or their body, or
// sit idle on a keep-alive connection, are cut off after the configured bounds while others are served.
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Dribble {
  socket: Socket;
  /** Resolves with the milliseconds until the server closed the connection, and what it sent. */
  closed: Promise<{ ms: number; received: string }>;
  stop(): void;
}

function open(url: string): Dribble {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const started = Date.now();
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk) => {
    received += String(chunk);
  });
  socket.on('error', () => {});
  const closed = new Promise<{ ms: number; received: string }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, received });
    });
  });
  return {
    socket,
    closed,
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
    set interval(t: NodeJS.Timeout) {
      timer = t;
    },
  } as Dribble & { interval: NodeJS.Timeout };
}

/** Writes `text` one byte every `everyMs`, starting now. */
function dribble(d: Dribble, text: string, everyMs: number) {
  let i = 0;
  (d as Dribble & { interval: NodeJS.Timeout }).interval = setInterval(() => {
    if (i < text.length && !d.socket.destroyed) d.socket.write(text[i++]!);
  }, everyMs);
}

describe('server timeouts against slow clients', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      'serve.timeouts.headers': '1s',
      'serve.timeouts.request': '2s',
      'serve.timeouts.idle': '1s',
    });
  });
  after(() => server?.close());

  it('cuts off a client that dribbles its headers, and serves others meanwhile', async () => {
    const slow = open(server.publicUrl);
    dribble(slow, `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`, 100);
    const others = await call(server, 'discoverOidcConfiguration');
    expect(others.status).to.equal(200);
    const { ms, received } = await slow.closed;
    expect(ms).to.be.within(900, 3500);
    expect(received).to.match(/^HTTP\/1\.1 408 Request Timeout|^$/);
  });

  it('cuts off a client that dribbles its body after complete headers', async () => {
    const slow = open(server.publicUrl);
    slow.socket.write(
      'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n',
    );
    dribble(slow, 'g'.repeat(500), 100);
    const { ms, received } = await slow.closed;
    expect(ms).to.be.within(1900, 4500);
    expect(received).to.not.match(/^HTTP\/1\.1 200/);
  });

  it('closes an idle keep-alive connection', async () => {
    const idle = open(server.adminUrl);
    idle.socket.write('GET /health/alive HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const { ms, received } = await idle.closed;
    expect(received).to.match(/^HTTP\/1\.1 200 OK/);
    expect(ms).to.be.within(900, 3500);
  });

  it('holds many slow connections without refusing a normal request', async () => {
    const slow = Array.from({ length: 50 }, () => open(server.publicUrl));
    for (const s of slow) dribble(s, 'POST /oauth2/token HTTP/1.1\r\nHost: x\r\n', 200);
    const res = await call(server, 'isAlive');
    expect(res.status).to.equal(200);
    const closed = await Promise.all(slow.map((s) => s.closed));
    for (const c of closed) expect(c.ms).to.be.below(4000);
  });
});

// SIGTERM while a request is in flight: `tollgate serve` stops accepting connections at once, finishes the
// request it has (a token is issued and answered 200), closes the pool and exits 0 within a bounded time.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ccClient } from '../helpers/oauth2.js';
import { createDatabase } from '../helpers/postgres.js';
import { freePort } from '../helpers/restartable-postgres.js';
import { migrate, TEST_SECRET, type TestServer } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));

describe('SIGTERM drains in-flight requests', function () {
  this.timeout(120_000);
  let child: ChildProcess;
  let output = '';
  let server: TestServer;

  async function spawnServer() {
    output = '';
    const dsn = await createDatabase();
    await migrate(dsn);
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    child = spawn('node', [BIN, 'serve', 'all', '--dev'], {
      env: {
        ...process.env,
        DSN: dsn,
        SECRETS_SYSTEM: TEST_SECRET,
        SERVE_PUBLIC_HOST: '127.0.0.1',
        SERVE_PUBLIC_PORT: String(publicPort),
        SERVE_ADMIN_HOST: '127.0.0.1',
        SERVE_ADMIN_PORT: String(adminPort),
        OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
      },
      stdio: 'pipe',
    });
    child.stdout?.on('data', (c) => {
      output += String(c);
    });
    child.stderr?.on('data', (c) => {
      output += String(c);
    });
    const started = Date.now();
    while (!/Tollgate is listening/.test(output)) {
      if (child.exitCode !== null || Date.now() - started > 60_000)
        throw new Error(`did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    server = {
      publicUrl: `http://127.0.0.1:${publicPort}`,
      adminUrl: `http://127.0.0.1:${adminPort}`,
    } as TestServer;
  }

  before(spawnServer);
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('finishes the in-flight token request, refuses new connections, and exits 0', async () => {
    const client = await ccClient(server);
    const body = 'grant_type=client_credentials';
    const auth = Buffer.from(`${client.client_id}:a-client-secret-0123456789`).toString('base64');
    const socket = connect(Number(new URL(server.publicUrl).port), '127.0.0.1');
    let response = '';
    socket.on('data', (c) => {
      response += String(c);
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    // Headers and half of the body: the request is in flight when the signal arrives.
    socket.write(
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.once('exit', (code) => resolve({ code, at: Date.now() })),
    );
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));

    // No new connection is accepted while draining.
    const refused = await fetch(`${server.publicUrl}/health/alive`).then(
      () => false,
      () => true,
    );
    expect(refused, 'a new connection after SIGTERM is refused').to.equal(true);
    expect(child.exitCode, `still running while a request is in flight: ${output}`).to.equal(null);

    socket.write(body.slice(10));
    await closed;
    expect(response).to.match(/^HTTP\/1\.1 200 OK/);
    expect(response).to.match(/"access_token":"ory_at_/);

    const { code, at } = await exited;
    expect(code).to.equal(0);
    expect(at - signalledAt, 'exits within the drain bound').to.be.below(3_000);
    expect(output).to.match(/"msg":"stopped"/);
  });

  it('exits 0 within the drain bound (10 s) even when an in-flight client never finishes', async () => {
    await spawnServer();
    const socket = connect(Number(new URL(server.publicUrl).port), '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant',
    );
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - signalledAt;
    await closed;
    expect(code).to.equal(0);
    expect(took).to.be.within(9_000, 13_000);
  });
});

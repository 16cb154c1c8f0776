// The provider's admin API client: token and extra headers on every request, retries only when the server
// cannot be reached, and Hydra's error body in the message.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { AdminClient } from '../../cdktf/provider/admin-client.js';
import { ProviderError } from '../../cdktf/provider/framework/diagnostics.js';
import { describeApiError } from '../../cdktf/provider/resources/errors.js';
import { OAuth2ApiError as AdminApiError } from '../../sdk/index.js';

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe('Terraform provider: admin API client', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it('sends the bearer token and the configured headers', async () => {
    let seen: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      seen = req.headers;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ client_id: 'a' }));
    });
    servers.push(server);
    const port = await listen(server);
    const client = new AdminClient({
      endpoint: `http://127.0.0.1:${port}/`,
      token: 'admin-token',
      headers: { 'x-tenant': 'blue' },
      retries: 0,
      signal: new AbortController().signal,
    });
    expect(await client.getClient('a')).to.deep.equal({ client_id: 'a' });
    expect(seen.authorization).to.equal('Bearer admin-token');
    expect(seen['x-tenant']).to.equal('blue');
  });

  it('retries a refused connection until the server is up, and never retries an HTTP error', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 500 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(calls === 1 ? { error: 'server_error', error_description: 'boom' } : {}));
    });
    servers.push(server);
    const client = new AdminClient({
      endpoint: `http://127.0.0.1:${port}`,
      retries: 5,
      retryDelayMs: 50,
      signal: new AbortController().signal,
    });
    setTimeout(() => void listen(server, port), 120);
    const err = await client.getClient('x').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AdminApiError);
    expect((err as AdminApiError).status).to.equal(500);
    expect((err as AdminApiError).message).to.contain('server_error: boom');
    expect(calls).to.equal(1);
  });

  it('gives up after the configured retries with the connection error', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const client = new AdminClient({
      endpoint: `http://127.0.0.1:${port}`,
      retries: 1,
      retryDelayMs: 10,
      signal: new AbortController().signal,
    });
    const err = (await client.getClient('x').catch((e: unknown) => e)) as Error;
    expect(err.message).to.contain(`GET http://127.0.0.1:${port}/admin/clients/x`);
    expect(err.message).to.contain('ECONNREFUSED');
    // The diagnostic Terraform shows says what was tried, and why it failed.
    expect(() => describeApiError('read OAuth 2.0 client x')(err))
      .to.throw(ProviderError, 'Could not read OAuth 2.0 client x')
      .with.property('detail')
      .that.contains('ECONNREFUSED');
  });
});

// Prometheus metrics after real traffic (requests by operation and status, latency histograms, tokens issued
// and denied per client with bounded labels, pool state), and the audit events written for the same traffic.
import { expect } from 'chai';
import { call, raw } from '../helpers/api.js';
import { ccClient, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'a-client-secret-0123456789';

/** The value of one sample line, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const parts = inside.split(/,(?=[a-z_]+=")/);
    if (wanted.every((w) => parts.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics and audit events', function () {
  this.timeout(120_000);
  let server: TestServer;
  let text: string;
  let a: { client_id: string };
  let b: { client_id: string };
  let c: { client_id: string };

  before(async () => {
    server = await startTestServer({ 'log.level': 'info' });
    a = await ccClient(server, { scope: 'read' });
    const grant = { grant_type: 'client_credentials' };
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await tokenRequest(server, grant, { id: a.client_id, secret: SECRET });
      expect(res.status).to.equal(200);
      tokens.push(res.body.access_token);
    }
    expect((await tokenRequest(server, grant, { id: a.client_id, secret: 'wrong' })).status).to.equal(401);
    expect((await tokenRequest(server, grant, { id: 'unknown-client', secret: 'x' })).status).to.equal(401);
    await call(server, 'getOAuth2Client', { params: { id: a.client_id } });
    await call(server, 'getOAuth2Client', { params: { id: 'does-not-exist' } });
    await raw(server.publicUrl, '/some/random/path/123');
    await call(server, 'patchOAuth2Client', {
      params: { id: a.client_id },
      json: [{ op: 'replace', path: '/client_secret', value: 'a-new-secret-0123456789' }],
    });
    const rotated = 'a-new-secret-0123456789';
    await call(server, 'revokeOAuth2Token', { form: { token: tokens[0]! }, basic: [a.client_id, rotated] });
    await call(server, 'revokeOAuth2Token', { form: { token: 'x' }, basic: [a.client_id, rotated] });
    b = await ccClient(server);
    await call(server, 'revokeOAuth2Token', { form: { token: tokens[1]! }, basic: [b.client_id, SECRET] });
    await call(server, 'deleteOAuth2Token', { query: { client_id: a.client_id } });
    c = await ccClient(server);
    const put = await call(server, 'setOAuth2Client', {
      params: { id: c.client_id },
      json: { grant_types: ['client_credentials'], client_secret: 'a-put-secret-0123456789' },
    });
    expect(put.status).to.equal(200);
    expect((await call(server, 'deleteOAuth2Client', { params: { id: c.client_id } })).status).to.equal(204);
    const res = await call(server, 'getPrometheusMetrics');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    text = res.text;
  });
  after(() => server?.close());

  it('counts requests by operationId and status, never by raw path', () => {
    const requests = 'tollgate_http_requests_total';
    expect(
      sample(text, requests, { server: 'public', operation: 'oauth2TokenExchange', status: '200' }),
    ).to.equal(3);
    expect(
      sample(text, requests, { server: 'public', operation: 'oauth2TokenExchange', status: '401' }),
    ).to.equal(2);
    expect(sample(text, requests, { server: 'admin', operation: 'getOAuth2Client', status: '404' })).to.equal(
      1,
    );
    expect(sample(text, requests, { server: 'public', operation: 'unmatched', status: '404' })).to.equal(1);
    expect(text).to.not.include('/some/random/path');
    expect(text).to.not.include('does-not-exist');
  });

  it('has latency histograms per operation', () => {
    const bucket = sample(text, 'tollgate_http_request_duration_seconds_bucket', {
      server: 'public',
      operation: 'oauth2TokenExchange',
      le: '+Inf',
    });
    expect(bucket).to.equal(5);
    expect(text).to.match(
      /tollgate_http_request_duration_seconds_sum\{server="public",operation="oauth2TokenExchange"\} [0-9.e-]+/,
    );
  });

  it('counts tokens issued and denied by client and grant; an unverified client id is "other"', () => {
    expect(
      sample(text, 'tollgate_tokens_issued_total', {
        client_id: a.client_id,
        grant_type: 'client_credentials',
      }),
    ).to.equal(3);
    expect(
      sample(text, 'tollgate_tokens_denied_total', {
        client_id: a.client_id,
        grant_type: 'client_credentials',
        error: 'invalid_client',
      }),
    ).to.equal(1);
    expect(
      sample(text, 'tollgate_tokens_denied_total', {
        client_id: 'other',
        grant_type: 'client_credentials',
        error: 'invalid_client',
      }),
    ).to.equal(1);
    expect(text).to.not.include('unknown-client');
  });

  it('shows the database pool', () => {
    expect(sample(text, 'tollgate_db_pool_connections', { state: 'used' })).to.be.a('number');
    expect(sample(text, 'tollgate_db_pool_connections', { state: 'free' })).to.be.at.least(1);
    expect(text).to.match(/^tollgate_db_pool_max_connections \d+$/m);
  });

  it('keeps client labels bounded: beyond 100 clients, "other"', async () => {
    const grant = { grant_type: 'client_credentials' };
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) {
      const c = await ccClient(server);
      ids.push(c.client_id);
      expect((await tokenRequest(server, grant, { id: c.client_id, secret: SECRET })).status).to.equal(200);
    }
    const after = (await call(server, 'getPrometheusMetrics')).text;
    const labelled = new Set(
      [...after.matchAll(/^tollgate_tokens_issued_total\{client_id="([^"]*)"/gm)].map((m) => m[1]),
    );
    expect(labelled.size).to.equal(101); // 100 clients + "other"
    expect(labelled.has('other')).to.equal(true);
    expect(labelled.has(ids[100]!)).to.equal(false);
  });

  it('writes audit events for client changes, secret changes, tokens and revocation, without secrets', () => {
    const events = server.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.audit === true);
    const names = (event: string) => events.filter((e) => e.event === event);
    expect(names('client.created').map((e) => e.client_id)).to.include(a.client_id);
    expect(names('client.updated').some((e) => e.client_id === a.client_id)).to.equal(true);
    expect(names('client.secret_changed').map((e) => e.client_id)).to.deep.equal([a.client_id, c.client_id]);
    expect(names('client.updated').filter((e) => e.client_id === c.client_id)).to.have.length(1);
    expect(names('client.deleted').map((e) => e.client_id)).to.deep.equal([c.client_id]);
    const issued = names('token.issued').filter((e) => e.client_id === a.client_id);
    expect(issued).to.have.length(3);
    expect(issued[0]).to.include({ grant_type: 'client_credentials', scope: '' });
    expect(issued[0]).to.have.property('request_id');
    const denied = names('token.denied');
    expect(denied.map((e) => e.client_id)).to.deep.equal([a.client_id, 'unknown-client']);
    expect(denied[0]).to.include({ error: 'invalid_client', status: 401 });
    expect(names('token.revoked').map((e) => e.client_id)).to.deep.equal([a.client_id]);
    expect(names('token.revocation_unknown').map((e) => e.client_id)).to.deep.equal([a.client_id]);
    const refused = names('token.revocation_refused');
    expect(refused.map((e) => e.client_id)).to.deep.equal([b.client_id]);
    expect(refused[0]).to.include({ reason: 'other_client' });
    expect(names('tokens.deleted').map((e) => e.client_id)).to.deep.equal([a.client_id]);
    for (const e of events) {
      const line = JSON.stringify(e);
      expect(line).to.not.include(SECRET);
      expect(line).to.not.include('a-new-secret-0123456789');
      expect(line).to.not.include('a-put-secret-0123456789');
      expect(line).to.not.include('ory_at_');
    }
  });
});

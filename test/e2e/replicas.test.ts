// Several server processes on one PostgreSQL (issue 5): whatever one replica issues or changes, the other
// honours within 1 s, its caches (clients, verified secrets, tokens) included. The 1 s is a correctness bound
// (how stale a replica may be), polled against a deadline, not a performance measurement.
import { expect } from 'chai';
import pg from 'pg';
import { decrypt } from '../../server/crypto/aead.js';
import { deriveKey } from '../../server/crypto/secrets.js';
import { call } from '../helpers/api.js';
import { runTollgate } from '../helpers/cli.js';
import { basicHeader, ccClient, introspect, issueToken, sleep, tokenRequest } from '../helpers/oauth2.js';
import { createDatabase } from '../helpers/postgres.js';
import { migrate } from '../helpers/server.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

/** Polls `check` until it holds; fails when it still does not after `ms`. */
async function within(ms: number, what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not honoured within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

describe('two replicas on one PostgreSQL', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    const dsn = await createDatabase();
    await migrate(dsn);
    [a, b] = await Promise.all([startServerProcess(dsn), startServerProcess(dsn)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a token issued by one introspects on the other', async () => {
    const client = await ccClient(a.server, { scope: 'api' });
    const token = await issueToken(a.server, client, { scope: 'api' });
    expect(await introspect(b.server, token)).to.include({ active: true, client_id: client.client_id });
  });

  it('a secret changed through one is refused by the other within 1 s (its secret cache included)', async () => {
    const client = await ccClient(a.server);
    // Warm B's caches: the client, and the verified secret.
    await issueToken(b.server, client);
    await issueToken(b.server, client);
    const changed = await call(a.server, 'patchOAuth2Client', {
      params: { id: client.client_id },
      json: [{ op: 'replace', path: '/client_secret', value: 'the-new-secret-0123456789' }],
    });
    expect(changed.status, changed.text).to.equal(200);
    await within(1000, 'old secret refused on B', async () => {
      const res = await tokenRequest(
        b.server,
        { grant_type: 'client_credentials' },
        { id: client.client_id, secret: client.client_secret! },
      );
      return res.status === 401;
    });
    await issueToken(b.server, { ...client, client_secret: 'the-new-secret-0123456789' });
  });

  it('DELETE /admin/oauth2/tokens through one deactivates the tokens on the other within 1 s', async () => {
    const client = await ccClient(b.server);
    const token = await issueToken(b.server, client);
    // Warm B's token cache.
    expect(await introspect(b.server, token)).to.include({ active: true });
    expect(await introspect(b.server, token)).to.include({ active: true });
    const res = await call(a.server, 'deleteOAuth2Token', { query: { client_id: client.client_id } });
    expect(res.status).to.equal(204);
    await within(
      1000,
      'token inactive on B',
      async () => (await introspect(b.server, token)).active === false,
    );
  });

  it('a client deleted through one is refused by the other within 1 s', async () => {
    const client = await ccClient(a.server);
    const token = await issueToken(b.server, client);
    expect(await introspect(b.server, token)).to.include({ active: true });
    const res = await call(a.server, 'deleteOAuth2Client', { params: { id: client.client_id } });
    expect(res.status).to.equal(204);
    await within(1000, 'client refused on B', async () => {
      const denied = await tokenRequest(
        b.server,
        { grant_type: 'client_credentials' },
        { id: client.client_id, secret: client.client_secret! },
      );
      return denied.status === 401;
    });
    expect(await introspect(b.server, token)).to.deep.equal({ active: false });
  });

  it('stateless JWTs: DELETE /admin/oauth2/tokens through one holds on the other within 1 s', async () => {
    const client = await ccClient(a.server, {
      access_token_strategy: 'jwt',
      metadata: { tollgate: { stateless: true } },
    });
    const token = await issueToken(a.server, client);
    // Warm both replicas' revocation answers.
    for (const server of [a.server, b.server, a.server]) {
      expect(await introspect(server, token)).to.include({ active: true });
    }
    await call(b.server, 'deleteOAuth2Token', { query: { client_id: client.client_id } });
    await within(
      1000,
      'stateless token inactive on A',
      async () => (await introspect(a.server, token)).active === false,
    );
  });

  it('stateless JWTs: a token revoked (RFC 7009) through one is inactive on the other within 1 s', async () => {
    const client = await ccClient(a.server, {
      access_token_strategy: 'jwt',
      metadata: { tollgate: { stateless: true } },
    });
    const [token, other] = [await issueToken(a.server, client), await issueToken(a.server, client)];
    for (const t of [token, token, other]) expect(await introspect(b.server, t)).to.include({ active: true });
    const revoked = await fetch(`${a.server.publicUrl}/oauth2/revoke`, {
      method: 'POST',
      headers: {
        authorization: basicHeader(client.client_id, client.client_secret!),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).to.equal(200);
    await within(
      1000,
      'revoked token inactive on B',
      async () => (await introspect(b.server, token)).active === false,
    );
    expect(await introspect(b.server, other)).to.include({ active: true });
  });

  it('JWT access tokens: a signing key deleted through one stops verifying on the other within 1 s', async () => {
    const client = await ccClient(a.server, { access_token_strategy: 'jwt' });
    const token = await issueToken(a.server, client);
    // B loads the key set and remembers the verified token.
    for (let i = 0; i < 2; i++) expect(await introspect(b.server, token)).to.include({ active: true });
    const { kid } = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    const deleted = await call(a.server, 'deleteJsonWebKey', {
      params: { set: 'hydra.jwt.access-token', kid },
    });
    expect(deleted.status).to.equal(204);
    await within(
      1000,
      'token of the deleted key inactive on B',
      async () => (await introspect(b.server, token)).active === false,
    );
  });
});

describe('rotating SECRETS_SYSTEM across two replicas', () => {
  const OLD = 'rotation-old-secret-0123456789';
  const NEW = 'rotation-new-secret-9876543210';
  let dsn: string;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    dsn = await createDatabase();
    await migrate(dsn);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  /** Which of the secrets open each stored JSON Web Key. */
  async function sealedWith(): Promise<string[][]> {
    const db = new pg.Client({ connectionString: dsn });
    await db.connect();
    try {
      const { rows } = await db.query<{ key_data: string }>('SELECT key_data FROM jwks ORDER BY set_id, kid');
      return rows.map(({ key_data }) =>
        [OLD, NEW].filter((secret) => {
          try {
            decrypt(key_data, [deriveKey(secret)]);
            return true;
          } catch {
            return false;
          }
        }),
      );
    } finally {
      await db.end();
    }
  }

  const jwks = (s: ServerProcess) => call(s.server, 'discoverJsonWebKeys');

  it('a replica on [new, old] reseals nothing: the replica still on [old] keeps serving keys and JWTs', async () => {
    b = await startServerProcess(dsn, { env: { SECRETS_SYSTEM: OLD } });
    const client = await ccClient(b.server, { access_token_strategy: 'jwt' });
    await issueToken(b.server, client);
    expect((await jwks(b)).status).to.equal(200);
    a = await startServerProcess(dsn, { env: { SECRETS_SYSTEM: `${NEW},${OLD}` } });
    // A reads the keys (start-up check, jwks, signing) and writes none of them.
    const token = await issueToken(a.server, client);
    expect((await jwks(a)).status).to.equal(200);
    expect(await introspect(a.server, token)).to.include({ active: true });
    expect(await sealedWith()).to.deep.equal([[OLD], [OLD]]);
    expect(a.output()).to.include('tollgate secrets reseal');
    expect((await jwks(b)).status).to.equal(200);
    expect(await introspect(b.server, await issueToken(b.server, client))).to.include({ active: true });
  });

  it('after `tollgate secrets reseal`, the replica still on [old] answers 503 with one clear error; [new, old] works', async () => {
    const client = await ccClient(a.server, { access_token_strategy: 'jwt' });
    const run = await runTollgate(['secrets', 'reseal'], {
      env: { DSN: dsn, SECRETS_SYSTEM: `${NEW},${OLD}` },
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('Sealed 2 JSON Web Key(s) again with the first system secret.\n');
    expect(await sealedWith()).to.deep.equal([[NEW], [NEW]]);

    // B hears of the change (a key-change notification) and can no longer open the keys.
    await within(1000, 'B answers 503 for jwks.json', async () => (await jwks(b)).status === 503);
    const refused = await tokenRequest(
      b.server,
      { grant_type: 'client_credentials' },
      { id: client.client_id, secret: client.client_secret! },
    );
    for (const res of [refused, await jwks(b)]) {
      expect(res.status, res.text).to.equal(503);
      expect(res.body.error).to.equal('temporarily_unavailable');
      expect(res.headers.get('retry-after')).to.equal('1');
      expect(res.text).not.to.match(/decrypt|SECRETS_SYSTEM|hydra\./i);
    }
    const errors = b
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":"error"'));
    // One line per key that cannot be read, however many requests failed, naming the cause.
    expect(errors).to.have.length(2);
    for (const line of errors)
      expect(line).to.match(/opens with none of the configured system secrets.*SECRETS_SYSTEM/);

    expect((await jwks(a)).status).to.equal(200);
    expect(await introspect(a.server, await issueToken(a.server, client))).to.include({ active: true });
  });
});

describe('serve --workers 2', () => {
  it('serves from two worker processes on one database and stops cleanly on SIGTERM', async () => {
    const dsn = await createDatabase();
    await migrate(dsn);
    const server = await startServerProcess(dsn, { args: ['--workers', '2'] });
    try {
      const client = await ccClient(server.server);
      const tokens = await Promise.all(Array.from({ length: 8 }, () => issueToken(server.server, client)));
      for (const token of tokens) expect(await introspect(server.server, token)).to.include({ active: true });
      await within(5000, 'both workers listening', async () => {
        const lines = server.output().split('\n');
        return lines.filter((l) => l.includes('"tollgate is listening"')).length === 2;
      });
      expect(server.output()).to.include('"serving with worker processes"');
    } finally {
      expect(await server.stop()).to.equal(0);
    }
  });
});

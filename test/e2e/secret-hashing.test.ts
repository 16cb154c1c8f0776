// Client-secret hash cost (issue 15): new secrets get the configured PBKDF2 cost; a secret stored at a lower
// cost is hashed again on its next successful authentication (nothing else about the client changes), and a
// stored hash below the floor of 1,000 iterations is refused.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { ccClient, expectOAuth2Error, issueToken, sleep, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Row {
  secret_hash: string;
  document: unknown;
  updated_at: Date;
}

async function sql<T>(dsn: string, text: string, values: unknown[]): Promise<T[]> {
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    return (await db.query(text, values)).rows as T[];
  } finally {
    await db.end();
  }
}

const row = async (dsn: string, id: string) =>
  (
    await sql<Row>(dsn, 'SELECT secret_hash, document, updated_at FROM oauth2_clients WHERE client_id = $1', [
      id,
    ])
  )[0]!;

describe('client secret hash cost', () => {
  let server: TestServer | undefined;
  after(() => server?.close());

  it('a secret stored at a lower cost is hashed again at the configured cost on its next login, nothing else changes', async () => {
    server = await startTestServer();
    const client = await ccClient(server);
    const before = await row(server.dsn, client.client_id);
    expect(before.secret_hash).to.match(/^\$pbkdf2-sha256\$i=1000,/);
    await server.close();
    server = await startTestServer({ 'oauth2.hashers.pbkdf2.iterations': 4000 }, { dsn: server.dsn });

    await issueToken(server, client);
    // The upgrade runs beside the response; 5 s bounds how long it may take, it is not a measurement.
    const deadline = Date.now() + 5000;
    let after = await row(server.dsn, client.client_id);
    while (after.secret_hash === before.secret_hash && Date.now() < deadline) {
      await sleep(20);
      after = await row(server.dsn, client.client_id);
    }
    expect(after.secret_hash).to.match(/^\$pbkdf2-sha256\$i=4000,l=32\$/);
    expect(after.document).to.deep.equal(before.document);
    expect(after.updated_at.getTime()).to.equal(before.updated_at.getTime());
    // The same secret still works, through the new hash; another does not.
    await issueToken(server, client);
    const wrong = await tokenRequest(
      server,
      { grant_type: 'client_credentials' },
      { id: client.client_id, secret: 'not-the-secret' },
    );
    expectOAuth2Error(wrong, 401, 'invalid_client');
  });

  it('a stored hash below 1,000 iterations is refused even with the right secret', async () => {
    server ??= await startTestServer();
    const client = await ccClient(server);
    const salt = randomBytes(16);
    const key = pbkdf2Sync(client.client_secret!, salt, 999, 32, 'sha256');
    const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
    await sql(server.dsn, 'UPDATE oauth2_clients SET secret_hash = $1 WHERE client_id = $2', [
      `$pbkdf2-sha256$i=999,l=32$${b64(salt)}$${b64(key)}`,
      client.client_id,
    ]);
    // The update reaches the client cache through a change notification: asked until then (2 s at most).
    const deadline = Date.now() + 2000;
    let res = await tokenRequest(
      server,
      { grant_type: 'client_credentials' },
      { id: client.client_id, secret: client.client_secret! },
    );
    while (res.status === 200 && Date.now() < deadline) {
      await sleep(20);
      res = await tokenRequest(
        server,
        { grant_type: 'client_credentials' },
        { id: client.client_id, secret: client.client_secret! },
      );
    }
    expectOAuth2Error(res, 401, 'invalid_client');
  });
});

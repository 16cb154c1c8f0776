// Client ids must not be enumerable through the token endpoint (issue 15, finding 6): an unknown id and a known
// id with a wrong secret get the same answer, whatever the authentication method; fosite's hint naming the
// client's method comes only once the secret has verified; and an unknown id's secret costs the same hash work
// as a known one's. The work is counted, not timed: the real server runs in this process, and its PBKDF2 hasher
// is observed through its prototype.
import { expect } from 'chai';
import { Pbkdf2Hasher } from '../../server/crypto/hasher.js';
import type { ApiResponse } from '../helpers/api.js';
import { ccClient, createClient, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'a-client-secret-0123456789';
const ITERATIONS = 1234;
const CC = { grant_type: 'client_credentials' };

const post = (server: TestServer, id: string, secret: string) =>
  tokenRequest(server, { ...CC, client_id: id, client_secret: secret });
const basic = (server: TestServer, id: string, secret: string) => tokenRequest(server, CC, { id, secret });

/** Counts the hasher's work while `run` runs: verifications (with the cost of the hash each used) and hashes. */
async function hashWork(run: () => Promise<unknown>) {
  const proto = Pbkdf2Hasher.prototype;
  const { verify, hash } = proto;
  const verified: number[] = [];
  let hashed = 0;
  proto.verify = function (secret, stored) {
    verified.push(Number(/\$i=(\d+),/.exec(stored)?.[1]));
    return verify.call(this, secret, stored);
  };
  proto.hash = function (secret) {
    hashed++;
    return hash.call(this, secret);
  };
  try {
    await run();
  } finally {
    proto.verify = verify;
    proto.hash = hash;
  }
  return { verified, hashed };
}

describe('client id enumeration (issue 15, finding 6)', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      'oauth2.hashers.pbkdf2.iterations': ITERATIONS,
      'rate_limit.lockout.delay': '0s',
    });
  });
  after(() => server?.close());

  it('answers an unknown id and a known id with a wrong secret alike, whatever the method', async () => {
    const basicClient = await ccClient(server, { token_endpoint_auth_method: 'client_secret_basic' });
    const postClient = await ccClient(server, { token_endpoint_auth_method: 'client_secret_post' });
    const answers: [string, ApiResponse][] = [
      ['unknown id, basic', await basic(server, 'no-such-client', 'guess')],
      ['unknown id, post', await post(server, 'no-such-client-2', 'guess')],
      ['basic client, wrong secret, basic', await basic(server, basicClient.client_id, 'guess')],
      ['basic client, wrong secret, post', await post(server, basicClient.client_id, 'guess')],
      ['post client, wrong secret, basic', await basic(server, postClient.client_id, 'guess')],
      ['post client, wrong secret, post', await post(server, postClient.client_id, 'guess')],
    ];
    const [, first] = answers[0]!;
    expect(first.status).to.equal(401);
    expect(first.body.error).to.equal('invalid_client');
    for (const [what, answer] of answers) {
      expect(answer.status, what).to.equal(401);
      expect(answer.text, what).to.equal(first.text);
    }
  });

  it('names the client’s method only to a caller whose secret verified', async () => {
    const basicClient = await ccClient(server, { token_endpoint_auth_method: 'client_secret_basic' });
    const res = await post(server, basicClient.client_id, SECRET);
    expect(res.status).to.equal(401);
    expect(res.body.error_description).to.include(
      "supports client authentication method 'client_secret_basic', but method 'client_secret_post' was requested",
    );
  });

  it('checks an unknown id’s secret against a hash of the configured cost, made once', async () => {
    const client = await ccClient(server);
    const known = await hashWork(() => basic(server, client.client_id, 'guess'));
    expect(known.verified).to.deep.equal([ITERATIONS]);

    const unknown = await hashWork(async () => {
      for (let i = 0; i < 3; i++) expect((await basic(server, `nobody-${i}`, 'guess')).status).to.equal(401);
    });
    expect(unknown.verified, 'one verification per request').to.deep.equal([
      ITERATIONS,
      ITERATIONS,
      ITERATIONS,
    ]);
    expect(unknown.hashed, 'the dummy hash is made at most once').to.be.at.most(1);

    // A public client presented with a secret is no different.
    const pub = await createClient(server, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'none',
    });
    const publicWork = await hashWork(() => post(server, pub.client_id, 'guess'));
    expect(publicWork.verified).to.deep.equal([ITERATIONS]);
  });
});

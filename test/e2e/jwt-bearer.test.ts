// The RFC 7523 jwt-bearer grant against a real server and PostgreSQL, with assertions signed by `jose`: every
// check of fosite's rfc7523 handler in its order and with Hydra's messages, RS256/PS256/ES256 keys, any-subject
// relationships, jti replay, the expired trust relationship (refused on both key paths, unlike Hydra), the issuer
// URL as audience (Tollgate), the oauth2.grant.jwt.* settings, and introspection of the issued token.
import { KeyObject, randomUUID, sign } from 'node:crypto';
import { expect } from 'chai';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex } from '../../server/storage/knex.js';
import { jtiSignature } from '../../server/storage/pg-jti-store.js';
import { call } from '../helpers/api.js';
import { createClient, expectOAuth2Error, introspect, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISS = 'https://idp.example.com';
const SECRET = 'a-client-secret-0123456789';

interface Signer {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  jwk: Record<string, unknown>;
}

async function signer(alg: string, kid: string): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid } };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('POST /oauth2/token (urn:ietf:params:oauth:grant-type:jwt-bearer), end to end', () => {
  let server: TestServer;
  let tokenUrl: string;
  let client: { client_id: string };
  let rs: Signer;
  let ps: Signer;
  let es: Signer;
  let stranger: Signer;

  const trust = async (body: Record<string, unknown>) => {
    const res = await call(server, 'trustOAuth2JwtGrantIssuer', {
      json: { scope: ['read', 'write'], expires_at: '2031-01-01T00:00:00Z', ...body },
    });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: string };
  };

  /** A compact JWS over Hydra's required claims, overridden or removed (`undefined`) by `claims`. */
  const assertion = (
    s: Signer,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
  ) => {
    const now = nowSeconds();
    const payload: Record<string, unknown> = {
      iss: ISS,
      sub: 'alice',
      aud: tokenUrl,
      exp: now + 300,
      iat: now,
      jti: randomUUID(),
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    return new SignJWT(payload as JWTPayload)
      .setProtectedHeader({ alg: s.alg, kid: s.kid, ...header })
      .sign(s.privateKey);
  };

  /** Authenticated as `client` unless another client (or `null`, no authentication) is given. */
  const grant = (form: Record<string, string>, auth?: { id: string; secret: string } | null) =>
    tokenRequest(
      server,
      { grant_type: GRANT, ...form },
      auth === null ? undefined : (auth ?? { id: client.client_id, secret: SECRET }),
    );

  const refused = async (form: Record<string, string>, error: string, hint: string, status = 400) => {
    const res = await grant(form);
    expectOAuth2Error(res, status, error);
    expect(res.body.error_description).to.include(hint);
    return res;
  };

  before(async () => {
    server = await startTestServer();
    tokenUrl = new URL('oauth2/token', server.config.publicUrl).href;
    client = await createClient(server, {
      grant_types: [GRANT],
      client_secret: SECRET,
      audience: ['https://api.example.com'],
    });
    [rs, ps, es, stranger] = await Promise.all([
      signer('RS256', 'rs-key'),
      signer('PS256', 'ps-key'),
      signer('ES256', 'es-key'),
      signer('RS256', 'rs-key'),
    ]);
    await trust({ issuer: ISS, subject: 'alice', jwk: rs.jwk });
    await trust({ issuer: ISS, subject: 'alice', jwk: ps.jwk });
    await trust({ issuer: 'https://any.example.com', allow_any_subject: true, jwk: es.jwk, scope: ['read'] });
  });
  after(() => server?.close());

  describe('issues an access token', () => {
    for (const name of ['RS256', 'PS256'] as const) {
      it(`for a ${name} assertion: sub = the assertion's, client_id = the client, aud as Hydra v25 (#3030)`, async () => {
        const s = name === 'RS256' ? rs : ps;
        const res = await grant({
          assertion: await assertion(s),
          scope: 'read',
          audience: 'https://api.example.com https://not-allowed.example.com',
        });
        expect(res.status, res.text).to.equal(200);
        expect(Object.keys(res.body).sort()).to.deep.equal([
          'access_token',
          'expires_in',
          'scope',
          'token_type',
        ]);
        expect(res.body).to.include({ scope: 'read', token_type: 'bearer', expires_in: 3599 });
        const info = await introspect(server, res.body.access_token);
        expect(info).to.include({ active: true, sub: 'alice', client_id: client.client_id, scope: 'read' });
        // The assertion's aud (the token URL), then the requested audience the client may have; the other dropped.
        expect(info.aud).to.deep.equal([tokenUrl, 'https://api.example.com']);
      });
    }

    it('for an ES256 assertion of an any-subject relationship, whatever the subject', async () => {
      for (const sub of ['bob', 'service:42']) {
        const res = await grant({
          assertion: await assertion(es, { iss: 'https://any.example.com', sub }),
          scope: 'read',
        });
        expect(res.status, res.text).to.equal(200);
        expect(await introspect(server, res.body.access_token)).to.include({ sub, active: true });
      }
    });

    it('without a kid: every unexpired key of the issuer and subject is tried', async () => {
      const res = await grant({ assertion: await assertion(ps, {}, { kid: undefined }) });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.scope).to.equal('');
    });

    it('Tollgate: the issuer URL is also an accepted audience (Hydra accepts only the token URL)', async () => {
      for (const aud of [server.config.issuer, [server.config.issuer.replace(/\/$/, ''), 'https://other']]) {
        const res = await grant({ assertion: await assertion(rs, { aud }) });
        expect(res.status, res.text).to.equal(200);
      }
    });

    it('the client’s jwt_bearer_grant_access_token_lifespan applies', async () => {
      const short = await createClient(server, {
        grant_types: [GRANT],
        client_secret: SECRET,
        jwt_bearer_grant_access_token_lifespan: '10m',
      });
      const res = await grant({ assertion: await assertion(rs) }, { id: short.client_id, secret: SECRET });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.expires_in).to.equal(599);
    });
  });

  describe('refusals, in fosite’s order', () => {
    it('client authentication is required: without it, fosite’s 400 invalid_request', async () => {
      const res = await grant({ assertion: await assertion(rs) }, null);
      expectOAuth2Error(res, 400, 'invalid_request');
      expect(res.body.error_description).to.include('Client credentials missing or malformed');
      const wrong = await grant(
        { assertion: await assertion(rs) },
        { id: client.client_id, secret: 'wrong' },
      );
      expectOAuth2Error(wrong, 401, 'invalid_client');
    });

    it('1. a client without the grant: unauthorized_client, before the assertion is read', async () => {
      const other = await createClient(server, {
        grant_types: ['client_credentials'],
        client_secret: SECRET,
      });
      const res = await grant({}, { id: other.client_id, secret: SECRET });
      expectOAuth2Error(res, 400, 'unauthorized_client');
      expect(res.body.error_description).to.include(`not allowed to use authorization grant '${GRANT}'.`);
    });

    it('2. no assertion: invalid_request', () =>
      refused(
        {},
        'invalid_request',
        `The assertion request parameter must be set when using grant_type of '${GRANT}'.`,
      ));

    it('3. an unparseable assertion: invalid_grant', async () => {
      for (const bad of ['not-a-jwt', 'a.b.c', `${Buffer.from('{}').toString('base64url')}.e30`]) {
        await refused(
          { assertion: bad },
          'invalid_grant',
          "Unable to parse JSON Web Token passed in 'assertion' request parameter.",
        );
      }
    });

    it('4. no iss, then no sub: invalid_grant with Hydra’s hints', async () => {
      await refused(
        { assertion: await assertion(rs, { iss: undefined, sub: undefined }) },
        'invalid_grant',
        "The JWT in 'assertion' request parameter MUST contain an 'iss' (issuer) claim.",
      );
      await refused(
        { assertion: await assertion(rs, { sub: undefined }) },
        'invalid_grant',
        "The JWT in 'assertion' request parameter MUST contain a 'sub' (subject) claim.",
      );
    });

    it('5. an unknown key (kid, issuer or subject): invalid_grant "No public JWK was registered"', async () => {
      const hint = (iss: string, sub: string) =>
        `No public JWK was registered for issuer '${iss}' and subject '${sub}', and public key is required to check signature of JWT in 'assertion' request parameter.`;
      await refused(
        { assertion: await assertion(rs, {}, { kid: 'unknown' }) },
        'invalid_grant',
        hint(ISS, 'alice'),
      );
      await refused(
        { assertion: await assertion(rs, { sub: 'mallory' }) },
        'invalid_grant',
        hint(ISS, 'mallory'),
      );
      await refused(
        { assertion: await assertion(rs, { iss: 'https://evil.example.com' }) },
        'invalid_grant',
        hint('https://evil.example.com', 'alice'),
      );
      // A subject no relationship can hold (a NUL, or beyond the trust API's bounds): the same answer, no 5xx.
      for (const sub of ['a\u0000b', 'x'.repeat(2000)]) {
        await refused(
          { assertion: await assertion(rs, { sub }) },
          'invalid_grant',
          'No public JWK was registered',
        );
      }
      // Without a kid, a key that verifies nothing is not found either.
      await refused(
        { assertion: await assertion(stranger, {}, { kid: undefined }) },
        'invalid_grant',
        hint(ISS, 'alice'),
      );
    });

    it('5. a bad signature under a trusted kid: invalid_grant, checked before any claim', async () => {
      // Also expired and without aud: the signature is checked first.
      await refused(
        { assertion: await assertion(stranger, { aud: undefined, exp: nowSeconds() - 60 }) },
        'invalid_grant',
        "Unable to verify the integrity of the 'assertion' value.",
      );
      // A key whose JWK names PS256, used with RS256 (RFC 8725 §3.1: never another algorithm than the key's).
      await trust({ issuer: ISS, subject: 'pinned', jwk: { ...ps.jwk, alg: 'PS256' } });
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: ps.kid })).toString('base64url');
      const now = nowSeconds();
      const claims = { iss: ISS, sub: 'pinned', aud: tokenUrl, exp: now + 300, iat: now, jti: randomUUID() };
      const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(input), KeyObject.from(ps.privateKey)).toString(
        'base64url',
      );
      await refused(
        { assertion: `${input}.${signature}` },
        'invalid_grant',
        "Unable to verify the integrity of the 'assertion' value.",
      );
    });

    it('6. aud missing, then aud naming another server', async () => {
      await refused(
        { assertion: await assertion(rs, { aud: undefined }) },
        'invalid_grant',
        "The JWT in 'assertion' request parameter MUST contain an 'aud' (audience) claim.",
      );
      const res = await refused(
        { assertion: await assertion(rs, { aud: 'https://elsewhere.example.com/token' }) },
        'invalid_grant',
        `MUST contain an 'aud' (audience) claim containing a value '${tokenUrl}' or '${server.config.issuer}'`,
      );
      expect(res.body.error_description).to.include(
        'that identifies the authorization server as an intended audience.',
      );
    });

    it('6. exp missing, then past', async () => {
      await refused(
        { assertion: await assertion(rs, { exp: undefined }) },
        'invalid_grant',
        "The JWT in 'assertion' request parameter MUST contain an 'exp' (expiration time) claim.",
      );
      await refused(
        { assertion: await assertion(rs, { exp: nowSeconds() - 5, iat: nowSeconds() - 60 }) },
        'invalid_grant',
        "The JWT in 'assertion' request parameter expired.",
      );
    });

    it('6. nbf in the future', async () => {
      const nbf = nowSeconds() + 120;
      await refused(
        { assertion: await assertion(rs, { nbf }) },
        'invalid_grant',
        `contains an 'nbf' (not before) claim, that identifies the time '${new Date(nbf * 1000).toISOString().replace('.000', '')}' before which the token MUST NOT be accepted.`,
      );
    });

    it('6. iat missing (oauth2.grant.jwt.iat_optional is false by default)', () =>
      assertion(rs, { iat: undefined }).then((a) =>
        refused(
          { assertion: a },
          'invalid_grant',
          "The JWT in 'assertion' request parameter MUST contain an 'iat' (issued at) claim.",
        ),
      ));

    it('6. exp − iat beyond oauth2.grant.jwt.max_ttl (720h)', () =>
      assertion(rs, { exp: nowSeconds() + 721 * 3600 })
        .then((a) => refused({ assertion: a }, 'invalid_grant', "claim with value '"))
        .then((res) =>
          expect(res.body.error_description).to.include(
            'that is unreasonably far in the future, considering token issued at',
          ),
        ));

    it('6. times beyond what a date can hold (exp, nbf, iat): invalid_grant, never a 500', async () => {
      for (const claims of [{ exp: 1e20 }, { nbf: 1e20 }, { iat: -1e20 }]) {
        const res = await grant({ assertion: await assertion(rs, claims) });
        expectOAuth2Error(res, 400, 'invalid_grant');
      }
    });

    it('6. jti missing (oauth2.grant.jwt.jti_optional is false by default)', () =>
      assertion(rs, { jti: undefined }).then((a) =>
        refused(
          { assertion: a },
          'invalid_grant',
          "The JWT in 'assertion' request parameter MUST contain an 'jti' (JWT ID) claim.",
        ),
      ));

    it('7. a scope the relationship does not allow: invalid_scope; the refusal does not use up the jti', async () => {
      const signed = await assertion(rs);
      await refused(
        { assertion: signed, scope: 'read admin' },
        'invalid_scope',
        `The public key registered for issuer '${ISS}' and subject 'alice' is not allowed to request scope 'admin'.`,
      );
      const res = await grant({ assertion: signed, scope: 'read write' });
      expect(res.status, res.text).to.equal(200);
    });

    it('a replayed jti: 400 jti_known, even under another client', async () => {
      const jti = randomUUID();
      const first = await grant({ assertion: await assertion(rs, { jti }) });
      expect(first.status, first.text).to.equal(200);
      const res = await grant({ assertion: await assertion(rs, { jti }) });
      expectOAuth2Error(res, 400, 'jti_known');
      expect(res.body.error_description).to.equal('The jti was already used.');
      const other = await createClient(server, { grant_types: [GRANT], client_secret: SECRET });
      const again = await grant(
        { assertion: await assertion(rs, { jti }) },
        { id: other.client_id, secret: SECRET },
      );
      expectOAuth2Error(again, 400, 'jti_known');
    });

    it('a jti is remembered as long as its assertion is valid, also when iat lies beyond max_ttl from now', async () => {
      // iat 40 days ahead, exp an hour later: within max_ttl (720h) of iat, but valid long after now + max_ttl.
      const iat = nowSeconds() + 40 * 86_400;
      const jti = randomUUID();
      const res = await grant({ assertion: await assertion(rs, { jti, iat, exp: iat + 3600 }) });
      expect(res.status, res.text).to.equal(200);
      const knex = createKnex(parsePostgresDsn(server.dsn, 1));
      try {
        const row = await knex('oauth2_jti_seen')
          .where({ signature: jtiSignature(jti) })
          .first('expires_at');
        expect(new Date(row.expires_at).getTime()).to.be.at.least((iat + 3600) * 1000);
      } finally {
        await knex.destroy();
      }
    });
  });

  describe('an expired trust relationship', () => {
    let old: Signer;
    const EXPIRED_ISS = 'https://expired.example.com';

    before(async () => {
      old = await signer('ES256', 'old-key');
      await trust({
        issuer: EXPIRED_ISS,
        subject: 'carol',
        jwk: old.jwk,
        expires_at: '2020-01-01T00:00:00Z',
      });
    });

    it('is refused when the assertion names the key (Hydra ignores the expiry on this path)', () =>
      assertion(old, { iss: EXPIRED_ISS, sub: 'carol' }).then((a) =>
        refused(
          { assertion: a },
          'invalid_grant',
          `The trust relationship of issuer '${EXPIRED_ISS}' and subject 'carol' for key 'old-key' expired at 2020-01-01T00:00:00Z.`,
        ),
      ));

    it('is refused without a kid too, with the same hint', () =>
      assertion(old, { iss: EXPIRED_ISS, sub: 'carol' }, { kid: undefined }).then((a) =>
        refused({ assertion: a }, 'invalid_grant', `for key 'old-key' expired at 2020-01-01T00:00:00Z.`),
      ));

    it('a deleted relationship is refused at once', async () => {
      const s = await signer('ES256', 'short-lived');
      const created = await trust({ issuer: 'https://gone.example.com', subject: 'dave', jwk: s.jwk });
      const a = () => assertion(s, { iss: 'https://gone.example.com', sub: 'dave' });
      expect((await grant({ assertion: await a() })).status).to.equal(200);
      const del = await call(server, 'deleteTrustedOAuth2JwtGrantIssuer', { params: { id: created.id } });
      expect(del.status).to.equal(204);
      await refused({ assertion: await a() }, 'invalid_grant', 'No public JWK was registered');
    });
  });

  describe('oauth2.grant.jwt.* settings', () => {
    let relaxed: TestServer;
    let relaxedClient: { client_id: string };

    before(async () => {
      relaxed = await startTestServer({
        'oauth2.grant.jwt.jti_optional': true,
        'oauth2.grant.jwt.iat_optional': true,
        'oauth2.grant.jwt.max_ttl': '1h',
      });
      relaxedClient = await createClient(relaxed, { grant_types: [GRANT], client_secret: SECRET });
      const res = await call(relaxed, 'trustOAuth2JwtGrantIssuer', {
        json: { issuer: ISS, subject: 'alice', scope: [], jwk: rs.jwk, expires_at: '2031-01-01T00:00:00Z' },
      });
      expect(res.status, res.text).to.equal(201);
    });
    after(() => relaxed?.close());

    const relaxedGrant = async (claims: Record<string, unknown>) => {
      const url = new URL('oauth2/token', relaxed.config.publicUrl).href;
      return tokenRequest(
        relaxed,
        { grant_type: GRANT, assertion: await assertion(rs, { aud: url, ...claims }) },
        { id: relaxedClient.client_id, secret: SECRET },
      );
    };

    it('jti_optional and iat_optional: an assertion with neither is accepted', async () => {
      const res = await relaxedGrant({ jti: undefined, iat: undefined });
      expect(res.status, res.text).to.equal(200);
    });

    it('max_ttl 1h: an assertion valid for 2h is refused; without iat, counted from now', async () => {
      const res = await relaxedGrant({ exp: nowSeconds() + 7200 });
      expectOAuth2Error(res, 400, 'invalid_grant');
      expect(res.body.error_description).to.include('unreasonably far in the future');
      const noIat = await relaxedGrant({ exp: nowSeconds() + 7200, iat: undefined });
      expectOAuth2Error(noIat, 400, 'invalid_grant');
    });
  });
});

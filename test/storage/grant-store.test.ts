// GrantStore conformance, run against PostgreSQL and against the in-memory store the unit tests use: one
// winner among concurrent redemptions of a code, strict and graceful refresh rotation with their count and
// period edges, revocation of a whole grant. Then, PostgreSQL only: token deletions are announced to every
// replica's cache, and an unreachable database is a 503 (TemporarilyUnavailable) from every call.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import type { RotationPolicy } from '../../server/flows/ports.js';
import type { FlowRecord } from '../../server/flows/types.js';
import { TemporarilyUnavailable } from '../../server/oauth2/errors.js';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { connectionStringOf, createKnex } from '../../server/storage/knex.js';
import { PgFlowStore } from '../../server/storage/pg-flow-store.js';
import { PgGrantStore } from '../../server/storage/pg-grant-store.js';
import { PgLoginSessionStore } from '../../server/storage/pg-login-session-store.js';
import {
  accessFor,
  at,
  BACKENDS,
  codeFor,
  type FlowBackend,
  flowIn,
  MINUTE,
  newFlow,
  pairFor,
  rejection,
  T0,
} from '../helpers/flow-backends.js';

const STRICT: RotationPolicy = { gracePeriodMs: 0, reuseCount: 0, keepRotatedMs: 24 * 60 * MINUTE };
const graceful = (gracePeriodMs: number, reuseCount: number): RotationPolicy => ({
  gracePeriodMs,
  reuseCount,
  keepRotatedMs: 24 * 60 * MINUTE,
});

for (const backend of BACKENDS) {
  describe(`GrantStore (${backend.name})`, () => {
    let b: FlowBackend;
    const client = 'client-a';
    before(async () => {
      b = await backend.open();
      for (const id of [client, 'client-b']) await b.addClient(id);
    });
    after(() => b.close());

    /** A completed flow and its (unused) code. */
    async function consented(clientId = client) {
      const flow = await flowIn(b, clientId, 'consent_handled');
      const code = codeFor(flow.id, clientId);
      expect(await b.flows.complete(flow.id, { code }, T0)).to.equal(true);
      return { flow: { ...flow, state: 'consent_used' } as FlowRecord, code };
    }

    /** A completed flow whose code was redeemed for a pair. */
    async function granted(clientId = client) {
      const { flow, code } = await consented(clientId);
      const pair = pairFor(flow);
      expect(await b.grants.redeemCode(code.signature, pair, T0)).to.equal('issued');
      return { flow, code, pair };
    }

    const exists = {
      access: async (signature: string) => (await b.accessTokens.get(signature)) !== null,
      refresh: async (signature: string) => (await b.grants.refresh(signature)) !== null,
    };

    describe('codes', () => {
      it('finds a code with its flow; an unknown one is null', async () => {
        const { flow, code } = await consented();
        const found = await b.grants.code(code.signature);
        expect(found).to.deep.include(code);
        expect(found?.flow).to.deep.include({ id: flow.id, state: 'consent_used', subject: 'alice' });
        expect(found?.flow.requested_at).to.be.instanceOf(Date);
        expect(found?.flow.consent_handled_at?.toISOString()).to.equal(T0.toISOString());
        expect(found?.flow.request).to.deep.equal(flow.request);
        expect(await b.grants.code('unknown')).to.equal(null);
      });

      it('redeems once: the tokens are stored; a second redemption is reused and stores nothing', async () => {
        const { flow, code } = await consented();
        const pair = pairFor(flow);
        expect(await b.grants.redeemCode(code.signature, pair, at(MINUTE))).to.equal('issued');
        expect((await b.grants.code(code.signature))?.used_at?.toISOString()).to.equal(
          at(MINUTE).toISOString(),
        );
        expect(await b.accessTokens.get(pair.access.signature)).to.deep.include({
          ext: { tenant: 't1' },
          granted_audience: ['https://api.example'],
        });
        expect(await b.grants.refresh(pair.refresh.signature)).to.deep.include({ ...pair.refresh });
        const again = pairFor(flow);
        expect(await b.grants.redeemCode(code.signature, again, at(2 * MINUTE))).to.equal('reused');
        expect(await exists.access(again.access.signature)).to.equal(false);
        expect(await exists.refresh(again.refresh.signature)).to.equal(false);
        expect(await b.grants.redeemCode('unknown', pairFor(flow), T0)).to.equal('reused');
      });

      it('of ten concurrent redemptions exactly one is issued, and only its tokens exist', async () => {
        const { flow, code } = await consented();
        const pairs = Array.from({ length: 10 }, () => pairFor(flow));
        const outcomes = await Promise.all(pairs.map((p) => b.grants.redeemCode(code.signature, p, T0)));
        expect(outcomes.filter((o) => o === 'issued')).to.have.length(1);
        for (const [i, p] of pairs.entries()) {
          expect(await exists.access(p.access.signature)).to.equal(outcomes[i] === 'issued');
          expect(await exists.refresh(p.refresh.signature)).to.equal(outcomes[i] === 'issued');
        }
      });

      it('issues an access token alone (no offline scope)', async () => {
        const { flow, code } = await consented();
        const access = accessFor(flow, { ext: null });
        expect(await b.grants.redeemCode(code.signature, { access, refresh: null }, T0)).to.equal('issued');
        expect((await b.accessTokens.get(access.signature))?.ext).to.equal(null);
      });
    });

    describe('strict rotation', () => {
      it('deactivates the token, deletes every access token of the grant, and stores the new pair', async () => {
        const { flow, pair } = await granted();
        const second = accessFor(flow);
        await b.accessTokens.insert(second);
        const next = pairFor(flow);
        expect(await b.grants.rotate(pair.refresh.signature, next, STRICT, at(MINUTE))).to.equal('issued');
        const old = await b.grants.refresh(pair.refresh.signature);
        expect(old).to.deep.include({ active: false, used_times: 1 });
        expect(old?.first_used_at?.toISOString()).to.equal(at(MINUTE).toISOString());
        expect(await exists.access(pair.access.signature)).to.equal(false);
        expect(await exists.access(second.signature)).to.equal(false);
        expect(await exists.access(next.access.signature)).to.equal(true);
        expect((await b.grants.refresh(next.refresh.signature))?.active).to.equal(true);
      });

      it('a rotated token is reused: nothing is stored; a token of a newer rotation still works', async () => {
        const { flow, pair } = await granted();
        const next = pairFor(flow);
        expect(await b.grants.rotate(pair.refresh.signature, next, STRICT, at(MINUTE))).to.equal('issued');
        const replay = pairFor(flow);
        expect(await b.grants.rotate(pair.refresh.signature, replay, STRICT, at(MINUTE))).to.equal('reused');
        expect(await exists.access(replay.access.signature)).to.equal(false);
        expect(await exists.refresh(replay.refresh.signature)).to.equal(false);
        expect(await exists.access(next.access.signature)).to.equal(true);
        expect(await b.grants.rotate(next.refresh.signature, pairFor(flow), STRICT, at(2 * MINUTE))).to.equal(
          'issued',
        );
        expect(await b.grants.rotate('unknown', pairFor(flow), STRICT, T0)).to.equal('reused');
      });

      it('deactivates every other active refresh token of the grant too', async () => {
        const { flow, pair } = await granted();
        const fork = pairFor(flow);
        // A fork left by an earlier graceful rotation.
        expect(await b.grants.rotate(pair.refresh.signature, fork, graceful(MINUTE, 0), T0)).to.equal(
          'issued',
        );
        const fork2 = pairFor(flow);
        expect(await b.grants.rotate(pair.refresh.signature, fork2, graceful(MINUTE, 0), T0)).to.equal(
          'issued',
        );
        expect(await b.grants.rotate(fork.refresh.signature, pairFor(flow), STRICT, T0)).to.equal('issued');
        expect((await b.grants.refresh(fork2.refresh.signature))?.active).to.equal(false);
        expect(await b.grants.rotate(fork2.refresh.signature, pairFor(flow), STRICT, T0)).to.equal('reused');
      });

      it('of ten concurrent rotations exactly one is issued', async () => {
        const { flow, pair } = await granted();
        const pairs = Array.from({ length: 10 }, () => pairFor(flow));
        const outcomes = await Promise.all(
          pairs.map((p) => b.grants.rotate(pair.refresh.signature, p, STRICT, T0)),
        );
        expect(outcomes.filter((o) => o === 'issued')).to.have.length(1);
        for (const [i, p] of pairs.entries()) {
          expect(await exists.refresh(p.refresh.signature)).to.equal(outcomes[i] === 'issued');
        }
      });

      it('keeps a rotated token keepRotatedMs (also one that never expired); an earlier own expiry stays', async () => {
        const { flow, pair } = await granted();
        const expiry = async (s: string) => (await b.grants.refresh(s))?.expires_at?.toISOString() ?? null;
        const forever = pairFor(flow, { expires_at: null });
        expect(await b.grants.rotate(pair.refresh.signature, forever, STRICT, T0)).to.equal('issued');
        expect(await expiry(pair.refresh.signature)).to.equal(at(24 * 60 * MINUTE).toISOString());
        expect(await expiry(forever.refresh.signature)).to.equal(null);
        const soon = pairFor(flow, { expires_at: at(5 * MINUTE) });
        expect(await b.grants.rotate(forever.refresh.signature, soon, STRICT, at(MINUTE))).to.equal('issued');
        expect(await expiry(forever.refresh.signature)).to.equal(at(MINUTE + 24 * 60 * MINUTE).toISOString());
        expect(await b.grants.rotate(soon.refresh.signature, pairFor(flow), STRICT, at(2 * MINUTE))).to.equal(
          'issued',
        );
        expect(await expiry(soon.refresh.signature)).to.equal(at(5 * MINUTE).toISOString());
      });
    });

    describe('graceful rotation', () => {
      it('within the period a reuse forks a new pair and deletes only the paired access token', async () => {
        const { flow, pair } = await granted();
        const unrelated = accessFor(flow);
        await b.accessTokens.insert(unrelated);
        const first = pairFor(flow);
        const policy = graceful(MINUTE, 0);
        expect(await b.grants.rotate(pair.refresh.signature, first, policy, T0)).to.equal('issued');
        expect(await exists.access(pair.access.signature)).to.equal(false);
        expect(await exists.access(unrelated.signature)).to.equal(true);
        const second = pairFor(flow);
        expect(await b.grants.rotate(pair.refresh.signature, second, policy, at(MINUTE - 1))).to.equal(
          'issued',
        );
        // Both forks live: the first pair's access token is not the reused token's pair.
        expect(await exists.access(first.access.signature)).to.equal(true);
        expect(await exists.access(second.access.signature)).to.equal(true);
        expect(await b.grants.refresh(pair.refresh.signature)).to.deep.include({
          active: false,
          used_times: 2,
        });
        expect((await b.grants.refresh(pair.refresh.signature))?.first_used_at?.toISOString()).to.equal(
          T0.toISOString(),
        );
      });

      it('ends exactly at first_used_at + period', async () => {
        const { flow, pair } = await granted();
        const policy = graceful(MINUTE, 0);
        expect(await b.grants.rotate(pair.refresh.signature, pairFor(flow), policy, T0)).to.equal('issued');
        const late = pairFor(flow);
        expect(await b.grants.rotate(pair.refresh.signature, late, policy, at(MINUTE))).to.equal('reused');
        expect(await exists.refresh(late.refresh.signature)).to.equal(false);
      });

      it('allows count uses in all (the first rotation included); 0 = no limit within the period', async () => {
        const limited = await granted();
        const two = graceful(10 * MINUTE, 2);
        const use = (s: string, p = two) => b.grants.rotate(s, pairFor(limited.flow), p, at(MINUTE));
        expect(await use(limited.pair.refresh.signature)).to.equal('issued');
        expect(await use(limited.pair.refresh.signature)).to.equal('issued');
        expect(await use(limited.pair.refresh.signature)).to.equal('reused');

        const one = await granted();
        const once = graceful(10 * MINUTE, 1);
        expect(await use(one.pair.refresh.signature, once)).to.equal('issued');
        expect(await use(one.pair.refresh.signature, once)).to.equal('reused');

        const unlimited = await granted();
        for (let i = 0; i < 6; i += 1) {
          expect(await use(unlimited.pair.refresh.signature, graceful(10 * MINUTE, 0))).to.equal('issued');
        }
      });

      it('of ten concurrent rotations exactly reuse_count are issued', async () => {
        const { flow, pair } = await granted();
        const pairs = Array.from({ length: 10 }, () => pairFor(flow));
        const outcomes = await Promise.all(
          pairs.map((p) => b.grants.rotate(pair.refresh.signature, p, graceful(MINUTE, 3), T0)),
        );
        expect(outcomes.filter((o) => o === 'issued')).to.have.length(3);
        expect((await b.grants.refresh(pair.refresh.signature))?.used_times).to.equal(3);
      });
    });

    describe('revocation', () => {
      it('revokeGrant removes the codes, access and refresh tokens of the grant, and nothing else', async () => {
        const target = await granted();
        const rotated = pairFor(target.flow);
        expect(await b.grants.rotate(target.pair.refresh.signature, rotated, STRICT, T0)).to.equal('issued');
        const other = await granted();
        await b.grants.revokeGrant(target.flow.id);
        expect(await b.grants.code(target.code.signature)).to.equal(null);
        for (const p of [target.pair, rotated]) {
          expect(await exists.access(p.access.signature)).to.equal(false);
          expect(await exists.refresh(p.refresh.signature)).to.equal(false);
        }
        expect(await b.grants.code(other.code.signature)).to.not.equal(null);
        expect(await exists.access(other.pair.access.signature)).to.equal(true);
        expect(await exists.refresh(other.pair.refresh.signature)).to.equal(true);
        // The consent session itself stays (fosite's flow_refresh.go: reuse detection revokes tokens).
        expect(await b.flows.byLoginChallenge(target.flow.login_challenge)).to.not.equal(null);
      });

      it('deleteByClientId removes codes and refresh tokens of the client; access tokens are not its business', async () => {
        const mine = await granted('client-b');
        const theirs = await granted(client);
        await b.grants.deleteByClientId('client-b');
        expect(await b.grants.code(mine.code.signature)).to.equal(null);
        expect(await exists.refresh(mine.pair.refresh.signature)).to.equal(false);
        expect(await exists.access(mine.pair.access.signature)).to.equal(true);
        expect(await b.grants.code(theirs.code.signature)).to.not.equal(null);
        expect(await exists.refresh(theirs.pair.refresh.signature)).to.equal(true);
      });
    });

    if (backend.name === 'postgres') {
      it('announces revocations on tollgate_changes, so that every replica drops cached introspections', async () => {
        const TOKENS_DELETED = { table: 'oauth2_access_tokens', id: '*' };
        const listener = new pg.Client({ connectionString: connectionStringOf(b.knex!) });
        await listener.connect();
        try {
          const seen: unknown[] = [];
          listener.on('notification', (n) => seen.push(JSON.parse(n.payload ?? 'null')));
          await listener.query('LISTEN tollgate_changes');
          const settle = async () => {
            await listener.query('SELECT 1');
            const copy = [...seen];
            seen.length = 0;
            return copy;
          };
          const target = await granted();
          await settle();
          await b.grants.revokeGrant(target.flow.id);
          expect(await settle()).to.deep.include(TOKENS_DELETED);
          const session = await granted();
          await settle();
          await b.flows.revokeConsentSessions({ consent_request_id: session.flow.id.replaceAll('-', '') });
          expect(await settle()).to.deep.include(TOKENS_DELETED);
          const rotated = await granted();
          await settle();
          await b.grants.rotate(rotated.pair.refresh.signature, pairFor(rotated.flow), STRICT, T0);
          expect(await settle()).to.deep.include(TOKENS_DELETED);
        } finally {
          await listener.end();
        }
      });
    }
  });
}

describe('browser-flow stores with the database unreachable', () => {
  const knex = createKnex(parsePostgresDsn('postgres://nobody:nothing@127.0.0.1:1/none?sslmode=disable', 1));
  after(() => knex.destroy());
  const flows = new PgFlowStore(knex);
  const sessions = new PgLoginSessionStore(knex);
  const grants = new PgGrantStore(knex);
  const id = randomUUID();
  const flow = { ...newFlow('c'), id } as FlowRecord;
  const calls: [string, () => Promise<unknown>][] = [
    ['create', () => flows.create(newFlow('c'))],
    ['byLoginChallenge', () => flows.byLoginChallenge('x')],
    ['byConsentVerifier', () => flows.byConsentVerifier('x')],
    ['handleLogin', () => flows.handleLogin('x', { error: { error: 'e' } as never }, 'v', T0)],
    [
      'startConsent',
      () =>
        flows.startConsent(id, {
          subject: 's',
          authenticated_at: T0,
          consent_challenge: 'c',
          consent_csrf: 'c',
          consent_skip: false,
        }),
    ],
    ['handleConsent', () => flows.handleConsent('x', { error: { error: 'e' } as never }, 'v', T0)],
    ['complete', () => flows.complete(id, { code: codeFor(id, 'c') }, T0)],
    ['rememberedConsents', () => flows.rememberedConsents('s', 'c', T0)],
    ['listConsentSessions', () => flows.listConsentSessions({ subject: 's', page_size: 2 })],
    ['revokeConsentSessions', () => flows.revokeConsentSessions({ subject: 's', all: true })],
    ['sessions.get', () => sessions.get(id, T0)],
    [
      'sessions.upsert',
      () =>
        sessions.upsert({
          id,
          subject: 's',
          authenticated_at: T0,
          remember: true,
          expires_at: T0,
          identity_provider_session_id: null,
        }),
    ],
    ['sessions.deleteBySubject', () => sessions.deleteBySubject('s')],
    ['code', () => grants.code('x')],
    ['redeemCode', () => grants.redeemCode('x', pairFor(flow), T0)],
    ['refresh', () => grants.refresh('x')],
    ['rotate', () => grants.rotate('x', pairFor(flow), STRICT, T0)],
    ['revokeGrant', () => grants.revokeGrant(id)],
    ['deleteByClientId', () => grants.deleteByClientId('c')],
  ];
  it('every call rejects with TemporarilyUnavailable (503), never a raw driver error', async () => {
    for (const [name, call] of calls) {
      expect(await rejection(call()), name).to.be.instanceOf(TemporarilyUnavailable);
    }
  });
});

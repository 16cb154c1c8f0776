// FlowStore and LoginSessionStore conformance, run against PostgreSQL and against the in-memory stores the unit
// tests use: the guards of every transition, a repeated accept keeping its first verifier, one completion out
// of ten concurrent ones, remembered consents, keyset paging of consent sessions, revocation with everything of
// the grant, the cascade of a client delete, and login session expiry.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { BadRequestError, ConflictError } from '../../server/oauth2/errors.js';
import {
  accessFor,
  at,
  BACKENDS,
  codeFor,
  consentDecision,
  denied,
  type FlowBackend,
  flowIn,
  loginDecision,
  MINUTE,
  newFlow,
  pairFor,
  rejection,
  T0,
} from '../helpers/flow-backends.js';

for (const backend of BACKENDS) {
  describe(`FlowStore and LoginSessionStore (${backend.name})`, () => {
    let b: FlowBackend;
    const client = 'client-a';
    const other = 'client-b';
    before(async () => {
      b = await backend.open();
      for (const id of [client, other, 'client-gone', 'client-kept']) await b.addClient(id);
    });
    after(() => b.close());

    describe('create and look-ups', () => {
      it('finds a new flow by its login challenge, as created, with nothing handled yet', async () => {
        const flow = newFlow(client);
        await b.flows.create(flow);
        expect(await b.flows.byLoginChallenge(flow.login_challenge)).to.deep.equal({
          ...flow,
          login: null,
          login_error: null,
          authenticated_at: null,
          consent_challenge: null,
          consent_csrf: null,
          consent_skip: false,
          consent: null,
          consent_error: null,
          consent_handled_at: null,
        });
        expect(await b.flows.byId(flow.id)).to.deep.equal(
          await b.flows.byLoginChallenge(flow.login_challenge),
        );
        // A client_credentials token's request id, or anything else that is no flow id: no flow, no error.
        expect(await b.flows.byId('00000000-0000-4000-8000-000000000000')).to.equal(null);
        expect(await b.flows.byId('not-a-uuid')).to.equal(null);
        expect(await b.flows.byLoginChallenge('unknown')).to.equal(null);
        expect(await b.flows.byConsentChallenge('unknown')).to.equal(null);
        expect(await b.flows.byLoginVerifier('unknown')).to.equal(null);
        expect(await b.flows.byConsentVerifier('unknown')).to.equal(null);
      });

      it('gives the request, decisions and errors back as their JSON (absent members stay absent)', async () => {
        const flow = newFlow(client);
        flow.request = { ...flow.request, nonce: undefined, max_age: '0' };
        await b.flows.create(flow);
        const found = await b.flows.byLoginChallenge(flow.login_challenge);
        expect(found?.request).to.deep.equal(JSON.parse(JSON.stringify(flow.request)));
        expect(found?.request).not.to.have.property('nonce');
        const login = loginDecision('alice', { context: { when: T0, nothing: undefined } });
        const handled = await b.flows.handleLogin(flow.login_challenge, { login }, randomUUID(), T0);
        expect(handled?.login?.context).to.deep.equal({ when: T0.toISOString() });
      });

      it('refuses a second flow with the same login challenge (ConflictError)', async () => {
        const flow = newFlow(client);
        await b.flows.create(flow);
        const err = await rejection(
          b.flows.create(newFlow(client, { login_challenge: flow.login_challenge })),
        );
        expect(err).to.be.instanceOf(ConflictError);
      });
    });

    describe('handleLogin', () => {
      it('accepts, then a repeated accept overwrites the decision and keeps the first verifier', async () => {
        const flow = newFlow(client);
        await b.flows.create(flow);
        const first = await b.flows.handleLogin(
          flow.login_challenge,
          { login: loginDecision('alice') },
          'v1',
          T0,
        );
        expect(first?.state).to.equal('login_handled');
        expect(first?.login).to.deep.equal(loginDecision('alice'));
        const again = await b.flows.handleLogin(
          flow.login_challenge,
          { login: loginDecision('bob', { remember: false }) },
          'v2',
          at(MINUTE),
        );
        expect(again?.login?.subject).to.equal('bob');
        expect((await b.flows.byLoginVerifier('v1'))?.id).to.equal(flow.id);
        expect(await b.flows.byLoginVerifier('v2')).to.equal(null);
        expect((await b.flows.byLoginVerifier('v1'))?.login?.subject).to.equal('bob');
      });

      it('a reject after an accept replaces the decision by the error', async () => {
        const flow = newFlow(client);
        await b.flows.create(flow);
        await b.flows.handleLogin(flow.login_challenge, { login: loginDecision('alice') }, 'r1', T0);
        const rejected = await b.flows.handleLogin(
          flow.login_challenge,
          { error: denied('login request denied') },
          'r2',
          T0,
        );
        expect(rejected).to.include({ state: 'login_handled', login: null });
        expect(rejected?.login_error).to.deep.equal(denied('login request denied'));
        expect((await b.flows.byLoginVerifier('r1'))?.login_error?.error).to.equal('login request denied');
      });

      it('is refused (null) once expired, after the consent step started, and for an unknown challenge', async () => {
        const flow = newFlow(client);
        await b.flows.create(flow);
        expect(
          await b.flows.handleLogin(
            flow.login_challenge,
            { login: loginDecision('a') },
            'e1',
            flow.expires_at,
          ),
        ).to.equal(null);
        expect(await b.flows.byLoginVerifier('e1')).to.equal(null);
        expect((await b.flows.byLoginChallenge(flow.login_challenge))?.state).to.equal('login_initialized');

        const started = await flowIn(b, client, 'consent_initialized');
        expect(
          await b.flows.handleLogin(started.login_challenge, { login: loginDecision('a') }, 'e2', T0),
        ).to.equal(null);
        expect((await b.flows.byLoginChallenge(started.login_challenge))?.login?.subject).to.equal('alice');
        expect(await b.flows.handleLogin('unknown', { login: loginDecision('a') }, 'e3', T0)).to.equal(null);
      });
    });

    describe('startConsent', () => {
      const next = (challenge: string) => ({
        subject: 'alice',
        authenticated_at: at(-5 * MINUTE),
        consent_challenge: challenge,
        consent_csrf: 'c'.repeat(32),
        consent_skip: true,
      });

      it('moves a handled login to consent_initialized; a retry with the same challenge gets the same flow', async () => {
        const flow = await flowIn(b, client, 'login_handled');
        const started = await b.flows.startConsent(flow.id, next(`cc-${flow.id}`));
        expect(started).to.include({
          state: 'consent_initialized',
          subject: 'alice',
          consent_challenge: `cc-${flow.id}`,
          consent_skip: true,
        });
        expect(started?.authenticated_at?.toISOString()).to.equal(at(-5 * MINUTE).toISOString());
        expect(await b.flows.startConsent(flow.id, next(`cc-${flow.id}`))).to.deep.equal(started);
        expect(await b.flows.byConsentChallenge(`cc-${flow.id}`)).to.deep.equal(started);
        expect(await b.flows.startConsent(flow.id, next(`other-${flow.id}`))).to.equal(null);
        expect(await b.flows.byConsentChallenge(`other-${flow.id}`)).to.equal(null);
      });

      it('refuses a login that was not handled, and an unknown flow', async () => {
        const flow = newFlow(client);
        await b.flows.create(flow);
        expect(await b.flows.startConsent(flow.id, next(`x-${flow.id}`))).to.equal(null);
        expect(await b.flows.startConsent(randomUUID(), next('y'))).to.equal(null);
        expect(await b.flows.startConsent('not-a-uuid', next('z'))).to.equal(null);
      });
    });

    describe('handleConsent and complete', () => {
      it('accepts, repeats keep the first verifier, and record handled_at', async () => {
        const flow = await flowIn(b, client, 'consent_initialized');
        const challenge = flow.consent_challenge!;
        const first = await b.flows.handleConsent(challenge, { consent: consentDecision() }, 'cv1', T0);
        expect(first?.state).to.equal('consent_handled');
        expect(first?.consent).to.deep.equal(consentDecision());
        const again = await b.flows.handleConsent(
          challenge,
          { consent: consentDecision({ grant_scope: ['openid'] }) },
          'cv2',
          at(MINUTE),
        );
        expect(again?.consent?.grant_scope).to.deep.equal(['openid']);
        expect(again?.consent_handled_at?.toISOString()).to.equal(at(MINUTE).toISOString());
        expect((await b.flows.byConsentVerifier('cv1'))?.id).to.equal(flow.id);
        expect(await b.flows.byConsentVerifier('cv2')).to.equal(null);
      });

      it('refuses consent once expired, before the consent step, and after completion', async () => {
        const flow = await flowIn(b, client, 'consent_initialized');
        expect(
          await b.flows.handleConsent(
            flow.consent_challenge!,
            { consent: consentDecision() },
            'x1',
            flow.expires_at,
          ),
        ).to.equal(null);
        expect((await b.flows.byConsentChallenge(flow.consent_challenge!))?.state).to.equal(
          'consent_initialized',
        );
        const used = await flowIn(b, client, 'consent_used');
        expect(
          await b.flows.handleConsent(used.consent_challenge!, { consent: consentDecision() }, 'x2', T0),
        ).to.equal(null);
        expect(await b.flows.byConsentVerifier('x2')).to.equal(null);
      });

      it('of ten concurrent completions exactly one wins, and only its code and access token are stored', async () => {
        const flow = await flowIn(b, client, 'consent_handled');
        const attempts = Array.from({ length: 10 }, () => ({
          code: codeFor(flow.id, client),
          access_token: accessFor(flow),
        }));
        const outcomes = await Promise.all(attempts.map((a) => b.flows.complete(flow.id, a, T0)));
        expect(outcomes.filter((o) => o)).to.have.length(1);
        const winner = attempts[outcomes.indexOf(true)]!;
        expect((await b.flows.byLoginChallenge(flow.login_challenge))?.state).to.equal('consent_used');
        for (const a of attempts) {
          const code = await b.grants.code(a.code.signature);
          const token = await b.accessTokens.get(a.access_token.signature);
          if (a === winner) {
            expect(code).to.deep.include({ ...a.code });
            expect(code?.flow.state).to.equal('consent_used');
            expect(token?.ext).to.deep.equal({ tenant: 't1' });
          } else {
            expect(code).to.equal(null);
            expect(token).to.equal(null);
          }
        }
        expect(await b.flows.complete(flow.id, { code: codeFor(flow.id, client) }, T0)).to.equal(false);
      });

      it('completes nothing before consent, once expired, or for an unknown flow', async () => {
        const flow = await flowIn(b, client, 'consent_initialized');
        expect(await b.flows.complete(flow.id, {}, T0)).to.equal(false);
        const handled = await flowIn(b, client, 'consent_handled');
        expect(
          await b.flows.complete(handled.id, { code: codeFor(handled.id, client) }, handled.expires_at),
        ).to.equal(false);
        expect(await b.flows.complete(randomUUID(), {}, T0)).to.equal(false);
      });

      it('a completion whose code cannot be stored leaves the flow as it was (nothing half-written)', async () => {
        const first = await flowIn(b, client, 'consent_handled');
        const code = codeFor(first.id, client);
        expect(await b.flows.complete(first.id, { code }, T0)).to.equal(true);
        const flow = await flowIn(b, client, 'consent_handled');
        const access = accessFor(flow);
        // The same code signature twice: the second INSERT fails, after the flow's UPDATE.
        const err = await rejection(
          b.flows.complete(flow.id, { access_token: access, code: { ...code, request_id: flow.id } }, T0),
        );
        expect(err).to.be.instanceOf(ConflictError);
        expect((await b.flows.byLoginChallenge(flow.login_challenge))?.state).to.equal('consent_handled');
        expect(await b.accessTokens.get(access.signature)).to.equal(null);
        expect(await b.flows.complete(flow.id, { code: codeFor(flow.id, client) }, T0)).to.equal(true);
      });
    });

    describe('rememberedConsents', () => {
      it('lists remembered, accepted, not skipped, unexpired consents of the subject and client, newest first', async () => {
        const subject = `remember-${randomUUID()}`;
        const make = (minutes: number, consent: Parameters<typeof flowIn>[3] = {}) =>
          flowIn(b, client, 'consent_used', {
            subject,
            flow: { requested_at: at(minutes * MINUTE) },
            ...consent,
          });
        const forever = await make(0, { consent: { remember: true, remember_for: 0 } });
        const hour = await make(1, { consent: { remember: true, remember_for: 3600 } });
        await make(2, { consent: { remember: false } });
        await make(3, { consent: { remember: true }, consentSkip: true });
        await make(4, { consent: 'rejected' });
        await flowIn(b, other, 'consent_used', { subject, consent: { remember: true } });
        await flowIn(b, client, 'consent_handled', { subject, consent: { remember: true } });
        await flowIn(b, client, 'consent_used', { subject: `${subject}-x`, consent: { remember: true } });

        const ids = async (now: Date) =>
          (await b.flows.rememberedConsents(subject, client, now)).map((f) => f.id);
        expect(await ids(at(MINUTE))).to.deep.equal([hour.id, forever.id]);
        // remember_for counts from requested_at: 1 min + 3600 s.
        expect(await ids(at(60 * MINUTE))).to.deep.equal([hour.id, forever.id]);
        expect(await ids(at(61 * MINUTE))).to.deep.equal([forever.id]);
        expect(await ids(at(365 * 24 * 60 * MINUTE))).to.deep.equal([forever.id]);
        const [found] = await b.flows.rememberedConsents(subject, client, at(MINUTE));
        expect(found?.consent).to.deep.equal(consentDecision({ remember: true, remember_for: 3600 }));
      });
    });

    describe('listConsentSessions', () => {
      it('pages by keyset, newest first, each session once, with ties on requested_at ordered by id', async () => {
        const subject = `list-${randomUUID()}`;
        const made = [];
        for (const minutes of [0, 5, 5, 5, 9, 2, 7]) {
          made.push(
            await flowIn(b, client, 'consent_used', {
              subject,
              flow: { requested_at: at(minutes * MINUTE) },
            }),
          );
        }
        await flowIn(b, client, 'consent_used', { subject, consentSkip: true });
        await flowIn(b, client, 'consent_used', { subject, consent: 'rejected' });
        await flowIn(b, client, 'consent_handled', { subject });
        const expected = made
          .sort((x, y) => y.requested_at.getTime() - x.requested_at.getTime() || (x.id < y.id ? 1 : -1))
          .map((f) => f.id);

        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await b.flows.listConsentSessions({ subject, page_size: 2, page_token: token });
          seen.push(...page.items.map((f) => f.id));
          token = page.next_page_token;
          pages += 1;
        } while (token !== undefined && pages < 10);
        expect(seen).to.deep.equal(expected);
        expect(pages).to.equal(4);

        const whole = await b.flows.listConsentSessions({ subject, page_size: 7 });
        expect(whole.items.map((f) => f.id)).to.deep.equal(expected);
        expect(whole.next_page_token).to.equal(undefined);
        expect(whole.items[0]?.consent).to.deep.equal(consentDecision());
      });

      it('filters by login session id; nothing for another subject or a malformed session id', async () => {
        const subject = `sid-${randomUUID()}`;
        const sid = randomUUID();
        const mine = await flowIn(b, client, 'consent_used', { subject, flow: { login_session_id: sid } });
        await flowIn(b, client, 'consent_used', { subject });
        const page = await b.flows.listConsentSessions({ subject, login_session_id: sid, page_size: 10 });
        expect(page.items.map((f) => f.id)).to.deep.equal([mine.id]);
        expect((await b.flows.listConsentSessions({ subject: 'nobody', page_size: 10 })).items).to.deep.equal(
          [],
        );
        expect(
          (await b.flows.listConsentSessions({ subject, login_session_id: 'not-a-uuid', page_size: 10 }))
            .items,
        ).to.deep.equal([]);
      });

      it('answers a malformed page token with a 400 (BadRequestError)', async () => {
        for (const page_token of ['%%%', 'bm90IGpzb24', Buffer.from('{"id":"x"}').toString('base64url')]) {
          const err = await rejection(
            b.flows.listConsentSessions({ subject: 'alice', page_size: 2, page_token }),
          );
          expect(err, page_token).to.be.instanceOf(BadRequestError);
        }
      });
    });

    describe('revokeConsentSessions', () => {
      const issued = async (clientId: string, subject: string) => {
        const flow = await flowIn(b, clientId, 'consent_handled', { subject });
        const c = codeFor(flow.id, clientId);
        expect(await b.flows.complete(flow.id, { code: c }, T0)).to.equal(true);
        const tokens = pairFor({ ...flow, state: 'consent_used' });
        expect(await b.grants.redeemCode(c.signature, tokens, T0)).to.equal('issued');
        return { flow, code: c, tokens };
      };

      const gone = async (g: Awaited<ReturnType<typeof issued>>) => ({
        flow: (await b.flows.byLoginChallenge(g.flow.login_challenge)) === null,
        code: (await b.grants.code(g.code.signature)) === null,
        access: (await b.accessTokens.get(g.tokens.access.signature)) === null,
        refresh: (await b.grants.refresh(g.tokens.refresh.signature)) === null,
      });
      const ALL_GONE = { flow: true, code: true, access: true, refresh: true };
      const ALL_KEPT = { flow: false, code: false, access: false, refresh: false };

      it('by consent_request_id (the id without dashes): that flow with its code, access and refresh tokens', async () => {
        const subject = `revoke-${randomUUID()}`;
        const target = await issued(client, subject);
        const kept = await issued(client, subject);
        const id = target.flow.id.replaceAll('-', '');
        expect(await b.flows.revokeConsentSessions({ consent_request_id: id })).to.equal(1);
        expect(await gone(target)).to.deep.equal(ALL_GONE);
        expect(await gone(kept)).to.deep.equal(ALL_KEPT);
        expect(await b.flows.revokeConsentSessions({ consent_request_id: id })).to.equal(0);
        expect(await b.flows.revokeConsentSessions({ consent_request_id: 'zz' })).to.equal(0);
      });

      it('by subject and client, and by subject for all clients; unfinished flows stay', async () => {
        const subject = `revoke-${randomUUID()}`;
        const a1 = await issued(client, subject);
        const a2 = await issued(client, subject);
        const skipped = await flowIn(b, client, 'consent_used', { subject, consentSkip: true });
        const bOther = await issued(other, subject);
        const someoneElse = await issued(client, `${subject}-else`);
        const unfinished = await flowIn(b, client, 'consent_handled', { subject });

        // Skipped consents issued tokens too: they go with the others.
        expect(await b.flows.revokeConsentSessions({ subject, client_id: client })).to.equal(3);
        expect(await gone(a1)).to.deep.equal(ALL_GONE);
        expect(await gone(a2)).to.deep.equal(ALL_GONE);
        expect(await b.flows.byLoginChallenge(skipped.login_challenge)).to.equal(null);
        expect(await gone(bOther)).to.deep.equal(ALL_KEPT);

        expect(await b.flows.revokeConsentSessions({ subject, all: true })).to.equal(1);
        expect(await gone(bOther)).to.deep.equal(ALL_GONE);
        expect(await gone(someoneElse)).to.deep.equal(ALL_KEPT);
        expect((await b.flows.byLoginChallenge(unfinished.login_challenge))?.state).to.equal(
          'consent_handled',
        );
      });

      it('deleting a client deletes its flows, codes, access and refresh tokens, and nothing of others', async () => {
        const subject = `cascade-${randomUUID()}`;
        const doomed = await issued('client-gone', subject);
        const unfinished = await flowIn(b, 'client-gone', 'login_handled', { subject });
        const kept = await issued('client-kept', subject);
        await b.deleteClient('client-gone');
        expect(await gone(doomed)).to.deep.equal(ALL_GONE);
        expect(await b.flows.byLoginChallenge(unfinished.login_challenge)).to.equal(null);
        expect(await gone(kept)).to.deep.equal(ALL_KEPT);
      });
    });

    describe('login sessions', () => {
      const session = (overrides = {}) => ({
        id: randomUUID(),
        subject: 'alice',
        authenticated_at: T0,
        remember: true,
        expires_at: at(60 * MINUTE),
        identity_provider_session_id: null,
        ...overrides,
      });

      it('finds a session until it expires; upsert extends it; delete forgets it', async () => {
        const s = session({ identity_provider_session_id: 'idp-1' });
        await b.sessions.upsert(s);
        expect(await b.sessions.get(s.id, at(59 * MINUTE))).to.deep.equal(s);
        expect(await b.sessions.get(s.id, at(60 * MINUTE))).to.equal(null);
        const extended = { ...s, expires_at: at(120 * MINUTE) };
        await b.sessions.upsert(extended);
        expect(await b.sessions.get(s.id, at(60 * MINUTE))).to.deep.equal(extended);
        await b.sessions.delete(s.id);
        expect(await b.sessions.get(s.id, T0)).to.equal(null);
        expect(await b.sessions.get(randomUUID(), T0)).to.equal(null);
        expect(await b.sessions.get('not-a-uuid', T0)).to.equal(null);
        await b.sessions.delete('not-a-uuid');
      });

      it('deleteBySubject removes every session of the subject and counts them', async () => {
        const subject = `sessions-${randomUUID()}`;
        const mine = [session({ subject }), session({ subject, expires_at: at(-MINUTE) })];
        const theirs = session({ subject: `${subject}-other` });
        for (const s of [...mine, theirs]) await b.sessions.upsert(s);
        expect(await b.sessions.deleteBySubject(subject)).to.equal(2);
        expect(await b.sessions.get(mine[0]!.id, T0)).to.equal(null);
        expect(await b.sessions.get(theirs.id, T0)).to.deep.equal(theirs);
        expect(await b.sessions.deleteBySubject(subject)).to.equal(0);
      });
    });
  });
}

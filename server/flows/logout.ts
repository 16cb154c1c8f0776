// OpenID Connect logout (RP-Initiated Logout 1.0, Front-Channel and Back-Channel Logout 1.0) as Hydra runs it
// (consent/strategy_default.go issueLogoutVerifier / completeLogout, consent/handler.go for the admin side):
// /oauth2/sessions/logout opens a logout request and sends the browser to the logout UI, the UI accepts or
// rejects it on the admin API, and the logout verifier ends the login session: the cookie is cleared, every
// relying party is told (back-channel in the background, front-channel through an iframe page), and the browser
// goes to the post-logout URI.
//
// Where Tollgate departs from Hydra (docs/hydra-differences.md): a hint logout ends a session that was not
// remembered (ory/hydra#3132); `client_id` validates post_logout_redirect_uri without a hint (RP-Initiated
// Logout 1.0 §2, ory/hydra#3426); a second logout, or a second use of the verifier, lands on the post-logout
// URI instead of an error page; and the browser's cookie is cleared, with its session ended when it is the same
// subject's, even when another login replaced the hinted one in it (ory/hydra#3820).

import type { components } from '../../sdk/generated/openapi.js';
import type { StoredClient } from '../clients/client.js';
import { deriveKey } from '../crypto/secrets.js';
import { escapeHtml } from '../html.js';
import { InvalidRequest, NotFoundError, OAuth2Error, RequestUnauthorized } from '../oauth2/errors.js';
import { endpointUrl } from '../urls.js';
import { deriveVerifier, hashVerifier, newChallenge } from './challenges.js';
import type { FlowCookies } from './cookies.js';
import { setQuery } from './login-consent.js';
import type { LogoutRequest, LogoutStore } from './logout-ports.js';
import type { LoginSession, LoginSessionStore } from './ports.js';
import type { AuthorizeEndpoint, AuthorizeReply, IdTokens } from './types.js';

export interface LogoutDeps {
  store: LogoutStore;
  sessions: LoginSessionStore;
  clients: { get(id: string): Promise<StoredClient | null> };
  idTokens: Pick<IdTokens, 'verifyHint'>;
  cookies: Pick<FlowCookies, 'readSession' | 'clearSession'>;
  /** Back-channel logout of a session's relying parties (server/oidc/backchannel-logout.ts); never awaited long. */
  backchannel: { notify(sid: string): Promise<void> };
  /** Its toErrorPage: 302 to urls.error (server/flows/authorize-response.ts). */
  endpoint: Pick<AuthorizeEndpoint, 'toErrorPage'>;
  urls: {
    /** urls.logout: the logout UI. */
    logout: string;
    /** urls.post_logout_redirect: where the browser goes when no client named its own URI. */
    postLogoutRedirect: string;
    /** urls.self.public: the logout verifier comes back to <public>/oauth2/sessions/logout. */
    publicUrl: string;
  };
  /** urls.self.issuer: `iss` of the front-channel logout URLs. */
  issuer: string;
  /** ttl.login_consent_request: how long a logout request may wait for the UI. */
  requestTtlMs: number;
  /** secrets.system: the first derives the verifiers. */
  secrets: readonly string[];
  clock?: () => Date;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export type LogoutAdminAnswer<T> = { status: 200; body: T } | { status: 410; body: { redirect_to: string } };

export interface Logout {
  /** GET|POST /oauth2/sessions/logout: the parameters as Go's r.Form (the body first, then the query). */
  handle(input: {
    params: Record<string, string>;
    cookies: Record<string, string>;
    requestUrl: string;
  }): Promise<AuthorizeReply>;
  getRequest(
    challenge: string | undefined,
  ): Promise<LogoutAdminAnswer<components['schemas']['oAuth2LogoutRequest']>>;
  accept(challenge: string | undefined): Promise<LogoutAdminAnswer<{ redirect_to: string }>>;
  /** 204 when rejected; 410 once used. */
  reject(
    challenge: string | undefined,
  ): Promise<{ status: 204 } | { status: 410; body: { redirect_to: string } }>;
  /** DELETE /admin/oauth2/auth/sessions/login?sid=: back-channel logout, then the session is deleted. */
  endSession(sid: string): Promise<void>;
}

const notFound = () => new NotFoundError('Not Found', 'Unable to locate the requested resource');

/** `<time>Z` with whole seconds, as Hydra's sqlxx.NullTime is written. */
const rfc3339 = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** A URL a page may link to or frame: never script (a javascript: or data: URI registered by a client). */
function pageSafeUrl(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase();
  return scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript' ? '#' : url;
}

/**
 * Front-Channel Logout 1.0 §3 as Hydra renders it: one hidden iframe per relying party, then the redirect once
 * they have loaded, or after 7 s at most. The meta refresh and the link work without JavaScript.
 */
export function frontChannelPage(urls: readonly string[], redirectTo: string): string {
  const target = escapeHtml(pageSafeUrl(redirectTo));
  const frames = urls
    .map((u) => `<iframe src="${escapeHtml(pageSafeUrl(u))}" style="display:none" title="logout"></iframe>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="7;url=${target}">
<title>Signing out</title>
</head>
<body>
<p>Signing you out of every application… <a id="continue" href="${target}">Continue</a></p>
${frames}
<script>
(function () {
  var frames = document.getElementsByTagName('iframe');
  var left = frames.length;
  var done = false;
  function go() { if (!done) { done = true; window.location.replace(document.getElementById('continue').href); } }
  for (var i = 0; i < frames.length; i++) frames[i].addEventListener('load', function () { if (--left <= 0) go(); });
  if (left === 0) go();
  setTimeout(go, 7000);
})();
</script>
</body>
</html>
`;
}

// Hydra's wording, verbatim (its typo included): clients may match on it.
const UNREGISTERED_POST_LOGOUT_URI =
  'Logout failed because query parameter post_logout_redirect_uri is not a whitelisted as a post_logout_redirect_uri for the client.';

export function createLogout(deps: LogoutDeps): Logout {
  const clock = deps.clock ?? (() => new Date());
  if (deps.secrets.length === 0) throw new Error('the logout verifiers need a secret');
  const key = deriveKey(deps.secrets[0]!);
  const verifierOf = (challenge: string) => deriveVerifier(key, 'logout', challenge);
  const verifierUrl = (challenge: string) =>
    setQuery(endpointUrl(deps.urls.publicUrl, 'oauth2/sessions/logout'), {
      logout_verifier: verifierOf(challenge),
    });
  const redirect = (location: string, cookies: string[] = []): AuthorizeReply => ({
    kind: 'redirect',
    status: 302,
    location,
    cookies,
  });
  const fail = (hint: string) => deps.endpoint.toErrorPage(new InvalidRequest(hint));

  /** A client's post_logout_redirect_uri, exactly as registered, with `state` (RP-Initiated Logout 1.0 §3). */
  function clientRedirect(client: StoredClient, requested: string, state: string): string | null {
    if (!(client.document.post_logout_redirect_uris ?? []).includes(requested)) return null;
    return state ? setQuery(requested, { state }) : requested;
  }

  async function open(
    session: LoginSession,
    fields: Pick<LogoutRequest, 'client_id' | 'request_url' | 'post_logout_redirect_uri' | 'rp_initiated'>,
    client: StoredClient | null,
    maySkip = false,
  ): Promise<AuthorizeReply> {
    const now = clock();
    const challenge = newChallenge();
    // skip_logout_consent: the request is accepted without the UI (Hydra's oauth2/handler.go), but only when
    // the caller allows it (maySkip: a valid id_token_hint that this browser's session does not contradict).
    const skip = maySkip && client?.document.skip_logout_consent === true;
    await deps.store.create({
      challenge,
      verifier_hash: hashVerifier(verifierOf(challenge)),
      subject: session.subject,
      sid: session.id,
      ...fields,
      state: skip ? 'accepted' : 'initialized',
      requested_at: now,
      expires_at: new Date(now.getTime() + deps.requestTtlMs),
    });
    if (skip) return redirect(verifierUrl(challenge));
    return redirect(setQuery(deps.urls.logout, { logout_challenge: challenge }));
  }

  /** Back-channel logout, then the session goes (Hydra's performBackChannelLogoutAndDeleteSession). */
  async function end(sid: string) {
    try {
      await deps.backchannel.notify(sid);
    } catch (err) {
      // Listing the relying parties failed: the logout itself must still happen.
      deps.log?.('logout.backchannel_failed', { sid, error: (err as Error).message });
    }
    await deps.sessions.delete(sid);
  }

  async function start(input: Parameters<Logout['handle']>[0]): Promise<AuthorizeReply> {
    const p = input.params;
    const hint = p.id_token_hint ?? '';
    const state = p.state ?? '';
    const requested = p.post_logout_redirect_uri ?? '';
    const clientId = p.client_id ?? '';
    const now = clock();
    let target = deps.urls.postLogoutRedirect;
    // The client's registered post_logout_redirect_uri with state; the default when none was asked for.
    const clientTarget = (client: StoredClient): string | null =>
      requested === '' ? target : clientRedirect(client, requested, state);

    if (hint === '') {
      let client: StoredClient | null = null;
      if (clientId !== '') {
        // RP-Initiated Logout 1.0 §2: client_id lets the OP check post_logout_redirect_uri without a hint.
        client = await deps.clients.get(clientId);
        if (!client) {
          return fail(
            'Logout failed because query parameter client_id does not name a registered OAuth 2.0 Client.',
          );
        }
        const to = clientTarget(client);
        if (to === null) return fail(UNREGISTERED_POST_LOGOUT_URI);
        target = to;
      } else {
        if (state !== '') {
          return fail('Logout failed because query parameter state is set but id_token_hint is missing.');
        }
        if (requested !== '') {
          return fail(
            'Logout failed because query parameter post_logout_redirect_uri is set but id_token_hint is missing.',
          );
        }
      }
      const sid = deps.cookies.readSession(input.cookies);
      const session = sid ? await deps.sessions.get(sid, now) : null;
      // Nobody to sign out (Hydra: "User logout skipped because no authentication session exists").
      if (!session) return redirect(target);
      return open(
        session,
        {
          client_id: client?.client_id ?? null,
          request_url: input.requestUrl,
          post_logout_redirect_uri: target,
          rp_initiated: false,
        },
        client,
      );
    }

    const verified = await deps.idTokens.verifyHint(hint);
    if (!verified.ok)
      return fail(`Logout failed because query parameter id_token_hint is invalid: ${verified.reason}`);
    const claims = verified.claims;
    const sid = typeof claims.sid === 'string' ? claims.sid : '';
    if (sid === '') return fail('Logout failed because query parameter id_token_hint is missing sid claim.');
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      return fail('Logout failed because query parameter id_token_hint is missing sub claim.');
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    // RP-Initiated Logout 1.0 §2: with both, the client_id must be the one the ID token was issued to.
    if (clientId !== '' && !audiences.includes(clientId)) {
      return fail(
        'Logout failed because query parameter client_id does not match the audience of id_token_hint.',
      );
    }
    let client: StoredClient | null = null;
    for (const aud of audiences) {
      if (typeof aud !== 'string' || aud === '') continue;
      client = await deps.clients.get(aud);
      if (client) break;
    }
    if (!client) {
      return fail('Logout failed because none of the listed audiences is a registered OAuth 2.0 Client.');
    }
    const to = clientTarget(client);
    if (to === null) return fail(UNREGISTERED_POST_LOGOUT_URI);
    target = to;
    // Any session the sid names, remembered or not (Hydra asks only for remembered ones, ory/hydra#3132). Gone
    // already (a second logout): straight to the post-logout URI, as there is nothing left to end.
    const session = await deps.sessions.get(sid, now);
    if (!session) return redirect(target);
    // RP-Initiated Logout 1.0 §2: the OP MUST ask when the hint does not belong to the browser's session (and
    // without a hint at all, when any site can name a client_id): else any ID token clears a visitor's cookie.
    const cookieSid = deps.cookies.readSession(input.cookies);
    const browser = cookieSid && cookieSid !== sid ? await deps.sessions.get(cookieSid, now) : null;
    return open(
      session,
      {
        client_id: client.client_id,
        request_url: input.requestUrl,
        post_logout_redirect_uri: target,
        rp_initiated: true,
      },
      client,
      browser === null || browser.subject === session.subject,
    );
  }

  async function complete(verifier: string, jar: Record<string, string>): Promise<AuthorizeReply> {
    const now = clock();
    const found = await deps.store.byVerifier(hashVerifier(verifier));
    // A verifier redeemed already (a reload, a double click): the logout is done, so on to where it led.
    if (found?.state === 'used') return redirect(found.post_logout_redirect_uri);
    if (found?.state !== 'accepted') {
      // Hydra's herodot 404, carried to urls.error as error and error_description.
      return deps.endpoint.toErrorPage(
        new OAuth2Error(404, 'Not Found', 'Unable to locate the requested resource'),
      );
    }
    if (found.expires_at <= now) {
      return deps.endpoint.toErrorPage(
        new RequestUnauthorized('The logout request has expired, please try the flow again.'),
      );
    }
    const request = await deps.store.transition(found.challenge, ['accepted'], 'used');
    if (!request) return redirect(found.post_logout_redirect_uri);

    const cookieSid = deps.cookies.readSession(jar);
    const cookieSession = cookieSid ? await deps.sessions.get(cookieSid, now) : null;
    if (!request.rp_initiated) {
      // The session came from the cookie: if the browser no longer has it, or has another user's, there is
      // nobody of this request to sign out (Hydra's completeLogout).
      if (!cookieSession || cookieSession.subject !== request.subject) {
        return redirect(request.post_logout_redirect_uri);
      }
    }
    const ended = [request.sid];
    // ory/hydra#3820: another login of the same user may have replaced the hinted session in this browser's
    // cookie; the user asked to sign out, so that session ends too.
    if (cookieSession && cookieSession.id !== request.sid && cookieSession.subject === request.subject) {
      ended.push(cookieSession.id);
    }
    const frontChannel: string[] = [];
    for (const sid of ended) {
      for (const id of await deps.store.clientsOfSession(sid)) {
        const uri = (await deps.clients.get(id))?.document.frontchannel_logout_uri;
        if (uri) frontChannel.push(setQuery(uri, { iss: deps.issuer, sid }));
      }
    }
    for (const sid of ended) await end(sid);
    deps.log?.('logout.completed', { subject: request.subject, sid: request.sid });
    // The cookie goes whatever it named: this browser asked to be signed out.
    const cleared = cookieSid ? deps.cookies.clearSession() : [];
    if (frontChannel.length === 0) return redirect(request.post_logout_redirect_uri, cleared);
    return {
      kind: 'page',
      status: 200,
      html: frontChannelPage(frontChannel, request.post_logout_redirect_uri),
      cookies: cleared,
    };
  }

  async function requestOf(challenge: string | undefined): Promise<LogoutRequest> {
    if (!challenge) {
      throw new InvalidRequest("Query parameter 'challenge' is not defined but should have been.");
    }
    const request = await deps.store.byChallenge(challenge);
    // A rejected request is gone for Hydra (it deletes it).
    if (!request || request.state === 'rejected') throw notFound();
    return request;
  }

  const gone = (request: LogoutRequest) => ({
    status: 410 as const,
    body: { redirect_to: request.request_url },
  });
  const closed = (request: LogoutRequest, now: Date) => request.state === 'used' || request.expires_at <= now;

  return {
    handle(input) {
      const verifier = input.params.logout_verifier?.trim();
      return verifier ? complete(verifier, input.cookies) : start(input);
    },

    async getRequest(challenge) {
      const request = await requestOf(challenge);
      if (closed(request, clock())) return gone(request);
      const client = request.client_id
        ? ((await deps.clients.get(request.client_id))?.document ?? null)
        : null;
      return {
        status: 200,
        body: {
          challenge: request.challenge,
          subject: request.subject,
          sid: request.sid,
          request_url: request.request_url,
          rp_initiated: request.rp_initiated,
          expires_at: rfc3339(request.expires_at),
          requested_at: rfc3339(request.requested_at),
          client,
        },
      };
    },

    async accept(challenge) {
      const request = await requestOf(challenge);
      if (closed(request, clock())) return gone(request);
      const accepted = await deps.store.transition(
        request.challenge,
        ['initialized', 'accepted'],
        'accepted',
      );
      if (!accepted) {
        const now = await deps.store.byChallenge(request.challenge);
        if (!now || now.state === 'rejected') throw notFound();
        return gone(now);
      }
      return { status: 200, body: { redirect_to: verifierUrl(request.challenge) } };
    },

    async reject(challenge) {
      const request = await requestOf(challenge);
      if (request.state === 'used') return gone(request);
      const rejected = await deps.store.transition(
        request.challenge,
        ['initialized', 'accepted'],
        'rejected',
      );
      if (!rejected) {
        const now = await deps.store.byChallenge(request.challenge);
        if (now?.state === 'used') return gone(now);
        throw notFound();
      }
      return { status: 204 };
    },

    async endSession(sid) {
      // Hydra's HandleHeadlessLogout: an unknown session is already logged out.
      const session = await deps.sessions.get(sid, clock());
      if (!session) return;
      await end(sid);
    },
  };
}

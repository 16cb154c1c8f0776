// OpenID Connect Back-Channel Logout 1.0 as Hydra sends it (consent/strategy_default.go executeBackChannelLogout):
// for each client with a `backchannel_logout_uri` that was consented to during the ended login session, a
// logout token POSTed as the form field `logout_token`. Deliveries run in the background, so the user's
// redirect never waits for a relying party; a failure is retried a few times within a bounded window and then
// logged (never the token itself).
import { uuidv4 } from '../crypto/random.js';
import { OutboundRefused } from '../net/safe-fetch.js';
import { unix } from './id-token.js';

/** The event of a logout token (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The outbound POST: server/net/safe-fetch.ts `SafeFetch`, which refuses private addresses unless allowed. */
export type OutboundPost = (
  url: string,
  options: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    maxBytes: number;
  },
) => Promise<{ status: number }>;

export interface BackchannelRetry {
  /** Deliveries tried per client at most. */
  attempts: number;
  /** Each attempt's own timeout. */
  timeoutMs: number;
  /** Waits before the second, third, … attempt. */
  backoffMs: readonly number[];
  /** No attempt starts this long after the logout, whatever is left of `attempts`. */
  windowMs: number;
}

/** 3 attempts of at most 3 s each, 1 s and 2 s apart: everything is over within 10 s. */
export const DEFAULT_BACKCHANNEL_RETRY: BackchannelRetry = {
  attempts: 3,
  timeoutMs: 3000,
  backoffMs: [1000, 2000],
  windowMs: 10_000,
};

export interface BackchannelClient {
  backchannel_logout_uri?: string | null;
}

interface Target {
  client_id: string;
  uri: string;
}

export interface BackchannelLogoutDeps {
  /** `urls.self.issuer`: the token's `iss`. */
  issuer: string;
  /** Signs with the ID-token key, header `typ: JWT` (server/oidc/id-token.ts signClaims). */
  signer: { signClaims(claims: Record<string, unknown>): Promise<string> };
  post: OutboundPost;
  /** The clients consented to during a login session (server/flows/logout-ports.ts). */
  sessions: { clientsOfSession(sid: string): Promise<string[]> };
  clients: { get(id: string): Promise<{ document: BackchannelClient } | null> };
  log: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void;
  retry?: BackchannelRetry;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackchannelLogout {
  /**
   * Starts telling every relying party of login session `sid` and returns at once. The clients are listed
   * before this returns, so the session may be deleted right after.
   */
  notify(sid: string): Promise<void>;
  /** Resolves when every delivery started so far has ended (shutdown, tests). */
  settled(): Promise<void>;
}

/** The part of a URL a log line may carry: no query (it may hold a secret), no credentials. */
function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

export function createBackchannelLogout(deps: BackchannelLogoutDeps): BackchannelLogout {
  const retry = deps.retry ?? DEFAULT_BACKCHANNEL_RETRY;
  const clock = deps.clock ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  const inFlight = new Set<Promise<void>>();

  async function deliver(client: Target, sid: string) {
    const started = clock().getTime();
    const fields = { client_id: client.client_id, backchannel_logout_uri: loggableUrl(client.uri) };
    let token: string;
    try {
      // Back-Channel Logout 1.0 §2.4: no `sub` is needed with `sid`, and no `nonce`; Hydra sends no `exp`.
      token = await deps.signer.signClaims({
        aud: [client.client_id],
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
        iat: unix(clock()),
        iss: deps.issuer,
        jti: uuidv4(),
        sid,
      });
    } catch (err) {
      deps.log(
        'warn',
        { ...fields, error: (err as Error).message },
        'back-channel logout token could not be signed',
      );
      return;
    }
    const body = new URLSearchParams({ logout_token: token }).toString();
    let last = '';
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      const elapsed = clock().getTime() - started;
      // The window bounds the last attempt's end too: an attempt gets only the time left.
      const timeoutMs = Math.min(retry.timeoutMs, retry.windowMs - elapsed);
      if (timeoutMs <= 0) break;
      try {
        const res = await deps.post(client.uri, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
          timeoutMs,
          maxBytes: 64 * 1024,
        });
        // §2.8: 200 (or 204, as Hydra accepts) is success; a 4xx says the RP refused this token: not retried.
        if (res.status === 200 || res.status === 204) {
          deps.log('info', { ...fields, attempt }, 'back-channel logout delivered');
          return;
        }
        last = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        // The message names the URL: only its loggable part goes to the log.
        last = (err as Error).message.replaceAll(client.uri, fields.backchannel_logout_uri);
        // A destination the policy refuses (clients.http.disallow_private_ip_ranges) stays refused.
        if (err instanceof OutboundRefused) break;
      }
      const wait = retry.backoffMs[attempt - 1] ?? retry.backoffMs.at(-1) ?? 0;
      if (attempt < retry.attempts && clock().getTime() - started + wait < retry.windowMs) await sleep(wait);
      else break;
    }
    deps.log('warn', { ...fields, error: last }, 'back-channel logout failed');
  }

  return {
    async notify(sid) {
      const targets: Target[] = [];
      for (const id of await deps.sessions.clientsOfSession(sid)) {
        const uri = (await deps.clients.get(id))?.document.backchannel_logout_uri;
        if (uri) targets.push({ client_id: id, uri });
      }
      for (const client of targets) {
        const delivery = deliver(client, sid).catch(() => {});
        inFlight.add(delivery);
        void delivery.finally(() => inFlight.delete(delivery));
      }
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

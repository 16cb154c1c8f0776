// `npm run bench -- --scenarios flow`: whole sign-in flows, the way a browser and a login/consent app drive them
// (authorize → login accepted → consent accepted → code → token, PKCE S256, a fresh cookie jar per flow so that
// no remembered session shortens it), over keep-alive HTTP with redirects followed by hand. C workers loop flows;
// a flow's latency is from its first request to its token response. Used by bench/run.mjs.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const SUBJECT = 'foo@bar.com';

const random = () => randomBytes(16).toString('base64url');

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** One HTTP exchange on a keep-alive agent; the body is read whole. */
function send(agent, method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (body) => ({
  headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  body,
});
const form = (params, authorization) => {
  const body = new URLSearchParams(params).toString();
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      ...(authorization ? { authorization } : {}),
    },
    body,
  };
};
const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A user agent: cookies by name (every cookie here is the server's, on 127.0.0.1), no redirect followed. */
class Browser {
  cookies = new Map();
  requests = 0;

  constructor(agent, rebase) {
    this.agent = agent;
    this.rebase = rebase;
  }

  async go(method, url, init = {}) {
    const headers = { ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    this.requests++;
    const res = await send(this.agent, method, url, { ...init, headers });
    for (const line of res.headers['set-cookie'] ?? []) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((a) => /^\s*(max-age\s*=\s*(0|-\d+)|expires\s*=.*1970)/i.test(a));
      if (gone || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (res.headers.location) res.location = this.rebase(new URL(res.headers.location, url).href);
    return res;
  }
}

function expectRedirect(res, step, parameter) {
  if (res.status < 300 || res.status > 303 || !res.location) {
    throw new Error(`${step}: expected a redirect, got ${res.status} ${res.text.slice(0, 300)}`);
  }
  if (parameter === undefined) return res.location;
  const value = new URL(res.location).searchParams.get(parameter);
  if (!value) throw new Error(`${step}: no ${parameter} in ${res.location}`);
  return value;
}

function expectOk(res, step) {
  if (res.status !== 200) throw new Error(`${step}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.text === '' ? undefined : JSON.parse(res.text);
}

/**
 * The token response must carry what a sign-in with openid + offline gets: access, refresh and ID token. Returns
 * the ID token's signing algorithm (reported with the figures).
 */
function expectTokens(res, step) {
  const token = expectOk(res, step);
  for (const key of ['access_token', 'refresh_token', 'id_token']) {
    if (typeof token?.[key] !== 'string') throw new Error(`${step}: no ${key} in ${res.text.slice(0, 300)}`);
  }
  return JSON.parse(Buffer.from(token.id_token.split('.')[0], 'base64url').toString()).alg;
}

/** Replaces `from`'s origin by `to`'s in a URL (servers name their configured issuer, not the bench's port). */
function rebaser(from, to) {
  const issuer = new URL(from).origin;
  const real = new URL(to);
  return (href) => {
    const url = new URL(href);
    if (url.origin !== issuer) return href;
    url.protocol = real.protocol;
    url.host = real.host;
    return url.href;
  };
}

/**
 * Tollgate: the login and consent "apps" are the bench itself, calling the admin API (GET the request, PUT
 * accept) as a real login app does. 8 requests: auth, login GET + accept, login verifier, consent GET + accept,
 * consent verifier, token.
 */
export async function tollgateFlow(server, secret) {
  const agent = new http.Agent({ keepAlive: true });
  const created = await send(
    agent,
    'POST',
    `${server.admin}/admin/clients`,
    json(
      JSON.stringify({
        client_name: 'bench-web',
        client_secret: secret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        scope: 'openid offline',
        access_token_strategy: 'opaque',
      }),
    ),
  );
  if (created.status !== 201) throw new Error(`create client: ${created.status} ${created.text}`);
  const clientId = JSON.parse(created.text).client_id;
  const authorization = basic(clientId, secret);
  const rebase = rebaser(server.issuer, server.public);
  // GET /admin/oauth2/auth/requests/login?login_challenge=…, PUT …/login/accept?login_challenge=… (consent alike).
  const admin = (kind, action, challenge) =>
    `${server.admin}/admin/oauth2/auth/requests/${kind}${action}?${kind}_challenge=${encodeURIComponent(challenge)}`;

  return async function flow() {
    const browser = new Browser(agent, rebase);
    const { verifier, challenge } = pkce();
    const state = random();
    const auth = new URL('/oauth2/auth', server.public);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline',
      state,
      nonce: random(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }))
      auth.searchParams.set(k, v);
    const login = expectRedirect(await browser.go('GET', auth.href), 'authorize', 'login_challenge');
    expectOk(await browser.go('GET', admin('login', '', login)), 'get login request');
    const afterLogin = expectOk(
      await browser.go('PUT', admin('login', '/accept', login), json(JSON.stringify({ subject: SUBJECT }))),
      'accept login',
    ).redirect_to;
    const consent = expectRedirect(
      await browser.go('GET', rebase(afterLogin)),
      'login verifier',
      'consent_challenge',
    );
    expectOk(await browser.go('GET', admin('consent', '', consent)), 'get consent request');
    const afterConsent = expectOk(
      await browser.go(
        'PUT',
        admin('consent', '/accept', consent),
        json(JSON.stringify({ grant_scope: ['openid', 'offline'] })),
      ),
      'accept consent',
    ).redirect_to;
    const back = await browser.go('GET', rebase(afterConsent));
    const code = expectRedirect(back, 'consent verifier', 'code');
    if (new URL(back.location).searchParams.get('state') !== state) throw new Error('state not echoed');
    flow.idTokenAlg = expectTokens(
      await browser.go(
        'POST',
        `${server.public}/oauth2/token`,
        form(
          { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
          authorization,
        ),
      ),
      'token',
    );
    return browser.requests;
  };
}

/**
 * oidc-provider: its interactions are the scripted routes of bench/peer-oidc-provider.mjs (in-process calls).
 * 6 requests: auth, login, resume, consent, resume, token. `prompt=consent` because oidc-provider drops
 * offline_access (no refresh token) without it (OIDC Core §11); the flow has a consent step either way.
 */
export async function peerFlow(server, secret) {
  const agent = new http.Agent({ keepAlive: true });
  const authorization = basic('bench-web', secret);
  const rebase = rebaser('http://127.0.0.1', server.public);
  return async function flow() {
    const browser = new Browser(agent, rebase);
    const { verifier, challenge } = pkce();
    const state = random();
    const auth = new URL('/auth', server.public);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: 'bench-web',
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      prompt: 'consent',
      state,
      nonce: random(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }))
      auth.searchParams.set(k, v);
    const loginPage = expectRedirect(await browser.go('GET', auth.href), 'authorize');
    const resume = expectRedirect(await browser.go('POST', `${loginPage}/login`), 'login');
    const consentPage = expectRedirect(await browser.go('GET', resume), 'resume after login');
    const resumed = expectRedirect(await browser.go('POST', `${consentPage}/consent`), 'consent');
    const back = await browser.go('GET', resumed);
    const code = expectRedirect(back, 'resume after consent', 'code');
    if (new URL(back.location).searchParams.get('state') !== state) throw new Error('state not echoed');
    flow.idTokenAlg = expectTokens(
      await browser.go(
        'POST',
        `${server.public}/token`,
        form(
          { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
          authorization,
        ),
      ),
      'token',
    );
    return browser.requests;
  };
}

/** `c` workers loop `flow` until `seconds` have passed; each flow's latency in ms. A failed flow stops the run. */
export async function loop(flow, c, { seconds, flows }) {
  const deadline = seconds === undefined ? Infinity : performance.now() + seconds * 1000;
  let started = 0;
  const latencies = [];
  let requests = 0;
  const worker = async () => {
    while (performance.now() < deadline && (flows === undefined || started < flows)) {
      started++;
      const t0 = performance.now();
      const made = await flow();
      latencies.push(performance.now() - t0);
      requests += made;
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  return { latencies, requests };
}

/** pg_stat_database of the server's database: commits and rows written so far. */
async function dbCounters(dsn) {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT xact_commit::bigint AS commits, (tup_inserted + tup_updated + tup_deleted)::bigint AS writes
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { commits: Number(rows[0].commits), writes: Number(rows[0].writes) };
  } finally {
    await client.end();
  }
}

// A PostgreSQL backend publishes its statistics when idle, at the latest 10 s after its last report
// (PGSTAT_IDLE_INTERVAL): a snapshot taken sooner misses recent work.
const STATS_SETTLE_MS = 11_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Database work per flow: Δ xact_commit and Δ(tup_inserted + tup_updated + tup_deleted) over `flows` flows at
 * concurrency `c`, between two settled snapshots. The first snapshot's own transaction is subtracted.
 */
export async function dbWorkPerFlow(dsn, flow, c, flows) {
  await sleep(STATS_SETTLE_MS);
  const before = await dbCounters(dsn);
  const { latencies } = await loop(flow, c, { flows });
  await sleep(STATS_SETTLE_MS);
  const after = await dbCounters(dsn);
  return {
    flows: latencies.length,
    commits_per_flow: (after.commits - before.commits - 1) / latencies.length,
    rows_written_per_flow: (after.writes - before.writes) / latencies.length,
  };
}

export const FAIRNESS_NOTES = [
  'Fairness: oidc-provider keeps every flow, grant, code and token in memory (its MemoryAdapter): no database',
  'writes. Tollgate writes each step to PostgreSQL and commits it durably before answering, so a flow survives a',
  'restart and runs on several processes; its PostgreSQL CPU is counted apart.',
  "oidc-provider's login and consent are in-process calls (interactionDetails/interactionFinished) in one POST",
  "each; Tollgate's are the admin API round trips a login/consent app makes (GET the request, PUT accept): 8",
  'requests per flow against 6. Both sign in without a remembered session, send PKCE S256, state and nonce, and',
  "get an opaque access token, a refresh token and an RS256 ID token (both with an RSA-4096 key, Hydra's size);",
  'oidc-provider needs prompt=consent for',
  'offline_access.',
];

// `npm run bench`: Tollgate against the best installable peer (oidc-provider, in-memory) and the ceiling (a bare
// node:http server answering fixed JSON), all started here as separate processes on 127.0.0.1, measured back to
// back per (scenario, connections) so that ratios share the machine's noise. See docs/performance.md.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { assertionRequest, benchKey, jwtBearerRequest } from './assertions.mjs';
import { dbWorkPerFlow, FAIRNESS_NOTES, loop, peerFlow, tollgateFlow } from './flow.mjs';
import { syncWriteUs } from './lib/disk.mjs';
import { cpuUs, loadavg1, nodeRssBytes, selfCpuUs, tree } from './lib/proc.mjs';
import { barChart } from './lib/svg.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL_TARGETS = ['ceiling', 'oidc-provider', 'tollgate', 'tollgate-jwt'];
const ALL_SCENARIOS = ['token', 'introspect', 'client', 'assertion', 'jwt-bearer', 'flow'];
// The sign-in flow (bench/flow.mjs) runs only when asked for: --scenarios flow.
const DEFAULT_SCENARIOS = ['token', 'introspect', 'client'];
const FLOW_TARGETS = ['oidc-provider', 'tollgate'];

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    prewarm: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,16,64' },
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    scenarios: { type: 'string', default: DEFAULT_SCENARIOS.join(',') },
    'flow-concurrency': { type: 'string', default: '8' },
    'flow-db-flows': { type: 'string', default: '200' },
    pool: { type: 'string', default: '256' },
    workers: { type: 'string', default: '1' },
    pin: { type: 'boolean', default: false },
    soak: { type: 'string' },
    'soak-connections': { type: 'string', default: '64' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results') },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help) {
  process.stdout.write(`npm run bench -- [options]
  --duration S        seconds per measurement (default 5, at most 300)
  --warmup S          seconds of unmeasured load before each measurement (default 1)
  --prewarm S         seconds of unmeasured load per server and scenario once at start, so that every
                      server is measured with its code optimised by the JIT (default 8)
  --rounds N          split each measurement into N slices, alternating the targets (default 2), so that
                      every target sees the same moments of a noisy machine
  --connections LIST  concurrent keep-alive connections (default 1,16,64; each at most 1024)
  --targets LIST      ${ALL_TARGETS.join(',')} (default: all)
  --scenarios LIST    ${ALL_SCENARIOS.join(',')} (default: ${DEFAULT_SCENARIOS.join(',')}); flow is a
                      whole sign-in (authorize, login and consent accepted, code, token) on tollgate and
                      oidc-provider, see bench/flow.mjs; assertion is client_credentials with an ES256
                      private_key_jwt, jwt-bearer the RFC 7523 grant (Tollgate only), see bench/assertions.mjs
  --flow-concurrency LIST  concurrent flows (workers) for the flow scenario (default 8)
  --flow-db-flows N   flows run between two pg_stat_database snapshots for DB writes per flow (default 200)
  --pool N            tokens introspected in rotation (default 256)
  --workers N         serve --workers N for Tollgate (default 1)
  --pin               the load generator on the last CPU, the servers' Node processes on the others
                      (taskset; PostgreSQL anywhere): less scheduling noise between runs
  --soak N            instead: issue N opaque tokens from Tollgate while sampling its RSS
  --out DIR           where JSON and SVG results go (default bench/results)
`);
  process.exit(0);
}

const int = (name, v, min, max) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer in ${min}..${max}`);
  return n;
};
const duration = int('duration', args.duration, 1, 300);
const warmup = int('warmup', args.warmup, 0, 60);
const prewarm = int('prewarm', args.prewarm, 0, 300);
const rounds = int('rounds', args.rounds, 1, 20);
const connections = args.connections.split(',').map((c) => int('connections', c, 1, 1024));
const targets = args.targets.split(',').filter(Boolean);
const scenarios = args.scenarios.split(',').filter(Boolean);
const requestScenarios = scenarios.filter((s) => s !== 'flow');
const flowConcurrency = args['flow-concurrency'].split(',').map((c) => int('flow-concurrency', c, 1, 256));
const flowDbFlows = int('flow-db-flows', args['flow-db-flows'], 1, 100_000);
const poolSize = int('pool', args.pool, 1, 5000);
const workers = int('workers', args.workers, 1, 64);
for (const t of targets) if (!ALL_TARGETS.includes(t)) throw new Error(`unknown target ${t}`);
for (const s of scenarios) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);

const SECRET = randomBytes(24).toString('hex');
// The private_key_jwt client's key and the jwt-bearer issuer's key, registered with every server that has them.
const CLIENT_KEY = benchKey('bench-client');
const ISSUER_KEY = benchKey('bench-issuer');
const children = [];

function startProcess(name, command, argv, env, pattern, stream = 'stdout') {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, argv, {
      cwd: ROOT,
      env,
      stdio: ['ignore', stream === 'stdout' ? 'pipe' : 'ignore', 'pipe'],
    });
    children.push(child);
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 90 s:\n${seen}`)), 90_000);
    const onData = (chunk) => {
      seen += chunk;
      const m = pattern.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, match: m });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${seen}`));
    });
  });
}

async function startCeiling() {
  const { child, match } = await startProcess(
    'ceiling',
    process.execPath,
    ['bench/ceiling.mjs'],
    process.env,
    /listening (\S+)/,
  );
  return { name: 'ceiling', pid: child.pid, public: match[1], admin: match[1] };
}

async function startPeer() {
  const { child, match } = await startProcess(
    'oidc-provider',
    process.execPath,
    ['bench/peer-oidc-provider.mjs', '--secret', SECRET, '--client-jwk', JSON.stringify(CLIENT_KEY.jwk)],
    process.env,
    /listening (\S+)/,
  );
  return { name: 'oidc-provider', pid: child.pid, public: match[1], admin: match[1] };
}

const databases = [];

/**
 * The embedded PostgreSQL `serve` starts for DSN=memory (same code, same settings), started here instead so that
 * the bench can read its pg_stat_database; its CPU is still the server's (`cpuOf`).
 */
async function startDatabase(name) {
  const { startEmbedded } = await import('../dist/server/storage/embedded.js');
  const before = new Set(tree(process.pid).map((p) => p.pid));
  const db = await startEmbedded({});
  databases.push(db);
  const postmaster = tree(process.pid).find(
    (p) => !before.has(p.pid) && p.ppid === process.pid && p.comm.startsWith('postgres'),
  );
  if (!postmaster) throw new Error(`${name}: cannot find the PostgreSQL process`);
  execFileSync(process.execPath, ['bin/tollgate.js', 'migrate', 'sql', 'up', '-e', '--yes'], {
    cwd: ROOT,
    env: { ...process.env, DSN: db.connectionString },
    stdio: 'ignore',
  });
  return { dsn: db.connectionString, dbPid: postmaster.pid };
}

async function startTollgate(name, extraEnv) {
  const database = await startDatabase(name);
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(DSN|SECRETS_|SERVE_|URLS_|STRATEGIES_|LOG_|OAUTH2_)/.test(key)) delete env[key];
  Object.assign(env, {
    DSN: database.dsn,
    // The flow scenario plays the login and consent apps itself: their URLs are never opened.
    URLS_LOGIN: 'http://127.0.0.1:9/login',
    URLS_CONSENT: 'http://127.0.0.1:9/consent',
    SECRETS_SYSTEM: randomBytes(24).toString('hex'),
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: '0',
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_ADMIN_PORT: '0',
    URLS_SELF_ISSUER: 'http://127.0.0.1:4444/',
    // The default client-secret hash: PBKDF2-SHA256, 600,000 iterations.
    OAUTH2_HASHERS_PBKDF2_ITERATIONS: '600000',
    LOG_LEVEL: 'info',
    ...extraEnv,
  });
  const argv = ['bin/tollgate.js', 'serve', 'all', '--dev'];
  if (workers > 1) argv.push('--workers', String(workers));
  const { child, match } = await startProcess(
    name,
    process.execPath,
    argv,
    env,
    /public API (\S+), admin API (\S+)/,
    'ignore',
  );
  return {
    name,
    pid: child.pid,
    public: match[1],
    admin: match[2],
    issuer: env.URLS_SELF_ISSUER,
    ...database,
  };
}

/** CPU µs so far of a server: its process tree, plus the PostgreSQL the bench started for it. */
function cpuOf(server) {
  const own = cpuUs(server.pid);
  return server.dbPid ? { node: own.node, db: own.db + cpuUs(server.dbPid).db } : own;
}

async function http(method, url, { body, headers = {}, form } = {}) {
  const init = { method, headers: { ...headers } };
  if (form !== undefined) {
    init.body = new URLSearchParams(form).toString();
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}

const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Per target: how each scenario's request looks, and its setup (a client, a pool of tokens). */
async function prepare(server) {
  if (server.name === 'ceiling') {
    const req = {
      method: 'POST',
      path: '/oauth2/token',
      headers: formHeaders(basic('c', 's')),
      body: TOKEN_FORM,
    };
    return {
      token: () => req,
      introspect: () => req,
      client: () => req,
      assertion: () => req,
      'jwt-bearer': () => req,
      baseFor: () => server.public,
    };
  }
  if (server.name === 'oidc-provider') {
    const auth = basic('bench', SECRET);
    const tokens = await issuePool(`${server.public}/token`, auth);
    return {
      baseFor: () => server.public,
      token: () => ({ method: 'POST', path: '/token', headers: formHeaders(auth), body: TOKEN_FORM }),
      assertion: () => assertionRequest('/token', CLIENT_KEY, 'bench-pkjwt', 'http://127.0.0.1'),
      introspect: () => rotating('/token/introspection', formHeaders(auth), tokens),
      // Its MemoryAdapter is an LRU shared by all models: register a fresh client right before reading it.
      async client() {
        const reg = await http('POST', `${server.public}/reg`, {
          headers: { Authorization: 'Bearer bench-iat' },
          body: { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api' },
        });
        if (reg.status !== 201) throw new Error(`oidc-provider registration: ${reg.status} ${reg.text}`);
        return {
          method: 'GET',
          path: `/reg/${reg.json.client_id}`,
          headers: { Authorization: `Bearer ${reg.json.registration_access_token}` },
        };
      },
      check: { introspect: (json) => json?.active === true },
    };
  }
  // Tollgate (opaque durable, or the stateless JWT variant).
  const jwt = server.name === 'tollgate-jwt';
  if (jwt) {
    // ES256 signs in tens of µs where Hydra's default RS256 takes about a millisecond.
    const keys = await http('POST', `${server.admin}/admin/keys/hydra.jwt.access-token`, {
      body: { alg: 'ES256', use: 'sig' },
    });
    if (keys.status !== 201) throw new Error(`key set: ${keys.status} ${keys.text}`);
  }
  const created = await http('POST', `${server.admin}/admin/clients`, {
    body: {
      client_name: 'bench',
      client_secret: SECRET,
      grant_types: ['client_credentials'],
      scope: 'api',
      access_token_strategy: jwt ? 'jwt' : 'opaque',
    },
  });
  if (created.status !== 201) throw new Error(`create client: ${created.status} ${created.text}`);
  const id = created.json.client_id;
  const auth = basic(id, SECRET);
  const tokens = await issuePool(`${server.public}/oauth2/token`, auth);
  const signed =
    jwt || !scenarios.some((s) => s === 'assertion' || s === 'jwt-bearer')
      ? {}
      : await prepareAssertions(server);
  return {
    baseFor: (scenario) =>
      scenario === 'introspect' || scenario === 'client' ? server.admin : server.public,
    token: () => ({ method: 'POST', path: '/oauth2/token', headers: formHeaders(auth), body: TOKEN_FORM }),
    ...signed,
    introspect: () => rotating('/admin/oauth2/introspect', formHeaders(), tokens),
    client: () => ({ method: 'GET', path: `/admin/clients/${id}` }),
    check: { introspect: (json) => json?.active === true },
  };
}

/** Tollgate's private_key_jwt client and jwt-bearer trust relationship, and their scenarios' requests. */
async function prepareAssertions(server) {
  const tokenUrl = `${server.issuer.replace(/\/$/, '')}/oauth2/token`;
  const pkjwt = await http('POST', `${server.admin}/admin/clients`, {
    body: {
      client_name: 'bench-pkjwt',
      grant_types: ['client_credentials'],
      scope: 'api',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [CLIENT_KEY.jwk] },
    },
  });
  if (pkjwt.status !== 201) throw new Error(`private_key_jwt client: ${pkjwt.status} ${pkjwt.text}`);
  const bearer = await http('POST', `${server.admin}/admin/clients`, {
    body: {
      client_name: 'bench-jwt-bearer',
      client_secret: SECRET,
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      scope: 'api',
    },
  });
  if (bearer.status !== 201) throw new Error(`jwt-bearer client: ${bearer.status} ${bearer.text}`);
  const trust = await http('POST', `${server.admin}/admin/trust/grants/jwt-bearer/issuers`, {
    body: {
      issuer: 'https://issuer.bench',
      subject: 'bench-user',
      scope: ['api'],
      jwk: ISSUER_KEY.jwk,
      expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(),
    },
  });
  if (trust.status !== 201) throw new Error(`trust relationship: ${trust.status} ${trust.text}`);
  return {
    assertion: () => assertionRequest('/oauth2/token', CLIENT_KEY, pkjwt.json.client_id, tokenUrl),
    'jwt-bearer': () =>
      jwtBearerRequest('/oauth2/token', ISSUER_KEY, {
        issuer: 'https://issuer.bench',
        subject: 'bench-user',
        aud: tokenUrl,
        authorization: basic(bearer.json.client_id, SECRET),
      }),
  };
}

const TOKEN_FORM = 'grant_type=client_credentials&scope=api';
const formHeaders = (authorization) => ({
  'Content-Type': 'application/x-www-form-urlencoded',
  ...(authorization ? { Authorization: authorization } : {}),
});

async function issuePool(url, authorization) {
  const tokens = [];
  while (tokens.length < poolSize) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(16, poolSize - tokens.length) }, () =>
        http('POST', url, {
          headers: { Authorization: authorization },
          form: { grant_type: 'client_credentials', scope: 'api' },
        }),
      ),
    );
    for (const r of batch) {
      if (r.status !== 200) throw new Error(`token pool: ${r.status} ${r.text}`);
      tokens.push(r.json.access_token);
    }
  }
  return tokens;
}

function rotating(path, headers, tokens) {
  let i = 0;
  return {
    method: 'POST',
    path,
    headers,
    body: `token=${tokens[0]}`,
    setupRequest: (req) => ({ ...req, body: `token=${tokens[i++ % tokens.length]}` }),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function cannon(base, request, c, opts) {
  return new Promise((resolvePromise, reject) => {
    const latencies = [];
    const { setupRequest, ...plain } = request;
    const instance = autocannon(
      {
        url: base,
        connections: c,
        pipelining: 1,
        timeout: 10,
        ...opts,
        requests: [{ ...plain, ...(setupRequest ? { setupRequest } : {}) }],
      },
      (err, result) => (err ? reject(err) : resolvePromise({ result, latencies })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/** One slice of a measurement: responses, latencies and CPU over `seconds` of load. */
async function slice(server, base, request, c, seconds, acc) {
  const cpu0 = cpuOf(server);
  const self0 = selfCpuUs();
  const t0 = process.hrtime.bigint();
  const { result, latencies } = await cannon(base, request, c, { duration: seconds });
  acc.seconds += Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuOf(server);
  acc.node += cpu1.node - cpu0.node;
  acc.db += cpu1.db - cpu0.db;
  acc.self += selfCpuUs() - self0;
  for (const ms of latencies) acc.latencies.push(ms);
  acc.non2xx += result.non2xx;
  acc.errors += result.errors;
  acc.timeouts += result.timeouts;
}

/** Measures one (scenario, connections) for every server, in `rounds` alternating slices. */
async function measureAll(servers, prepared, scenario, c) {
  const jobs = [];
  for (const server of servers) {
    const p = prepared.get(server.name);
    const request = await p[scenario]();
    const base = p.baseFor(scenario);
    if (warmup > 0) await cannon(base, request, c, { duration: warmup });
    jobs.push({
      server,
      base,
      request,
      acc: { seconds: 0, node: 0, db: 0, self: 0, latencies: [], non2xx: 0, errors: 0, timeouts: 0 },
    });
  }
  const seconds = Math.max(1, Math.round(duration / rounds));
  for (let r = 0; r < rounds; r++) {
    for (const job of r % 2 === 0 ? jobs : [...jobs].reverse()) {
      await slice(job.server, job.base, job.request, c, seconds, job.acc);
    }
  }
  return jobs.map(({ server, acc }) => {
    acc.latencies.sort((a, b) => a - b);
    const ok = acc.latencies.length;
    return {
      target: server.name,
      scenario,
      connections: c,
      seconds: round(acc.seconds, 2),
      rps: round(ok / acc.seconds, 0),
      p50_ms: round(percentile(acc.latencies, 50), 3),
      p99_ms: round(percentile(acc.latencies, 99), 3),
      ok,
      non2xx: acc.non2xx,
      errors: acc.errors,
      timeouts: acc.timeouts,
      server_cpu_us_per_req: ok ? round(acc.node / ok, 1) : null,
      db_cpu_us_per_req: ok ? round(acc.db / ok, 1) : null,
      server_cores: round(acc.node / 1e6 / acc.seconds, 2),
      client_cores: round(acc.self / 1e6 / acc.seconds, 2),
      loadavg1: loadavg1(),
    };
  });
}

/** The flow scenario at concurrency `c`: every flow target in `rounds` alternating slices, as measureAll. */
async function measureFlows(servers, flows, c) {
  const jobs = servers
    .filter((s) => flows.has(s.name))
    .map((server) => ({
      server,
      flow: flows.get(server.name),
      acc: { seconds: 0, node: 0, db: 0, self: 0, latencies: [], requests: 0 },
    }));
  for (const job of jobs) if (warmup > 0) await loop(job.flow, c, { seconds: warmup });
  const seconds = Math.max(1, Math.round(duration / rounds));
  for (let r = 0; r < rounds; r++) {
    for (const { server, flow, acc } of r % 2 === 0 ? jobs : [...jobs].reverse()) {
      const cpu0 = cpuOf(server);
      const self0 = selfCpuUs();
      const t0 = process.hrtime.bigint();
      const { latencies, requests } = await loop(flow, c, { seconds });
      acc.seconds += Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu1 = cpuOf(server);
      acc.node += cpu1.node - cpu0.node;
      acc.db += cpu1.db - cpu0.db;
      acc.self += selfCpuUs() - self0;
      acc.latencies.push(...latencies);
      acc.requests += requests;
    }
  }
  return jobs.map(({ server, flow, acc }) => {
    acc.latencies.sort((a, b) => a - b);
    const n = acc.latencies.length;
    return {
      target: server.name,
      scenario: 'flow',
      concurrency: c,
      seconds: round(acc.seconds, 2),
      flows: n,
      flows_per_s: round(n / acc.seconds, 1),
      p50_ms: round(percentile(acc.latencies, 50), 2),
      p99_ms: round(percentile(acc.latencies, 99), 2),
      requests_per_flow: round(acc.requests / n, 1),
      server_cpu_us_per_flow: round(acc.node / n, 0),
      db_cpu_us_per_flow: server.dbPid ? round(acc.db / n, 0) : null,
      server_cores: round(acc.node / 1e6 / acc.seconds, 2),
      client_cores: round(acc.self / 1e6 / acc.seconds, 2),
      id_token_alg: flow.idTokenAlg,
      loadavg1: loadavg1(),
    };
  });
}

function flowTable(rows) {
  const out = [
    '| c | target | flows/s | p50 ms | p99 ms | requests/flow | server CPU µs/flow | + PostgreSQL µs/flow | DB commits/flow | rows written/flow | flows/s vs oidc-provider | CPU/flow vs oidc-provider (Node) | (Node + PostgreSQL) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const peer = rows.find((p) => p.target === 'oidc-provider' && p.concurrency === r.concurrency);
    const own = r.target === 'oidc-provider';
    out.push(
      `| ${r.concurrency} | ${r.target} | ${fmt(r.flows_per_s)} | ${fmt(r.p50_ms)} | ${fmt(r.p99_ms)} | ${fmt(r.requests_per_flow)} | ${fmt(r.server_cpu_us_per_flow)} | ${r.db_cpu_us_per_flow === null ? '–' : fmt(r.db_cpu_us_per_flow)} | ${fmt(r.db_commits_per_flow ?? (own ? 0 : null))} | ${fmt(r.db_rows_written_per_flow ?? (own ? 0 : null))} | ${own ? '' : ratio(r.flows_per_s, peer?.flows_per_s)} | ${own ? '' : ratio(r.server_cpu_us_per_flow, peer?.server_cpu_us_per_flow)} | ${own ? '' : ratio(r.server_cpu_us_per_flow + (r.db_cpu_us_per_flow ?? 0), peer?.server_cpu_us_per_flow)} |`,
    );
  }
  return out.join('\n');
}

const round = (v, digits) =>
  v === null || v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;

async function soak(server, prepared, total) {
  const request = prepared.token();
  const c = int('soak-connections', args['soak-connections'], 1, 1024);
  let maxRss = nodeRssBytes(server.pid);
  const samples = [];
  const started = Date.now();
  const timer = setInterval(() => {
    const rss = nodeRssBytes(server.pid);
    maxRss = Math.max(maxRss, rss);
    samples.push({ s: Math.round((Date.now() - started) / 1000), rss_mb: round(rss / 2 ** 20, 1) });
    if (samples.length % 30 === 0) {
      process.stderr.write(
        `soak: ${samples.length} s, RSS ${round(rss / 2 ** 20, 1)} MB (max ${round(maxRss / 2 ** 20, 1)})\n`,
      );
    }
  }, 1000);
  const cpu0 = cpuOf(server);
  const { result, latencies } = await cannon(prepared.baseFor('token'), request, c, { amount: total });
  clearInterval(timer);
  const cpu1 = cpuOf(server);
  const seconds = (Date.now() - started) / 1000;
  return {
    target: server.name,
    tokens: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: round(seconds, 1),
    rps: round(latencies.length / seconds, 0),
    max_rss_mb: round(maxRss / 2 ** 20, 1),
    server_cpu_us_per_req: round((cpu1.node - cpu0.node) / latencies.length, 1),
    db_cpu_us_per_req: round((cpu1.db - cpu0.db) / latencies.length, 1),
    samples,
  };
}

function fmt(n) {
  if (n === null || n === undefined) return 'n/a';
  return typeof n === 'number' ? n.toLocaleString('en-US') : String(n);
}
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');

function table(rows) {
  const out = [
    '| scenario | c | target | req/s | p50 ms | p99 ms | server CPU µs/req | + PostgreSQL µs/req | vs oidc-provider req/s | CPU vs oidc-provider | vs ceiling |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const peer = rows.find(
      (p) => p.target === 'oidc-provider' && p.scenario === r.scenario && p.connections === r.connections,
    );
    const ceiling = rows.find((p) => p.target === 'ceiling' && p.connections === r.connections);
    out.push(
      `| ${r.scenario} | ${r.connections} | ${r.target} | ${fmt(r.rps)} | ${fmt(r.p50_ms)} | ${fmt(r.p99_ms)} | ${fmt(r.server_cpu_us_per_req)} | ${r.db_cpu_us_per_req ? fmt(r.db_cpu_us_per_req) : '–'} | ${r.target === 'oidc-provider' || r.target === 'ceiling' ? '' : ratio(r.rps, peer?.rps)} | ${r.target === 'oidc-provider' || r.target === 'ceiling' ? '' : ratio(r.server_cpu_us_per_req, peer?.server_cpu_us_per_req)} | ${r.target === 'ceiling' ? '' : ratio(r.rps, ceiling?.rps)} |`,
    );
  }
  return out.join('\n');
}

function verdicts(rows) {
  const get = (target, scenario, c) =>
    rows.find((r) => r.target === target && r.scenario === scenario && r.connections === c);
  const out = [];
  const check = (label, value, goal, pass) => out.push({ label, value, goal, pass });
  const t16 = get('tollgate', 'token', 16);
  const p16 = get('oidc-provider', 'token', 16);
  if (t16 && p16) {
    check(
      'opaque issuance req/s vs oidc-provider (c=16)',
      t16.rps / p16.rps,
      '≥ 1.5',
      t16.rps / p16.rps >= 1.5,
    );
    const cpu = t16.server_cpu_us_per_req / p16.server_cpu_us_per_req;
    check('opaque issuance Node CPU/token vs oidc-provider (c=16)', cpu, '≤ 0.6', cpu <= 0.6);
    const all = (t16.server_cpu_us_per_req + (t16.db_cpu_us_per_req ?? 0)) / p16.server_cpu_us_per_req;
    check(
      'opaque issuance Node+PostgreSQL CPU/token vs oidc-provider (c=16, informative)',
      all,
      '(≤ 0.6)',
      all <= 0.6,
    );
  }
  const i16 = get('tollgate', 'introspect', 16);
  const pi16 = get('oidc-provider', 'introspect', 16);
  if (i16 && pi16)
    check('introspection req/s vs oidc-provider (c=16)', i16.rps / pi16.rps, '≥ 2', i16.rps / pi16.rps >= 2);
  for (const s of ['token', 'introspect']) {
    const t = get('tollgate', s, 64);
    const p = get('oidc-provider', s, 64);
    if (t && p) check(`${s} p99 at c=64 vs oidc-provider`, t.p99_ms / p.p99_ms, '≤ 1', t.p99_ms <= p.p99_ms);
  }
  const j16 = get('tollgate-jwt', 'token', 16);
  if (j16 && p16)
    check(
      'stateless JWT issuance req/s vs oidc-provider (c=16)',
      j16.rps / p16.rps,
      '≥ 3',
      j16.rps / p16.rps >= 3,
    );
  return out;
}

/**
 * --pin: the load generator (this process) gets the last CPU to itself and the servers' Node processes the
 * others; PostgreSQL may run anywhere. Unpinned, the scheduler sometimes puts a server on the load generator's
 * CPU for part of a run: one Tollgate's introspection moved between 6.0k and 11.0k req/s over repeated runs here.
 */
function pinCpus(servers) {
  const last = availableParallelism() - 1;
  if (last < 1) throw new Error('--pin needs at least 2 CPUs');
  const set = (pid, cpus) =>
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  set(process.pid, String(last));
  for (const server of servers)
    for (const p of tree(server.pid))
      set(p.pid, p.comm.startsWith('postgres') ? `0-${last}` : `0-${last - 1}`);
}

async function main() {
  const started = new Date();
  const diskBefore = syncWriteUs();
  const servers = [];
  const starters = {
    ceiling: startCeiling,
    'oidc-provider': startPeer,
    tollgate: () => startTollgate('tollgate', {}),
    'tollgate-jwt': () =>
      startTollgate('tollgate-jwt', { STRATEGIES_ACCESS_TOKEN: 'jwt', STRATEGIES_JWT_STATELESS: 'true' }),
  };
  const wanted = args.soak
    ? ['tollgate']
    : requestScenarios.length > 0
      ? targets
      : targets.filter((t) => FLOW_TARGETS.includes(t));
  for (const t of wanted) servers.push(await starters[t]());
  const prepared = new Map();
  for (const s of servers) prepared.set(s.name, await prepare(s));
  const flows = new Map();
  if (scenarios.includes('flow')) {
    for (const s of servers.filter((t) => FLOW_TARGETS.includes(t.name))) {
      const flow = await (s.name === 'tollgate' ? tollgateFlow : peerFlow)(s, SECRET);
      await flow(); // fails at once if the flow does not work end to end
      flows.set(s.name, flow);
    }
  }
  process.stderr.write(`servers ready: ${servers.map((s) => `${s.name} pid ${s.pid}`).join(', ')}\n`);
  if (args.pin) pinCpus(servers);
  // V8 keeps optimising a large program for tens of seconds under load (measured: a tenth of Tollgate's CPU
  // still went to the optimising compiler 5 s in, 1 % after 20 s); a server is measured at its steady state.
  if (prewarm > 0 && !args.soak) {
    process.stderr.write(`prewarming each server for ${prewarm} s per scenario…\n`);
    for (const server of servers.filter((s) => s.name !== 'ceiling')) {
      const p = prepared.get(server.name);
      for (const scenario of requestScenarios.filter((s) => p[s])) {
        await cannon(p.baseFor(scenario), await p[scenario](), 16, { duration: prewarm });
      }
      if (flows.has(server.name)) await loop(flows.get(server.name), 8, { seconds: prewarm });
    }
  }

  mkdirSync(args.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const meta = {
    started: started.toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    duration_s: duration,
    rounds,
    warmup_s: warmup,
    prewarm_s: prewarm,
    workers,
    pinned: args.pin,
    pbkdf2_iterations: 600000,
    peer: 'oidc-provider 9.13.3 (MemoryAdapter)',
    disk_sync_write_us: { before: diskBefore },
  };

  if (args.soak) {
    const total = int('soak', args.soak, 1, 100_000_000);
    process.stderr.write(`soak: issuing ${total} tokens…\n`);
    const result = await soak(servers[0], prepared.get('tollgate'), total);
    writeFileSync(
      join(args.out, `soak-${stamp}.json`),
      `${JSON.stringify({ meta, soak: result }, null, 2)}\n`,
    );
    const { samples, ...summary } = result;
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.stdout.write(
      `max RSS ${summary.max_rss_mb} MB (goal ≤ 250 MB): ${summary.max_rss_mb <= 250 ? 'PASS' : 'FAIL'}\n`,
    );
    return;
  }

  const rows = [];
  const noRead = new Set(['ceiling']);
  for (const c of requestScenarios.length > 0 ? connections : []) {
    for (const scenario of requestScenarios) {
      // The ceiling's row stands for every scenario; a server without the scenario (oidc-provider has no
      // jwt-bearer grant, tollgate-jwt runs the machine-to-machine basics only) is left out of it.
      const measured = servers.filter(
        (s) =>
          (scenario === 'token' || !noRead.has(s.name)) &&
          prepared.get(s.name)[scenario] &&
          !(s.name === 'tollgate-jwt' && scenario === 'client'),
      );
      for (const row of await measureAll(measured, prepared, scenario, c)) {
        rows.push(row);
        process.stderr.write(`${JSON.stringify(row)}\n`);
      }
    }
  }
  const sorted = [...rows].sort(
    (a, b) =>
      ALL_SCENARIOS.indexOf(a.scenario) - ALL_SCENARIOS.indexOf(b.scenario) ||
      a.connections - b.connections ||
      ALL_TARGETS.indexOf(a.target) - ALL_TARGETS.indexOf(b.target),
  );
  const checks = verdicts(rows);
  const flowRows = [];
  if (flows.size > 0) {
    for (const c of flowConcurrency) {
      for (const row of await measureFlows(servers, flows, c)) {
        flowRows.push(row);
        process.stderr.write(`${JSON.stringify(row)}\n`);
      }
    }
    // Database work per flow, in a window of its own (statistics need idle time to be published).
    for (const server of servers.filter((s) => flows.has(s.name) && s.dsn)) {
      process.stderr.write(`${server.name}: database work of ${flowDbFlows} flows…\n`);
      const work = await dbWorkPerFlow(
        server.dsn,
        flows.get(server.name),
        Math.max(...flowConcurrency),
        flowDbFlows,
      );
      for (const row of flowRows.filter((r) => r.target === server.name))
        Object.assign(row, {
          db_commits_per_flow: round(work.commits_per_flow, 2),
          db_rows_written_per_flow: round(work.rows_written_per_flow, 2),
        });
    }
  }
  meta.disk_sync_write_us.after = syncWriteUs();
  const text = [
    ...(sorted.length > 0
      ? [table(sorted), '', 'The ceiling answers fixed JSON to any request; its row serves all scenarios.']
      : []),
    ...(flowRows.length > 0 ? ['', flowTable(flowRows), '', ...FAIRNESS_NOTES] : []),
    `A durable 8 KiB write (O_DSYNC, median of 200) took ${meta.disk_sync_write_us.before} µs before this run and ${meta.disk_sync_write_us.after} µs after it: every commit waits for one.`,
    '',
    ...checks.map((v) => `${v.pass ? 'PASS' : 'FAIL'}  ${v.label}: ${v.value.toFixed(2)} (goal ${v.goal})`),
  ].join('\n');
  process.stdout.write(`${text}\n`);
  const json = { meta, rows: sorted, flows: flowRows, checks };
  writeFileSync(join(args.out, `bench-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(args.out, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(args.out, 'latest.md'), `${text}\n`);
  const groups = [];
  for (const scenario of requestScenarios) {
    for (const c of connections) {
      groups.push({
        label: `${scenario} c=${c}`,
        bars: sorted
          .filter((r) => r.connections === c && (r.scenario === scenario || r.target === 'ceiling'))
          .map((r) => ({ target: r.target, value: r.rps })),
      });
    }
  }
  const svg = barChart({
    title: 'Tollgate vs oidc-provider vs bare node:http: requests per second',
    subtitle: `${meta.started}, ${meta.cpus} CPUs, ${duration} s per bar, loopback, keep-alive`,
    groups,
    targets: servers.map((s) => s.name),
    unit: 'req/s',
  });
  if (groups.length > 0) {
    writeFileSync(join(args.out, `bench-${stamp}.svg`), svg);
    writeFileSync(join(args.out, 'latest.svg'), svg);
  }
  process.stderr.write(`results in ${args.out}\n`);
}

try {
  await main();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.exitCode === null && once(child, 'exit')));
  await Promise.all(databases.map((db) => db.stop()));
}

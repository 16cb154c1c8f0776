// Property-based fuzzing of every operation in openapi.yaml against a real server on a real PostgreSQL.
// Requests are generated from the contract (valid bodies and parameters from the schemas) and then spoiled
// (wrong types, huge strings, unicode, nulls, SQL and header-injection strings, duplicate parameters, bad
// JSON, oversized bodies, JSON nested tens of thousands of levels deep or a hundred thousand members wide,
// strings of most of a mebibyte). Whatever comes in: never a 5xx, never a crash, and every response, errors
// included, conforms to the contract. A second property throws the same hostile shapes at a client that exists
// (create, replace, JSON Patch with long paths), and a third stores random strings in a client and reads them
// back byte-for-byte.
//
// `npm test` runs a fixed seed and a bounded number of cases; `npm run fuzz` runs more
// (FUZZ_RUNS, FUZZ_SEED override both).
import { expect } from 'chai';
import fc from 'fast-check';
import { loadContract, type Operation } from '../../server/http/contract.js';
import { contractProblem } from '../helpers/api.js';
import { FlowDriver, randomState, webClient } from '../helpers/flow-driver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const contract = loadContract();
const doc = contract.document as Record<string, any>;

type Schema = Record<string, any>;

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  while (typeof s.$ref === 'string') {
    s = (s.$ref as string)
      .slice(2)
      .split('/')
      .reduce((node: any, key) => node?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
  }
  return s;
}

/** Strings attackers and unlucky clients send. */
const NASTY = [
  "' OR 1=1 --",
  "'; DROP TABLE oauth2_clients; --",
  '" OR ""="',
  '\\',
  '%00',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: pwned=1',
  'x\r\n\r\n<html>',
  '../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal Log4Shell probe, not a template.
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '🦄🦄',
  '\ud800',
  'a\udfffb',
  '\uffff\ufffe',
  'Ω≈ç√∫˜µ≤≥÷',
  '\u202eRTL',
  'ﷺ',
  ' ',
  '',
  'null',
  'NaN',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'x'.repeat(3000),
  'é'.repeat(5000),
];

/** Short hostile strings: for paths, query strings and header values, which Node bounds at 16 KiB in all. */
/**
 * JSON text put into a generated body as is: shapes a JS value cannot carry through JSON.stringify (which
 * recurses, so the test itself would overflow on them).
 */
class RawJson {
  constructor(readonly text: string) {}
}

/** How fast-check prints a generated request: bodies of a mebibyte are cut short, so a counterexample stays readable. */
function printable<T extends { body?: string }>(request: T): T {
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      JSON.stringify({
        ...request,
        body:
          request.body && request.body.length > 300
            ? `${request.body.slice(0, 300)}… (${request.body.length} chars)`
            : request.body,
      }),
  });
}

/** JSON.stringify that splices RawJson values in as their text. */
function toJsonText(value: unknown): string | undefined {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `\u0001raw${raws.length - 1}\u0001`;
  });
  return text?.replace(/"\\u0001raw(\d+)\\u0001"/g, (_, i: string) => raws[Number(i)]!);
}

/** Depths around the server's bound (64), far beyond it, and beyond what a recursive walk survives. */
const depth = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 55, max: 75 }) },
  { weight: 2, arbitrary: fc.integer({ min: 76, max: 2_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 2_001, max: 150_000 }) },
);

/** Deep JSON: nested objects, arrays, or both alternating, around a scalar. */
const deepJson = fc
  .tuple(depth, fc.constantFrom('object', 'array', 'mixed'), fc.constantFrom('1', '"x"', 'null', '{}', '[]'))
  .map(([n, kind, core]) => {
    const open = (i: number) =>
      kind === 'object' || (kind === 'mixed' && i % 2 === 0) ? ['{"a":', '}'] : ['[', ']'];
    const parts = Array.from({ length: n }, (_, i) => open(i));
    return new RawJson(
      `${parts.map(([o]) => o).join('')}${core}${parts
        .map(([, c]) => c)
        .reverse()
        .join('')}`,
    );
  });

/** Wide JSON: an object with many members or an array with many elements, up to most of the 1 MiB limit. */
const wideJson = fc
  .tuple(fc.integer({ min: 1_000, max: 120_000 }), fc.boolean())
  .map(([n, object]) =>
    object
      ? new RawJson(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`)
      : new RawJson(`[${Array.from({ length: n }, (_, i) => i % 3).join(',')}]`),
  );

/** One string of most of a mebibyte: ASCII, multi-byte UTF-8, or JSON escapes that expand when parsed. */
const hugeString = fc
  .tuple(fc.integer({ min: 100_000, max: 1_000_000 }), fc.constantFrom('x', 'é', '🦄', '\\u0041'))
  .map(([bytes, unit]) => {
    const repeat = Math.max(1, Math.floor(bytes / Buffer.byteLength(unit)));
    return unit.startsWith('\\') ? new RawJson(`"${unit.repeat(repeat)}"`) : unit.repeat(repeat);
  });

/** The hostile shapes: every generated body can carry one at any position. */
const hostileShape = fc.oneof(deepJson, wideJson, hugeString);

const shortNasty = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY.filter((s) => s.length < 100)) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);
const nastyString = fc.oneof(
  { weight: 9, arbitrary: shortNasty },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY.filter((s) => s.length >= 100)) },
  { weight: 1, arbitrary: fc.string({ minLength: 10_000, maxLength: 60_000 }) },
);

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
  fc.constant({ __proto__: { polluted: true } }),
  hostileShape,
);

/** A value the schema accepts (mostly), with a chance of a wrong one at any depth. */
function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const valid = validFromSchema(s, depth);
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: wrongValue });
}

function validFromSchema(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  const branches = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (branches) return fc.oneof(...branches.map((b) => fromSchema(b, depth + 1)));
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['string'];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return fc.integer({ min: -10, max: 100_000 });
        case 'number':
          return fc.double({ noNaN: true, noDefaultInfinity: true });
        case 'array':
          return depth > 3 ? fc.constant([]) : fc.array(fromSchema(s.items, depth + 1), { maxLength: 4 });
        case 'object': {
          if (depth > 3) return fc.constant({});
          const props = (s.properties ?? {}) as Record<string, Schema>;
          const known = fc.record(
            Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fromSchema(v, depth + 1)])),
            { requiredKeys: [] },
          );
          return s.additionalProperties
            ? fc
                .tuple(known, fc.dictionary(nastyString, wrongValue, { maxKeys: 2 }))
                .map(([a, b]) => ({ ...b, ...a }))
            : known;
        }
        default:
          return fc.oneof(
            { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                'https://example.com/cb',
                'client_credentials',
                'RS256',
                'sig',
                '1h',
              ),
            },
            { weight: 2, arbitrary: nastyString },
          );
      }
    }),
  );
}

/** Percent-encodes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as any client would send). */
const encodeSegment = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

/** True when the contract declares `header` on the response of `operation` with `status` (or its default). */
function declaresHeader(operation: Operation, status: number, header: string): boolean {
  const { responses } = doc.paths[operation.path][operation.method] as { responses: Record<string, Schema> };
  const response = resolve(responses[String(status)] ?? responses.default);
  return Object.keys(response.headers ?? {}).some((name) => name.toLowerCase() === header.toLowerCase());
}

/**
 * A query value the property replaces with the challenge of a flow it starts just before the request, so that
 * the login and consent operations are fuzzed on live requests too, not only on unknown challenges.
 */
const LIVE = { login: encodeSegment('live:login'), consent: encodeSegment('live:consent') };
/** Replaced by the id and registration access token of a client registered just before the request. */
const LIVE_REGISTRATION = encodeSegment('live:registration');

interface FuzzRequest {
  operationId: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function formEncode(fields: [string, unknown][]): string {
  return fields
    .map(
      ([k, v]) => `${encodeSegment(k)}=${encodeSegment(typeof v === 'string' ? v : (toJsonText(v) ?? ''))}`,
    )
    .join('&');
}

function requestFor(operation: Operation, server: TestServer): fc.Arbitrary<FuzzRequest> {
  const spec = doc.paths[operation.path][operation.method] as Schema;
  const params = [
    ...((doc.paths[operation.path].parameters ?? []) as Schema[]),
    ...((spec.parameters ?? []) as Schema[]),
  ].map(resolve);
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const base =
    operation.path.startsWith('/admin') || operation.path.startsWith('/health')
      ? server.adminUrl
      : server.publicUrl;

  const pathArb = fc.tuple(
    ...pathParams.map((p) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map(encodeSegment) },
        { weight: 2, arbitrary: shortNasty.filter((s) => s !== '').map(encodeSegment) },
        { weight: 1, arbitrary: fc.constant('x'.repeat(5000)) },
        // Raw, possibly malformed escapes: %zz, overlong UTF-8, a lone %.
        { weight: 1, arbitrary: fc.constantFrom('%zz', '%C0%AF', '%', '%E2%82', '..', '%2e%2e%2f', p.name) },
      ),
    ),
  );
  const queryArb = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...queryParams.map((p) => p.name as string), 'x'), shortNasty),
      fc.oneof(
        fromSchema(queryParams[0]?.schema).filter((v) => (toJsonText(v ?? '') ?? '').length < 2000),
        shortNasty,
      ),
    ),
    { maxLength: 4 },
  );
  const liveKind =
    queryParams.some((p) => p.name === 'login_challenge') || operation.operationId === 'submitDevLogin'
      ? 'login'
      : queryParams.some((p) => p.name === 'consent_challenge') ||
          operation.operationId === 'submitDevConsent'
        ? 'consent'
        : undefined;
  const liveQueryArb = !liveKind
    ? queryArb
    : fc.oneof(
        { weight: 1, arbitrary: queryArb },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom(`${liveKind}_challenge`, 'challenge'), queryArb)
            .map(([name, rest]): [string, unknown][] => [[name, `live:${liveKind}`], ...rest]),
        },
      );

  const bodyType = operation.bodyTypes[0];
  const schema = bodyType
    ? resolve(spec.requestBody ? resolve(spec.requestBody).content[bodyType].schema : undefined)
    : undefined;
  const bodyArb: fc.Arbitrary<{ body?: string; type?: string }> = !bodyType
    ? fc.oneof(fc.constant({}), fc.constant({ body: '{"a":1}', type: 'application/json' }))
    : fc.oneof(
        {
          weight: 8,
          arbitrary: fromSchema(schema).chain((value) => {
            if (bodyType === 'application/json')
              return fc.constant({ body: toJsonText(value) ?? 'null', type: bodyType });
            // A form: the generated fields, some repeated, some unknown.
            const generated =
              value && typeof value === 'object' && !Array.isArray(value)
                ? Object.entries(value as object)
                : [['x', value] as [string, unknown]];
            return fc
              .tuple(
                fc.array(fc.tuple(nastyString, nastyString), { maxLength: 2 }),
                fc.boolean(),
                fc.boolean(),
              )
              .map(([extra, dup, live]) => {
                // The built-in pages' forms name their challenge in the body.
                const fields =
                  live && liveKind
                    ? [['challenge', `live:${liveKind}`] as [string, unknown], ...generated]
                    : generated;
                return {
                  body: formEncode([...fields, ...(dup ? fields : []), ...extra]),
                  type: bodyType,
                };
              });
          }),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              '{',
              '{"a":',
              '[1,2',
              '\u0000',
              'null',
              '"str"',
              '1e999999',
              '{"__proto__":{"x":1}}',
            )
            .map((body) => ({ body, type: bodyType })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              'text/plain',
              'application/xml',
              'application/json; charset=latin1',
              'multipart/form-data',
            )
            .map((type) => ({ body: 'a=b', type })),
        },
        { weight: 1, arbitrary: fc.constant({ body: `{"a":"${'x'.repeat(1_100_000)}"}`, type: bodyType }) },
        { weight: 1, arbitrary: hostileShape.map((v) => ({ body: toJsonText(v), type: bodyType })) },
        { weight: 1, arbitrary: fc.constant({}) },
      );

  const authArb = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(shortNasty, shortNasty)
        .map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Basic',
        'Basic !!!',
        'Bearer x',
        'Basic Og==',
        `Basic ${'A'.repeat(20_000)}`,
      ),
    },
  );

  // RFC 7592 management is fuzzed on a registered client with its token too, not only on refused tokens.
  const manages = operation.path.startsWith('/oauth2/register/');
  const liveArb = manages ? fc.boolean() : fc.constant(false);
  return fc
    .tuple(pathArb, liveQueryArb, bodyArb, authArb, liveArb)
    .map(([segments, query, { body, type }, given, live]) => {
      let i = 0;
      const path = live
        ? operation.path.replace('{id}', LIVE_REGISTRATION)
        : operation.path.replace(/\{[^}]+\}/g, () => segments[i++] ?? 'x');
      const auth = live ? `Bearer ${LIVE_REGISTRATION}` : given;
      const qs = query
        .map(
          ([k, v]) =>
            `${encodeSegment(k)}=${encodeSegment(typeof v === 'string' ? v : (toJsonText(v) ?? ''))}`,
        )
        .join('&');
      const headers: Record<string, string> = {};
      if (type) headers['content-type'] = type;
      if (auth) headers.authorization = auth;
      return printable({
        operationId: operation.operationId,
        url: `${base}${path}${qs ? `?${qs}` : ''}`,
        method: operation.method.toUpperCase(),
        headers,
        body,
      });
    });
}

describe('fuzzing every operation of openapi.yaml', function () {
  this.timeout(0);
  let server: TestServer;
  const stats = { cases: 0, requests: 0, byStatus: new Map<number, number>(), fiveHundreds: 0, live: 0 };

  before(async () => {
    // The lockout stays on, without its slow-down: random client ids repeat, and waiting is not the point here.
    server = await startTestServer({
      'log.level': 'warn',
      'rate_limit.lockout.delay': '0s',
      // fetch reuses keep-alive sockets; one the server closes for idleness while a POST starts on it gives
      // ECONNRESET (undici does not retry a POST). Idle timeouts are tested in test/faults, not here.
      'serve.timeouts.idle': '60s',
      // Registration is fuzzed switched on, with limits high enough that requests reach the domain.
      'oidc.dynamic_client_registration.enabled': true,
      'rate_limit.registration.per_address': 1_000_000,
      'rate_limit.registration.failed_per_address': 1_000_000,
    });
    const client = await webClient(server);
    authorizeParams = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:5555/cb',
      scope: 'openid offline_access',
      state: randomState(),
    };
  });
  let authorizeParams: Record<string, string>;

  /** The challenge of a flow started now: at the login step, or past it at the consent step. */
  async function liveChallenge(kind: 'login' | 'consent'): Promise<string> {
    const driver = new FlowDriver(server);
    const { challenge } = await driver.startLogin(authorizeParams);
    if (kind === 'login') return challenge;
    const redirectTo = await driver.decide('acceptOAuth2LoginRequest', challenge, { subject: 'fuzz@user' });
    return (await driver.toConsent(redirectTo)).challenge;
  }
  after(async () => {
    await server?.close();
    console.log(
      `      fuzz: ${stats.cases} cases (${stats.live} on a live challenge), ${stats.requests} requests, 5xx: ${stats.fiveHundreds}; statuses ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort()))}`,
    );
  });

  async function send(req: FuzzRequest) {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.method === 'GET' ? undefined : req.body,
      // The browser flow's redirects are answers to check, not hops to take (they lead to the issuer's URL).
      redirect: 'manual',
    });
    const text = await res.text();
    stats.requests++;
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    if (res.status >= 500) stats.fiveHundreds++;
    const type = res.headers.get('content-type') ?? undefined;
    let body: unknown = text === '' ? undefined : text;
    if (type?.includes('json') && text !== '') body = JSON.parse(text);
    return { status: res.status, type, body, text, headers: res.headers };
  }

  it('never answers 5xx, and every response (errors included) conforms to the contract', async () => {
    const operations = [...contract.operations.values()];
    const arb = fc.constantFrom(...operations).chain((op) => requestFor(op, server));
    await fc.assert(
      fc.asyncProperty(arb, async (generated) => {
        stats.cases++;
        let req = generated;
        for (const kind of ['login', 'consent'] as const) {
          if (!req.url.includes(LIVE[kind]) && !req.body?.includes(LIVE[kind])) continue;
          const live = encodeSegment(await liveChallenge(kind));
          stats.live++;
          req = {
            ...req,
            url: req.url.replaceAll(LIVE[kind], live),
            body: req.body?.replaceAll(LIVE[kind], live),
          };
        }
        if (req.url.includes(LIVE_REGISTRATION)) {
          const registered = await send({
            operationId: 'createOidcDynamicClient',
            url: `${server.publicUrl}/oauth2/register`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"grant_types":["client_credentials"]}',
          });
          const { client_id, registration_access_token } = registered.body as Record<string, string>;
          stats.live++;
          req = {
            ...req,
            url: req.url.replaceAll(LIVE_REGISTRATION, encodeSegment(client_id!)),
            headers: { ...req.headers, authorization: `Bearer ${registration_access_token}` },
          };
        }
        const res = await send(req);
        const where = `${req.method} ${req.url.slice(0, 200)} (${req.operationId}) → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).to.be.below(500);
        const operation = contract.operations.get(req.operationId)!;
        // Only the browser flow's redirects set cookies (its CSRF and session cookies), as the contract says.
        if (!declaresHeader(operation, res.status, 'Set-Cookie'))
          expect(res.headers.get('set-cookie'), where).to.equal(null);
        // The pages a browser opens answer errors as HTML, which the contract check below verifies.
        if (res.status >= 400 && operation.errorStyle !== 'html') {
          expect(res.body, where).to.be.an('object');
          expect((res.body as { error?: unknown }).error, where).to.be.a('string');
        }
        // A raw segment such as `..` can leave the operation's path; then only the error shape is checked.
        const problem = contractProblem(req.method, req.url, res.status, res.type, res.body);
        if (problem && !/is not an operation of openapi.yaml/.test(problem))
          expect.fail(`${where}: ${problem}`);
        // The server is still up and answering.
        if (stats.cases % 100 === 0)
          expect(
            (await send({ ...req, url: `${server.adminUrl}/health/alive`, method: 'GET', headers: {} }))
              .status,
          ).to.equal(200);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('a stored client survives hostile shapes: deep, wide and huge bodies, JSON Patch paths of any length', async () => {
    const created = await send({
      operationId: 'createOAuth2Client',
      url: `${server.adminUrl}/admin/clients`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'fuzz-target', grant_types: ['client_credentials'] }),
    });
    expect(created.status, created.text).to.equal(201);
    const target = `${server.adminUrl}/admin/clients/fuzz-target`;
    const segment = fc.oneof(fc.constantFrom('metadata', 'a', '0', '-', '~0', '~1', '__proto__'), shortNasty);
    /** A JSON Pointer of 1 to 150,000 segments, mostly below /metadata where anything may be added. */
    const longPath = fc
      .tuple(fc.boolean(), fc.integer({ min: 1, max: 150_000 }), segment)
      .map(([underMetadata, n, s]) => {
        const token = s.replaceAll('~', '~0').replaceAll('/', '~1');
        return `${underMetadata ? '/metadata' : ''}${`/${token}`.repeat(n)}`;
      });
    const patchOp = fc.record({
      op: fc.constantFrom('add', 'replace', 'remove'),
      path: fc.oneof(longPath, fc.constantFrom('/metadata/x', '/client_name', '/metadata')),
      value: fc.oneof(hostileShape, wrongValue),
    });
    const hostile = fc.oneof(
      fc
        .array(patchOp, { minLength: 1, maxLength: 3 })
        .map((ops) =>
          printable({ method: 'PATCH', operationId: 'patchOAuth2Client', body: toJsonText(ops) }),
        ),
      fc.tuple(hostileShape, fc.constantFrom('PUT', 'POST')).map(([metadata, method]) =>
        printable({
          method,
          operationId: method === 'PUT' ? 'setOAuth2Client' : 'createOAuth2Client',
          body: toJsonText({ grant_types: ['client_credentials'], metadata }),
        }),
      ),
      hostileShape.map((keys) =>
        printable({ method: 'PUT', operationId: 'setJsonWebKeySet', body: toJsonText({ keys: [keys] }) }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async ({ method, operationId, body }) => {
        stats.cases++;
        const url =
          operationId === 'createOAuth2Client'
            ? `${server.adminUrl}/admin/clients`
            : operationId === 'setJsonWebKeySet'
              ? `${server.adminUrl}/admin/keys/fuzz-set`
              : target;
        const res = await send({
          operationId,
          url,
          method,
          headers: { 'content-type': 'application/json' },
          body,
        });
        const where = `${method} ${url} (${body?.length} bytes: ${body?.slice(0, 120)}) → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).to.be.below(500);
        const problem = contractProblem(method, url, res.status, res.type, res.body);
        if (problem) expect.fail(`${where}: ${problem}`);
      }),
      { numRuns: Math.max(50, Math.round(RUNS / 10)), seed: SEED, endOnFailure: true },
    );
    // The client is still there and readable.
    const read = await send({ operationId: 'getOAuth2Client', url: target, method: 'GET', headers: {} });
    expect(read.status, read.text).to.equal(200);
  });

  it('stores client strings and returns them byte-for-byte (or refuses them with a 400)', async () => {
    const text = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
      { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    );
    const stored = { kept: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          client_name: text,
          owner: text,
          contacts: fc.array(text, { maxLength: 3 }),
          metadata: fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 2 })), { maxKeys: 3 }),
        }),
        async (fields) => {
          const create = await send({
            operationId: 'createOAuth2Client',
            url: `${server.adminUrl}/admin/clients`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...fields, grant_types: ['client_credentials'] }),
          });
          if (create.status === 400) {
            // Only text that cannot be stored as sent may be refused: NUL, or a lone surrogate (not Unicode).
            expect(JSON.stringify(fields), create.text).to.match(
              /\\u0000|\\ud[89ab][0-9a-f]{2}|\\ud[c-f][0-9a-f]{2}|x{3000}|é{5000}/,
            );
            stored.refused++;
            return;
          }
          expect(create.status, create.text).to.equal(201);
          const id = (create.body as { client_id: string }).client_id;
          const read = await send({
            operationId: 'getOAuth2Client',
            url: `${server.adminUrl}/admin/clients/${encodeSegment(id)}`,
            method: 'GET',
            headers: {},
          });
          expect(read.status).to.equal(200);
          const got = read.body as typeof fields;
          expect(Buffer.from(got.client_name)).to.deep.equal(Buffer.from(fields.client_name));
          expect(Buffer.from(got.owner)).to.deep.equal(Buffer.from(fields.owner));
          expect(got.contacts ?? []).to.deep.equal(fields.contacts);
          expect(got.metadata).to.deep.equal(fields.metadata);
          stored.kept++;
        },
      ),
      { numRuns: Math.max(50, Math.round(RUNS / 4)), seed: SEED, endOnFailure: true },
    );
    console.log(
      `      round trip: ${stored.kept} clients kept byte-for-byte, ${stored.refused} refused with 400`,
    );
    expect(stored.kept).to.be.above(0);
  });
});

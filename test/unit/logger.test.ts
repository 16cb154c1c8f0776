// The logger's lines as Hydra's (logrus) look, so that log pipelines written for Hydra keep working, and its
// second line of defence: values under secret-bearing keys are censored, whatever the caller passed, in
// either format.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger, defaultLogFormat, type LogFormat } from '../../server/logger.js';

function capture(format: LogFormat = 'json', level = 'info') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger(level, { format, destination: sink }) };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('logger', () => {
  it('writes JSON lines with an ISO-8601 time, the message under msg, and logrus level names', () => {
    const { lines, logger } = capture('json', 'trace');
    const before = Date.now();
    logger.trace('t');
    logger.debug('d');
    logger.info({ client_id: 'app' }, 'i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => [p.level, p.msg])).to.deep.equal([
      ['trace', 't'],
      ['debug', 'd'],
      ['info', 'i'],
      ['warning', 'w'],
      ['error', 'e'],
      ['fatal', 'f'],
    ]);
    const after = Date.now();
    for (const p of parsed) {
      expect(p.time).to.match(ISO_TIME);
      // The moment it was logged, exactly as Date#toISOString writes it.
      const ms = Date.parse(p.time as string);
      expect(ms).to.be.within(before, after);
      expect(new Date(ms).toISOString()).to.equal(p.time);
    }
    expect(parsed[2]).to.include({ client_id: 'app', service: 'tollgate' });
  });

  it('writes logfmt text lines with log.format text, quoting values that need it', () => {
    const { lines, logger } = capture('text');
    logger.info(
      { public: 'http://127.0.0.1:4444', database: 'embedded PostgreSQL', n: 3 },
      'tollgate is listening',
    );
    logger.child({ request_id: 'r1' }).warn({ detail: { a: 1 }, quote: 'say "hi"' }, 'odd');
    logger.debug('below the level');
    expect(lines).to.have.length(2);
    const [first, second] = lines;
    expect(first).to.match(
      /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info msg="tollgate is listening" public=http:\/\/127\.0\.0\.1:4444 database="embedded PostgreSQL" n=3$/,
    );
    expect(second).to.match(
      / level=warning msg=odd request_id=r1 detail="{\\"a\\":1}" quote="say \\"hi\\""$/,
    );
  });

  it('defaults to text only for --dev on a terminal', () => {
    expect(defaultLogFormat(true, true)).to.equal('text');
    expect(defaultLogFormat(true, false)).to.equal('json');
    expect(defaultLogFormat(false, true)).to.equal('json');
    expect(defaultLogFormat(true, undefined)).to.equal('json');
  });

  for (const format of ['json', 'text'] as const) {
    it(`censors secret-bearing keys and keeps the rest (${format})`, () => {
      const { lines, logger } = capture(format);
      logger.info(
        {
          client_id: 'app',
          client_secret: 's3cret-value',
          access_token: 'ory_at_abc.def',
          token: 'ory_at_xyz.uvw',
          authorization: 'Basic YXBwOnMzY3JldA==',
          password: 'pw',
          secret: 'another',
          dsn: 'postgres://u:pw@db/hydra',
        },
        'test',
      );
      logger.child({ request_id: 'r1' }).info({ client_secret: 'child-secret', status: 200 }, 'child');
      expect(lines).to.have.length(2);
      const keys = ['client_secret', 'access_token', 'token', 'authorization', 'password', 'secret', 'dsn'];
      if (format === 'json') {
        const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(first).to.include({ client_id: 'app', msg: 'test' });
        for (const key of keys) expect(first?.[key], key).to.equal('[redacted]');
        expect(second).to.include({ request_id: 'r1', client_secret: '[redacted]', status: 200 });
      } else {
        for (const key of keys) expect(lines[0]).to.include(` ${key}=[redacted]`);
        expect(lines[1]).to.include(' request_id=r1 client_secret=[redacted] status=200');
      }
      expect(lines.join('\n')).to.not.match(/s3cret|ory_at_|YXBw|child-secret|u:pw/);
    });
  }
});

describe('logger bounds (issue 15: a request must not make a log line as large as itself)', () => {
  it('cuts long strings, long lists and deep nesting in every line, at any key', async () => {
    const { lines, logger } = capture();
    const huge = 'a'.repeat(1 << 20);
    logger.info(
      {
        client_id: huge,
        paths: Array.from({ length: 1000 }, () => huge),
        nested: { deeper: { deepest: { value: huge } } },
        status: 401,
        short: 'kept',
      },
      'audit',
    );
    logger.child({ request_id: 'r1' }).warn({ path: `/${huge}` }, 'request');
    await new Promise((r) => setImmediate(r));
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line.length).to.be.below(16_384);
    const [first, second] = lines.map((l) => JSON.parse(l)) as [Record<string, any>, Record<string, any>];
    expect(first.client_id).to.equal(`${'a'.repeat(256)}… (1048576 characters)`);
    expect(first.paths).to.have.length(33);
    expect(first.paths[32]).to.equal('… (1000 items)');
    expect(first.nested.deeper.deepest).to.equal('[…]');
    expect(first).to.include({ status: 401, short: 'kept', msg: 'audit' });
    expect(second.path).to.have.length.below(300);
  });
});

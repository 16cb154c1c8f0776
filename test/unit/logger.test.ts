// The logger's second line of defence: values under secret-bearing keys are censored, whatever the caller
// passed, while ordinary fields stay readable.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../server/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

describe('logger redaction', () => {
  it('censors secret-bearing keys and keeps the rest', async () => {
    const { lines, logger } = capture();
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
    await new Promise((r) => setImmediate(r));
    expect(lines).to.have.length(2);
    const [first, second] = lines;
    expect(first).to.include({ client_id: 'app', msg: 'test' });
    for (const key of [
      'client_secret',
      'access_token',
      'token',
      'authorization',
      'password',
      'secret',
      'dsn',
    ]) {
      expect(first?.[key], key).to.equal('[redacted]');
    }
    expect(second).to.include({ request_id: 'r1', client_secret: '[redacted]', status: 200 });
    expect(JSON.stringify(lines)).to.not.match(/s3cret|ory_at_|YXBw|child-secret|u:pw/);
  });
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
    for (const line of lines) expect(JSON.stringify(line).length).to.be.below(16_384);
    const [first, second] = lines as [Record<string, any>, Record<string, any>];
    expect(first.client_id).to.equal(`${'a'.repeat(256)}… (1048576 characters)`);
    expect(first.paths).to.have.length(33);
    expect(first.paths[32]).to.equal('… (1000 items)');
    expect(first.nested.deeper.deepest).to.equal('[…]');
    expect(first).to.include({ status: 401, short: 'kept', msg: 'audit' });
    expect(second.path).to.have.length.below(300);
  });
});

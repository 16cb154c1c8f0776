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

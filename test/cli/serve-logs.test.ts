// `tollgate serve`'s log lines as Hydra writes them, so that log pipelines written for Hydra keep working:
// JSON with an ISO-8601 `time` and logrus level names, or logrus's text form with `log.format: text`;
// `log.level` and `log.format` from the environment or the config file; readable text on a terminal.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BIN } from '../helpers/cli.js';
import { createDatabase } from '../helpers/postgres.js';
import { migrate } from '../helpers/server.js';
import { type ServerProcess, serverEnv, startServerProcess } from '../helpers/server-process.js';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TEXT_LINE =
  /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(trace|debug|info|warning|error|fatal) msg=/;
const UNGUARDED = /admin API listens beyond loopback without authentication/;

/** Stops the server (its last lines are written on the way out) and returns its log lines. */
async function logLines(served: ServerProcess): Promise<string[]> {
  expect(await served.stop(), served.stderr() + served.output()).to.equal(0);
  return served.output().split('\n').filter(Boolean);
}

describe('tollgate serve log lines (log.level, log.format)', function () {
  this.timeout(60_000);
  let dsn: string;

  before(async () => {
    dsn = await createDatabase('logs');
    await migrate(dsn);
  });

  it('writes JSON with an ISO-8601 time and logrus level names when stdout is not a terminal', async () => {
    // An admin port beyond loopback without tokens: a warning at start.
    const lines = await logLines(await startServerProcess(dsn, { env: { SERVE_ADMIN_HOST: '0.0.0.0' } }));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const entry of entries) {
      expect(entry.time, JSON.stringify(entry)).to.be.a('string').that.matches(ISO_TIME);
      expect(entry.level).to.be.oneOf(['trace', 'debug', 'info', 'warning', 'error', 'fatal']);
    }
    expect(entries.find((e) => e.msg === 'tollgate is listening')).to.include({ level: 'info' });
    expect(entries.find((e) => UNGUARDED.test(String(e.msg)))).to.include({ level: 'warning' });
  });

  it('writes logrus text lines with LOG_FORMAT=text', async () => {
    const lines = await logLines(await startServerProcess(dsn, { env: { LOG_FORMAT: 'text' } }));
    expect(lines).to.not.be.empty;
    for (const line of lines) expect(line).to.match(TEXT_LINE);
    expect(
      lines.some((l) => / level=info msg="tollgate is listening" public=http:\/\/127\.0\.0\.1:\d+ /.test(l)),
    ).to.be.true;
  });

  it('honours LOG_LEVEL: warning leaves out the info lines', async () => {
    const lines = await logLines(
      await startServerProcess(dsn, { env: { LOG_LEVEL: 'warning', SERVE_ADMIN_HOST: '0.0.0.0' } }),
    );
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => e.level)).to.deep.equal(['warning']);
    expect(entries[0]?.msg).to.match(UNGUARDED);
  });

  it('reads log.level and log.format from the config file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-logs-'));
    const file = join(dir, 'tollgate.yaml');
    await writeFile(file, 'log:\n  level: warning\n  format: text\n');
    const lines = await logLines(
      await startServerProcess(dsn, { args: ['-c', file], env: { SERVE_ADMIN_HOST: '0.0.0.0' } }),
    );
    expect(lines).to.have.length(1);
    expect(lines[0])
      .to.match(TEXT_LINE)
      .and.match(/ level=warning msg="the admin API listens beyond loopback/);
  });

  // `script` (util-linux) runs the server on a pseudo-terminal, as a person's shell would.
  (existsSync('/usr/bin/script') ? it : it.skip)(
    'prints readable text lines on a terminal under --dev',
    async () => {
      const command = [process.execPath, BIN, 'serve', 'all', '--dev'].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: serverEnv(dsn, { LOG_FORMAT: '' }),
        stdio: ['ignore', 'pipe', 'ignore'],
        // Its own process group, so that the server under `script` is stopped with it.
        detached: true,
      });
      let out = '';
      child.stdout.on('data', (c) => {
        out += String(c);
      });
      try {
        const started = Date.now();
        while (!/msg="tollgate is listening"/.test(out)) {
          if (child.exitCode !== null || Date.now() - started > 30_000)
            throw new Error(`no text line: ${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        process.kill(-child.pid!, 'SIGTERM');
        await once(child, 'exit');
      }
      const lines = out.split(/\r?\n/).filter((l) => l.startsWith('time='));
      expect(lines).to.not.be.empty;
      for (const line of lines) expect(line).to.match(TEXT_LINE);
      expect(out).to.not.include('{"level"');
    },
  );
});

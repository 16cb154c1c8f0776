// Issue 15, finding 1: unauthenticated requests must not grow the server's memory or its log. 300 token requests,
// each claiming a client id of about 1 MiB of random hex (the whole body within the 1 MiB form limit), used to
// add hundreds of MiB to the server's RSS for good (the id was a key of the lockout table and of the
// unknown-client cache) and write a 1 MiB audit line each. The server runs as its own process, so its RSS is
// read from /proc/<pid>/status alone.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { createDatabase } from '../helpers/postgres.js';
import { migrate } from '../helpers/server.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

const BODY_BYTES = 1024 * 1024;
const REQUESTS = 300;
const CONCURRENCY = 8;

function rssMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kib) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib[1]) / 1024;
}

/** A token request whose body is exactly 1 MiB, nearly all of it the claimed client id. */
function hugeIdBody(): string {
  const head = 'grant_type=client_credentials&client_id=';
  const tail = '&client_secret=x';
  const id = randomBytes(BODY_BYTES)
    .toString('hex')
    .slice(0, BODY_BYTES - head.length - tail.length);
  return head + id + tail;
}

async function send(server: ServerProcess, count: number): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await fetch(new URL('/oauth2/token', server.server.publicUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: hugeIdBody(),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

describe('memory exhaustion through huge client ids (issue 15, finding 1)', function () {
  this.timeout(300_000);
  let server: ServerProcess;

  before(async () => {
    const dsn = await createDatabase();
    await migrate(dsn);
    server = await startServerProcess(dsn);
  });
  after(() => server?.stop());

  it(`${REQUESTS} requests with 1 MiB client ids add less than 64 MiB of RSS and no long log lines`, async () => {
    const pid = server.child.pid!;
    // Warm up the paths and buffers large bodies use, so the baseline includes them.
    await send(server, 20);
    const before = rssMiB(pid);

    let bytes = 0;
    let longest = 0;
    let partial = 0;
    const count = (chunk: Buffer) => {
      bytes += chunk.length;
      for (let start = 0; ; ) {
        const end = chunk.indexOf(10, start);
        if (end === -1) {
          partial += chunk.length - start;
          break;
        }
        longest = Math.max(longest, partial + end - start);
        partial = 0;
        start = end + 1;
      }
    };
    server.child.stdout!.on('data', count);
    const statuses = await send(server, REQUESTS);
    const after = rssMiB(pid);
    server.child.stdout!.off('data', count);

    expect(new Set(statuses)).to.deep.equal(new Set([401]));
    expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`).to.be.below(64);
    // A request line and an audit line per request, each with at most a 256-character client id.
    expect(longest, 'longest log line (bytes)').to.be.below(2048);
    expect(bytes, 'log bytes written').to.be.below(REQUESTS * 4096);
  });
});

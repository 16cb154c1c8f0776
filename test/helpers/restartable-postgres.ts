// A PostgreSQL of its own that a fault test can really stop and start again: same data directory, same port,
// so the server under test keeps its DSN and has to find its way back by itself.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedDatabase, startEmbedded } from '../../server/storage/embedded.js';

export interface RestartablePostgres {
  /** postgres://… of the `tollgate` database; stays the same across restarts. */
  dsn: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) the postmaster and every backend: a database that accepts TCP
   * connections but never answers, the case only timeouts can bound.
   */
  freeze(): void;
  thaw(): void;
  /** Stops (if running) and deletes the data directory. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-fault-pg-'));
  const port = await freePort();
  let running: EmbeddedDatabase | undefined = await startEmbedded({ persistentDir: dir, port });
  const dsn = running.connectionString;
  return {
    dsn,
    async stop() {
      await running?.stop();
      running = undefined;
    },
    async start() {
      running = await startEmbedded({ persistentDir: dir, port });
      if (running.connectionString !== dsn) throw new Error('the restarted PostgreSQL has another DSN');
    },
    freeze() {
      signalCluster(dir, 'SIGSTOP');
    },
    thaw() {
      signalCluster(dir, 'SIGCONT');
    },
    async destroy() {
      signalCluster(dir, 'SIGCONT');
      await running?.stop();
      running = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sends a signal to the postmaster whose command line names `dir`, and to all of its children. */
function signalCluster(dir: string, signal: NodeJS.Signals) {
  const pgrep = (...args: string[]) => {
    try {
      return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  for (const postmaster of pgrep('-f', `${dir}/pgdata`)) {
    for (const pid of [postmaster, ...pgrep('-P', String(postmaster))]) {
      try {
        process.kill(pid, signal);
      } catch {}
    }
  }
}

// A PostgreSQL of its own that a fault test can really stop and start again: same data directory, same port,
// so the server under test keeps its DSN and has to find its way back by itself.
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
    async destroy() {
      await running?.stop();
      running = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

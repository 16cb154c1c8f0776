// `serve --workers N`: N server processes (node:cluster) sharing the listening ports, so every core runs
// JavaScript. The primary only supervises: it owns an embedded database when there is one (a single
// PostgreSQL for all workers) and the --dev system secret, hands both to the workers through the environment,
// restarts a worker that dies, and on SIGTERM/SIGINT stops the workers (each drains its requests) and then the
// database. Workers share nothing else: caches stay correct through PostgreSQL notifications, as between
// replicas.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { devSecret } from '../dev-secret.js';
import { openDatabase, type Progress } from '../storage/database.js';
import { connectionStringOf } from '../storage/knex.js';

export const isWorker = () => cluster.isWorker;

export async function runPrimary(
  config: Config,
  workers: number,
  logger: Logger,
  progress?: Progress,
): Promise<void> {
  const env: Record<string, string> = {};
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  if (config.secretsSystem.length === 0) env.SECRETS_SYSTEM = (await devSecret()).secret;
  if (config.dsn === undefined || config.dsn === 'memory') {
    database = await openDatabase(
      config.dsn,
      (level, message) => logger[level]({ component: 'database' }, message),
      progress,
    );
    env.DSN = connectionStringOf(database.knex);
  }

  let stopping = false;
  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ worker: worker.id, code, signal }, 'a worker exited; starting another');
      setTimeout(fork, 1000);
    });
    return worker;
  };
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers }, 'serving with worker processes');

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the workers');
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(
      running.map((w) => {
        const exited = once(w, 'exit');
        w.process.kill('SIGTERM');
        return exited;
      }),
    );
    await database?.close();
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

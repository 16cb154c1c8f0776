// What `tollgate serve` does: load the configuration, start the server (or the worker processes), stop on
// SIGTERM/SIGINT. Loaded only when `serve` runs.
import { loadConfig } from '../config.js';
import { createLogger, defaultLogFormat } from '../logger.js';
import { type Role, startServer } from '../start-server.js';
import type { ServeOptions } from './serve.js';
import { UsageError } from './usage-error.js';
import { isWorker, runPrimary } from './workers.js';

export async function runServe(role: Role, options: ServeOptions) {
  const workers = options.workers === undefined ? 1 : Number(options.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new UsageError('--workers must be an integer between 1 and 256');
  }
  // An invalid configuration is an error like any other: the entry point prints it and exits with 1.
  const config = loadConfig({ configFile: options.config, dev: options.dev ?? false });
  const logger = createLogger(config.logLevel, {
    format: config.logFormat ?? defaultLogFormat(config.dev, process.stdout.isTTY),
  });
  // Human lines on stderr, apart from the log: what a slow first start is doing, and where its data lives.
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (config.ignoredKeys.length > 0) {
    logger.warn({ keys: config.ignoredKeys }, 'configuration keys Tollgate does not use were ignored');
  }
  if (workers > 1 && !isWorker()) {
    await runPrimary(config, workers, logger, progress);
    return;
  }
  const server = await startServer(config, role, logger, progress);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const forced = setTimeout(() => process.exit(1), 20_000);
    forced.unref();
    try {
      await server.close();
      logger.info('stopped');
      logger.flush?.();
      process.exit(0);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // A human-readable line on stderr besides the log, so `npm start` says where it listens. Written only now
  // that a signal stops the server gracefully: before process.on('SIGTERM'), a SIGTERM kills the process
  // outright, and whoever waits for this line may send one at once.
  const where = [
    server.publicUrl && `public API ${server.publicUrl}`,
    server.adminUrl && `admin API ${server.adminUrl}`,
  ]
    .filter(Boolean)
    .join(', ');
  process.stderr.write(`Tollgate is listening: ${where}\n`);
  // Since the process started (performance's time origin), module loading included.
  progress(`ready in ${(performance.now() / 1000).toFixed(1)} s`);
}

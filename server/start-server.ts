// serve: load config → open the database → build the container → listen on the public and admin ports →
// stop gracefully (stop accepting, finish in-flight requests, close the pool, stop an embedded database).
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { buildContainer } from './container.js';
import { devSecret } from './dev-secret.js';
import { clientErrorHandler } from './http/error-handler.js';
import { openDatabase, type Progress } from './storage/database.js';

export type Role = 'all' | 'public' | 'admin';

export interface RunningServer {
  publicUrl?: string;
  adminUrl?: string;
  close(): Promise<void>;
}

/** Time a stopping server gives in-flight requests before it closes their connections. */
const DRAIN_MS = 10_000;

/** True for host names and addresses that only the local machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startServer(
  config: Config,
  role: Role,
  logger: Logger,
  progress?: Progress,
): Promise<RunningServer> {
  if (config.secretsSystem.length === 0) {
    const dev = await devSecret();
    logger.warn(
      { file: dev.file },
      dev.created
        ? 'SECRETS_SYSTEM is not set: generated a system secret for --dev; set SECRETS_SYSTEM in production'
        : 'SECRETS_SYSTEM is not set: using the --dev system secret kept beside the embedded database',
    );
    config = { ...config, secretsSystem: [dev.secret] };
  }
  const database = await openDatabase(
    config.dsn,
    (level, message) => logger[level]({ component: 'database' }, message),
    progress,
  );
  const container = buildContainer(config, database.knex, logger);
  await container.start();
  const servers: Server[] = [];
  const listen = async (app: Parameters<typeof createServer>[1], host: string, port: number) => {
    const { headersMs, requestMs, idleMs } = config.protection.timeouts;
    const server = createServer(
      {
        // Bounds against slow clients (slowloris): whole headers, then the whole request, within these times;
        // an idle keep-alive connection is closed. Node checks them every connectionsCheckingInterval (30 s by
        // default, too coarse for a 10 s bound).
        headersTimeout: headersMs,
        requestTimeout: requestMs,
        keepAliveTimeout: idleMs,
        connectionsCheckingInterval: Math.min(1_000, headersMs),
      },
      app,
    );
    server.on('clientError', clientErrorHandler);
    server.listen(port, host || undefined);
    await once(server, 'listening');
    servers.push(server);
    const address = server.address() as AddressInfo;
    const shown = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
  };

  const running: RunningServer = {
    async close() {
      // Waited for before close(): once closing, `listening` is false and the in-flight requests would be
      // cut off by the pool and the process exit.
      const drained = Promise.all(servers.map((s) => (s.listening ? once(s, 'close') : Promise.resolve())));
      for (const server of servers) server.close();
      // A keep-alive connection becomes idle once its in-flight response is sent: close it then, not after the
      // keep-alive timeout.
      const idle = setInterval(() => {
        for (const server of servers) server.closeIdleConnections();
      }, 50);
      for (const server of servers) server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const server of servers) server.closeAllConnections();
      }, DRAIN_MS);
      await drained;
      clearTimeout(timer);
      clearInterval(idle);
      await container.close();
      await database.close();
    },
  };
  try {
    if (role !== 'admin') {
      running.publicUrl = await listen(
        container.publicApp,
        config.serve.public.host,
        config.serve.public.port,
      );
    }
    if (role !== 'public') {
      running.adminUrl = await listen(container.adminApp, config.serve.admin.host, config.serve.admin.port);
    }
  } catch (err) {
    await running.close();
    throw err;
  }
  container.listening({ publicUrl: running.publicUrl, adminUrl: running.adminUrl });
  if (
    running.adminUrl &&
    config.protection.adminTokens.length === 0 &&
    !isLoopback(config.serve.admin.host)
  ) {
    logger.warn(
      { host: config.serve.admin.host || '0.0.0.0' },
      'the admin API listens beyond loopback without authentication: anyone who reaches it can manage clients and keys; set SERVE_ADMIN_AUTH_TOKENS or bind SERVE_ADMIN_HOST to 127.0.0.1',
    );
  }
  logger.info(
    {
      public: running.publicUrl,
      admin: running.adminUrl,
      database: database.description,
      issuer: config.issuer,
    },
    'tollgate is listening',
  );
  return running;
}

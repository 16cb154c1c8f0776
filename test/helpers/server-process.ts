// A Tollgate server as a separate process (`bin/tollgate.js serve all`), on 127.0.0.1 with random ports, for tests
// about several replicas or worker processes on one PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN } from './cli.js';
import type { TestServer } from './server.js';
import { TEST_SECRET } from './server.js';

export interface ServerProcess {
  /** Enough of a TestServer for `call` and the OAuth 2.0 helpers. */
  server: TestServer;
  child: ChildProcess;
  /** Standard output: the log lines. */
  output(): string;
  /** Standard error: the human lines (progress, "Tollgate is listening"). */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** The environment of a test server process: this one's, with the settings below. */
export function serverEnv(dsn: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DSN: _dsn, ...inherited } = process.env;
  return {
    ...inherited,
    DSN: dsn,
    SECRETS_SYSTEM: TEST_SECRET,
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: '0',
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_ADMIN_PORT: '0',
    URLS_SELF_ISSUER: 'http://127.0.0.1:4444/',
    OAUTH2_HASHERS_PBKDF2_ITERATIONS: '1000',
    ...env,
  };
}

export async function startServerProcess(
  dsn: string,
  options: { args?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', 'all', '--dev', ...(options.args ?? [])], {
    env: serverEnv(dsn, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  let stderr = '';
  const urls = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 60_000);
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
      const m = /public API (\S+), admin API (\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve([m[1]!, m[2]!]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}`));
    });
  });
  return {
    server: { publicUrl: urls[0], adminUrl: urls[1], dsn, logs: [] } as unknown as TestServer,
    child,
    output: () => output,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

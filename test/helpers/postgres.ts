// A fresh, migrated database per test suite, inside the run's embedded PostgreSQL (global.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function serverUrl(): string {
  const url = process.env.TOLLGATE_TEST_POSTGRES;
  if (!url) throw new Error('the mocha global fixture (test/helpers/global.ts) did not start PostgreSQL');
  return url;
}

/** Creates an empty database and returns its postgres:// URL. */
export async function createDatabase(prefix = 'test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

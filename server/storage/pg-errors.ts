// The only translator of database errors into domain errors (Hydra: sqlcon.HandleError).
import { BadRequestError, ConflictError, TemporarilyUnavailable } from '../oauth2/errors.js';

/**
 * SQLSTATE classes and Node socket codes that mean "the database is not there right now": connection exception,
 * invalid authorization (a wrong password), insufficient resources, shutdown, no such database.
 */
const UNAVAILABLE_SQLSTATE = /^(08|28|53|57P0[1-3]|3D000)/;
const UNAVAILABLE_NODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function translatePgError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (code === '23505') return new ConflictError();
  // Class 22 (data exception: bad encoding, value too long, …) and 54000 (a value too large for an index, such
  // as a client_name of several kilobytes): the request carried a value PostgreSQL cannot store. A 400.
  if (typeof code === 'string' && (/^22/.test(code) || code === '54000')) {
    return new BadRequestError('A value of the request is too large or cannot be stored.');
  }
  // 42P01: a table is missing, i.e. migrations have not run yet; /health/ready says so too.
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE.has(code) || code === '42P01')
  ) {
    return new TemporarilyUnavailable('The database is unavailable.');
  }
  if (
    err.name === 'KnexTimeoutError' ||
    /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error|Query read timeout|Client was closed/.test(
      err.message,
    )
  ) {
    return new TemporarilyUnavailable('The database is unavailable.');
  }
  return err;
}

/** Runs a storage operation and rethrows its errors as domain errors. */
export async function pg<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw translatePgError(err);
  }
}

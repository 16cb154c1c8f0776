// What runs a client-side command: the SDK client for the chosen port, output, and one-line errors. Loaded only
// when such a command runs (see remote.ts for the flags).
import {
  type AdminClient,
  createAdminClient,
  createPublicClient,
  NetworkError,
  OAuth2ApiError,
  type PublicClient,
  type PublicClientOptions,
} from '../../sdk/index.js';
import { type Printable, print } from './output.js';
import { type Port, type RemoteOptions, URL_ENV } from './remote.js';
import { UsageError } from './usage-error.js';

export function endpoint(options: RemoteOptions, port: Port): string {
  const fromEnv = URL_ENV[port].map((name) => process.env[name]).find((value) => value);
  const url = options.endpoint ?? fromEnv;
  if (!url) {
    throw new UsageError(`no ${port} API URL: pass --endpoint or set ${URL_ENV[port][0]}`);
  }
  try {
    new URL(url);
  } catch {
    throw new UsageError(
      `--endpoint ${JSON.stringify(url)} is not a URL (for example http://127.0.0.1:4445)`,
    );
  }
  return url;
}

export function headers(options: RemoteOptions): Headers {
  const result = new Headers();
  for (const header of options.httpHeader ?? []) {
    const colon = header.indexOf(':');
    if (colon < 1) throw new UsageError(`--http-header ${JSON.stringify(header)} is not 'Name: value'`);
    result.append(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
  }
  return result;
}

export function adminClient(options: RemoteOptions): AdminClient {
  return createAdminClient({
    baseUrl: endpoint(options, 'admin'),
    headers: headers(options),
    token: options.token ?? process.env.TOLLGATE_ADMIN_TOKEN,
  });
}

export function publicClient(options: RemoteOptions, client?: PublicClientOptions['client']): PublicClient {
  return createPublicClient({ baseUrl: endpoint(options, 'public'), headers: headers(options), client });
}

/** Prints a result in the chosen format. */
export function output(options: RemoteOptions, value: Printable) {
  process.stdout.write(print(value, options.format, options.quiet === true));
}

/** One line for stderr saying what went wrong, without a stack trace. */
export function explain(err: unknown): string {
  if (err instanceof OAuth2ApiError) {
    const description = err.body.error_description ? `: ${err.body.error_description}` : '';
    return `the server answered ${err.status}: ${err.body.error ?? 'error'}${description}`;
  }
  if (err instanceof NetworkError) return `could not reach the server: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a command action; a failure becomes a one-line error (printed by the CLI's entry point): a usage error
 * keeps its class (exit code 2), anything else exits with 1.
 */
export function action<Args extends unknown[]>(run: (...args: Args) => Promise<void>) {
  return async (...args: Args) => {
    try {
      await run(...args);
    } catch (err) {
      throw err instanceof UsageError ? err : new Error(explain(err));
    }
  };
}

/**
 * Tries `attempt` on each item in turn, as Hydra's bulk commands do: a failure does not stop the others. What
 * succeeded is handed to `print`; the failures (`failure(item)`, then why) are then reported together (exit code 1).
 */
export async function tryEach<T, R>(
  items: readonly T[],
  attempt: (item: T) => Promise<R>,
  failure: (item: T) => string,
  print: (done: R[]) => void,
) {
  const done: R[] = [];
  const failed: string[] = [];
  for (const item of items) {
    try {
      done.push(await attempt(item));
    } catch (err) {
      failed.push(`${failure(item)}: ${explain(err)}`);
    }
  }
  if (done.length) print(done);
  if (failed.length) throw new Error(failed.join('\n'));
}

/**
 * Deletes each id in turn. Like Hydra's `delete client`, every id is tried; the deleted ones are printed under
 * `header`, and the failures are reported together (exit code 1).
 */
export function deleteEach(
  options: RemoteOptions,
  ids: string[],
  what: string,
  header: string,
  remove: (id: string) => Promise<unknown>,
) {
  return tryEach(
    ids,
    async (id) => {
      await remove(id);
      return id;
    },
    (id) => `cannot delete ${what} ${id}`,
    (deleted) =>
      output(options, {
        data: deleted,
        table: { header: [header], rows: deleted.map((id) => [id]) },
        ids: deleted,
      }),
  );
}

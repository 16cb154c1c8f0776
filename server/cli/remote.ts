// What every client-side command shares (Hydra's global flags): where the API is (`-e, --endpoint`, else an
// environment variable), how output is printed (`--format`, `-q`), extra headers (`-H`) and the admin bearer
// token (`--token`). The commands talk to the server only through the SDK, like any other service would.
import { type Command, Option } from 'commander';
import {
  type AdminClient,
  createAdminClient,
  createPublicClient,
  NetworkError,
  OAuth2ApiError,
  type PublicClient,
  type PublicClientOptions,
} from '../../sdk/index.js';
import { FORMATS, type Format, type Printable, print } from './output.js';

export interface RemoteOptions {
  endpoint?: string;
  format: Format;
  quiet?: boolean;
  httpHeader?: string[];
  token?: string;
}

type Port = 'admin' | 'public';

/** Environment variables read for the URL, in order: Tollgate's name first, then Hydra's (ORY_SDK_URL). */
export const URL_ENV: Record<Port, string[]> = {
  admin: ['TOLLGATE_ADMIN_URL', 'ORY_SDK_URL'],
  public: ['TOLLGATE_PUBLIC_URL', 'ORY_SDK_URL'],
};

/** Adds the shared flags to a command that talks to the given port. */
export function remoteCommand(cmd: Command, port: Port): Command {
  cmd
    .option(
      '-e, --endpoint <url>',
      `the ${port} API URL (default: $${URL_ENV[port].join(', else $')}), e.g. http://127.0.0.1:${port === 'admin' ? 4445 : 4444}`,
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(FORMATS).default('table' satisfies Format),
    )
    .option('-q, --quiet', 'print only ids (clients) or tokens')
    .option(
      '-H, --http-header <header>',
      "an extra HTTP header, as 'Name: value' (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    );
  if (port === 'admin')
    cmd.option('--token <token>', 'admin API bearer token (default: $TOLLGATE_ADMIN_TOKEN)');
  return cmd;
}

function endpoint(options: RemoteOptions, port: Port): string {
  const fromEnv = URL_ENV[port].map((name) => process.env[name]).find((value) => value);
  const url = options.endpoint ?? fromEnv;
  if (!url) {
    throw new Error(`no ${port} API URL: pass --endpoint or set ${URL_ENV[port][0]}`);
  }
  try {
    new URL(url);
  } catch {
    throw new Error(`--endpoint ${JSON.stringify(url)} is not a URL (for example http://127.0.0.1:4445)`);
  }
  return url;
}

function headers(options: RemoteOptions): Headers {
  const result = new Headers();
  for (const header of options.httpHeader ?? []) {
    const colon = header.indexOf(':');
    if (colon < 1) throw new Error(`--http-header ${JSON.stringify(header)} is not 'Name: value'`);
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

/** Runs a command action; a failure becomes a one-line error (printed by the CLI's entry point) and exit code 1. */
export function action<Args extends unknown[]>(run: (...args: Args) => Promise<void>) {
  return async (...args: Args) => {
    try {
      await run(...args);
    } catch (err) {
      throw new Error(explain(err));
    }
  };
}

/** The command named `name` under `parent`, created if another module has not made it yet (`create`, `get` …). */
export function group(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}

/** Hydra's list flags accept `a,b` and repeated flags alike. */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

// What every client-side command shares (Hydra's global flags): where the API is (`-e, --endpoint`, else an
// environment variable), how output is printed (`--format`, `-q`), extra headers (`-H`) and the admin bearer
// token (`--token`). This module only declares commands; what runs them is in remote-client.ts, loaded when a
// command runs, so that `--help` loads neither the SDK nor anything else.
import { type Command, Option } from 'commander';

export const FORMATS = ['table', 'json', 'json-pretty', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

export interface RemoteOptions {
  endpoint?: string;
  format: Format;
  quiet?: boolean;
  httpHeader?: string[];
  token?: string;
}

export type Port = 'admin' | 'public';

/** Environment variables read for the URL, in order: Tollgate's name first, then Hydra's (ORY_SDK_URL). */
export const URL_ENV: Record<Port, string[]> = {
  admin: ['TOLLGATE_ADMIN_URL', 'ORY_SDK_URL'],
  public: ['TOLLGATE_PUBLIC_URL', 'ORY_SDK_URL'],
};

/** Adds the shared flags to a command that talks to the given port. */
export function remoteCommand(cmd: Command, port: Port, defaults: { format?: Format } = {}): Command {
  cmd
    .option(
      '-e, --endpoint <url>',
      `the ${port} API URL (default: $${URL_ENV[port].join(', else $')}), e.g. http://127.0.0.1:${port === 'admin' ? 4445 : 4444}`,
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(FORMATS)
        .default(defaults.format ?? ('table' satisfies Format)),
    )
    .option('-q, --quiet', 'print only ids (clients, keys) or tokens')
    .option(
      '-H, --http-header <header>',
      "an extra HTTP header, as 'Name: value' (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    );
  if (port === 'admin')
    cmd.option('--token <token>', 'admin API bearer token (default: $TOLLGATE_ADMIN_TOKEN)');
  return cmd;
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

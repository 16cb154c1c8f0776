// What the container's healthcheck shares with config.ts, in a module of its own so that the check, run every
// few seconds, does not load the configuration's YAML parser.

/** A key's environment variable, Hydra's naming: upper-cased, `.` → `_` (urls.self.issuer → URLS_SELF_ISSUER). */
export const envName = (key: string) => key.toUpperCase().replaceAll('.', '_');

/** Hydra's default ports for `serve.public.port` and `serve.admin.port`. */
export const DEFAULT_PORTS = { public: 4444, admin: 4445 } as const;

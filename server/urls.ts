// Endpoint URLs under a configured base URL (`urls.self.public`), which may or may not end with a slash; shared
// by config, wiring and domain code so that every endpoint is joined the same way.

/** `path` (relative, no leading slash) under `base`, keeping base's own path: `https://h/hydra` + `oauth2/token`. */
export function endpointUrl(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : `${base}/`).href;
}

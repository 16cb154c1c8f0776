// The route table of one app: each operation it serves with its paths (the contract's, and the aliases the app
// adds), and what the contract's extensions say about it (contract.ts). Express mounting (operations.ts), the
// fast path, the hooks and the error handler all read it, so no other file lists paths.
import type { Contract, ErrorStyle, Operation } from './contract.js';
import type { Handler, Handlers, OperationId } from './operations.js';

export interface Route {
  operation: Operation;
  handler: Handler<OperationId>;
  /** Paths as written in the contract (`{id}` parameters), the contract's first. */
  paths: readonly string[];
}

/** What the operations served at one path without parameters share, for the hooks before the router. */
export interface PathRoute {
  /** No operation here needs admin authentication (the health checks: `security: []`). */
  readonly open: boolean;
  /** The operations' error style: one per path, since a malformed body is refused before the method counts. */
  readonly errorStyle: ErrorStyle;
}

export interface RouteTable {
  readonly routes: readonly Route[];
  /** The route of a path as the router matches it (a trailing slash ignored), or undefined. */
  find(path: string): PathRoute | undefined;
  /** How errors to a request for this path are worded: its route's style, else `unmatchedStyle`'s. */
  errorStyle(path: string): ErrorStyle;
}

const directory = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/**
 * The one rule for a path no route of the table finds (an unknown path, or one with parameters, which `find`
 * does not match): the style of the nearest directory above it that holds a path of the contract or of the
 * app, `admin` when that directory mixes styles or no directory holds any. So a malformed body sent to an
 * unknown `/oauth2/…` or `/admin/oauth2/…` path is refused as the OAuth 2.0 endpoints refuse one, on either
 * port, and the 404 that follows a readable body is the router's (error-handler.ts `notFoundHandler`).
 */
function unmatchedStyle(paths: Iterable<readonly [string, ErrorStyle]>): (path: string) => ErrorStyle {
  const byDirectory = new Map<string, ErrorStyle>();
  for (const [path, style] of paths) {
    const dir = directory(path);
    byDirectory.set(dir, byDirectory.get(dir) === 'admin' ? 'admin' : style);
  }
  return (path) => {
    for (let dir = directory(path); dir !== ''; dir = directory(dir.slice(0, -1))) {
      const style = byDirectory.get(dir);
      if (style) return style;
    }
    return 'admin';
  };
}

export function routeTable(
  contract: Contract,
  handlers: Handlers,
  aliases: (path: string) => string[] = () => [],
): RouteTable {
  const routes: Route[] = [];
  const byPath = new Map<string, { -readonly [K in keyof PathRoute]: PathRoute[K] }>();
  const styles = new Map<string, ErrorStyle>();
  for (const [operationId, handler] of Object.entries(handlers) as [OperationId, Handler<OperationId>][]) {
    const operation = contract.operations.get(operationId);
    if (!operation) throw new Error(`handler ${operationId} has no operation in openapi.yaml`);
    const paths = [operation.path, ...aliases(operation.path)];
    routes.push({ operation, handler, paths });
    for (const path of paths) {
      if ((styles.get(path) ?? operation.errorStyle) !== operation.errorStyle) {
        throw new Error(`${path}: its operations declare different x-tollgate-error-style values`);
      }
      styles.set(path, operation.errorStyle);
      if (path.includes('{')) continue;
      const entry = byPath.get(path) ?? { open: true, errorStyle: operation.errorStyle };
      entry.open &&= !operation.adminAuth;
      byPath.set(path, entry);
    }
  }
  const unmatched = unmatchedStyle([
    ...[...contract.operations.values()].map((o) => [o.path, o.errorStyle] as const),
    ...styles,
  ]);
  // The router is not strict about a trailing slash, so neither are the hooks.
  const find = (path: string) => byPath.get(path) ?? byPath.get(path.replace(/(.)\/+$/, '$1'));
  return {
    routes,
    find,
    errorStyle: (path) => find(path)?.errorStyle ?? unmatched(path),
  };
}

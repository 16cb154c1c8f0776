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

/** What the operations served at one path share, for the hooks before the router and the router's 405s. */
export interface PathRoute {
  /** No operation here needs admin authentication (the health checks: `security: []`). */
  readonly open: boolean;
  /** The operations' error style: one per path, since a malformed body is refused before the method counts. */
  readonly errorStyle: ErrorStyle;
  /** The Allow header of a 405 here: the operations' methods, HEAD with GET, and OPTIONS. */
  readonly allow: string;
  /** An operation here is `x-tollgate-cors: client`, so a preflight may be admitted by a client's origins. */
  readonly cors: boolean;
}

export interface RouteTable {
  readonly routes: readonly Route[];
  /** Every path the app serves (as in the contract, `{id}` parameters), with what its operations share. */
  readonly paths: ReadonlyMap<string, PathRoute>;
  /** The route of a path as the router matches it (parameters filled, a trailing slash ignored), or undefined. */
  find(path: string): PathRoute | undefined;
  /** How errors to a request for a path `find` does not know are worded. */
  unmatchedStyle(path: string): ErrorStyle;
  /** How errors to a request for this path are worded: its route's style, else `unmatchedStyle`'s. */
  errorStyle(path: string): ErrorStyle;
}

const directory = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/**
 * The one rule for a path no route of the table finds (an unknown path): the style of the nearest directory
 * below the root that holds a path of the contract or of the app, `admin` when that directory mixes styles or
 * no directory holds any. So a malformed body sent to an unknown `/oauth2/…` or `/admin/oauth2/…` path is
 * refused as the OAuth 2.0 endpoints refuse one, on either port, and the 404 that follows a readable body is
 * the router's (error-handler.ts `notFoundHandler`). The root's own paths (`/userinfo`) and the browser pages
 * (`html`) say nothing about their neighbours: an unknown path is never a page, and never a JSON API because
 * `/userinfo` is one.
 */
function unmatchedStyle(paths: Iterable<readonly [string, ErrorStyle]>): (path: string) => ErrorStyle {
  const byDirectory = new Map<string, ErrorStyle>();
  for (const [path, style] of paths) {
    const dir = directory(path);
    if (dir === '/' || style === 'html') continue;
    const seen = byDirectory.get(dir);
    byDirectory.set(dir, seen === undefined || seen === style ? style : 'admin');
  }
  return (path) => {
    for (let dir = directory(path); dir !== ''; dir = directory(dir.slice(0, -1))) {
      const style = byDirectory.get(dir);
      if (style) return style;
    }
    return 'admin';
  };
}

/**
 * The paths with parameters, one segment per level: a `{name}` segment matches any non-empty segment, as the
 * router's `:name` does, a literal segment is tried first.
 */
class Segments {
  private readonly literal = new Map<string, Segments>();
  private param: Segments | undefined;
  private route: PathRoute | undefined;

  add(path: string, route: PathRoute) {
    let node: Segments = this;
    for (const segment of path.split('/').slice(1)) {
      if (segment.startsWith('{')) {
        node.param ??= new Segments();
        node = node.param;
      } else {
        const next = node.literal.get(segment) ?? new Segments();
        node.literal.set(segment, next);
        node = next;
      }
    }
    node.route = route;
  }

  /** `segments` is a path split at `/`: its first (empty) element is skipped. */
  match(segments: readonly string[], index = 1): PathRoute | undefined {
    if (index === segments.length) return this.route;
    const segment = segments[index] as string;
    if (segment === '') return undefined;
    return this.literal.get(segment)?.match(segments, index + 1) ?? this.param?.match(segments, index + 1);
  }
}

export function routeTable(
  contract: Contract,
  handlers: Handlers,
  aliases: (path: string) => string[] = () => [],
): RouteTable {
  const routes: Route[] = [];
  const byPath = new Map<
    string,
    { open: boolean; errorStyle: ErrorStyle; methods: Set<string>; cors: boolean }
  >();
  for (const [operationId, handler] of Object.entries(handlers) as [OperationId, Handler<OperationId>][]) {
    const operation = contract.operations.get(operationId);
    if (!operation) throw new Error(`handler ${operationId} has no operation in openapi.yaml`);
    const paths = [operation.path, ...aliases(operation.path)];
    routes.push({ operation, handler, paths });
    for (const path of paths) {
      const entry = byPath.get(path) ?? {
        open: true,
        errorStyle: operation.errorStyle,
        methods: new Set(['OPTIONS']),
        cors: false,
      };
      if (entry.errorStyle !== operation.errorStyle) {
        throw new Error(`${path}: its operations declare different x-tollgate-error-style values`);
      }
      entry.open &&= !operation.adminAuth;
      entry.cors ||= operation.cors;
      // A known path with another method: 405 with Allow, as Hydra v25's router (Go ServeMux) answers.
      entry.methods.add(operation.method.toUpperCase());
      if (operation.method === 'get') entry.methods.add('HEAD');
      byPath.set(path, entry);
    }
  }
  const paths = new Map<string, PathRoute>();
  const exact = new Map<string, PathRoute>();
  const templated = new Segments();
  for (const [path, { open, errorStyle, methods, cors }] of byPath) {
    const route: PathRoute = { open, errorStyle, allow: [...methods].sort().join(', '), cors };
    paths.set(path, route);
    if (path.includes('{')) templated.add(path, route);
    else exact.set(path, route);
  }
  const unmatched = unmatchedStyle([
    ...[...contract.operations.values()].map((o) => [o.path, o.errorStyle] as const),
    ...[...paths].map(([path, route]) => [path, route.errorStyle] as const),
  ]);
  // The router is not strict about a trailing slash, so neither are the hooks.
  const find = (path: string) => {
    const route = exact.get(path);
    if (route) return route;
    const trimmed = path.replace(/(.)\/+$/, '$1');
    return exact.get(trimmed) ?? templated.match(trimmed.split('/'));
  };
  return {
    routes,
    paths,
    find,
    unmatchedStyle: unmatched,
    errorStyle: (path) => find(path)?.errorStyle ?? unmatched(path),
  };
}

// The route table of one app: each operation it serves with its paths (the contract's, and the aliases the app
// adds), and what the contract's extensions say about it (contract.ts). Express mounting (operations.ts), the
// fast path and the hooks all read it, so no other file lists paths.
import type { Contract, Method, Operation } from './contract.js';
import type { Handler, Handlers, OperationId } from './operations.js';

export interface Route {
  operation: Operation;
  handler: Handler<OperationId>;
  /** Paths as written in the contract (`{id}` parameters), the contract's first. */
  paths: readonly string[];
}

/** The operations served at one path without parameters, for the hooks that run before the router. */
export interface PathRoute {
  readonly operations: Readonly<Partial<Record<Method, Operation>>>;
  /** No operation here needs admin authentication (the health checks: `security: []`). */
  readonly open: boolean;
}

export interface RouteTable {
  readonly routes: readonly Route[];
  /** The route of a path as the router matches it (a trailing slash ignored), or undefined. */
  find(path: string): PathRoute | undefined;
}

export function routeTable(
  contract: Contract,
  handlers: Handlers,
  aliases: (path: string) => string[] = () => [],
): RouteTable {
  const routes: Route[] = [];
  const byPath = new Map<string, { operations: Partial<Record<Method, Operation>>; open: boolean }>();
  for (const [operationId, handler] of Object.entries(handlers) as [OperationId, Handler<OperationId>][]) {
    const operation = contract.operations.get(operationId);
    if (!operation) throw new Error(`handler ${operationId} has no operation in openapi.yaml`);
    const paths = [operation.path, ...aliases(operation.path)];
    routes.push({ operation, handler, paths });
    for (const path of paths) {
      if (path.includes('{')) continue;
      const entry = byPath.get(path) ?? { operations: {}, open: true };
      entry.operations[operation.method] = operation;
      entry.open &&= !operation.adminAuth;
      byPath.set(path, entry);
    }
  }
  return {
    routes,
    // The router is not strict about a trailing slash, so neither are the hooks.
    find: (path) => byPath.get(path) ?? byPath.get(path.replace(/(.)\/+$/, '$1')),
  };
}

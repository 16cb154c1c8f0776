// What a feature's wiring module hands the composition root: its operations on each port and its share of the
// process's start and stop. A new feature (say, the browser flows) adds a module returning one of these.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Handlers } from '../http/operations.js';

export interface WiringContext {
  config: Config;
  knex: Knex;
  logger: Logger;
}

export interface Feature {
  /** Operations served on the public port; each feature owns distinct paths, so the mount order between them is free. */
  publicHandlers?: Handlers;
  adminHandlers?: Handlers;
  /** Start-up work that needs the database; failures are logged, never fatal (the database may be down). */
  start?(): Promise<void>;
  close?(): Promise<void>;
  /** Told the listening ports' base URLs once both listen (a port chosen by the system is known only then). */
  listening?(urls: ListeningUrls): void;
}

export interface ListeningUrls {
  publicUrl?: string;
  adminUrl?: string;
}

// Prometheus metrics (GET /admin/metrics/prometheus). One registry per server instance. Labels are bounded:
// routes are operationIds (never raw paths), client ids are the first CLIENT_LABELS clients that obtained a
// token and `other` after that (an unverified client id never becomes a label), grant types are the known ones.
import type { Knex } from 'knex';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { ownCopy } from '../cache/map-keys.js';
import { RequestTallies } from './request-tallies.js';

const CLIENT_LABELS = 100;
const GRANT_TYPES = new Set([
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
]);
export const OTHER = 'other';

/** Tarn's pool, as Knex exposes it (`knex.client.pool`). */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  /**
   * Labelled client ids, each mapped to the copy every series uses: the id a request carries may be a slice of
   * its whole body, which a series' labels would otherwise keep alive (cache/map-keys.ts).
   */
  private readonly clients = new Map<string, string>();
  private readonly requests = new RequestTallies({
    registry: this.registry,
    counter: {
      name: 'tollgate_http_requests_total',
      help: 'HTTP requests answered, by port, operation (operationId) and status code.',
      labelNames: ['server', 'operation', 'status'],
    },
    histogram: {
      name: 'tollgate_http_request_duration_seconds',
      help: 'Time from the request to the end of the response, by port and operation.',
      labelNames: ['server', 'operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    },
  });
  private readonly issued = new Counter({
    name: 'tollgate_tokens_issued_total',
    help: `Access tokens issued, by client (the first ${CLIENT_LABELS} clients, then "other") and grant type.`,
    labelNames: ['client_id', 'grant_type'] as const,
    registers: [this.registry],
  });
  private readonly denied = new Counter({
    name: 'tollgate_tokens_denied_total',
    help: 'Token requests refused, by client (labelled clients only, else "other"), grant type and error code.',
    labelNames: ['client_id', 'grant_type', 'error'] as const,
    registers: [this.registry],
  });
  readonly limited = new Counter({
    name: 'tollgate_requests_limited_total',
    help: 'Requests refused with 429 (rate limits and failed-authentication lockouts), by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' });
  }

  observeRequest(server: string, operation: string, status: number, seconds: number) {
    this.requests.observe(server, operation, status, seconds);
  }

  tokenIssued(clientId: string, grantType: string) {
    if (!this.clients.has(clientId) && this.clients.size < CLIENT_LABELS) {
      const label = ownCopy(clientId);
      this.clients.set(label, label);
    }
    this.issued.inc({ client_id: this.clientLabel(clientId), grant_type: grantLabel(grantType) });
  }

  tokenDenied(clientId: string, grantType: string, error: string) {
    this.denied.inc({ client_id: this.clientLabel(clientId), grant_type: grantLabel(grantType), error });
  }

  /** Pool gauges read at scrape time. */
  watchPool(knex: Knex) {
    const pool = () => (knex.client as { pool?: TarnPool }).pool;
    const registry = this.registry;
    new Gauge({
      name: 'tollgate_db_pool_connections',
      help: 'Database pool: connections in use, idle, requests waiting for a connection, connections opening.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const p = pool();
        this.set({ state: 'used' }, p?.numUsed() ?? 0);
        this.set({ state: 'free' }, p?.numFree() ?? 0);
        this.set({ state: 'pending_acquires' }, p?.numPendingAcquires() ?? 0);
        this.set({ state: 'pending_creates' }, p?.numPendingCreates() ?? 0);
      },
    });
    new Gauge({
      name: 'tollgate_db_pool_max_connections',
      help: 'Database pool: the configured maximum (max_conns).',
      registers: [registry],
      collect() {
        this.set(pool()?.max ?? 0);
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private clientLabel(clientId: string): string {
    return this.clients.get(clientId) ?? OTHER;
  }
}

const grantLabel = (grantType: string) => (GRANT_TYPES.has(grantType) ? grantType : OTHER);

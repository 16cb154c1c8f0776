// Keeps one dedicated connection LISTENing on `tollgate_changes`, the channel the triggers of migration
// 20261126000300 notify on every insert, update and delete of a client (PostgreSQL delivers a NOTIFY only
// after its transaction commits). Every replica therefore hears of a change made by any other, usually within
// milliseconds.
//
// Caches subscribe to the tables they mirror (ChangeFeed). When the connection drops, `listening(false)` tells
// them to stop caching; after it is back and listening again, `listening(true)` lets them start afresh (whatever
// changed meanwhile was missed).
import pg from 'pg';
import type { ChangeFeed, ChangeSubscriber } from '../cache/change-feed.js';

export const CHANGES_CHANNEL = 'tollgate_changes';

export interface Change {
  table: string;
  id: string;
}

export interface ChangeListenerOptions {
  connectionString: string;
  log?: (level: 'warn' | 'info', message: string) => void;
  /** Wait before reconnecting (ms). */
  retryMs?: number;
}

export class PgChangeListener implements ChangeFeed {
  private readonly subscribers: { tables: ReadonlySet<string>; subscriber: ChangeSubscriber }[] = [];
  private client: pg.Client | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChangeListenerOptions) {}

  subscribe(tables: readonly string[], subscriber: ChangeSubscriber): void {
    this.subscribers.push({ tables: new Set(tables), subscriber });
  }

  private changed(change: Change): void {
    for (const { tables, subscriber } of this.subscribers)
      if (tables.has(change.table)) subscriber.changed(change.id);
  }

  private status(listening: boolean): void {
    for (const { subscriber } of this.subscribers) subscriber.listening(listening);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    this.client = client;
    let failed = false;
    const fail = (reason: string) => {
      if (failed) return;
      failed = true;
      this.status(false);
      if (this.stopped) return;
      this.options.log?.(
        'warn',
        `change notifications interrupted (${reason}); caches are off until they resume`,
      );
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      this.timer = setTimeout(() => void this.connect(), this.options.retryMs ?? 1000);
      this.timer.unref();
    };
    client.on('error', (err) => fail(err.message));
    client.on('end', () => fail('connection closed'));
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      try {
        const change = JSON.parse(message.payload) as Change;
        if (typeof change.table === 'string' && typeof change.id === 'string') this.changed(change);
      } catch {
        // Not ours; ignore.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (!failed) this.status(true);
    } catch (err) {
      fail((err as Error).message);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.status(false);
    await this.client?.end().catch(() => {});
  }
}

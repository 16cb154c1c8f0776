// Keeps one dedicated connection LISTENing on `tollgate_changes`, the channel the triggers of migration
// 20261126000300 notify on every insert, update and delete of a client (PostgreSQL delivers a NOTIFY only
// after its transaction commits). Every replica therefore hears of a change made by any other, usually within
// milliseconds.
//
// When the connection drops, `onStatus(false)` tells the caches to stop caching; after it is back and
// listening again, `onStatus(true)` lets them start afresh (whatever changed meanwhile was missed).
import pg from 'pg';

export const CHANGES_CHANNEL = 'tollgate_changes';

export interface Change {
  table: string;
  id: string;
}

export interface ChangeListenerOptions {
  connectionString: string;
  onChange(change: Change): void;
  onStatus(listening: boolean): void;
  log?: (level: 'warn' | 'info', message: string) => void;
  /** Wait before reconnecting (ms). */
  retryMs?: number;
}

export class PgChangeListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChangeListenerOptions) {}

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
      this.options.onStatus(false);
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
        if (typeof change.table === 'string' && typeof change.id === 'string') this.options.onChange(change);
      } catch {
        // Not ours; ignore.
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (!failed) this.options.onStatus(true);
    } catch (err) {
      fail((err as Error).message);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.options.onStatus(false);
    await this.client?.end().catch(() => {});
  }
}

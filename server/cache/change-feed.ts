// The port through which caches hear of changes any replica made (storage/pg-change-listener.ts implements it).
// Each cache subscribes to the tables it mirrors, so adding a cache needs no central routing by table name.

export interface ChangeSubscriber {
  /** A row of a subscribed table changed; `id` is what the table's trigger sends (its key). */
  changed(id: string): void;
  /** Notifications flow (true: any missed meanwhile are lost) or have stopped (false). */
  listening(on: boolean): void;
}

export interface ChangeFeed {
  subscribe(tables: readonly string[], subscriber: ChangeSubscriber): void;
}

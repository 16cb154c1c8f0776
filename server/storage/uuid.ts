// Ids of flows, sessions and grants are PostgreSQL uuid columns: a value that cannot be one names nothing, and
// is checked before querying (rather than letting PostgreSQL fail the cast with 22P02).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

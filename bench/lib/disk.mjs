// The latency of a durable write on the disk PostgreSQL writes its WAL to: what one commit waits for at least.
// Durable issuance at a given concurrency is bounded by it (docs/performance.md, "Where the time goes"), and on a shared
// virtual disk it moves between runs, so each run records it next to its figures.
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Median µs of `n` 8 KiB writes opened with O_DSYNC (PostgreSQL's wal_sync_method=open_datasync). */
export function syncWriteUs(n = 200, dir = tmpdir()) {
  const scratch = mkdtempSync(join(dir, 'tollgate-bench-disk-'));
  const fd = openSync(
    join(scratch, 'wal'),
    constants.O_WRONLY | constants.O_CREAT | constants.O_DSYNC,
    0o600,
  );
  try {
    const block = Buffer.alloc(8192, 0x5a);
    const times = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, (i % 64) * block.length);
      times.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    times.sort((a, b) => a - b);
    return Math.round(times[Math.floor(n / 2)]);
  } finally {
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  }
}

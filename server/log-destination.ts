// Where the server's log lines go: standard output, in few writes. Lines logged during one turn of the event
// loop (a request line and an audit line per token, many of them under load) are joined and written together,
// synchronously, when the turn ends. A write(2) per line cost a system call each; pino's asynchronous mode
// hands every write to the thread pool, which at low concurrency costs two thread wake-ups per request
// (docs/performance.md). Pending lines are written before the process exits, and a full pipe is waited for,
// never dropped.
import { pino } from 'pino';

// A write of at most PIPE_BUF (4096) bytes to a pipe is atomic, so the lines of `--workers` processes sharing
// one stdout never interleave mid-line: a batch is cut before it could exceed that (3 bytes per UTF-16 unit).
const MAX_BATCH_CHARS = Math.floor(4096 / 3);

export interface LogDestination {
  write(line: string): boolean;
  flush(callback?: (err?: Error) => void): void;
}

export function turnBufferedStdout(fd = 1): LogDestination {
  // pino's synchronous destination: it waits out EAGAIN on a full pipe instead of dropping the line.
  const out = pino.destination({ dest: fd, sync: true });
  let pending = '';
  let scheduled = false;
  const writePending = () => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  const endOfTurn = () => {
    scheduled = false;
    writePending();
  };
  process.on('exit', writePending);
  return {
    write(line) {
      if (pending.length + line.length > MAX_BATCH_CHARS) writePending();
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(endOfTurn);
      }
      return true;
    },
    flush(callback) {
      writePending();
      callback?.();
    },
  };
}

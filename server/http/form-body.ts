// The fast path's reader for `application/x-www-form-urlencoded` bodies. It gives the same object as the
// Express path's `express.urlencoded({ extended: false })` (body-parser 2): the same qs options, the same
// parameter limit and error types, so the error handler words both alike (test/e2e/fast-path.test.ts compares
// the two on generated bodies). What it leaves out is the generality the fast path never needs: other
// charsets, compressed bodies and chunked uploads go to Express (see fast-path.ts).
import type { IncomingMessage } from 'node:http';
import qs from 'qs';

/** body-parser's default, which Express's path uses too. */
export const FORM_PARAMETER_LIMIT = 1000;

/** Errors shaped like body-parser's (`type` and `status`), so error-handler.ts treats them the same way. */
class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** body-parser's `parameterCount`: the number of `&`-separated parts, or undefined above the limit. */
function parameterCount(body: string, limit: number): number | undefined {
  let count = 0;
  let index = -1;
  do {
    count++;
    if (count > limit) return undefined;
    index = body.indexOf('&', index + 1);
  } while (index !== -1);
  return count;
}

/** body-parser's non-extended urlencoded parse: flat keys, repeated keys become arrays. */
export function parseUrlencoded(body: string): Record<string, unknown> {
  if (body.length === 0) return {};
  const count = parameterCount(body, FORM_PARAMETER_LIMIT);
  if (count === undefined) throw new BodyError(413, 'parameters.too.many', 'too many parameters');
  return qs.parse(body, {
    allowPrototypes: true,
    arrayLimit: count,
    depth: 0,
    charset: 'utf-8',
    parameterLimit: FORM_PARAMETER_LIMIT,
    strictDepth: true,
  });
}

/**
 * Reads the whole body (the caller has checked Content-Length against its limit; Node's parser delivers no
 * more than that) and parses it. `done` is called once.
 */
export function readFormBody(
  req: IncomingMessage,
  done: (err: unknown, form?: Record<string, unknown>) => void,
): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let finished = false;
  const finish = (err: unknown, form?: Record<string, unknown>) => {
    if (finished) return;
    finished = true;
    done(err, form);
  };
  req.on('data', (chunk: Buffer) => {
    if (first === undefined) first = chunk;
    else if (more === undefined) more = [first, chunk];
    else more.push(chunk);
  });
  req.on('end', () => {
    const body = more ? Buffer.concat(more) : first;
    let form: Record<string, unknown>;
    try {
      form = parseUrlencoded(body ? body.toString('utf8') : '');
    } catch (err) {
      finish(err);
      return;
    }
    finish(undefined, form);
  });
  // The client went away mid-body; the error handler's answer only matters if the socket is still there.
  req.on('error', () => finish(new BodyError(400, 'request.aborted', 'request aborted')));
  req.on('aborted', () => finish(new BodyError(400, 'request.aborted', 'request aborted')));
}

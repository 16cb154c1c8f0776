// The ceiling: a bare node:http server that reads the request body and answers a fixed, token-sized JSON. No
// Node server can answer faster on this machine; every other figure is read against it.
// Usage: node bench/ceiling.mjs --port N   (prints "listening <url>" on stdout)
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const BODY = Buffer.from(
  JSON.stringify({
    access_token: `ory_at_${'x'.repeat(43)}.${'y'.repeat(43)}`,
    expires_in: 3599,
    scope: 'api',
    token_type: 'bearer',
  }),
);
const HEADERS = {
  'Content-Type': 'application/json;charset=UTF-8',
  'Content-Length': BODY.length,
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

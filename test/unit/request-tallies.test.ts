// The per-request series are plain numbers until a scrape; what Prometheus reads must be exactly what
// prom-client's own Counter and Histogram print for the same requests.
import { expect } from 'chai';
import { Counter, Histogram, Registry } from 'prom-client';
import { RequestTallies } from '../../server/observability/request-tallies.js';

const COUNTER = {
  name: 't_requests_total',
  help: 'Requests.',
  labelNames: ['server', 'operation', 'status'] as const,
};
const HISTOGRAM = {
  name: 't_request_duration_seconds',
  help: 'Durations.',
  labelNames: ['server', 'operation'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
};

// Bounds themselves, values between and above every bound, several statuses sharing one histogram series.
const REQUESTS: [string, string, number, number][] = [
  ['public', 'oauth2TokenExchange', 200, 0.0004],
  ['public', 'oauth2TokenExchange', 200, 0.001],
  ['public', 'oauth2TokenExchange', 401, 0.0025],
  ['public', 'oauth2TokenExchange', 200, 0.0031],
  ['admin', 'introspectOAuth2Token', 200, 0.07],
  ['admin', 'introspectOAuth2Token', 200, 5],
  ['admin', 'introspectOAuth2Token', 503, 7.5],
  ['admin', 'unmatched', 404, 0.3],
  ['public', 'oauth2TokenExchange', 200, 0.0123],
];

function reference(requests: typeof REQUESTS) {
  const registry = new Registry();
  const counter = new Counter({ ...COUNTER, registers: [registry] });
  const histogram = new Histogram({ ...HISTOGRAM, registers: [registry] });
  for (const [server, operation, status, seconds] of requests) {
    counter.labels(server, operation, String(status)).inc();
    histogram.labels(server, operation).observe(seconds);
  }
  return registry;
}

function tallied(requests: typeof REQUESTS) {
  const registry = new Registry();
  const tallies = new RequestTallies({ registry, counter: COUNTER, histogram: HISTOGRAM });
  const observe = (more: typeof REQUESTS) => {
    for (const [server, operation, status, seconds] of more)
      tallies.observe(server, operation, status, seconds);
  };
  observe(requests);
  return { registry, observe };
}

describe('request tallies', () => {
  it('print exactly what prom-client prints for the same requests', async () => {
    const expected = await reference(REQUESTS).metrics();
    const actual = await tallied(REQUESTS).registry.metrics();
    expect(actual).to.equal(expected);
    // The comparison is not vacuous: the text holds every series and bucket.
    expect(actual).to.include(
      't_requests_total{server="public",operation="oauth2TokenExchange",status="200"} 4',
    );
    expect(actual).to.include(
      't_request_duration_seconds_bucket{le="0.0025",server="public",operation="oauth2TokenExchange"} 3',
    );
    expect(actual).to.include(
      't_request_duration_seconds_bucket{le="5",server="admin",operation="introspectOAuth2Token"} 2',
    );
    expect(actual).to.include(
      't_request_duration_seconds_bucket{le="+Inf",server="admin",operation="introspectOAuth2Token"} 3',
    );
  });

  it('prints the headers and nothing else before the first request', async () => {
    expect(await tallied([]).registry.metrics()).to.equal(await reference([]).metrics());
  });

  it('keeps counting after a scrape', async () => {
    const { registry, observe } = tallied(REQUESTS.slice(0, 4));
    await registry.metrics();
    observe(REQUESTS.slice(4));
    expect(await registry.metrics()).to.equal(await reference(REQUESTS).metrics());
  });
});

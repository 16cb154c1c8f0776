// The per-request series (request count by server, operation and status; duration histogram by server and
// operation) kept as plain numbers and turned into samples only when Prometheus scrapes. prom-client's labelled
// children validate and hash their labels and look the bucket up by a stringified bound on every inc/observe,
// a visible share of an introspection's CPU (docs/performance.md). The exposition is
// still prom-client's: its registry formats what get() returns exactly as for its own Counter and Histogram
// (test/unit/request-tallies.test.ts compares the two texts for the same requests).
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string>;

/** One sample as prom-client's registry reads it (`getMetricsAsString`). */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
  value: number;
}

interface MetricText {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

/** A metric whose samples are made at scrape time. */
function register(
  registry: Registry,
  meta: { name: string; help: string },
  type: MetricText['type'],
  values: () => Sample[],
) {
  const metric = {
    name: meta.name,
    get: async (): Promise<MetricText> => ({
      name: meta.name,
      help: meta.help,
      type,
      aggregator: 'sum',
      values: values(),
    }),
  };
  // prom-client types this as one of its own metric classes, but its registry only reads `name` and calls get().
  registry.registerMetric(metric as unknown as Metric);
}

class TimeSeries {
  /** Observations per bound, not cumulative; one above every bound counts only in `count` (as `+Inf`). */
  readonly buckets: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = bounds.map(() => 0);
  }

  observe(seconds: number) {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        this.buckets[i] = (this.buckets[i] ?? 0) + 1;
        break;
      }
    }
    this.sum += seconds;
    this.count++;
  }
}

export interface RequestTalliesOptions {
  registry: Registry;
  counter: { name: string; help: string; labelNames: readonly [string, string, string] };
  histogram: {
    name: string;
    help: string;
    labelNames: readonly [string, string];
    buckets: readonly number[];
  };
}

interface CountSeries {
  labels: Labels;
  value: number;
}

export class RequestTallies {
  /** By `server operation status`: the request's counter and its (server, operation) histogram. */
  private readonly series = new Map<string, { count: CountSeries; time: TimeSeries }>();
  private readonly times = new Map<string, TimeSeries>();

  constructor(private readonly options: RequestTalliesOptions) {
    register(options.registry, options.counter, 'counter', () =>
      [...this.series.values()].map(({ count }) => ({ labels: count.labels, value: count.value })),
    );
    register(options.registry, options.histogram, 'histogram', () =>
      [...this.times.values()].flatMap((t) => this.histogramSamples(t)),
    );
  }

  /** Counts one request and its duration. The label sets are bounded (see metrics.ts). */
  observe(server: string, operation: string, status: number, seconds: number) {
    const key = `${server} ${operation} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      const [s, o, c] = this.options.counter.labelNames;
      series = {
        count: { labels: { [s]: server, [o]: operation, [c]: String(status) }, value: 0 },
        time: this.timeOf(server, operation),
      };
      this.series.set(key, series);
    }
    series.count.value++;
    series.time.observe(seconds);
  }

  private timeOf(server: string, operation: string): TimeSeries {
    const key = `${server} ${operation}`;
    let time = this.times.get(key);
    if (!time) {
      const [s, o] = this.options.histogram.labelNames;
      time = new TimeSeries({ [s]: server, [o]: operation }, this.options.histogram.buckets);
      this.times.set(key, time);
    }
    return time;
  }

  // prom-client's histogram layout: cumulative `_bucket` samples by `le`, then `+Inf`, `_sum` and `_count`,
  // the series labels passed as shared labels (they print after `le`).
  private histogramSamples(t: TimeSeries): Sample[] {
    const name = this.options.histogram.name;
    let cumulative = 0;
    const samples: Sample[] = this.options.histogram.buckets.map((le, i) => {
      cumulative += t.buckets[i] as number;
      return { metricName: `${name}_bucket`, labels: { le }, sharedLabels: t.labels, value: cumulative };
    });
    samples.push(
      { metricName: `${name}_bucket`, labels: { le: '+Inf' }, sharedLabels: t.labels, value: t.count },
      { metricName: `${name}_sum`, labels: {}, sharedLabels: t.labels, value: t.sum },
      { metricName: `${name}_count`, labels: {}, sharedLabels: t.labels, value: t.count },
    );
    return samples;
  }
}

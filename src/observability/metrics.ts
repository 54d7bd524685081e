import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayServices } from '../context.js';
import type { SourceSystem } from '../domain/models.js';
import type { BreakerState, UpstreamCallRecord } from '../upstreams/http.js';

/** One upstream series' counter and histogram with their labels bound. */
interface UpstreamSeries {
  readonly requests: { inc(): void };
  readonly duration: { observe(value: number): void };
}

/** Outcome of one GraphQL operation, as logged and counted. */
export type OperationOutcome = 'success' | 'partial' | 'error';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const SYSTEMS: readonly { readonly system: SourceSystem; readonly pool: 'iqm' | 'intact' | 'refrens' | 'iqmetrix' }[] = [
  { system: 'IQM', pool: 'iqm' },
  { system: 'INTACT', pool: 'intact' },
  { system: 'REFRENS', pool: 'refrens' },
  { system: 'IQMETRIX', pool: 'iqmetrix' },
];

/**
 * Operation names come from clients, so the label could grow without bound: the first
 * `limit` distinct names are kept, later ones are counted as `other`.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  value(raw: string): string {
    const name = raw.slice(0, 100);
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.limit) return 'other';
    this.seen.add(name);
    return name;
  }
}

/**
 * The process's default metrics (CPU, memory, event loop, GC) live in one registry per process:
 * their collectors hook into the runtime once. Each gateway's own metrics live in its own registry,
 * so tests can run several gateways side by side.
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Prometheus metrics of one gateway instance, served at /metrics in the text format. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new BoundedLabel(200);
  private readonly operations: Counter<'operation' | 'outcome'>;
  private readonly operationDuration: Histogram<'operation'>;
  /** GraphQL operations started and not yet answered. */
  operationsInFlight = 0;
  private readonly upstreamRequests: Counter<'system' | 'method' | 'route' | 'status'>;
  private readonly upstreamDuration: Histogram<'system' | 'method' | 'route'>;
  private readonly boundUpstreamSeries = new Map<string, UpstreamSeries>();
  private readonly upstreamErrors: Counter<'system' | 'method' | 'route' | 'code'>;
  /** Set by attach(); read by the scrape-time collectors. */
  private readonly attached: { services: GatewayServices | null } = { services: null };

  constructor() {
    // The process collectors count CPU from the moment they are made: made here, at start-up, the
    // first scrape reports the CPU spent since then, not the few microseconds of the scrape itself.
    processMetrics();
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by operation name and outcome (success, partial, error).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to sending its response.',
      labelNames: ['operation'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    const inFlight = () => this.operationsInFlight;
    new Gauge({
      name: 'graphql_operations_in_flight',
      help: 'GraphQL operations started and not yet answered.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    this.upstreamRequests = new Counter({
      name: 'upstream_requests_total',
      help: 'Upstream HTTP attempts (retries included) by system, route template and status (0: no answer).',
      labelNames: ['system', 'method', 'route', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Duration of one upstream HTTP attempt by system and route template.',
      labelNames: ['system', 'method', 'route'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'upstream_errors_total',
      help: 'Failed upstream attempts by system, route template and the gateway error code they became.',
      labelNames: ['system', 'method', 'route', 'code'],
      registers,
    });
    const attached = this.attached;
    new Gauge({
      name: 'upstream_breaker_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['system'],
      registers,
      collect() {
        const pools = attached.services?.pools;
        if (!pools) return;
        for (const { system, pool } of SYSTEMS) this.set({ system }, BREAKER_VALUES[pools[pool].breakerState]);
      },
    });
    this.sharedCacheCounter('shared_cache_hits_total', 'Reference-data reads served from the shared cache.', (services) => services.sharedCache.hits);
    this.sharedCacheCounter('shared_cache_misses_total', 'Reference-data reads that went to the upstream.', (services) => services.sharedCache.misses);
  }

  /** Connects the scrape-time gauges (breakers, shared cache) to the services, once they exist. */
  attach(services: GatewayServices): void {
    this.attached.services = services;
  }

  /** Label value for an operation name: bounded, `anonymous` when the operation has none. */
  operationLabel(name: string | null | undefined): string {
    return name ? this.operationNames.value(name) : 'anonymous';
  }

  operationStarted(): void {
    this.operationsInFlight += 1;
  }

  operationFinished(operation: string, outcome: OperationOutcome, durationMs: number): void {
    this.operationsInFlight -= 1;
    this.operations.inc({ operation, outcome });
    this.operationDuration.observe({ operation }, durationMs / 1000);
  }

  /** Counts one upstream attempt; `failure` is the error code it ended in, null when it succeeded. */
  upstreamAttempt(record: UpstreamCallRecord, failure: string | null): void {
    const series = this.upstreamSeries(record);
    series.requests.inc();
    series.duration.observe(record.durationMs / 1000);
    if (failure) this.upstreamErrors.inc({ system: record.system, method: record.method, route: record.route, code: failure });
  }

  /**
   * The request counter and duration histogram of one system, route and status, bound once:
   * prom-client validates and hashes a label set on every call otherwise, and every upstream call
   * records here (issue 16). Routes are templates and statuses few, so the map stays small.
   */
  private upstreamSeries(record: UpstreamCallRecord): UpstreamSeries {
    const key = `${record.system} ${record.method} ${record.route} ${record.status}`;
    let series = this.boundUpstreamSeries.get(key);
    if (!series) {
      const labels = { system: record.system, method: record.method, route: record.route };
      series = { requests: this.upstreamRequests.labels({ ...labels, status: String(record.status) }), duration: this.upstreamDuration.labels(labels) };
      this.boundUpstreamSeries.set(key, series);
    }
    return series;
  }

  /** The text exposition: this gateway's metrics, then the process's default ones. */
  async render(): Promise<{ contentType: string; body: string }> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return { contentType: this.registry.contentType, body: `${own}\n${process}` };
  }

  /** A counter that follows a running total kept elsewhere (the shared cache counts for itself). */
  private sharedCacheCounter(name: string, help: string, total: (services: GatewayServices) => number): void {
    const attached = this.attached;
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        if (!attached.services) return;
        const current = total(attached.services);
        if (current > reported) this.inc(current - reported);
        reported = current;
      },
    });
  }
}

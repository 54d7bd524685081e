import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the Prometheus text format (enough of it: samples with quoted label values). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const INVOICES = /* GraphQL */ `
  query CustomerInvoices {
    customerBySourceId(system: IQM, sourceId: "200101") {
      invoices(first: 5, filter: { sources: [IQM] }) { totalCount }
    }
  }
`;
const REFERENCE = /* GraphQL */ `
  query Reference {
    financeReferenceData { paymentTypes { id } invoiceStatuses { id } }
  }
`;

describe('Observability: /metrics', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // A breaker that opens after two failures in a row, and fast retries, so the test can watch both.
    stack = await startStack({ env: { UPSTREAM_RETRY_ATTEMPTS: '3', UPSTREAM_RETRY_BASE_DELAY_MS: '1', UPSTREAM_BREAKER_FAILURES: '2' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  async function scrape(): Promise<{ contentType: string | null; samples: Sample[] }> {
    const response = await fetch(`${stack.origin}/metrics`);
    expect(response.status).toBe(200);
    return { contentType: response.headers.get('content-type'), samples: parseMetrics(await response.text()) };
  }
  function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
    return samples.find((sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))?.value;
  }

  it('counts operations by name and outcome, upstream attempts by route template and status, errors, cache hits and breaker states', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.resetCalls();
    for (let run = 0; run < 2; run += 1) expect((await stack.gql(INVOICES)).errors).toBeUndefined();
    for (let run = 0; run < 3; run += 1) expect((await stack.gql(REFERENCE)).errors).toBeUndefined();
    expect((await stack.gql('{ financeReferenceData { paymentTypes { id } } }')).errors).toBeUndefined();
    const invoiceListOk = iqm.callsTo('/invoice/list', 'GET').length;
    expect(invoiceListOk).toBe(2);

    iqm.injectFault({ route: '/invoice/list', method: 'GET', fault: { kind: 'respond', status: 503, body: { success: false } } });
    const failed = await stack.gql<{ customerBySourceId: unknown }>(INVOICES);
    expect(failed.errors?.map((error) => error.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
    const unavailable = iqm.callsTo('/invoice/list', 'GET').filter((call) => call.status === 503).length;
    expect(unavailable).toBeGreaterThanOrEqual(2);
    iqm.clearFaults();

    const { contentType, samples } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const failedOutcome = failed.data?.customerBySourceId ? 'partial' : 'error';
    expect(value(samples, 'graphql_operations_total', { operation: 'CustomerInvoices', outcome: 'success' })).toBe(2);
    expect(value(samples, 'graphql_operations_total', { operation: 'CustomerInvoices', outcome: failedOutcome })).toBe(1);
    expect(value(samples, 'graphql_operations_total', { operation: 'Reference', outcome: 'success' })).toBe(3);
    expect(value(samples, 'graphql_operations_total', { operation: 'anonymous', outcome: 'success' })).toBe(1);
    expect(value(samples, 'graphql_operation_duration_seconds_count', { operation: 'CustomerInvoices' })).toBe(3);
    expect(value(samples, 'graphql_operation_duration_seconds_bucket', { operation: 'CustomerInvoices', le: '+Inf' })).toBe(3);
    expect(value(samples, 'graphql_operations_in_flight')).toBe(0);

    const route = { system: 'IQM', method: 'GET', route: '/invoice/list/{owId}' };
    expect(value(samples, 'upstream_requests_total', { ...route, status: '200' })).toBe(invoiceListOk);
    expect(value(samples, 'upstream_requests_total', { ...route, status: '503' })).toBe(unavailable);
    // Once the breaker opened, the remaining retry was refused without a request (status 0).
    const refused = value(samples, 'upstream_requests_total', { ...route, status: '0' }) ?? 0;
    expect(unavailable + refused).toBe(3);
    expect(value(samples, 'upstream_errors_total', { ...route, code: 'UPSTREAM_UNAVAILABLE' })).toBe(unavailable + refused);
    expect(value(samples, 'upstream_request_duration_seconds_count', route)).toBe(invoiceListOk + unavailable + refused);
    // Route templates, never URLs: no label value carries the workspace id of the path.
    expect(samples.filter((sample) => sample.name === 'upstream_requests_total').every((sample) => !/\d{6}/.test(sample.labels['route']!))).toBe(true);

    // Six reference lists read once (misses), then served from the shared cache (hits).
    const cache = stack.services.sharedCache;
    expect(cache.hits).toBeGreaterThan(0);
    expect(value(samples, 'shared_cache_hits_total')).toBe(cache.hits);
    expect(value(samples, 'shared_cache_misses_total')).toBe(cache.misses);

    // Two failures in a row opened IQM's breaker; the other systems' stay closed.
    expect(stack.pools.iqm.breakerState).toBe('open');
    expect(value(samples, 'upstream_breaker_state', { system: 'IQM' })).toBe(2);
    for (const system of ['INTACT', 'REFRENS', 'IQMETRIX']) expect(value(samples, 'upstream_breaker_state', { system })).toBe(0);

    // The process's default metrics come along.
    expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('keeps counting from where it was on the next scrape', async () => {
    const before = value((await scrape()).samples, 'graphql_operations_total', { operation: 'Reference', outcome: 'success' });
    expect((await stack.gql(REFERENCE)).errors).toBeUndefined();
    const { samples } = await scrape();
    expect(value(samples, 'graphql_operations_total', { operation: 'Reference', outcome: 'success' })).toBe(before! + 1);
    expect(value(samples, 'shared_cache_hits_total')).toBe(stack.services.sharedCache.hits);
  });
});

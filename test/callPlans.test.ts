import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENCH_OPERATIONS,
  BENCH_SEED,
  REFERENCE_LIST_CALLS,
  plannedByRoute,
  plannedCallCount,
  tallyCalls,
  type BenchOperation,
  type CallTally,
} from '../bench/operations.js';
import type { SourceSystem } from '../src/domain/models.js';
import type { SimulatorServer } from '../src/upstreams/simulatorServer.js';
import { startStack, type TestStack } from './helpers/stack.js';

/**
 * The benchmark's six operations, each run once through the gateway on the benchmark's seed, with
 * the upstream calls counted where they arrive (the simulators). A change that loses batching,
 * de-duplication or the shared reference cache changes these counts and fails here; the benchmark
 * (npm run bench) measures the time they take.
 */

function simulators(stack: TestStack): [SourceSystem, SimulatorServer][] {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [
    ['IQM', iqm!],
    ['INTACT', intact!],
    ['REFRENS', refrens!],
    ['IQMETRIX', iqmetrix!],
  ];
}

async function run(stack: TestStack, operation: BenchOperation): Promise<{ data: unknown; calls: CallTally }> {
  for (const [, simulator] of simulators(stack)) simulator.resetCalls();
  const response = await stack.gql(operation.query, { ...operation.variables });
  expect(response.errors).toBeUndefined();
  expect(operation.check(response.data)).toBeNull();
  return { data: response.data, calls: tallyCalls(simulators(stack)) };
}

describe('Call plans: the benchmark operations make exactly the planned upstream calls', () => {
  let batched: TestStack;
  let naive: TestStack;

  beforeAll(async () => {
    [batched, naive] = await Promise.all([startStack({ ...BENCH_SEED }), startStack({
        ...BENCH_SEED,
        // Naive mode makes up to 261 calls at once from one tenant: more than its fair share of the
        // default bulkhead queue (128 of 256) would hold, so it gets a queue as the benchmark gives it.
        env: { GATEWAY_EXECUTION_MODE: 'naive', UPSTREAM_MAX_QUEUED: '100000' },
      })]);
  });

  afterAll(async () => {
    await Promise.all([batched?.close(), naive?.close()]);
  });

  const operation = (name: string) => BENCH_OPERATIONS.find((candidate) => candidate.name === name)!;

  it('reads the reference lists once per process: six calls cold (one per list), none warm', async () => {
    const referenceLists = operation('referenceLists');
    batched.services.sharedCache.clear();
    const cold = await run(batched, referenceLists);
    expect(cold.calls.byRoute).toEqual(plannedByRoute(REFERENCE_LIST_CALLS));
    const warm = await run(batched, referenceLists);
    expect(warm.calls.total).toBe(0);
    expect(warm.data).toEqual(cold.data);
  });

  for (const planned of BENCH_OPERATIONS) {
    it(`${planned.title}: ${plannedCallCount(planned.plan)} calls as planned, none twice; naive mode makes more and answers the same`, async () => {
      if (planned.name === 'referenceLists') await run(batched, planned);
      const { data, calls } = await run(batched, planned);
      expect(calls.byRoute).toEqual(plannedByRoute(planned.plan.calls));
      expect(calls.duplicates).toEqual([]);

      const baseline = await run(naive, planned);
      expect(baseline.data).toEqual(data);
      if (planned.name === 'customerOverview') {
        // Three different IQM endpoints, each read once either way: there is nothing to batch.
        expect(baseline.calls.total).toBe(calls.total);
      } else {
        expect(baseline.calls.total).toBeGreaterThan(calls.total);
      }
    });
  }

  it('a customer’s invoices with their payments and the organization’s payments with their invoices need at least 10× fewer calls than naive resolvers', async () => {
    for (const name of ['customerInvoicesWithPayments', 'organizationPayments']) {
      const planned = operation(name);
      const baseline = await run(naive, planned);
      expect(baseline.calls.total).toBeGreaterThanOrEqual(10 * plannedCallCount(planned.plan));
    }
  });

  it('a page without IQM invoices does not wait for the look-ahead’s A35', async () => {
    // A35 answers after 1.5 s; the page is empty, so nothing on it needs A35.
    const stack = await startStack({ ...BENCH_SEED });
    try {
      const iqm = stack.embedded.iqm!;
      iqm.injectFault({ route: '/customer/payments/list', fault: { kind: 'latency', ms: 1500 } });
      const response = await stack.gql<{ customer: { invoices: { nodes: unknown[] } } }>(
        `query($id: ID!) { customer(id: $id) { invoices(first: 0, filter: { sources: [IQM, INTACT] }) { nodes { ... on IqmInvoice { payments(first: 1) { totalCount } } } } } }`,
        { id: operation('unifiedCustomer').variables['id'] },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.customer.invoices.nodes).toEqual([]);
      // Answered while A35 was still on the wire.
      expect(iqm.callsTo('/invoice/list', 'GET')).toHaveLength(1);
      expect(iqm.inFlight).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('with the default pool and tenant share, a unified customer’s 20 iQmetrix detail reads (D2) are in flight together: one wave', async () => {
    const iqmetrix = batched.embedded.iqmetrix!;
    // Slow D2 answers, so every D2 the gateway sends before the first answers is counted at once.
    iqmetrix.injectFault({ route: '/Invoices(', method: 'GET', fault: { kind: 'latency', ms: 150 } });
    try {
      iqmetrix.resetPeakInFlight();
      const { calls } = await run(batched, operation('unifiedCustomer'));
      const detailReads = Object.entries(calls.byRoute).find(([route]) => route.includes('/Invoices('))?.[1];
      expect(detailReads).toBe(20);
      // 50 % of 64 sockets: 32 per tenant. With 32 sockets (16 per tenant) the last 4 waited a round trip.
      expect(iqmetrix.peakInFlight).toBe(20);
    } finally {
      iqmetrix.clearFaults();
    }
  });

  it('starts a customer’s IQM payments (A35) without waiting for the invoice list (A19): one wave', async () => {
    // A19 never answers here, so A35 can only have been called if it did not wait for A19.
    const stack = await startStack({ ...BENCH_SEED, env: { UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_RETRY_ATTEMPTS: '1' } });
    try {
      stack.embedded.iqm!.injectFault({ route: '/invoice/list', fault: { kind: 'hang' } });
      const planned = operation('customerInvoicesWithPayments');
      const response = await stack.gql(planned.query, { ...planned.variables });
      // The IQM part of the invoices failed (timed out), so the field reports it: A19 never answered.
      expect(response.errors?.[0]?.path).toEqual(['customer', 'invoices']);
      expect(stack.embedded.iqm!.callsTo('/customer/payments/list', 'GET')).toHaveLength(1);
    } finally {
      await stack.close();
    }
  });
});

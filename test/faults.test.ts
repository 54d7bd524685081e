import { Decimal } from 'decimal.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BENCH_OPERATIONS, BENCH_SEED } from '../bench/operations.js';
import type { SimulatorServer } from '../src/upstreams/simulatorServer.js';
import { customerGid } from './helpers/iqm.js';
import { startStack, type GraphQLResponse, type TestStack } from './helpers/stack.js';

/**
 * Every fault the simulators can inject, driven through the real path (GraphQL over HTTP → gateway
 * → undici → simulator over HTTP). Outcomes are counted where calls arrive (the simulators), never
 * timed: small timeouts only make hangs end quickly.
 */

const directoryCustomer = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');
const NORTHWIND = directoryCustomer('northwind');

/** One customer's invoices from all four systems: IQM A19, Intact B1, Refrens C2, iQmetrix D1/D2. */
const CUSTOMER_INVOICES = /* GraphQL */ `
  query CustomerInvoices($id: ID!) {
    customer(id: $id) {
      displayName
      sources
      invoices(first: 100) { totalCount nodes { source number } }
    }
  }
`;

interface CustomerInvoices {
  customer: { displayName: string; sources: string[]; invoices: { totalCount: number | null; nodes: { source: string; number: string }[] } };
}

type GatewayErrors = NonNullable<GraphQLResponse<unknown>['errors']>;

const IQM_LIST = '/invoice/list';
const INTACT_LEDGER = '/CustomerLedger';
const IQMETRIX_SUMMARIES = 'InvoiceSummaries';
const IQM_MARGIN = '/customer/edit-margin';

/** The statuses the simulator logged for a route, in arrival order (0: no answer was sent). */
const statuses = (simulator: SimulatorServer, route: string, method = 'GET') => simulator.callsTo(route, method).map((call) => call.status);

const sourcesOf = (response: GraphQLResponse<CustomerInvoices>) => new Set(response.data!.customer.invoices.nodes.map((node) => node.source));

/** The one error the gateway reported, with the fields a client switches on. */
function onlyError(errors: GatewayErrors | undefined) {
  expect(errors).toHaveLength(1);
  const [error] = errors!;
  return { path: error!.path, code: error!.extensions?.['code'], system: error!.extensions?.['system'], message: error!.message };
}

const UPDATE_MARGIN = /* GraphQL */ `
  mutation UpdateMargin($c: ID!, $value: Decimal!) {
    updateMargin(input: { customerId: $c, value: $value }) { customer { id } userErrors { code } }
  }
`;

describe('Upstream faults: timeouts, retries and partial data', () => {
  let stack: TestStack;
  let simulators: SimulatorServer[];

  beforeAll(async () => {
    stack = await startStack({
      env: {
        UPSTREAM_TIMEOUT_MS: '300',
        REQUEST_TIMEOUT_MS: '2000',
        UPSTREAM_RETRY_BASE_DELAY_MS: '1',
        // The breaker has its own tests below; here it must not open between tests.
        UPSTREAM_BREAKER_FAILURES: '1000',
      },
    });
    const { iqm, intact, refrens, iqmetrix } = stack.embedded;
    simulators = [iqm!, intact!, refrens!, iqmetrix!];
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => {
    for (const simulator of simulators) {
      simulator.clearFaults();
      simulator.resetCalls();
    }
  });

  it('latency below the upstream timeout: the data arrives, nothing is retried', async () => {
    const intact = stack.embedded.intact!;
    intact.injectFault({ route: INTACT_LEDGER, method: 'GET', fault: { kind: 'latency', ms: 150 } });
    const response = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(response.errors).toBeUndefined();
    const intactInvoices = intact.state.ledgerOf('CUS000001').filter((item) => item.type === 'Inv');
    expect(response.data!.customer.invoices.nodes.filter((node) => node.source === 'INTACT')).toHaveLength(intactInvoices.length);
    expect(statuses(intact, INTACT_LEDGER)).toEqual([200]);
  });

  it('a hanging upstream costs one attempt: UPSTREAM_TIMEOUT at the field, with its system, and the rest of the query answers', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    iqmetrix.injectFault({ route: IQMETRIX_SUMMARIES, fault: { kind: 'hang' } });
    const response = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(onlyError(response.errors)).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_TIMEOUT', system: 'IQMETRIX' });
    expect(response.data!.customer.displayName).toBe('Northwind Traders');
    expect(sourcesOf(response)).toEqual(new Set(['IQM', 'INTACT', 'REFRENS']));
    // A list with a missing system has no honest total.
    expect(response.data!.customer.invoices.totalCount).toBeNull();
    // A timeout is not retried: one attempt arrived, and it was never answered.
    expect(statuses(iqmetrix, IQMETRIX_SUMMARIES)).toEqual([0]);
  });

  it('503 twice, then OK, on a GET: the third attempt answers and exactly three calls arrived', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', times: 2, fault: { kind: 'respond', status: 503, body: { success: false } } });
    const response = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(response.errors).toBeUndefined();
    expect(sourcesOf(response)).toEqual(new Set(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']));
    expect(statuses(iqm, IQM_LIST)).toEqual([503, 503, 200]);
  });

  it('503 on every attempt of a GET: three calls, then UPSTREAM_UNAVAILABLE for that system only', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(onlyError(response.errors)).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
    expect(sourcesOf(response)).toEqual(new Set(['INTACT', 'REFRENS', 'IQMETRIX']));
    expect(statuses(iqm, IQM_LIST)).toEqual([503, 503, 503]);
  });

  it("organization payments whose invoices cannot be read: every payment answers, each invoice is null with its own error, one A19 per workspace", async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<{ organization: { payments: { nodes: { paymentId: number; invoice: { number: string } | null }[] } } }>(
      '{ organization { payments(first: 20) { nodes { ... on IqmPayment { paymentId invoice { number } } } } } }',
    );
    const nodes = response.data!.organization.payments.nodes;
    // IQM writes invoiceId 0 for a payment against no invoice.
    const paysAnInvoice = (node: { paymentId: number }) => iqm.state.payments.get(node.paymentId)!.invoiceId > 0;
    const withInvoice = nodes.filter(paysAnInvoice);
    expect(withInvoice.length).toBeGreaterThan(1);
    expect(nodes.every((node) => node.invoice === null)).toBe(true);
    // One error per payment that has an invoice, each at that payment's own field.
    expect(response.errors?.map((error) => [error.path?.join('.'), error.extensions?.['code']]).sort()).toEqual(
      nodes
        .map((node, index) => [node, index] as const)
        .filter(([node]) => paysAnInvoice(node))
        .map(([, index]) => [`organization.payments.nodes.${index}.invoice`, 'UPSTREAM_UNAVAILABLE'])
        .sort(),
    );
    const workspaces = new Set(withInvoice.map((node) => iqm.state.payments.get(node.paymentId)!.owId));
    expect(workspaces.size).toBeGreaterThan(1);
    // Three attempts per workspace's list, not per payment.
    expect(statuses(iqm, IQM_LIST)).toEqual(Array.from({ length: 3 * workspaces.size }, () => 503));
  });

  it('a system that cannot be read is also named in band: unavailableSources on the merged lists and beside the balances', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<{
      customer: {
        invoices: { totalCount: number | null; unavailableSources: { system: string; code: string; message: string }[] };
        payments: { unavailableSources: unknown[] };
        balancesUnavailableSources: { system: string; code: string }[];
      };
    }>(
      `query($id: ID!) { customer(id: $id) {
        invoices(first: 5) { totalCount unavailableSources { system code message } }
        payments(first: 5) { unavailableSources { system code } }
        balancesUnavailableSources { system code }
      } }`,
      { id: NORTHWIND },
    );
    const customer = response.data!.customer;
    expect(customer.invoices.unavailableSources).toEqual([{ system: 'IQM', code: 'UPSTREAM_UNAVAILABLE', message: expect.any(String) }]);
    expect(customer.invoices.totalCount).toBeNull();
    // Payments do not read IQM's invoice list: nothing is missing from them.
    expect(customer.payments.unavailableSources).toEqual([]);
    expect(customer.balancesUnavailableSources).toEqual([{ system: 'IQM', code: 'UPSTREAM_UNAVAILABLE' }]);
    // The error is still there, once, at the list's path; asking for the balances' account costs no second read.
    expect((response.errors ?? []).map((error) => error.path?.join('.'))).toEqual(['customer.invoices']);
    expect(statuses(iqm, IQM_LIST)).toEqual([503, 503, 503]);
  });

  it('429 with Retry-After: 0 is retried; a Retry-After beyond the time budget is not waited for', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', times: 1, fault: { kind: 'respond', status: 429, headers: { 'retry-after': '0' } } });
    const retried = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(retried.errors).toBeUndefined();
    expect(statuses(iqm, IQM_LIST)).toEqual([429, 200]);

    iqm.resetCalls();
    iqm.injectFault({ route: IQM_LIST, method: 'GET', times: 1, fault: { kind: 'respond', status: 429, headers: { 'retry-after': '3600' } } });
    const refused = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(onlyError(refused.errors)).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
    expect(statuses(iqm, IQM_LIST)).toEqual([429]);
  });

  it('a connection reset on a GET is retried on a new connection', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', times: 1, fault: { kind: 'reset' } });
    const response = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(response.errors).toBeUndefined();
    expect(sourcesOf(response).has('IQM')).toBe(true);
    expect(statuses(iqm, IQM_LIST)).toEqual([0, 200]);
  });

  it('a file download (a streamed GET) is retried before any byte is handed out, and gives its slot back when read', async () => {
    const iqm = stack.embedded.iqm!;
    const invoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101)!;
    iqm.injectFault({ route: '/download-invoice/', method: 'GET', times: 1, fault: { kind: 'reset' } });
    const pdf = await fetch(`${stack.origin}/files/invoices/200101/${invoice.invoiceId}.pdf`, { headers: stack.auth });
    expect(pdf.status).toBe(200);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.toString('latin1')).toContain(`Invoice ID: ${invoice.invoiceId}`);
    expect(statuses(iqm, '/download-invoice/')).toEqual([0, 200]);
    // The body held a bulkhead slot while it streamed; once read, the slot is free again.
    for (let poll = 0; poll < 100 && stack.pools.iqm.inFlight > 0; poll += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stack.pools.iqm.inFlight).toBe(0);
  });

  it('a POST is never retried: a reset or a 503 gives exactly one call and an error', async () => {
    const iqm = stack.embedded.iqm!;
    const marginBefore = iqm.state.customers.get(200102)!.margins[0]!.marginValue.toFixed();
    for (const fault of [{ kind: 'reset' } as const, { kind: 'respond', status: 503 } as const]) {
      iqm.resetCalls();
      iqm.injectFault({ route: IQM_MARGIN, method: 'POST', times: 1, fault });
      const response = await stack.gql(UPDATE_MARGIN, { c: customerGid(200102), value: '42' });
      expect(onlyError(response.errors)).toMatchObject({ path: ['updateMargin'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
      expect(statuses(iqm, IQM_MARGIN, 'POST')).toEqual([fault.kind === 'reset' ? 0 : 503]);
      // Neither fault let the request be handled.
      expect(iqm.state.customers.get(200102)!.margins[0]!.marginValue.toFixed()).toBe(marginBefore);
    }
  });

  it('a POST whose answer is lost after the upstream applied it is not repeated: applied once, reported as an error', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_MARGIN, method: 'POST', times: 1, fault: { kind: 'resetAfterApply' } });
    const response = await stack.gql(UPDATE_MARGIN, { c: customerGid(200102), value: '17.25' });
    expect(onlyError(response.errors)).toMatchObject({ path: ['updateMargin'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
    expect(statuses(iqm, IQM_MARGIN, 'POST')).toEqual([0]);
    expect(iqm.state.customers.get(200102)!.margins[0]!.marginValue.toFixed()).toBe('17.25');
  });

  it('malformed JSON: UPSTREAM_BAD_RESPONSE, not retried (the upstream would answer the same)', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'malformedJson' } });
    const response = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(onlyError(response.errors)).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_BAD_RESPONSE', system: 'IQM' });
    expect(sourcesOf(response)).toEqual(new Set(['INTACT', 'REFRENS', 'IQMETRIX']));
    expect(statuses(iqm, IQM_LIST)).toEqual([200]);
  });

  it("Intact's 200 Success:false on a read: NOT_FOUND for an unknown account, UPSTREAM_BAD_RESPONSE otherwise, never retried", async () => {
    const intact = stack.embedded.intact!;
    intact.injectFault({
      route: INTACT_LEDGER,
      method: 'GET',
      times: 1,
      fault: { kind: 'respond', status: 200, body: { Success: false, ErrorMessage: 'Account CUS000001 not found' } },
    });
    const unknown = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(onlyError(unknown.errors)).toMatchObject({ path: ['customer', 'invoices'], code: 'NOT_FOUND', system: 'INTACT' });
    expect(sourcesOf(unknown)).toEqual(new Set(['IQM', 'REFRENS', 'IQMETRIX']));

    intact.injectFault({
      route: INTACT_LEDGER,
      method: 'GET',
      times: 1,
      fault: { kind: 'respond', status: 200, body: { Success: false, ErrorMessage: 'fetch must not exceed 500' } },
    });
    const refused = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    const error = onlyError(refused.errors);
    expect(error).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_BAD_RESPONSE', system: 'INTACT' });
    expect(error.message).toContain('fetch must not exceed 500');
    expect(statuses(intact, INTACT_LEDGER)).toEqual([200, 200]);
  });

  it("Intact's 200 Success:false on a write: the refusal is a userError, the receipt is posted once and nothing changes", async () => {
    const intact = stack.embedded.intact!;
    const invoice = intact.state.addInvoice('CUS000003', { debit: '80.00', date: Date.UTC(2026, 8, 4), number: 'SI9100001' });
    const itemsBefore = intact.state.ledgerOf('CUS000003').length;
    intact.injectFault({
      route: INTACT_LEDGER,
      method: 'POST',
      fault: { kind: 'respond', status: 200, body: { Success: false, ErrorMessage: null, Errors: ['Receipt type CC is closed for branch LON'] } },
    });
    const response = await stack.gql<{ allocateReceipt: { receipt: null; userErrors: { field: string[] | null; message: string; code: string }[] } }>(
      `mutation($input: AllocateReceiptInput!) { allocateReceipt(input: $input) { receipt { number } userErrors { field message code } } }`,
      {
        input: {
          idempotencyKey: 'faults-intact-refusal-1',
          customerId: directoryCustomer('tailspin'),
          amount: '30.00',
          paidAt: '2026-10-10T09:00:00Z',
          paymentBranchCode: 'LON',
          receiptTypeCode: 'CC',
          allocations: [{ invoiceNumber: 'SI9100001', amount: '30.00' }],
        },
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.allocateReceipt).toEqual({
      receipt: null,
      userErrors: [{ field: null, message: 'Receipt type CC is closed for branch LON', code: 'UPSTREAM_REJECTED' }],
    });
    expect(statuses(intact, INTACT_LEDGER, 'POST')).toEqual([200]);
    expect(intact.state.ledgerOf('CUS000003')).toHaveLength(itemsBefore);
    expect(new Decimal(invoice.unallocated).toFixed()).toBe('80');
  });

  it('one upstream down for a whole unified-customer query: the other systems answer, the failed fields name it', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    // Every iQmetrix route (D1 summaries, D2 invoices) answers 503.
    iqmetrix.injectFault({ route: '', method: 'GET', fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<{
      customer: {
        displayName: string;
        sources: string[];
        invoices: { totalCount: number | null; nodes: { source: string; outstanding: { amount: string } }[] };
        payments: { nodes: { source: string }[] };
        ledger: { totalCount: number };
        balances: { currencyCode: string }[];
      };
    }>(
      `query($id: ID!) {
        customer(id: $id) {
          displayName
          sources
          invoices(first: 100) { totalCount nodes { source outstanding { amount } } }
          payments(first: 100) { nodes { source } }
          ledger(first: 5) { totalCount }
          balances { currencyCode }
        }
      }`,
      { id: NORTHWIND },
    );
    const customer = response.data!.customer;
    expect(customer.displayName).toBe('Northwind Traders');
    expect(customer.sources).toEqual(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']);
    expect(customer.ledger.totalCount).toBe(stack.embedded.intact!.state.ledgerOf('CUS000001').length);
    expect(new Set(customer.invoices.nodes.map((node) => node.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS']));
    expect(customer.invoices.totalCount).toBeNull();
    expect(new Set(customer.payments.nodes.map((node) => node.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS']));
    // iQmetrix is the only CAD system: its balance is missing, the others are there.
    expect(customer.balances.map((balance) => balance.currencyCode)).toEqual(['GBP', 'INR', 'USD']);
    const errors = response.errors!.map((error) => ({ path: error.path, code: error.extensions?.['code'], system: error.extensions?.['system'] }));
    // One error per field that lost iQmetrix's part, in whatever order the fields finished.
    expect(errors).toHaveLength(3);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: ['customer', 'invoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' },
        { path: ['customer', 'payments'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' },
        { path: ['customer', 'balances'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' },
      ]),
    );
    // The one D1 read of the operation was tried three times, never more.
    expect(statuses(iqmetrix, IQMETRIX_SUMMARIES)).toEqual([503, 503, 503]);
  });
});

describe('Upstream faults: circuit breaker', () => {
  /** Polls with `operation` until `done` holds (each poll is a whole operation); fails after 100 polls. */
  async function pollUntil<T>(operation: () => Promise<T>, done: (result: T) => boolean): Promise<T> {
    for (let poll = 0; poll < 100; poll += 1) {
      const result = await operation();
      if (done(result)) return result;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the condition never held');
  }

  it('opens after repeated failures: later operations do not reach the upstream and answer UPSTREAM_UNAVAILABLE', async () => {
    // A cool-down far longer than the test: the circuit stays open throughout.
    const stack = await startStack({
      env: { UPSTREAM_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '2000', UPSTREAM_RETRY_BASE_DELAY_MS: '1', UPSTREAM_BREAKER_FAILURES: '3', UPSTREAM_BREAKER_COOLDOWN_MS: '600000' },
    });
    try {
      const iqm = stack.embedded.iqm!;
      iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'respond', status: 503 } });
      const failing = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
      expect(onlyError(failing.errors)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
      expect(statuses(iqm, IQM_LIST)).toEqual([503, 503, 503]);
      expect(stack.pools.iqm.breakerState).toBe('open');

      // The upstream has recovered, but the circuit does not know it yet.
      iqm.clearFaults();
      iqm.resetCalls();
      for (let operation = 0; operation < 3; operation += 1) {
        const fast = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
        const error = onlyError(fast.errors);
        expect(error).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
        expect(error.message).toContain('circuit is open');
        expect(sourcesOf(fast)).toEqual(new Set(['INTACT', 'REFRENS', 'IQMETRIX']));
      }
      expect(iqm.calls).toEqual([]);
      // Other upstreams have breakers of their own.
      expect(stack.pools.intact.breakerState).toBe('closed');
    } finally {
      await stack.close();
    }
  });

  it('after the cool-down one probe goes through: a failed probe re-opens, a successful one closes the circuit', async () => {
    const stack = await startStack({
      env: { UPSTREAM_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '2000', UPSTREAM_RETRY_BASE_DELAY_MS: '1', UPSTREAM_BREAKER_FAILURES: '3', UPSTREAM_BREAKER_COOLDOWN_MS: '200' },
    });
    try {
      const iqm = stack.embedded.iqm!;
      const query = () => stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
      iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'respond', status: 503 } });
      await query();
      expect(statuses(iqm, IQM_LIST)).toEqual([503, 503, 503]);

      // Still failing: each operation now sends at most the one probe, never three attempts.
      iqm.resetCalls();
      let arrived = 0;
      await pollUntil(
        async () => {
          const before = iqm.callsTo(IQM_LIST).length;
          const response = await query();
          const sent = iqm.callsTo(IQM_LIST).length - before;
          expect(sent).toBeLessThanOrEqual(1);
          expect(onlyError(response.errors)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
          arrived += sent;
          return arrived;
        },
        (count) => count >= 2,
      );
      expect(statuses(iqm, IQM_LIST)).toEqual([503, 503]);

      // Recovered: the next probe succeeds and closes the circuit.
      iqm.clearFaults();
      iqm.resetCalls();
      const recovered = await pollUntil(query, (response) => response.errors === undefined);
      expect(sourcesOf(recovered)).toEqual(new Set(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']));
      expect(statuses(iqm, IQM_LIST)).toEqual([200]);
      expect(stack.pools.iqm.breakerState).toBe('closed');
      const after = await query();
      expect(after.errors).toBeUndefined();
      expect(statuses(iqm, IQM_LIST)).toEqual([200, 200]);
    } finally {
      await stack.close();
    }
  });
});

describe('Upstream faults: bulkhead', () => {
  it('caps the calls in flight to one upstream: ten concurrent operations, never more than two at the simulator', async () => {
    // One tenant alone: shares off, so the cap measured is the upstream's (fair shares: test/security/fairShares.test.ts).
    const stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '5000', UPSTREAM_MAX_IN_FLIGHT: '2', UPSTREAM_TENANT_SHARE_PERCENT: '100' } });
    try {
      const iqm = stack.embedded.iqm!;
      iqm.injectFault({ route: IQM_LIST, method: 'GET', fault: { kind: 'latency', ms: 100 } });
      iqm.resetPeakInFlight();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          stack.gql<{ customer: { invoices: { nodes: { source: string }[] } } }>(
            `query($id: ID!) { customer(id: $id) { invoices(first: 100, filter: { sources: [IQM] }) { nodes { source } } } }`,
            { id: NORTHWIND },
          ),
        ),
      );
      for (const response of responses) {
        expect(response.errors).toBeUndefined();
        expect(response.data!.customer.invoices.nodes.length).toBeGreaterThan(0);
      }
      expect(iqm.callsTo(IQM_LIST)).toHaveLength(10);
      expect(iqm.peakInFlight).toBe(2);
    } finally {
      await stack.close();
    }
  });

  it('refuses at once, with UPSTREAM_UNAVAILABLE, what does not fit in the queue', async () => {
    const stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '5000', UPSTREAM_MAX_IN_FLIGHT: '1', UPSTREAM_MAX_QUEUED: '0' } });
    try {
      const iqm = stack.embedded.iqm!;
      // The first call holds the only slot until the simulator lets it go.
      iqm.injectFault({ route: IQM_LIST, method: 'GET', times: 1, fault: { kind: 'latency', ms: 500 } });
      const query = () =>
        stack.gql<{ customer: { invoices: { nodes: { source: string }[] } } }>(
          `query($id: ID!) { customer(id: $id) { invoices(first: 100, filter: { sources: [IQM] }) { nodes { source } } } }`,
          { id: NORTHWIND },
        );
      const holding = query();
      await pollUntilInFlight(iqm);
      const refused = await query();
      expect(onlyError(refused.errors)).toMatchObject({ path: ['customer', 'invoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
      expect((await holding).errors).toBeUndefined();
      expect(iqm.callsTo(IQM_LIST)).toHaveLength(1);
    } finally {
      await stack.close();
    }
  });
});

/** Waits until the simulator is handling a request (the slot is taken), polling its counter. */
async function pollUntilInFlight(simulator: SimulatorServer): Promise<void> {
  for (let poll = 0; poll < 200 && simulator.inFlight === 0; poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(simulator.inFlight).toBeGreaterThan(0);
}

const PAYMENT_FIELDS = '__typename id source status amount { amount currencyCode } paidAt reference';

/** Operation 4 of bench/operations.ts (the unified customer), with the in-band sources and the invoices' cursors (edges instead of nodes). */
const UNIFIED_CUSTOMER = /* GraphQL */ `
  query UnifiedCustomer($id: ID!) {
    customer(id: $id) {
      id displayName sources
      invoices(first: 100) {
        totalCount
        unavailableSources { system code message }
        pageInfo { hasNextPage endCursor }
        edges { cursor node { __typename id source number status total { amount currencyCode } paid { amount currencyCode } outstanding { amount currencyCode } issuedOn dueOn ... on IqmetrixInvoice { invoiceId } } }
      }
      payments(first: 100) {
        totalCount
        unavailableSources { system code message }
        nodes { ${PAYMENT_FIELDS} }
      }
      ledger(first: 50) { totalCount nodes { id number type typeCode date dueDate debit { amount currencyCode } credit { amount currencyCode } unallocated { amount currencyCode } } }
    }
  }
`;

interface Unavailable {
  system: string;
  code: string;
  message: string;
}

interface Invoice {
  id: string;
  source: string;
  number: string;
  total: { amount: string };
  invoiceId?: string;
}

/** The invoices of a connection that has edges. */
const nodesOf = (invoices: { edges: { node: Invoice }[] }) => invoices.edges.map((edge) => edge.node);

interface Payment {
  id: string;
  source: string;
}

/** All of a customer's merged payments, page by page, with no fault. */
async function allPayments(stack: TestStack): Promise<Payment[]> {
  const payments: Payment[] = [];
  for (let after: string | null = null; ; ) {
    const response: GraphQLResponse<{ customer: { payments: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Payment[] } } }> = await stack.gql(
      `query($id: ID!, $after: String) { customer(id: $id) { payments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${PAYMENT_FIELDS} } } } }`,
      { id: NORTHWIND, after },
    );
    expect(response.errors).toBeUndefined();
    const page = response.data!.customer.payments;
    payments.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return payments;
    after = page.pageInfo.endCursor;
  }
}

interface UnifiedCustomer {
  customer: {
    displayName: string;
    invoices: {
      totalCount: number | null;
      unavailableSources: Unavailable[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: Invoice }[];
    };
    payments: { totalCount: number | null; unavailableSources: Unavailable[]; nodes: Payment[] };
    ledger: unknown;
  };
}

const IQMETRIX_DETAIL = '/Invoices(';

/** Whether a global id's key names this iQmetrix invoice (an invoice's or one of its payments'). */
const namesInvoice = (globalId: string, invoiceId: string) => Buffer.from(globalId, 'base64url').toString('utf8').includes(invoiceId);

/** Every call a simulator logged, as `METHOD route status`, sorted (order across parallel calls is not asserted). */
const callLog = (simulator: SimulatorServer) => simulator.calls.map((call) => `${call.method} ${call.route} ${call.status}`).sort();

describe("Upstream faults: one invoice's own read (iQmetrix D2, Refrens C2) fails", () => {
  let stack: TestStack;
  let simulators: SimulatorServer[];
  /** The unified customer with no fault, and the calls it made. */
  let baseline: UnifiedCustomer;
  let baselineCalls: string[][];
  /** Every payment of the customer, with no fault (operation 4 shows the first 100). */
  let everyPayment: Payment[];

  beforeAll(async () => {
    stack = await startStack({ ...BENCH_SEED, env: { UPSTREAM_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '3000', UPSTREAM_RETRY_BASE_DELAY_MS: '1', UPSTREAM_BREAKER_FAILURES: '1000' } });
    const { iqm, intact, refrens, iqmetrix } = stack.embedded;
    simulators = [iqm!, intact!, refrens!, iqmetrix!];
    const response = await stack.gql<UnifiedCustomer>(UNIFIED_CUSTOMER, { id: NORTHWIND });
    expect(response.errors).toBeUndefined();
    baseline = response.data!;
    baselineCalls = simulators.map(callLog);
    expect(baseline.customer.invoices.unavailableSources).toEqual([]);
    expect(baseline.customer.payments.unavailableSources).toEqual([]);
    expect(nodesOf(baseline.customer.invoices).filter((node) => node.source === 'IQMETRIX')).toHaveLength(BENCH_SEED.iqmetrix.invoicesPerCustomer);
    everyPayment = await allPayments(stack);
    expect(baseline.customer.payments.nodes).toEqual(everyPayment.slice(0, 100));
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    for (const simulator of simulators) simulator.resetCalls();
  });
  afterEach(() => {
    for (const simulator of simulators) simulator.clearFaults();
  });

  /** An iQmetrix invoice in the middle of the baseline's first page, with payments. */
  const victim = () =>
    nodesOf(baseline.customer.invoices)
      .filter((node) => node.source === 'IQMETRIX')
      .find((node, index) => index >= 3 && everyPayment.some((payment) => payment.source === 'IQMETRIX' && namesInvoice(payment.id, node.invoiceId!)))!;

  it("one invoice's D2 answers 503: that invoice is left out of the page, its payments are missing, the other systems' rows are all there", async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const { id, invoiceId } = victim();
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, url: invoiceId!, fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<UnifiedCustomer>(UNIFIED_CUSTOMER, { id: NORTHWIND });
    const { invoices, payments, ledger, displayName } = response.data!.customer;
    expect(displayName).toBe('Northwind Traders');

    // The page is the baseline's without that invoice: same order, same cursors, same pageInfo.
    const expected = baseline.customer.invoices;
    expect(invoices.edges).toEqual(expected.edges.filter((edge) => edge.node.id !== id));
    expect(invoices.pageInfo).toEqual(expected.pageInfo);
    expect(invoices.totalCount).toBeNull();
    const oneOfTwenty = { system: 'IQMETRIX', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/^IQMETRIX: 1 of 20 invoice details could not be read \(IQMETRIX answered HTTP 503\)/) };
    expect(invoices.unavailableSources).toEqual([oneOfTwenty]);

    // The first hundred of every payment but that invoice's.
    const victimPayments = everyPayment.filter((node) => node.source === 'IQMETRIX' && namesInvoice(node.id, invoiceId!));
    expect(victimPayments.length).toBeGreaterThan(0);
    expect(payments.nodes).toEqual(everyPayment.filter((node) => !victimPayments.includes(node)).slice(0, 100));
    expect(payments.totalCount).toBeNull();
    expect(payments.unavailableSources).toEqual([{ ...oneOfTwenty, message: expect.stringContaining("those invoices' payments are missing") }]);
    expect(ledger).toEqual(baseline.customer.ledger);

    // The usual error at each field's path, once each.
    const errors = response.errors!.map((error) => ({ path: error.path, code: error.extensions?.['code'], system: error.extensions?.['system'] }));
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: ['customer', 'invoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' },
        { path: ['customer', 'payments'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' },
      ]),
    );

    // The failed D2 was tried as the retry policy says (three attempts), the others once; nothing else changed.
    const details = iqmetrix.callsTo(IQMETRIX_DETAIL);
    expect(details.filter((call) => call.url.includes(invoiceId!)).map((call) => call.status)).toEqual([503, 503, 503]);
    const others = details.filter((call) => !call.url.includes(invoiceId!));
    expect(others.map((call) => call.status)).toEqual(Array(19).fill(200));
    expect(new Set(others.map((call) => call.url)).size).toBe(19);
    expect(statuses(iqmetrix, IQMETRIX_SUMMARIES)).toEqual([200]);
    expect(simulators.slice(0, 3).map(callLog)).toEqual(baselineCalls.slice(0, 3));
  });

  it("the balances leave that invoice's amounts out and say so beside them", async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const { invoiceId, total } = victim();
    const query = `query($id: ID!) { customer(id: $id) { balances { currencyCode invoiced { amount } } balancesUnavailableSources { system code message } } }`;
    const before = await stack.gql<{ customer: { balances: { currencyCode: string; invoiced: { amount: string } }[] } }>(query, { id: NORTHWIND });
    iqmetrix.resetCalls();
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, url: invoiceId!, fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<{
      customer: { balances: { currencyCode: string; invoiced: { amount: string } }[]; balancesUnavailableSources: Unavailable[] };
    }>(query, { id: NORTHWIND });
    const customer = response.data!.customer;
    const cad = (balances: { currencyCode: string; invoiced: { amount: string } }[]) => new Decimal(balances.find((balance) => balance.currencyCode === 'CAD')!.invoiced.amount);
    expect(cad(customer.balances).toFixed()).toBe(cad(before.data!.customer.balances).minus(total.amount).toFixed());
    expect(customer.balances.filter((balance) => balance.currencyCode !== 'CAD')).toEqual(before.data!.customer.balances.filter((balance) => balance.currencyCode !== 'CAD'));
    expect(customer.balancesUnavailableSources).toEqual([
      { system: 'IQMETRIX', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/^IQMETRIX: 1 of 20 invoice details could not be read .*those invoices are left out$/) },
    ]);
    expect(response.errors!.map((error) => [error.path?.join('.'), error.extensions?.['code']])).toEqual([['customer.balances', 'UPSTREAM_UNAVAILABLE']]);
    expect(iqmetrix.callsTo(IQMETRIX_DETAIL).filter((call) => call.url.includes(invoiceId!))).toHaveLength(3);
  });

  it('a list ordered by status has no place for an invoice whose status cannot be read: it is left out before paging', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const { id, invoiceId } = victim();
    const query = `query($id: ID!) { customer(id: $id) { invoices(first: 100, orderBy: { field: STATUS }, filter: { sources: [IQMETRIX, REFRENS] }) { totalCount unavailableSources { system code } nodes { id status } } } }`;
    const before = await stack.gql<{ customer: { invoices: { nodes: { id: string }[] } } }>(query, { id: NORTHWIND });
    expect(before.data!.customer.invoices.nodes).toHaveLength(22);
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, url: invoiceId!, fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<{ customer: { invoices: { totalCount: number | null; unavailableSources: unknown[]; nodes: { id: string }[] } } }>(query, { id: NORTHWIND });
    const invoices = response.data!.customer.invoices;
    expect(invoices.nodes).toEqual(before.data!.customer.invoices.nodes.filter((node) => node.id !== id));
    expect(invoices.totalCount).toBeNull();
    expect(invoices.unavailableSources).toEqual([{ system: 'IQMETRIX', code: 'UPSTREAM_UNAVAILABLE' }]);
    expect(response.errors!.map((error) => error.path?.join('.'))).toEqual(['customer.invoices']);
  });

  it("every D2 times out: no iQmetrix invoice on the page, each D2 tried once, the other systems' rows are all there", async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, fault: { kind: 'hang' } });
    const response = await stack.gql<UnifiedCustomer>(UNIFIED_CUSTOMER, { id: NORTHWIND });
    const { invoices, payments, ledger } = response.data!.customer;
    expect(invoices.edges).toEqual(baseline.customer.invoices.edges.filter((edge) => edge.node.source !== 'IQMETRIX'));
    expect(invoices.pageInfo).toEqual(baseline.customer.invoices.pageInfo);
    const allTimedOut = { system: 'IQMETRIX', code: 'UPSTREAM_TIMEOUT', message: expect.stringMatching(/^IQMETRIX: 20 of 20 invoice details could not be read/) };
    expect(invoices.unavailableSources).toEqual([allTimedOut]);
    expect(payments.nodes).toEqual(everyPayment.filter((node) => node.source !== 'IQMETRIX').slice(0, 100));
    expect(payments.unavailableSources).toEqual([allTimedOut]);
    expect(ledger).toEqual(baseline.customer.ledger);
    expect(response.errors!.map((error) => [error.path?.join('.'), error.extensions?.['code']]).sort()).toEqual([
      ['customer.invoices', 'UPSTREAM_TIMEOUT'],
      ['customer.payments', 'UPSTREAM_TIMEOUT'],
    ]);
    // A timeout is not retried: twenty D2s arrived, one per invoice, none answered.
    const details = iqmetrix.callsTo(IQMETRIX_DETAIL);
    expect(details.map((call) => call.status)).toEqual(Array(20).fill(0));
    expect(new Set(details.map((call) => call.url)).size).toBe(20);

    // A page that selects nothing D2 answers makes no D2 call and loses nothing.
    iqmetrix.resetCalls();
    const summaryOnly = await stack.gql<CustomerInvoices>(CUSTOMER_INVOICES, { id: NORTHWIND });
    expect(summaryOnly.errors).toBeUndefined();
    expect(summaryOnly.data!.customer.invoices.nodes.filter((node) => node.source === 'IQMETRIX')).toHaveLength(20);
    expect(iqmetrix.callsTo(IQMETRIX_DETAIL)).toEqual([]);
  });

  it("one Refrens invoice's payments (C2) answer 503: that invoice and its payments are left out, its other invoice stays", async () => {
    const refrens = stack.embedded.refrens!;
    refrens.injectFault({ route: '/payments', method: 'GET', url: '64f1a2b3c4d5e6f708192a01', fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<UnifiedCustomer>(UNIFIED_CUSTOMER, { id: NORTHWIND });
    const { invoices, payments } = response.data!.customer;
    const isLost = (node: { id: string }) => namesInvoice(node.id, '64f1a2b3c4d5e6f708192a01');
    expect(nodesOf(invoices).filter((node) => node.source === 'REFRENS').map((node) => node.number)).toEqual(['RF-2026-0002']);
    expect(invoices.edges).toEqual(baseline.customer.invoices.edges.filter((edge) => !(edge.node.source === 'REFRENS' && edge.node.number === 'RF-2026-0001')));
    const lost = everyPayment.filter((node) => node.source === 'REFRENS' && isLost(node));
    expect(lost.length).toBeGreaterThan(0);
    expect(payments.nodes).toEqual(everyPayment.filter((node) => !lost.includes(node)).slice(0, 100));
    const oneOfTwo = { system: 'REFRENS', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/^REFRENS: 1 of 2 invoice payment lists could not be read/) };
    expect(invoices.unavailableSources).toEqual([oneOfTwo]);
    expect(payments.unavailableSources).toEqual([oneOfTwo]);
    expect(statuses(refrens, '/payments')).toEqual(expect.arrayContaining([503, 503, 503, 200]));
    expect(refrens.callsTo('/payments')).toHaveLength(4);
  });

  it('an iQmetrix invoice read by id whose D2 fails is still that one typed error', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const { id, invoiceId } = victim();
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, url: invoiceId!, fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<{ node: null }>(`query($id: ID!) { node(id: $id) { id ... on Invoice { status } } }`, { id });
    expect(response.data).toEqual({ node: null });
    expect(onlyError(response.errors)).toMatchObject({ path: ['node'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' });
    expect(statuses(iqmetrix, IQMETRIX_DETAIL)).toEqual([503, 503, 503]);
  });

  it('iqmetrixInvoices (operation 5) with one D2 answering 503: that invoice is left out of the page, the others keep their cursors, the response answers', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const before = await stack.gql<IqmetrixInvoices>(IQMETRIX_EXPANDED);
    expect(before.errors).toBeUndefined();
    const page = before.data!.iqmetrixInvoices;
    expect(page.edges).toHaveLength(20);
    expect(page.unavailableSources).toEqual([]);
    const lost = page.edges[5]!;
    const { invoiceId } = lost.node;
    iqmetrix.resetCalls();
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, url: invoiceId, fault: { kind: 'respond', status: 503 } });
    const response = await stack.gql<IqmetrixInvoices>(IQMETRIX_EXPANDED);
    const invoices = response.data!.iqmetrixInvoices;

    // The fault-free page without that invoice: same order, same cursors, same pageInfo.
    expect(invoices.edges).toEqual(page.edges.filter((edge) => edge !== lost));
    expect(invoices.edges.slice(4, 6)).toEqual([page.edges[4], page.edges[6]]);
    expect(invoices.nodes).toEqual(page.nodes!.filter((node) => node.id !== lost.node.id));
    expect(invoices.nodes).toHaveLength(19);
    expect(invoices.pageInfo).toEqual(page.pageInfo);
    expect(invoices.totalCount).toBeNull();
    expect(invoices.unavailableSources).toEqual([
      {
        system: 'IQMETRIX',
        code: 'UPSTREAM_UNAVAILABLE',
        message: expect.stringMatching(/^IQMETRIX: 1 of 20 invoice details could not be read \(IQMETRIX answered HTTP 503\); those invoices are left out of this page$/),
      },
    ]);
    expect(onlyError(response.errors)).toMatchObject({ path: ['iqmetrixInvoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' });

    // That D2 was tried as the retry policy says (three attempts), the other nineteen once, D1 once.
    const details = iqmetrix.callsTo(IQMETRIX_DETAIL);
    expect(details.filter((call) => call.url.includes(invoiceId)).map((call) => call.status)).toEqual([503, 503, 503]);
    const others = details.filter((call) => !call.url.includes(invoiceId));
    expect(others.map((call) => call.status)).toEqual(Array(19).fill(200));
    expect(new Set(others.map((call) => call.url)).size).toBe(19);
    expect(statuses(iqmetrix, IQMETRIX_SUMMARIES)).toEqual([200]);
  });

  it('iqmetrixInvoices selecting no D2 field makes no D2 call and loses nothing; a failed D1 is still its one typed error', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const before = await stack.gql<IqmetrixInvoices>(IQMETRIX_SUMMARIES_ONLY);
    expect(before.errors).toBeUndefined();
    iqmetrix.injectFault({ route: IQMETRIX_DETAIL, url: before.data!.iqmetrixInvoices.edges[5]!.node.invoiceId, fault: { kind: 'respond', status: 503 } });
    iqmetrix.resetCalls();
    const response = await stack.gql<IqmetrixInvoices>(IQMETRIX_SUMMARIES_ONLY);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual(before.data);
    expect(response.data!.iqmetrixInvoices.edges).toHaveLength(20);
    expect(iqmetrix.callsTo(IQMETRIX_DETAIL)).toEqual([]);
    expect(statuses(iqmetrix, IQMETRIX_SUMMARIES)).toEqual([200]);

    // D1 itself failing leaves nothing to answer: the typed error, and no D2 call.
    iqmetrix.resetCalls();
    iqmetrix.injectFault({ route: IQMETRIX_SUMMARIES, fault: { kind: 'respond', status: 503 } });
    const failed = await stack.gql<IqmetrixInvoices>(IQMETRIX_EXPANDED);
    expect(failed.data).toBeNull();
    expect(onlyError(failed.errors)).toMatchObject({ path: ['iqmetrixInvoices'], code: 'UPSTREAM_UNAVAILABLE', system: 'IQMETRIX' });
    expect(statuses(iqmetrix, IQMETRIX_SUMMARIES)).toEqual([503, 503, 503]);
    expect(iqmetrix.callsTo(IQMETRIX_DETAIL)).toEqual([]);
  });
});

/** Operation 5 of bench/operations.ts (twenty iQmetrix invoices with every D2 field), with the in-band sources and the invoices' cursors. */
const IQMETRIX_EXPANDED = BENCH_OPERATIONS.find((operation) => operation.name === 'iqmetrixInvoicesExpanded')!.query.replace(
  'totalCount',
  'totalCount unavailableSources { system code message } pageInfo { hasNextPage endCursor } edges { cursor node { id ... on IqmetrixInvoice { invoiceId } } }',
);

/** iQmetrix invoices with D1 fields only. */
const IQMETRIX_SUMMARIES_ONLY = /* GraphQL */ `
  query {
    iqmetrixInvoices(first: 20) {
      totalCount
      unavailableSources { system code message }
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id number total { amount currencyCode } issuedOn dueOn ... on IqmetrixInvoice { invoiceId createdAt printableId locationId employeeId } } }
    }
  }
`;

interface IqmetrixInvoices {
  iqmetrixInvoices: {
    totalCount: number | null;
    unavailableSources: Unavailable[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; invoiceId: string } }[];
    nodes?: { id: string }[];
  };
}

describe('Upstream faults: the circuit opens during the D2 reads of one unified customer', () => {
  it('the D2 failures open it and it refuses their retries; the customer answers, and answers again once iQmetrix is refused outright', async () => {
    // One call at a time to iQmetrix: D1, then the twenty D2s (and their retries) in turn. Each asks
    // the breaker once it holds the slot, so once three have failed the rest, already queued, are
    // refused without reaching iQmetrix.
    const stack = await startStack({
      ...BENCH_SEED,
      env: {
        UPSTREAM_TIMEOUT_MS: '300',
        REQUEST_TIMEOUT_MS: '3000',
        UPSTREAM_RETRY_BASE_DELAY_MS: '1',
        UPSTREAM_BREAKER_FAILURES: '3',
        UPSTREAM_BREAKER_COOLDOWN_MS: '600000',
        UPSTREAM_MAX_IN_FLIGHT: '1',
        UPSTREAM_TENANT_SHARE_PERCENT: '100',
      },
    });
    try {
      const iqmetrix = stack.embedded.iqmetrix!;
      iqmetrix.injectFault({ route: IQMETRIX_DETAIL, fault: { kind: 'respond', status: 503 } });
      const response = await stack.gql<UnifiedCustomer>(UNIFIED_CUSTOMER, { id: NORTHWIND });
      const { displayName, invoices, payments } = response.data!.customer;
      expect(displayName).toBe('Northwind Traders');
      expect(new Set(nodesOf(invoices).map((node) => node.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS']));
      expect(invoices.edges).toHaveLength(80);
      expect(new Set(payments.nodes.map((node) => node.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS']));
      const all = { system: 'IQMETRIX', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/^IQMETRIX: 20 of 20 invoice details could not be read/) };
      expect(invoices.unavailableSources).toEqual([all]);
      expect(payments.unavailableSources).toEqual([all]);
      expect(stack.pools.iqmetrix.breakerState).toBe('open');
      // Exactly the three failures that opened the circuit reached iQmetrix.
      expect(iqmetrix.callsTo(IQMETRIX_DETAIL)).toHaveLength(3);

      // Now the circuit refuses D1 too: iQmetrix is missing as a whole, without a call.
      iqmetrix.resetCalls();
      const refused = await stack.gql<UnifiedCustomer>(UNIFIED_CUSTOMER, { id: NORTHWIND });
      expect(refused.data!.customer.displayName).toBe('Northwind Traders');
      // With no D1, iQmetrix's invoices have no places at all: the other systems' fill the page.
      expect(refused.data!.customer.invoices.edges).toHaveLength(100);
      expect(nodesOf(refused.data!.customer.invoices).filter((node) => node.source === 'IQMETRIX')).toEqual([]);
      expect(refused.data!.customer.invoices.unavailableSources).toEqual([
        { system: 'IQMETRIX', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('circuit is open') },
      ]);
      expect(iqmetrix.calls).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { startStack, type TestStack } from './helpers/stack.js';
import { CustomerDirectory } from '../src/directory/index.js';
import { TEST_TENANT } from './helpers/auth.js';

const CUSTOMER_INVOICES = /* GraphQL */ `
  query CustomerInvoices($owId: String!) {
    customerBySourceId(system: IQM, sourceId: $owId) {
      id
      sources
      identities { iqmWorkspaceId }
      availableBalance { amount currencyCode }
      financeDetails { totalCampaigns balance { amount currencyCode } }
      invoices(first: 10, filter: { sources: [IQM] }) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          number
          status
          total { amount currencyCode }
          paid { amount }
          outstanding { amount }
          issuedOn
          dueOn
          ... on IqmInvoice {
            invoiceId
            payments { totalCount nodes { id amount { amount } status ... on IqmPayment { paymentId mode } } }
          }
        }
      }
    }
  }
`;

interface InvoiceNode {
  id: string;
  number: string;
  status: string;
  total: { amount: string; currencyCode: string };
  paid: { amount: string };
  outstanding: { amount: string };
  issuedOn: string;
  dueOn: string;
  invoiceId: number;
  payments: { totalCount: number; nodes: { id: string; amount: { amount: string }; status: string; paymentId: number; mode: string }[] };
}

describe('Customer: IQM slice end to end', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers customer → invoices → payments with the seeded data from one invoice-list and one payment-list call', async () => {
    iqm.resetCalls();
    const response = await stack.gql<{ customerBySourceId: { invoices: { totalCount: number; nodes: InvoiceNode[] } } & Record<string, unknown> }>(
      CUSTOMER_INVOICES,
      { owId: '200101' },
    );
    expect(response.errors).toBeUndefined();
    const customer = response.data!.customerBySourceId;
    expect(customer['sources']).toEqual(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']);
    expect(customer['availableBalance']).toEqual({ amount: iqm.state.customers.get(200101)!.balance.toFixed(), currencyCode: 'USD' });

    const expected = [...iqm.state.invoices.values()].filter((invoice) => invoice.owId === 200101).sort((a, b) => b.issuedOn - a.issuedOn);
    expect(customer.invoices.totalCount).toBe(expected.length);
    expect(customer.invoices.nodes.map((node) => node.invoiceId)).toEqual(expected.map((invoice) => invoice.invoiceId));
    for (const [index, node] of customer.invoices.nodes.entries()) {
      const invoice = expected[index]!;
      expect(node.total).toEqual({ amount: invoice.invoiceAmount.toFixed(), currencyCode: 'USD' });
      expect(node.paid.amount).toBe(invoice.paidAmount.toFixed());
      expect(node.issuedOn).toBe(new Date(invoice.issuedOn).toISOString().slice(0, 10));
      const payments = [...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoice.invoiceId);
      expect(node.payments.nodes.map((payment) => payment.paymentId).sort()).toEqual(payments.map((payment) => payment.paymentId).sort());
    }
    const partial = customer.invoices.nodes.find((node) => node.status === 'PARTIALLY_PAID')!;
    expect(Number(partial.outstanding.amount)).toBeGreaterThan(0);
    expect(partial.payments.nodes[0]!.status).toBe('PAID');

    // A1, A16, A19 once, A35 once: invoice payments come from one customer payment list, not one call per invoice.
    expect(iqm.callsTo('/invoice/list/').length).toBe(1);
    expect(iqm.callsTo('/customer/payments/list').length).toBe(1);
    expect(iqm.calls.length).toBe(4);
  });

  it('resolves each payment’s invoice from one invoice list, not one call per payment', async () => {
    iqm.resetCalls();
    const response = await stack.gql<{ customerBySourceId: { payments: { nodes: { paymentId: number; invoice: { invoiceId: number; number: string } | null }[] } } }>(
      /* GraphQL */ `
        {
          customerBySourceId(system: IQM, sourceId: "200102") {
            payments(first: 50, filter: { sources: [IQM] }) { nodes { ... on IqmPayment { paymentId invoice { ... on IqmInvoice { invoiceId number } } } } }
          }
        }
      `,
    );
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.customerBySourceId.payments.nodes;
    const againstInvoices = nodes.filter((node) => node.invoice !== null);
    expect(againstInvoices.length).toBeGreaterThan(2);
    for (const node of nodes) {
      const payment = iqm.state.payments.get(node.paymentId)!;
      expect(node.invoice?.invoiceId ?? 0).toBe(payment.invoiceId);
    }
    expect(iqm.callsTo('/customer/payments/list').length).toBe(1);
    expect(iqm.callsTo('/invoice/list/').length).toBe(1);
  });

  it('approves a pending invoice with a note and shows the new status on the next query', async () => {
    const pending = [...iqm.state.invoices.values()].find((invoice) => invoice.owId === 200103 && invoice.status === 1)!;
    const list = await stack.gql<{ customerBySourceId: { invoices: { nodes: { id: string; invoiceId: number }[] } } }>(
      `{ customerBySourceId(system: IQM, sourceId: "200103") { invoices(first: 20) { nodes { id ... on IqmInvoice { invoiceId } } } } }`,
    );
    const id = list.data!.customerBySourceId.invoices.nodes.find((node) => node.invoiceId === pending.invoiceId)!.id;

    const approved = await stack.gql<{ approveInvoice: { invoice: { status: string; actionNote: string; statusUpdatedBy: string }; userErrors: unknown[] } }>(
      `mutation($id: ID!) { approveInvoice(input: { invoiceId: $id, actionNote: "Approved for payment" }) { invoice { status actionNote statusUpdatedBy } userErrors { field message code } } }`,
      { id },
    );
    expect(approved.data!.approveInvoice.userErrors).toEqual([]);
    expect(approved.data!.approveInvoice.invoice).toEqual({ status: 'UNPAID', actionNote: 'Approved for payment', statusUpdatedBy: 'Dana Finance' });
    expect(iqm.state.invoices.get(pending.invoiceId)!.status).toBe(3);

    const reread = await stack.gql<{ node: { status: string } }>(`query($id: ID!) { node(id: $id) { ... on Invoice { status } } }`, { id });
    expect(reread.data!.node.status).toBe('UNPAID');
  });

  it('refuses to approve a cancelled invoice with a userError and changes nothing', async () => {
    const cancelled = [...iqm.state.invoices.values()].find((invoice) => invoice.owId === 200101 && invoice.status === 8)!;
    const before = { ...cancelled };
    const id = Buffer.from(`IqmInvoice:IQM:200101:${cancelled.invoiceId}`).toString('base64url');
    const response = await stack.gql<{ approveInvoice: { invoice: null; userErrors: { field: string[] | null; message: string; code: string }[] } }>(
      `mutation($id: ID!) { approveInvoice(input: { invoiceId: $id }) { invoice { status } userErrors { field message code } } }`,
      { id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.approveInvoice.invoice).toBeNull();
    expect(response.data!.approveInvoice.userErrors).toEqual([
      { field: null, message: 'Invoice with the provided ID is cancelled and cannot be approved', code: 'INVALID_TRANSITION' },
    ]);
    expect(iqm.state.invoices.get(cancelled.invoiceId)).toEqual(before);
  });

  it('cancels an unpaid invoice and records the note', async () => {
    const unpaid = [...iqm.state.invoices.values()].find((invoice) => invoice.owId === 200102 && invoice.status === 3)!;
    const id = Buffer.from(`IqmInvoice:IQM:200102:${unpaid.invoiceId}`).toString('base64url');
    const response = await stack.gql<{ cancelInvoice: { invoice: { status: string; actionNote: string; outstanding: { amount: string } }; userErrors: unknown[] } }>(
      `mutation($id: ID!) { cancelInvoice(input: { invoiceId: $id, actionNote: "Duplicate" }) { invoice { status actionNote outstanding { amount } } userErrors { code } } }`,
      { id },
    );
    expect(response.data!.cancelInvoice).toEqual({ invoice: { status: 'CANCELLED', actionNote: 'Duplicate', outstanding: { amount: '0' } }, userErrors: [] });
  });

  it('reads fresh data after each write of a multi-mutation operation, whatever the operation read before', async () => {
    const unpaid = [...iqm.state.invoices.values()].find((invoice) => invoice.owId === 200101 && invoice.status === 3)!;
    const before = iqm.state.customers.get(200101)!.balance;
    const response = await stack.gql<{
      first: { customer: { availableBalance: { amount: string } } };
      second: { invoice: { paid: { amount: string }; customer: { availableBalance: { amount: string } } }; userErrors: unknown[] };
    }>(
      `mutation($customer: ID!, $invoice: ID!) {
        first: setDvIvtSegments(input: { customerId: $customer, enabled: true }) { customer { availableBalance { amount } } }
        second: payInvoice(input: { invoiceId: $invoice, amount: "10.00", paymentType: AS_FUND, idempotencyKey: "multi-mutation-pay" }) {
          invoice { paid { amount } customer { availableBalance { amount } } }
          userErrors { field message code }
        }
      }`,
      {
        customer: Buffer.from('Customer:DIRECTORY:northwind').toString('base64url'),
        invoice: Buffer.from(`IqmInvoice:IQM:200101:${unpaid.invoiceId}`).toString('base64url'),
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.first.customer.availableBalance.amount).toBe(before.toFixed());
    expect(response.data!.second.userErrors).toEqual([]);
    expect(response.data!.second.invoice.paid.amount).toBe('10');
    // The balance read by the first mutation's payload is not served again after the payment.
    expect(response.data!.second.invoice.customer.availableBalance.amount).toBe(before.minus(10).toFixed());
  });

  it('rejects an id that is not one of the tenant’s IQM invoices with NOT_FOUND, without calling IQM', async () => {
    iqm.resetCalls();
    const response = await stack.gql<{ approveInvoice: { userErrors: { field: string[]; code: string }[] } }>(
      `mutation { approveInvoice(input: { invoiceId: "not-an-id" }) { userErrors { field code } } }`,
    );
    expect(response.data!.approveInvoice.userErrors).toEqual([{ field: ['input', 'invoiceId'], code: 'NOT_FOUND' }]);
    // Another tenant's invoice (Blue Harbor's workspace 300101) is refused the same way, IQM never asked.
    const foreign = await stack.gql<{ approveInvoice: { userErrors: { field: string[]; code: string }[] } }>(
      `mutation($id: ID!) { approveInvoice(input: { invoiceId: $id }) { userErrors { field code } } }`,
      { id: Buffer.from('IqmInvoice:IQM:300101:1').toString('base64url') },
    );
    expect(foreign.data!.approveInvoice.userErrors).toEqual([{ field: ['input', 'invoiceId'], code: 'NOT_FOUND' }]);
    expect(iqm.calls).toEqual([]);
  });
});

describe('Customer: the tenant’s IQM credentials and failures', () => {
  let iqm: IqmSimulator;
  /** One tenant, configured by the single-tenant variables; its directory knows Northwind's IQM workspace. */
  const directory = CustomerDirectory.fromData(
    { customers: [{ key: 'northwind', displayName: 'Northwind Traders', iqm: { workspaceId: 200101 } }] },
    { iqmetrixCurrencyCode: 'CAD' },
  );
  const withIqm = (env: Record<string, string>) => startStack({ env: { IQM_BASE_URL: iqm.baseUrl, TENANT_ID: TEST_TENANT, ...env }, directory });

  beforeAll(async () => {
    iqm = new IqmSimulator();
    await iqm.start();
  });
  afterAll(async () => {
    await iqm.stop();
  });

  const QUERY = `{ customerBySourceId(system: IQM, sourceId: "200101") { id availableBalance { amount } } }`;

  it('answers UNAUTHENTICATED at the field when the tenant has no IQM credentials, and calls nothing', async () => {
    const stack = await withIqm({});
    try {
      iqm.resetCalls();
      const response = await stack.gql(QUERY);
      expect(response.data).toEqual({ customerBySourceId: { id: expect.any(String), availableBalance: null } });
      expect(response.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect(response.errors?.[0]?.path).toEqual(['customerBySourceId', 'availableBalance']);
      expect(iqm.calls).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('maps the upstream 401 for a token IQM refuses to UNAUTHENTICATED', async () => {
    const stack = await withIqm({ IQM_TOKEN: 'wrong', IQM_OW_ID: '200001' });
    try {
      iqm.resetCalls();
      const response = await stack.gql(QUERY);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', system: 'IQM' });
      expect(iqm.calls.map((call) => call.status)).toEqual([401]);
    } finally {
      await stack.close();
    }
  });

  it('sends the tenant’s credentials, never the caller’s headers, and only to IQM', async () => {
    const stack = await withIqm({ IQM_TOKEN: 'demo-iqm-token', IQM_OW_ID: '200001' });
    try {
      iqm.resetCalls();
      // The caller's own X-IAA-OW-ID (another organization) is ignored: no pass-through.
      const response = await stack.gql<{ customerBySourceId: { availableBalance: { amount: string } } }>(QUERY, undefined, {
        ...stack.auth,
        'x-iaa-ow-id': '300001',
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.customerBySourceId.availableBalance.amount).toBe(iqm.state.customers.get(200101)!.balance.toFixed());
      expect(iqm.calls.map((call) => [call.headers['authorization'], call.headers['x-iaa-ow-id']])).toEqual([['Bearer demo-iqm-token', '200001']]);
    } finally {
      await stack.close();
    }
  });

  it('keeps the rest of the query when IQM is down: UPSTREAM_UNAVAILABLE at the failed field', async () => {
    const down = await startStack({ env: { IQM_BASE_URL: 'http://127.0.0.1:9/api/v3/fa', IQM_TOKEN: 't', IQM_OW_ID: '1', TENANT_ID: TEST_TENANT }, directory });
    try {
      const response = await down.gql<{ customerBySourceId: { id: string; availableBalance: null } }>(QUERY);
      expect(response.data!.customerBySourceId.id).toBe(Buffer.from('Customer:DIRECTORY:northwind').toString('base64url'));
      expect(response.data!.customerBySourceId.availableBalance).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
      expect(JSON.stringify(response.errors)).not.toContain('127.0.0.1');
    } finally {
      await down.close();
    }
  });
});

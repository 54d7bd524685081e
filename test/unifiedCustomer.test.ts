import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IQMETRIX_DEMO_COMPANY_ID, IQMETRIX_DEMO_CUSTOMERS } from '../src/upstreams/iqmetrix/index.js';
import { startStack, type TestStack } from './helpers/stack.js';

const customerId = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');

interface InvoiceNode {
  __typename: string;
  id: string;
  source: string;
  number: string;
  status: string;
  total: { amount: string; currencyCode: string };
  paid: { amount: string };
  outstanding: { amount: string; currencyCode: string };
  issuedOn: string | null;
}

const UNIFIED = /* GraphQL */ `
  query Unified($id: ID!) {
    customer(id: $id) {
      displayName
      sources
      identities { iqmWorkspaceId intactAccountCode refrensBusinessUrlKey iqmetrixCompanyId iqmetrixCustomerId }
      invoices(first: 100) {
        totalCount
        nodes { __typename id source number status total { amount currencyCode } paid { amount } outstanding { amount currencyCode } issuedOn }
      }
      payments(first: 100) { totalCount nodes { __typename source amount { amount currencyCode } status } }
      ledger(first: 5) { totalCount pageInfo { hasNextPage } nodes { number type debit { amount currencyCode } unallocated { amount } } }
      balances { currencyCode invoiced { amount } paid { amount } outstanding { amount } }
    }
  }
`;

describe('Federation: one customer across four systems', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('merges invoices, payments, ledger and balances from IQM, Intact, Refrens and iQmetrix', async () => {
    const { iqm, intact, refrens, iqmetrix } = stack.embedded;
    for (const simulator of [iqm!, intact!, refrens!, iqmetrix!]) simulator.resetCalls();
    const response = await stack.gql<{
      customer: {
        sources: string[];
        identities: Record<string, unknown>;
        invoices: { totalCount: number; nodes: InvoiceNode[] };
        payments: { totalCount: number; nodes: { source: string; amount: { amount: string; currencyCode: string } }[] };
        ledger: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: unknown[] };
        balances: { currencyCode: string; invoiced: { amount: string }; paid: { amount: string }; outstanding: { amount: string } }[];
      };
    }>(UNIFIED, { id: customerId('northwind') });
    expect(response.errors).toBeUndefined();
    const customer = response.data!.customer;
    expect(customer.sources).toEqual(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']);
    expect(customer.identities).toEqual({
      iqmWorkspaceId: 200101,
      intactAccountCode: 'CUS000001',
      refrensBusinessUrlKey: 'northwind-traders',
      iqmetrixCompanyId: IQMETRIX_DEMO_COMPANY_ID,
      iqmetrixCustomerId: IQMETRIX_DEMO_CUSTOMERS.robertSmith,
    });

    // Every system's invoices, each still telling where it came from.
    const iqmInvoices = [...iqm!.state.invoices.values()].filter((invoice) => invoice.owId === 200101);
    const intactInvoices = intact!.state.ledgerOf('CUS000001').filter((item) => item.type === 'Inv');
    const iqmetrixInvoices = [...iqmetrix!.state.companies.get(IQMETRIX_DEMO_COMPANY_ID)!.invoices.values()].filter(
      (invoice) => invoice.customerId === IQMETRIX_DEMO_CUSTOMERS.robertSmith,
    );
    const bySource = (source: string) => customer.invoices.nodes.filter((node) => node.source === source);
    expect(bySource('IQM')).toHaveLength(iqmInvoices.length);
    expect(bySource('INTACT')).toHaveLength(intactInvoices.length);
    expect(bySource('REFRENS').map((node) => node.number).sort()).toEqual(['RF-2026-0001', 'RF-2026-0002']);
    expect(bySource('IQMETRIX')).toHaveLength(iqmetrixInvoices.length);
    expect(customer.invoices.totalCount).toBe(customer.invoices.nodes.length);
    expect(new Set(customer.invoices.nodes.map((node) => node.__typename))).toEqual(new Set(['IqmInvoice', 'IntactInvoice', 'RefrensInvoice', 'IqmetrixInvoice']));

    // Newest first across systems.
    const dates = customer.invoices.nodes.map((node) => node.issuedOn ?? '');
    expect(dates).toEqual([...dates].sort().reverse());

    // Refrens: total from the directory, paid from C2 (approved, not removed), outstanding exact.
    const rf1 = bySource('REFRENS').find((node) => node.number === 'RF-2026-0001')!;
    expect(rf1).toMatchObject({ total: { amount: '1180', currencyCode: 'INR' }, paid: { amount: '700' }, outstanding: { amount: '480', currencyCode: 'INR' }, status: 'OVERDUE' });

    // Intact: total is the debit, outstanding the unallocated amount.
    for (const node of bySource('INTACT')) {
      const item = intactInvoices.find((candidate) => candidate.number === node.number)!;
      expect(node.total.amount).toBe(new Decimal(item.debit).toFixed());
      expect(node.outstanding.amount).toBe(new Decimal(item.unallocated).toFixed());
    }

    // Balances per currency, computed exactly from the same invoices.
    const expectedOutstanding = new Map<string, Decimal>();
    for (const node of customer.invoices.nodes) {
      if (node.status === 'CANCELLED') continue;
      const previous = expectedOutstanding.get(node.outstanding.currencyCode) ?? new Decimal(0);
      expectedOutstanding.set(node.outstanding.currencyCode, previous.plus(node.outstanding.amount));
    }
    expect(customer.balances.map((balance) => balance.currencyCode)).toEqual(['CAD', 'GBP', 'INR', 'USD']);
    for (const balance of customer.balances) {
      expect(balance.outstanding.amount).toBe(expectedOutstanding.get(balance.currencyCode)!.toFixed());
    }
    expect(customer.balances.find((balance) => balance.currencyCode === 'INR')!.outstanding.amount).toBe('2840.5');

    // Payments from all four systems.
    expect(new Set(customer.payments.nodes.map((node) => node.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']));
    expect(customer.ledger.totalCount).toBe(intact!.state.ledgerOf('CUS000001').length);
    expect(customer.ledger.nodes).toHaveLength(5);

    // Each list is read once per operation though invoices, payments and balances all need it.
    expect(iqm!.callsTo('/invoice/list/')).toHaveLength(1);
    expect(refrens!.callsTo('/payments')).toHaveLength(2);
    expect(iqmetrix!.callsTo('InvoiceSummaries')).toHaveLength(1);
    expect(iqmetrix!.callsTo('Invoices(')).toHaveLength(iqmetrixInvoices.length);
  });

  it('allocates a receipt partially and fully, and the ledger reads back the new balances', async () => {
    const intact = stack.embedded.intact!;
    const a = intact.state.addInvoice('CUS000003', { debit: '250.00', date: Date.UTC(2026, 8, 1), number: 'SI9000001' });
    const b = intact.state.addInvoice('CUS000003', { debit: '0.30', date: Date.UTC(2026, 8, 2), number: 'SI9000002' });
    const response = await stack.gql<{
      allocateReceipt: {
        receipt: { number: string; amount: { amount: string; currencyCode: string }; unallocated: { amount: string } };
        allocations: { invoiceNumber: string; allocated: { amount: string }; outstanding: { amount: string }; invoice: { status: string } }[];
        userErrors: unknown[];
      };
    }>(
      `mutation($input: AllocateReceiptInput!) {
        allocateReceipt(input: $input) {
          receipt { number amount { amount currencyCode } unallocated { amount } }
          allocations { invoiceNumber allocated { amount } outstanding { amount } invoice { status } }
          userErrors { field message code }
        }
      }`,
      {
        input: {
          customerId: customerId('tailspin'),
          amount: '100.30',
          paidAt: '2026-10-10T09:00:00Z',
          paymentBranchCode: 'LON',
          receiptTypeCode: 'CC',
          allocations: [
            { invoiceNumber: 'SI9000001', amount: '60.00' },
            { invoiceNumber: 'SI9000002', amount: '0.1' },
            { invoiceNumber: 'SI9000002', amount: '0.2' },
          ],
          idempotencyKey: 'allocate-tailspin-1',
        },
      },
    );
    expect(response.errors).toBeUndefined();
    const payload = response.data!.allocateReceipt;
    expect(payload.userErrors).toEqual([]);
    expect(payload.receipt).toMatchObject({ amount: { amount: '100.3', currencyCode: 'EUR' }, unallocated: { amount: '40' } });
    expect(new Decimal(a.unallocated).toFixed()).toBe('190');
    expect(new Decimal(b.unallocated).toFixed()).toBe('0');

    const ledger = await stack.gql<{ customer: { ledger: { nodes: { number: string; unallocated: { amount: string } }[] } } }>(
      `query($id: ID!) { customer(id: $id) { ledger(first: 100) { nodes { number unallocated { amount } } } } }`,
      { id: customerId('tailspin') },
    );
    const read = new Map(ledger.data!.customer.ledger.nodes.map((node) => [node.number, node.unallocated.amount]));
    expect(read.get('SI9000001')).toBe('190');
    expect(read.get('SI9000002')).toBe('0');
    expect(read.get(payload.receipt.number)).toBe('40');
  });

  it('refuses an over-allocation before anything is posted', async () => {
    const intact = stack.embedded.intact!;
    const invoice = intact.state.addInvoice('CUS000003', { debit: '50.00', date: Date.UTC(2026, 8, 3), number: 'SI9000003' });
    const itemsBefore = intact.state.ledgerOf('CUS000003').length;
    intact.resetCalls();
    const response = await stack.gql<{ allocateReceipt: { receipt: null; userErrors: { field: string[]; code: string }[] } }>(
      `mutation($input: AllocateReceiptInput!) { allocateReceipt(input: $input) { receipt { number } userErrors { field message code } } }`,
      {
        input: {
          customerId: customerId('tailspin'),
          amount: '40.00',
          paidAt: '2026-10-10T09:00:00Z',
          paymentBranchCode: 'LON',
          receiptTypeCode: 'CC',
          allocations: [{ invoiceNumber: 'SI9000003', amount: '50.01' }],
          idempotencyKey: 'over-allocate-tailspin',
        },
      },
    );
    const { receipt, userErrors } = response.data!.allocateReceipt;
    expect(receipt).toBeNull();
    expect(userErrors.map((error) => error.code)).toEqual(['OVER_ALLOCATION', 'OVER_ALLOCATION']);
    expect(userErrors[0]!.field).toEqual(['input', 'allocations', '0', 'amount']);
    expect(intact.callsTo(undefined, 'POST')).toHaveLength(0);
    expect(intact.state.ledgerOf('CUS000003')).toHaveLength(itemsBefore);
    expect(new Decimal(invoice.unallocated).toFixed()).toBe('50');
  });

  it('adds a Refrens payment and lists it on the invoice and the customer', async () => {
    const invoiceId = Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02'])}`).toString('base64url');
    const paid = await stack.gql<{
      payRefrensInvoice: { payment: { id: string; amount: { amount: string; currencyCode: string }; method: string; status: string; tds: { amount: string } }; invoice: { paid: { amount: string }; status: string }; userErrors: unknown[] };
    }>(
      `mutation($id: ID!) {
        payRefrensInvoice(input: { invoiceId: $id, amount: "1000.25", tds: "10", method: DEMAND_DRAFT, paidAt: "2026-10-05T10:00:00Z", reference: "DD-1", idempotencyKey: "refrens-dd-1" }) {
          payment { id amount { amount currencyCode } method status tds { amount } }
          invoice { paid { amount } status }
          userErrors { field message code }
        }
      }`,
      { id: invoiceId },
    );
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.payRefrensInvoice).toMatchObject({
      payment: { amount: { amount: '1000.25', currencyCode: 'INR' }, method: 'DEMAND_DRAFT', status: 'PAID', tds: { amount: '10' } },
      invoice: { paid: { amount: '1000.25' }, status: 'PARTIALLY_PAID' },
      userErrors: [],
    });
    const listed = await stack.gql<{ node: { payments: { reference: string; amount: { amount: string } }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on RefrensInvoice { payments { reference amount { amount } } } } }`,
      { id: invoiceId },
    );
    expect(listed.data!.node.payments).toContainEqual({ reference: 'DD-1', amount: { amount: '1000.25' } });

    const refused = await stack.gql<{ payRefrensInvoice: { payment: null; userErrors: { code: string }[] } }>(
      `mutation($id: ID!) { payRefrensInvoice(input: { invoiceId: $id, amount: "5000", method: CASH, idempotencyKey: "refrens-too-much" }) { payment { id } userErrors { field message code } } }`,
      { id: invoiceId },
    );
    expect(refused.data!.payRefrensInvoice.payment).toBeNull();
    expect(refused.data!.payRefrensInvoice.userErrors[0]!.code).toBe('UPSTREAM_REJECTED');
  });

  it('creates an iQmetrix invoice and reads it back', async () => {
    const created = await stack.gql<{ createIqmetrixInvoice: { invoice: { id: string; total: { amount: string; currencyCode: string }; status: string; orders: { items: { sku: string }[] }[] }; userErrors: unknown[] } }>(
      `mutation($customerId: Guid!) {
        createIqmetrixInvoice(input: {
          customerId: $customerId, locationId: 4, employeeId: 15, printableId: "INV-TEST-1", notes: "Gateway test",
          orders: [{ items: [{ description: "Case", quantity: 2, sellingPrice: "19.99", sku: "CASE-1" }] }]
          payments: [{ amount: "10.00", paymentMethodId: 4 }]
          idempotencyKey: "iqmetrix-inv-test-1"
        }) { invoice { id total { amount currencyCode } status orders { items { sku } } } userErrors { field message code } }
      }`,
      { customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia },
    );
    expect(created.errors).toBeUndefined();
    const invoice = created.data!.createIqmetrixInvoice.invoice;
    expect(invoice).toMatchObject({ total: { amount: '39.98', currencyCode: 'CAD' }, status: 'PARTIALLY_PAID', orders: [{ items: [{ sku: 'CASE-1' }] }] });

    const listed = await stack.gql<{ customer: { invoices: { nodes: { id: string; number: string }[] } } }>(
      `query($id: ID!) { customer(id: $id) { invoices(first: 100, filter: { sources: [IQMETRIX] }) { nodes { id number } } } }`,
      { id: customerId('contoso') },
    );
    expect(listed.data!.customer.invoices.nodes[0]).toEqual({ id: invoice.id, number: 'INV-TEST-1' });

    const rejected = await stack.gql<{ createIqmetrixInvoice: { invoice: null; userErrors: { field: string[]; code: string }[] } }>(
      `mutation($customerId: Guid!) {
        createIqmetrixInvoice(input: { customerId: $customerId, locationId: 4, employeeId: 15, orders: [{ items: [{ description: "x", quantity: 0, sellingPrice: "1" }] }], idempotencyKey: "iqmetrix-zero-quantity" }) {
          invoice { id } userErrors { field code }
        }
      }`,
      { customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia },
    );
    expect(rejected.data!.createIqmetrixInvoice.userErrors).toEqual([{ field: ['input', 'orders', '0', 'items', '0', 'quantity'], code: 'INVALID_INPUT' }]);
  });

  it('filters iQmetrix summaries by customer, location and employee', async () => {
    const company = stack.embedded.iqmetrix!.state.companies.get(IQMETRIX_DEMO_COMPANY_ID)!;
    const expected = [...company.invoices.values()]
      .filter((invoice) => invoice.customerId === IQMETRIX_DEMO_CUSTOMERS.contosoMedia && invoice.locationId === 4 && invoice.employeeId === 15)
      .map((invoice) => invoice.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const response = await stack.gql<{ iqmetrixInvoices: { nodes: { invoiceId: string }[] } }>(
      `query($customerId: Guid!) {
        iqmetrixInvoices(filter: { customerId: $customerId, locationId: 4, employeeId: 15 }, first: 100) { nodes { ... on IqmetrixInvoice { invoiceId } } }
      }`,
      { customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.iqmetrixInvoices.nodes.map((node) => node.invoiceId).sort()).toEqual(expected);
  });

  it('still returns the customer when one system is down, with an error naming it', async () => {
    await stack.embedded.intact!.stop();
    const response = await stack.gql<{ customer: { displayName: string; invoices: { totalCount: number | null; nodes: InvoiceNode[] } } }>(
      `query($id: ID!) { customer(id: $id) { displayName invoices(first: 100) { totalCount nodes { source number } } } }`,
      { id: customerId('northwind') },
    );
    expect(response.data!.customer.displayName).toBe('Northwind Traders');
    const sources = new Set(response.data!.customer.invoices.nodes.map((node) => node.source));
    expect(sources).toEqual(new Set(['IQM', 'REFRENS', 'IQMETRIX']));
    expect(response.data!.customer.invoices.totalCount).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ path: ['customer', 'invoices'], extensions: { code: 'UPSTREAM_UNAVAILABLE', system: 'INTACT' } });
  });
});

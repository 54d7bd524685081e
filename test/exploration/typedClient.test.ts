import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ApproveInvoiceDocument,
  CustomerInvoicesDocument,
  CustomerPaymentsDocument,
  type CustomerInvoicesQuery,
  type CustomerInvoicesQueryVariables,
  type InvoiceStatus,
} from '../../examples/typed-client/src/__generated__/graphql.js';
import { createClient, GraphQLRequestError } from '../../examples/typed-client/src/request.js';
import type { IqmSimulator } from '../../src/upstreams/iqm/index.js';
import { startStack, type TestStack } from '../helpers/stack.js';

type InvoiceNode = NonNullable<CustomerInvoicesQuery['customer']>['invoices']['edges'][number]['node'];

describe('Typed client: the example operations through its request helper against the gateway', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('reads a customer and its invoices from every system, typed by the generated document', async () => {
    const client = createClient({ url: stack.url, headers: stack.auth });
    const result = await client.request(CustomerInvoicesDocument, { system: 'IQM', sourceId: '200101', first: 50 });

    // What the compiler knows about the result (checked by `npm run typecheck`).
    expectTypeOf(result.data.customer?.invoices.edges[0]?.node.number).toEqualTypeOf<string | undefined>();
    expectTypeOf<InvoiceNode['status']>().toEqualTypeOf<InvoiceStatus>();
    expectTypeOf<Extract<InvoiceNode, { __typename: 'IqmInvoice' }>['invoiceId']>().toEqualTypeOf<number>();

    expect(result.errors).toEqual([]);
    const customer = result.data.customer!;
    expect(customer.displayName).toBe('Northwind Traders');
    expect(customer.sources).toEqual(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']);
    const nodes = customer.invoices.edges.map((edge) => edge.node);
    expect(nodes.length).toBe(customer.invoices.totalCount);

    const iqmNodes = nodes.filter((node): node is Extract<InvoiceNode, { __typename: 'IqmInvoice' }> => node.__typename === 'IqmInvoice');
    const seeded = [...iqm.state.invoices.values()].filter((invoice) => invoice.owId === 200101);
    expect(iqmNodes.map((node) => node.invoiceId).sort()).toEqual(seeded.map((invoice) => invoice.invoiceId).sort());
    for (const node of iqmNodes) {
      const invoice = iqm.state.invoices.get(node.invoiceId)!;
      expect(node.total).toEqual({ amount: invoice.invoiceAmount.toFixed(), currencyCode: 'USD' });
    }
    expect(nodes.filter((node) => node.__typename === 'RefrensInvoice').map((node) => node.number).sort()).toEqual(['RF-2026-0001', 'RF-2026-0002']);
    expect(result.data.customer?.invoices.edges[0]?.node.number).toBe(nodes[0]!.number);
  });

  it("reads the customer's IQM payments with the payments query", async () => {
    const client = createClient({ url: stack.url, headers: stack.auth });
    const found = await client.request(CustomerInvoicesDocument, { system: 'IQM', sourceId: '200101', first: 1 });
    const customerId = found.data.customer!.id;

    const result = await client.request(CustomerPaymentsDocument, { customerId, first: 100, filter: { sources: ['IQM'] } });
    expect(result.errors).toEqual([]);
    const payments = result.data.customer!.payments.nodes;
    const seeded = [...iqm.state.payments.values()].filter((payment) => payment.owId === 200101);
    expect(payments.map((payment) => (payment.__typename === 'IqmPayment' ? payment.paymentId : null)).sort()).toEqual(
      seeded.map((payment) => payment.paymentId).sort(),
    );
    for (const payment of payments) {
      expect(payment.source).toBe('IQM');
      if (payment.__typename !== 'IqmPayment') continue;
      expect(payment.amount).toEqual({ amount: iqm.state.payments.get(payment.paymentId)!.paymentAmount.toFixed(), currencyCode: 'USD' });
    }
  });

  it('approves a pending invoice, and gets a typed userError for a cancelled one', async () => {
    const client = createClient({ url: stack.url, headers: stack.auth });
    const listed = await client.request(CustomerInvoicesDocument, { system: 'IQM', sourceId: '200101', first: 50 });
    const iqmNodes = listed.data.customer!.invoices.edges
      .map((edge) => edge.node)
      .filter((node): node is Extract<InvoiceNode, { __typename: 'IqmInvoice' }> => node.__typename === 'IqmInvoice');
    const pending = iqmNodes.find((node) => node.status === 'PENDING')!;
    const cancelled = iqmNodes.find((node) => node.status === 'CANCELLED')!;

    const approved = await client.request(ApproveInvoiceDocument, { input: { invoiceId: pending.id, actionNote: 'Typed client' } });
    expect(approved.data.approveInvoice).toEqual({ invoice: { id: pending.id, status: 'UNPAID', actionNote: 'Typed client' }, userErrors: [] });
    expect(iqm.state.invoices.get(pending.invoiceId)!.status).toBe(3);

    const refused = await client.request(ApproveInvoiceDocument, { input: { invoiceId: cancelled.id } });
    expectTypeOf(refused.data.approveInvoice.userErrors[0]!.code).toExtend<string>();
    expect(refused.data.approveInvoice.invoice).toBeNull();
    expect(refused.data.approveInvoice.userErrors.map((error) => error.code)).toEqual(['INVALID_TRANSITION']);
    expect(iqm.state.invoices.get(cancelled.invoiceId)!.status).toBe(8);
  });

  it('with persistedQueries on, sends the hash alone once the gateway knows the query', async () => {
    const sent: { hasQuery: boolean; hash: unknown }[] = [];
    const client = createClient({
      url: stack.url,
      headers: stack.auth,
      persistedQueries: true,
      fetch: async (input, init) => {
        const body = JSON.parse(String(init?.body)) as { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
        sent.push({ hasQuery: typeof body.query === 'string', hash: body.extensions?.persistedQuery?.sha256Hash });
        return fetch(input, init);
      },
    });
    const variables = { system: 'INTACT', sourceId: 'CUS000002', first: 3 } as const;
    const first = await client.request(CustomerInvoicesDocument, variables);
    const second = await client.request(CustomerInvoicesDocument, variables);

    expect(first.data.customer?.displayName).toBe('Contoso Media');
    expect(second.data).toEqual(first.data);
    const hash = sent[0]!.hash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // Unknown hash → resent with the query → later calls carry the hash alone.
    expect(sent).toEqual([
      { hasQuery: false, hash },
      { hasQuery: true, hash },
      { hasQuery: false, hash },
    ]);
  });

  it('throws a GraphQLRequestError with the errors when the operation yields no data', async () => {
    const client = createClient({ url: stack.url, headers: stack.auth });
    // What an untyped caller could send: an enum value the schema does not have.
    const wrong = { system: 'MARS', sourceId: '1' } as unknown as CustomerInvoicesQueryVariables;
    const error = await client.request(CustomerInvoicesDocument, wrong).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({ status: 400, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});

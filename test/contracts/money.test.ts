import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IntactSimulator } from '../../src/upstreams/intact/index.js';
import type { IqmSimulator } from '../../src/upstreams/iqm/index.js';
import { IQMETRIX_DEMO_CUSTOMERS, type IqmetrixSimulator } from '../../src/upstreams/iqmetrix/index.js';
import type { RefrensSimulator } from '../../src/upstreams/refrens/index.js';
import type { SimulatorServer } from '../../src/upstreams/simulatorServer.js';
import { creditGid, customerGid, invoiceGid, paymentGid } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Money is exact end to end, or refused. Large amounts go through every money mutation and every
 * read that carries money: the digits that arrive upstream (the simulators keep each request body as
 * received) and the digits that come back are asserted. An upstream whose documented number type
 * cannot hold an amount (IQM and Refrens: JavaScript doubles, ~15 digits; Intact and iQmetrix: .NET
 * decimals, 28–29 digits) gets nothing: the mutation answers a userError and no write is sent.
 */

/** 16 significant digits: the amount the issue saw rounded to …98. */
const BIG = '99999999999999.99';
/** The largest amount a money mutation accepts: the Decimal scalar's 30 integer digits, 2 decimals (USD, GBP, CAD, INR). */
const LARGEST = '999999999999999999999999999999.99';
/** The largest 2-decimal amount a .NET decimal holds: (2^96 - 1) / 100. */
const DOTNET_LARGEST = '792281625142643375935439503.35';
/** The largest 2-decimal amount of the form 9…9.99 that a double holds exactly. */
const DOUBLE_LARGEST = '9999999999999.99';

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

let keys = 0;
const key = (label: string) => `money-${label}-${++keys}`;

describe('Money: exact end to end, or refused before anything is sent', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;
  let intact: IntactSimulator;
  let refrens: RefrensSimulator;
  let iqmetrix: IqmetrixSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
    intact = stack.embedded.intact!;
    refrens = stack.embedded.refrens!;
    iqmetrix = stack.embedded.iqmetrix!;
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    for (const sim of [iqm, intact, refrens, iqmetrix]) sim.resetCalls();
  });

  const writes = (sim: SimulatorServer) => sim.calls.filter((call) => call.method !== 'GET');
  const directoryCustomer = (name: string) => Buffer.from(`Customer:DIRECTORY:${name}`).toString('base64url');
  const refrensInvoiceId = Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02'])}`).toString('base64url');

  /** Runs a mutation and returns its payload (the one root field). */
  const mutate = async (query: string, variables: Record<string, unknown>) => {
    const response = await stack.gql<Record<string, { userErrors: UserError[] } & Record<string, unknown>>>(query, variables);
    expect(response.errors).toBeUndefined();
    return Object.values(response.data!)[0]!;
  };

  const iqmOwId = 200101;
  const someIqmPayment = () => [...iqm.state.payments.values()].find((payment) => payment.owId === iqmOwId)!;
  const someIqmInvoice = () => [...iqm.state.invoices.values()].find((invoice) => invoice.owId === iqmOwId)!;
  const someIqmCredit = () => [...iqm.state.credits.values()].find((credit) => credit.owId === iqmOwId)!;

  /** Every money mutation, with `amount` where the amount goes; `field` is where the refusal points. */
  const mutations: Record<string, { system: () => SimulatorServer; query: string; input: (amount: string) => Record<string, unknown>; field: string[] }> = {
    'offerCredit (A30)': {
      system: () => iqm,
      query: `mutation($input: OfferCreditInput!) { offerCredit(input: $input) { credit { amount { amount } } userErrors { field message code } } }`,
      input: (amount) => ({ customerId: customerGid(iqmOwId), amount, idempotencyKey: key('offer') }),
      field: ['input', 'amount'],
    },
    'updateCredit (A31)': {
      system: () => iqm,
      query: `mutation($input: UpdateCreditInput!) { updateCredit(input: $input) { credit { amount { amount } } userErrors { field message code } } }`,
      input: (amount) => ({ creditId: creditGid(iqmOwId, someIqmCredit().creditId), amount }),
      field: ['input', 'amount'],
    },
    'startPaypalPayment (A42)': {
      system: () => iqm,
      query: `mutation($input: StartPaypalPaymentInput!) { startPaypalPayment(input: $input) { paypalUrl userErrors { field message code } } }`,
      input: (amount) => ({ amount }),
      field: ['input', 'amount'],
    },
    'payInvoice (A24)': {
      system: () => iqm,
      query: `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { invoice { id } userErrors { field message code } } }`,
      input: (amount) => ({ invoiceId: invoiceGid(iqmOwId, someIqmInvoice().invoiceId), amount, paymentType: 'AS_FUND', idempotencyKey: key('pay') }),
      field: ['input', 'amount'],
    },
    'addPayment (A36)': {
      system: () => iqm,
      query: `mutation($input: AddPaymentInput!) { addPayment(input: $input) { payment { id } userErrors { field message code } } }`,
      input: (amount) => ({ customerId: customerGid(iqmOwId), amount, paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'T-1', idempotencyKey: key('add') }),
      field: ['input', 'amount'],
    },
    'updatePayment (A37)': {
      system: () => iqm,
      query: `mutation($input: UpdatePaymentInput!) { updatePayment(input: $input) { payment { id } userErrors { field message code } } }`,
      input: (amount) => ({ paymentId: paymentGid(iqmOwId, someIqmPayment().paymentId), amount, paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'T-1' }),
      field: ['input', 'amount'],
    },
    'addFunds (A41)': {
      system: () => iqm,
      query: `mutation($input: AddFundsInput!) { addFunds(input: $input) { message userErrors { field message code } } }`,
      input: (amount) => ({ amount, paidOn: '2026-10-01', mode: 'WIRE_TRANSFER', bankName: 'Chase', idempotencyKey: key('funds') }),
      field: ['input', 'amount'],
    },
    'initiateRefund (A43)': {
      system: () => iqm,
      query: `mutation($input: InitiateRefundInput!) { initiateRefund(input: $input) { payment { id } userErrors { field message code } } }`,
      input: (amount) => ({ customerId: customerGid(iqmOwId), amount, paidOn: '2026-10-01', mode: 'TO_FUNDS', refundReason: 'money test', idempotencyKey: key('refund') }),
      field: ['input', 'amount'],
    },
    'updatePgFees (A6)': {
      system: () => iqm,
      query: `mutation($input: UpdatePgFeesInput!) { updatePgFees(input: $input) { message userErrors { field message code } } }`,
      input: (amount) => ({ customerId: customerGid(iqmOwId), campaignFees: amount, workspaceShare: '10' }),
      field: ['input', 'campaignFees'],
    },
    'updateVldFees (A8)': {
      system: () => iqm,
      query: `mutation($input: UpdateDataFeesInput!) { updateVldFees(input: $input) { message userErrors { field message code } } }`,
      input: (amount) => ({ customerId: customerGid(iqmOwId), rate: amount }),
      field: ['input', 'rate'],
    },
    'payRefrensInvoice (C1)': {
      system: () => refrens,
      query: `mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) { payment { id } userErrors { field message code } } }`,
      input: (amount) => ({ invoiceId: refrensInvoiceId, amount, method: 'CASH', idempotencyKey: key('refrens') }),
      field: ['input', 'amount'],
    },
    'allocateReceipt (B2)': {
      system: () => intact,
      query: `mutation($input: AllocateReceiptInput!) { allocateReceipt(input: $input) { receipt { number } userErrors { field message code } } }`,
      input: (amount) => ({ customerId: directoryCustomer('tailspin'), amount, paidAt: '2026-10-10T09:00:00Z', paymentBranchCode: 'LON', receiptTypeCode: 'CC', idempotencyKey: key('intact') }),
      field: ['input', 'amount'],
    },
    'createIqmetrixInvoice (D3)': {
      system: () => iqmetrix,
      query: `mutation($input: CreateIqmetrixInvoiceInput!) { createIqmetrixInvoice(input: $input) { invoice { id } userErrors { field message code } } }`,
      input: (amount) => ({
        customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia,
        locationId: 4,
        employeeId: 15,
        orders: [{ items: [{ description: 'x', quantity: 1, sellingPrice: '1' }] }],
        payments: [{ amount, paymentMethodId: 1 }],
        idempotencyKey: key('iqmetrix'),
      }),
      field: ['input', 'payments', '0', 'amount'],
    },
  };

  /** Which amounts each upstream's documented type cannot hold. */
  const refusedAmounts = (name: string): string[] =>
    /\((B2|D3)\)/.test(name) ? [LARGEST] : [BIG, LARGEST];

  const cases = Object.keys(mutations).flatMap((name) => refusedAmounts(name).map((amount) => [name, amount] as const));

  it.each(cases)('%s refuses %s with a userError and sends nothing', async (name, amount) => {
    const mutation = mutations[name]!;
    const payload = await mutate(mutation.query, { input: mutation.input(amount) });
    expect(payload.userErrors, JSON.stringify(payload.userErrors)).toHaveLength(1);
    expect(payload.userErrors[0]).toMatchObject({ field: mutation.field, code: 'INVALID_INPUT' });
    expect(payload.userErrors[0]!.message).toContain('cannot be sent exactly');
    expect(writes(mutation.system())).toEqual([]);
  });

  it('sends the largest amount a double holds to IQM with its digits, and reads it back (A30, A29)', async () => {
    const payload = await mutate(mutations['offerCredit (A30)']!.query, { input: mutations['offerCredit (A30)']!.input(DOUBLE_LARGEST) });
    expect(payload.userErrors).toEqual([]);
    expect(payload['credit']).toEqual({ amount: { amount: DOUBLE_LARGEST } });
    expect(iqm.callsTo('/customer/credit/add', 'POST')[0]!.body).toBe(`{"owId":${iqmOwId},"creditAmount":${DOUBLE_LARGEST}}`);
  });

  it('sends A42’s amount form-urlencoded with its digits', async () => {
    const payload = await mutate(mutations['startPaypalPayment (A42)']!.query, { input: { amount: DOUBLE_LARGEST } });
    expect(payload.userErrors).toEqual([]);
    const call = iqm.callsTo('/paypal/payment', 'POST')[0]!;
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.body).toBe(`paymentAmount=${DOUBLE_LARGEST}`);
  });

  /** The digits of a JSON number field as a request body carries them (`"name":123.45`). */
  const jsonDigits = (body: string | null | undefined, name: string): string | null => new RegExp(`"${name}":(-?[0-9.]+)[,}]`).exec(body ?? '')?.[1] ?? null;
  /** The payment the simulator recorded last for a workspace: what a multipart amount arrived as (the simulator keeps its text exactly). */
  const newestIqmPayment = (owId: number) => [...iqm.state.payments.values()].filter((payment) => payment.owId === owId).reduce((a, b) => (a.paymentId > b.paymentId ? a : b));

  /**
   * The other IQM and Refrens money mutations (A30 and A42 above): the largest 2-decimal amount a
   * double holds goes out with all its digits (the JSON body's text, or the multipart text the
   * simulator keeps as sent) and comes back in the mutation's answer, read from the upstream again.
   */
  const exact: Record<string, () => Promise<{ arrived: string | null; answered: unknown }>> = {
    'updateCredit (A31)': async () => {
      const credit = [...iqm.state.credits.values()].find((candidate) => candidate.owId === iqmOwId && candidate.status === 'Unclaimed')!;
      const payload = await mutate(`mutation($input: UpdateCreditInput!) { updateCredit(input: $input) { credit { amount { amount } } userErrors { field message code } } }`, {
        input: { creditId: creditGid(iqmOwId, credit.creditId), amount: DOUBLE_LARGEST },
      });
      expect(payload.userErrors).toEqual([]);
      return { arrived: jsonDigits(iqm.callsTo('/customer/credit/edit', 'PATCH')[0]?.body, 'creditAmount'), answered: (payload['credit'] as { amount: { amount: string } }).amount.amount };
    },
    'payInvoice (A24)': async () => {
      // An approved invoice with exactly the amount outstanding, so IQM accepts the payment.
      const invoice = someIqmInvoice();
      invoice.status = 3;
      invoice.invoiceAmount = invoice.paidAmount.plus(DOUBLE_LARGEST);
      const payload = await mutate(
        `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { invoice { payments(first: 100) { nodes { ... on IqmPayment { transactionId amount { amount } } } } } userErrors { field message code } } }`,
        { input: { invoiceId: invoiceGid(iqmOwId, invoice.invoiceId), amount: DOUBLE_LARGEST, paymentType: 'AGAINST_INVOICE', transactionId: 'BIG-A24', idempotencyKey: key('exact-pay') } },
      );
      expect(payload.userErrors).toEqual([]);
      const nodes = (payload['invoice'] as { payments: { nodes: { transactionId: string; amount: { amount: string } }[] } }).payments.nodes;
      return { arrived: newestIqmPayment(iqmOwId).paymentAmount.toFixed(), answered: nodes.find((node) => node.transactionId === 'BIG-A24')?.amount.amount };
    },
    'addPayment (A36)': async () => {
      const payload = await mutate(`mutation($input: AddPaymentInput!) { addPayment(input: $input) { payment { amount { amount } } userErrors { field message code } } }`, {
        input: { ...mutations['addPayment (A36)']!.input(DOUBLE_LARGEST), transactionId: 'BIG-A36' },
      });
      expect(payload.userErrors).toEqual([]);
      return { arrived: newestIqmPayment(iqmOwId).paymentAmount.toFixed(), answered: (payload['payment'] as { amount: { amount: string } }).amount.amount };
    },
    'updatePayment (A37)': async () => {
      const payment = [...iqm.state.payments.values()].find((candidate) => candidate.owId === iqmOwId && candidate.paymentStatus === 1 && candidate.paymentType !== 3)!;
      const payload = await mutate(`mutation($input: UpdatePaymentInput!) { updatePayment(input: $input) { payment { amount { amount } } userErrors { field message code } } }`, {
        input: { paymentId: paymentGid(iqmOwId, payment.paymentId), amount: DOUBLE_LARGEST, paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'BIG-A37' },
      });
      expect(payload.userErrors).toEqual([]);
      return { arrived: iqm.state.payments.get(payment.paymentId)!.paymentAmount.toFixed(), answered: (payload['payment'] as { amount: { amount: string } }).amount.amount };
    },
    'addFunds (A41)': async () => {
      const payload = await mutate(mutations['addFunds (A41)']!.query, { input: mutations['addFunds (A41)']!.input(DOUBLE_LARGEST) });
      expect(payload.userErrors).toEqual([]);
      // The funds are the organization's: read back from its payments (A34).
      const recorded = newestIqmPayment(200001);
      const read = await stack.gql<{ organization: { payments: { nodes: { paymentId: number; amount: { amount: string } }[] } } }>(
        `{ organization { payments(first: 100) { nodes { ... on IqmPayment { paymentId amount { amount } } } } } }`,
      );
      expect(read.errors).toBeUndefined();
      return { arrived: recorded.paymentAmount.toFixed(), answered: read.data!.organization.payments.nodes.find((node) => node.paymentId === recorded.paymentId)?.amount.amount };
    },
    'initiateRefund (A43)': async () => {
      // IQM refunds no more than the customer's available balance.
      iqm.state.customers.get(iqmOwId)!.balance = new Decimal(DOUBLE_LARGEST);
      const payload = await mutate(`mutation($input: InitiateRefundInput!) { initiateRefund(input: $input) { payment { amount { amount } } userErrors { field message code } } }`, {
        input: mutations['initiateRefund (A43)']!.input(DOUBLE_LARGEST),
      });
      expect(payload.userErrors).toEqual([]);
      return { arrived: newestIqmPayment(iqmOwId).paymentAmount.toFixed(), answered: (payload['payment'] as { amount: { amount: string } }).amount.amount };
    },
    'updatePgFees (A6)': async () => {
      const payload = await mutate(`mutation($input: UpdatePgFeesInput!) { updatePgFees(input: $input) { customer { pgFees { campaignFees } } userErrors { field message code } } }`, {
        input: mutations['updatePgFees (A6)']!.input(DOUBLE_LARGEST),
      });
      expect(payload.userErrors).toEqual([]);
      return { arrived: jsonDigits(iqm.callsTo('/pg-fees', 'PATCH')[0]?.body, 'pgCampaignFees'), answered: (payload['customer'] as { pgFees: { campaignFees: string } }).pgFees.campaignFees };
    },
    ...Object.fromEntries(
      (['Vld', 'Pld', 'Sls'] as const).map((kind, index) => [
        `update${kind}Fees (A${8 + 2 * index})`,
        async () => {
          const field = `${kind.toLowerCase()}Fees`;
          const payload = await mutate(`mutation($input: UpdateDataFeesInput!) { update${kind}Fees(input: $input) { customer { ${field} { rate } } userErrors { field message code } } }`, {
            input: { customerId: customerGid(iqmOwId), rate: DOUBLE_LARGEST },
          });
          expect(payload.userErrors).toEqual([]);
          return {
            arrived: jsonDigits(iqm.callsTo(`/${kind.toLowerCase()}-fees`, 'PATCH')[0]?.body, `${kind.toLowerCase()}Rate`),
            answered: (payload['customer'] as Record<string, { rate: string }>)[field]!.rate,
          };
        },
      ]),
    ),
    'payRefrensInvoice (C1)': async () => {
      // Refrens takes no more than the invoice's balance: this invoice is made that large for the call, then put back.
      const invoices = refrens.state.businesses.get('northwind-traders')!.invoices;
      const invoice = invoices.get('64f1a2b3c4d5e6f708192a02')!;
      const paymentsBefore = invoice.payments.length;
      // The same invoice (and payments list) with a larger total.
      invoices.set(invoice.invoiceId, { ...invoice, total: invoice.total.plus(DOUBLE_LARGEST) });
      try {
        const payload = await mutate(`mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) { payment { id amount { amount } } userErrors { field message code } } }`, {
          input: mutations['payRefrensInvoice (C1)']!.input(DOUBLE_LARGEST),
        });
        expect(payload.userErrors).toEqual([]);
        const payment = payload['payment'] as { id: string; amount: { amount: string } };
        const read = await stack.gql<{ node: { payments: { id: string; amount: { amount: string } }[] } }>(
          `query($id: ID!) { node(id: $id) { ... on RefrensInvoice { payments { id amount { amount } } } } }`,
          { id: refrensInvoiceId },
        );
        expect(payment.amount.amount).toBe(DOUBLE_LARGEST);
        return { arrived: jsonDigits(refrens.callsTo('/payments', 'POST')[0]?.body, 'amount'), answered: read.data!.node.payments.find((node) => node.id === payment.id)?.amount.amount };
      } finally {
        invoices.set(invoice.invoiceId, invoice);
        invoice.payments.splice(paymentsBefore);
      }
    },
  };

  it('runs the exact-digits check for every IQM and Refrens money mutation', () => {
    const covered = new Set([...Object.keys(exact), 'offerCredit (A30)', 'startPaypalPayment (A42)']);
    expect(Object.keys(mutations).filter((name) => !/\((B2|D3)\)/.test(name) && !covered.has(name))).toEqual([]);
  });

  it.each(Object.keys(exact))('%s sends 9999999999999.99 with all its digits and answers it back', async (name) => {
    const { arrived, answered } = await exact[name]!();
    expect(arrived).toBe(DOUBLE_LARGEST);
    expect(answered).toBe(DOUBLE_LARGEST);
  });

  it.each([BIG, DOTNET_LARGEST])('posts %s to Intact with all its digits (B2) and reads it back from the ledger (B1)', async (amount) => {
    const number = `SI-BIG-${amount.length}`;
    intact.state.addInvoice('CUS000003', { debit: amount, date: Date.UTC(2026, 8, 1), number });
    const payload = await mutate(
      `mutation($input: AllocateReceiptInput!) {
        allocateReceipt(input: $input) {
          receipt { amount { amount } unallocated { amount } }
          allocations { invoiceNumber allocated { amount } outstanding { amount } }
          userErrors { field message code }
        }
      }`,
      { input: { ...mutations['allocateReceipt (B2)']!.input(amount), allocations: [{ invoiceNumber: number, amount }] } },
    );
    expect(payload.userErrors, JSON.stringify(payload.userErrors)).toEqual([]);
    expect(payload['receipt']).toEqual({ amount: { amount }, unallocated: { amount: '0' } });
    expect(payload['allocations']).toEqual([{ invoiceNumber: number, allocated: { amount }, outstanding: { amount: '0' } }]);
    const body = intact.callsTo('/CustomerLedger', 'POST')[0]!.body!;
    expect(body).toContain(`"amountpaid":${amount},`);
    expect(body).toContain(`"items":[{"number":"${number}","amountpaid":${amount}}]`);

    const ledger = await stack.gql<{ customer: { ledger: { nodes: { number: string; debit: { amount: string } }[] } } }>(
      `query($id: ID!) { customer(id: $id) { ledger(first: 100) { nodes { number debit { amount } } } } }`,
      { id: directoryCustomer('tailspin') },
    );
    expect(ledger.errors).toBeUndefined();
    expect(ledger.data!.customer.ledger.nodes.find((node) => node.number === number)).toEqual({ number, debit: { amount } });
  });

  it('creates an iQmetrix invoice of 99999999999999.99 with all its digits (D3) and reads the total back (D2, D1)', async () => {
    const payload = await mutate(
      `mutation($input: CreateIqmetrixInvoiceInput!) { createIqmetrixInvoice(input: $input) { invoice { id total { amount } } userErrors { field message code } } }`,
      {
        input: {
          ...mutations['createIqmetrixInvoice (D3)']!.input(BIG),
          orders: [{ items: [{ description: 'x', quantity: 1, sellingPrice: BIG }] }],
        },
      },
    );
    expect(payload.userErrors).toEqual([]);
    expect(payload['invoice']).toMatchObject({ total: { amount: BIG } });
    const body = iqmetrix.callsTo('/Invoices', 'POST')[0]!.body!;
    expect(body).toContain(`"SellingPrice":${BIG}`);
    expect(body).toContain(`"Amount":${BIG}`);
    const read = await stack.gql<{ node: { total: { amount: string }; orders: { items: { sellingPrice: { amount: string } }[] }[]; payments: { amount: { amount: string } }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on IqmetrixInvoice { total { amount } orders { items { sellingPrice { amount } } } payments { amount { amount } } } } }`,
      { id: (payload['invoice'] as { id: string }).id },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.node).toEqual({ total: { amount: BIG }, orders: [{ items: [{ sellingPrice: { amount: BIG } }] }], payments: [{ amount: { amount: BIG } }] });
    // D1 states the total itself (InvoiceTotal), a JSON number of 16 digits.
    const summaries = await stack.gql<{ iqmetrixInvoices: { nodes: { id: string; total: { amount: string } }[] } }>(
      `{ iqmetrixInvoices(first: 100) { nodes { id total { amount } } } }`,
    );
    expect(summaries.errors).toBeUndefined();
    expect(summaries.data!.iqmetrixInvoices.nodes.find((node) => node.id === (payload['invoice'] as { id: string }).id)).toEqual({ id: (payload['invoice'] as { id: string }).id, total: { amount: BIG } });
    expect(iqmetrix.callsTo('/InvoiceSummaries', 'GET').length).toBeGreaterThan(0);
  });

  it.each([BIG, LARGEST])('reads %s exactly from every IQM read that carries money (A1, A16, A19, A27, A28, A29, A34, A35)', async (amount) => {
    const value = new Decimal(amount);
    const customer = iqm.state.customers.get(iqmOwId)!;
    customer.balance = value;
    const invoice = someIqmInvoice();
    invoice.invoiceAmount = value;
    invoice.paidAmount = value;
    const payment = someIqmPayment();
    payment.paymentAmount = value;
    const credit = someIqmCredit();
    credit.creditAmount = value;
    customer.creditUsed = value;
    // The organization's own: its balance (A16), used credit (A27), a credit offered to it (A28), and
    // its newest payment, on A34's first page.
    const organizationId = 200001;
    iqm.state.organizationBalances.set(organizationId, value);
    iqm.state.organizations.get(organizationId)!.creditUsed = value;
    const offered = [...iqm.state.credits.values()].find((candidate) => candidate.owId === organizationId)!;
    offered.creditAmount = value;
    const newest = [...iqm.state.payments.values()].filter((candidate) => candidate.organizationWorkspaceId === organizationId).reduce((a, b) => (a.modifiedAt >= b.modifiedAt ? a : b));
    newest.paymentAmount = value;
    const organization = await stack.gql<{
      organization: {
        availableBalance: { amount: string };
        creditSummary: { used: { amount: string } };
        offeredCredits: { nodes: { creditId: number; amount: { amount: string } }[] };
        payments: { nodes: { paymentId: number; amount: { amount: string } }[] };
      };
    }>(`{ organization {
      availableBalance { amount }
      creditSummary { used { amount } }
      offeredCredits(first: 100) { nodes { creditId amount { amount } } }
      payments(first: 10) { nodes { ... on IqmPayment { paymentId amount { amount } } } }
    } }`);
    expect(organization.errors).toBeUndefined();
    const own = organization.data!.organization;
    expect(own.availableBalance.amount).toBe(amount);
    expect(own.creditSummary.used.amount).toBe(amount);
    expect(own.offeredCredits.nodes.find((node) => node.creditId === offered.creditId)!.amount.amount).toBe(amount);
    expect(own.payments.nodes.find((node) => node.paymentId === newest.paymentId)!.amount.amount).toBe(amount);

    const response = await stack.gql<{
      customer: {
        financeDetails: { balance: { amount: string } };
        availableBalance: { amount: string };
        creditSummary: { used: { amount: string } };
        invoices: { nodes: { id: string; total: { amount: string }; paid: { amount: string } }[] };
        payments: { nodes: { id: string; amount: { amount: string } }[] };
        credits: { nodes: { id: string; amount: { amount: string } }[] };
      };
    }>(
      `query($c: ID!) { customer(id: $c) {
        financeDetails { balance { amount } }
        availableBalance { amount }
        creditSummary { used { amount } }
        invoices(first: 100, filter: { sources: [IQM] }) { nodes { id total { amount } paid { amount } } }
        payments(first: 100, filter: { sources: [IQM] }) { nodes { id amount { amount } } }
        credits(first: 100) { nodes { id amount { amount } } }
      } }`,
      { c: customerGid(iqmOwId) },
    );
    expect(response.errors).toBeUndefined();
    const read = response.data!.customer;
    expect(read.financeDetails.balance.amount).toBe(amount);
    expect(read.availableBalance.amount).toBe(amount);
    expect(read.creditSummary.used.amount).toBe(amount);
    expect(read.invoices.nodes.find((node) => node.id === invoiceGid(iqmOwId, invoice.invoiceId))).toMatchObject({ total: { amount }, paid: { amount } });
    expect(read.payments.nodes.find((node) => node.id === paymentGid(iqmOwId, payment.paymentId))!.amount.amount).toBe(amount);
    expect(read.credits.nodes.find((node) => node.id === creditGid(iqmOwId, credit.creditId))!.amount.amount).toBe(amount);
  });

  it.each([BIG, LARGEST])('reads %s exactly from Refrens (C2)', async (amount) => {
    const invoice = refrens.state.invoice('northwind-traders', '64f1a2b3c4d5e6f708192a02')!;
    // Recorded but not approved: it is listed and never changes the invoice's balance.
    invoice.payments.push({
      _id: refrens.state.allocateObjectId(),
      business: 'b',
      payerBusiness: 'p',
      appId: 'a',
      amount: new Decimal(amount),
      tds: new Decimal(0),
      transactionCharge: new Decimal(0),
      paymentDate: '2026-10-01',
      paymentMethod: 'CASH',
      notes: null,
      refId: null,
      isApproved: false,
      isRemoved: false,
    });
    try {
      const read = await stack.gql<{ node: { payments: { amount: { amount: string } }[] } }>(
        `query($id: ID!) { node(id: $id) { ... on RefrensInvoice { payments { amount { amount } } } } }`,
        { id: refrensInvoiceId },
      );
      expect(read.errors).toBeUndefined();
      expect(read.data!.node.payments.map((payment) => payment.amount.amount)).toContain(amount);
    } finally {
      invoice.payments.pop();
    }
  });
});

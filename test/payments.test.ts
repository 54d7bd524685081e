import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { customerGid, invoiceGid, paymentGid } from './helpers/iqm.js';
import { startStack, type TestStack } from './helpers/stack.js';

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}
interface PaymentNode {
  paymentId: number;
  status: string;
  type: string | null;
  amount: { amount: string };
  customer: { identities: { iqmWorkspaceId: number } } | null;
  invoice: { invoiceId: number } | null;
}
const PAYMENT_FIELDS = 'paymentId status type amount { amount } customer { identities { iqmWorkspaceId } } invoice { ... on IqmInvoice { invoiceId } }';

describe('Payments: IQM payment lists, writes and refunds', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  // Four eyes: approvals come from another person than the test user who added the payment or refund.
  const action = async (name: string, paymentId: string, extra = '') =>
    (
      await stack.gql<Record<string, { payment: PaymentNode | null; userErrors: UserError[] }>>(
        `mutation($id: ID!) { ${name}(input: { paymentId: $id${extra} }) { payment { ${PAYMENT_FIELDS} } userErrors { field message code } } }`,
        { id: paymentId },
        name.startsWith('approve') ? await stack.as({ subject: 'approver' }) : {},
      )
    ).data![name]!;

  it('pages the organization’s payments with filters (A34), each linked to its customer and invoice', async () => {
    const paid = [...iqm.state.payments.values()].filter((payment) => payment.organizationWorkspaceId === 200001 && payment.paymentStatus === 2).sort((a, b) => b.modifiedAt - a.modifiedAt);
    iqm.resetCalls();
    const first = await stack.gql<{ organization: { payments: { totalCount: number; pageInfo: { endCursor: string; hasNextPage: boolean }; nodes: PaymentNode[] } } }>(
      `{ organization { payments(first: 4, filter: { status: [PAID] }) { totalCount pageInfo { endCursor hasNextPage } nodes { ... on IqmPayment { ${PAYMENT_FIELDS} } } } } }`,
    );
    expect(first.errors).toBeUndefined();
    const page = first.data!.organization.payments;
    expect(page.totalCount).toBe(paid.length);
    expect(page.nodes.map((node) => node.paymentId)).toEqual(paid.slice(0, 4).map((payment) => payment.paymentId));
    expect(page.nodes[0]!.customer!.identities.iqmWorkspaceId).toBe(paid[0]!.owId);
    expect(iqm.callsTo('/payments/list')[0]!.url).toBe('/api/v3/fa/payments/list?status=2&limit=4&pageNo=1');
    const second = await stack.gql<{ organization: { payments: { nodes: PaymentNode[] } } }>(
      `query($after: String) { organization { payments(first: 4, after: $after, filter: { status: [PAID] }) { nodes { ... on IqmPayment { paymentId invoice { ... on IqmInvoice { invoiceId } } } } } } }`,
      { after: page.pageInfo.endCursor },
    );
    expect(second.data!.organization.payments.nodes.map((node) => node.paymentId)).toEqual(paid.slice(4, 8).map((payment) => payment.paymentId));
    for (const node of second.data!.organization.payments.nodes) expect(node.invoice?.invoiceId ?? 0).toBe(iqm.state.payments.get(node.paymentId)!.invoiceId);
  });

  it('passes a customer’s payment filters to IQM (A35 searchField, status, paymentType)', async () => {
    const target = [...iqm.state.payments.values()].find((payment) => payment.owId === 200102 && payment.transactionId?.startsWith('TXN-'))!;
    iqm.resetCalls();
    const response = await stack.gql<{ customer: { payments: { nodes: PaymentNode[] } } }>(
      `query($id: ID!, $search: String) { customer(id: $id) { payments(filter: { search: $search, status: [PAID], type: AGAINST_INVOICE, sources: [IQM] }) { nodes { ... on IqmPayment { ${PAYMENT_FIELDS} } } } } }`,
      { id: customerGid(200102), search: target.transactionId },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.customer.payments.nodes.map((node) => node.paymentId)).toEqual([target.paymentId]);
    expect(iqm.callsTo('/customer/payments/list')[0]!.url).toContain(`status=2&paymentType=2&searchField=${target.transactionId}`);
  });

  it('adds a payment against an invoice (A36), edits it (A37) and approves it (A38), which pays the invoice', async () => {
    const invoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
    iqm.resetCalls();
    const missing = await stack.gql<{ addPayment: { userErrors: UserError[] } }>(
      `mutation($c: ID!) { addPayment(input: { customerId: $c, amount: "50.00", paidOn: "2026-10-05", mode: CHEQUE, type: AGAINST_INVOICE, transactionId: "CHQ-77", idempotencyKey: "add-chq-77-no-invoice" }) { userErrors { field code } } }`,
      { c: customerGid(200101) },
    );
    expect(missing.data!.addPayment.userErrors).toEqual([{ field: ['input', 'invoiceId'], code: 'INVALID_INPUT' }]);
    const otherInvoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200102)!;
    const foreign = await stack.gql<{ addPayment: { userErrors: UserError[] } }>(
      `mutation($c: ID!, $i: ID!) { addPayment(input: { customerId: $c, amount: "50.00", paidOn: "2026-10-05", mode: CHEQUE, type: AGAINST_INVOICE, transactionId: "CHQ-77", invoiceId: $i, idempotencyKey: "add-chq-77-foreign" }) { userErrors { field message code } } }`,
      { c: customerGid(200101), i: invoiceGid(200102, otherInvoice.invoiceId) },
    );
    expect(foreign.data!.addPayment.userErrors).toEqual([{ field: ['input', 'invoiceId'], message: 'the invoice belongs to another customer', code: 'INVALID_INPUT' }]);
    expect(iqm.calls).toEqual([]);

    const added = await stack.gql<{ addPayment: { payment: PaymentNode; userErrors: UserError[] } }>(
      `mutation($c: ID!, $i: ID!) { addPayment(input: { customerId: $c, amount: "50.00", paidOn: "2026-10-05", mode: CHEQUE, type: AGAINST_INVOICE, transactionId: "CHQ-77", invoiceId: $i, idempotencyKey: "add-chq-77" }) { payment { ${PAYMENT_FIELDS} } userErrors { field message code } } }`,
      { c: customerGid(200101), i: invoiceGid(200101, invoice.invoiceId) },
    );
    expect(added.data!.addPayment.userErrors).toEqual([]);
    const payment = added.data!.addPayment.payment;
    expect(payment).toMatchObject({ status: 'PROCESSING', type: 'AGAINST_INVOICE', amount: { amount: '50' }, invoice: { invoiceId: invoice.invoiceId } });
    expect(iqm.state.payments.get(payment.paymentId)!.paymentDate).toBe(Date.parse('2026-10-05'));

    const id = paymentGid(200101, payment.paymentId);
    const edited = await stack.gql<{ updatePayment: { payment: PaymentNode; userErrors: UserError[] } }>(
      `mutation($p: ID!, $i: ID!) { updatePayment(input: { paymentId: $p, amount: "75.50", paidOn: "2026-10-06", mode: CHEQUE, type: AGAINST_INVOICE, transactionId: "CHQ-78", invoiceId: $i }) { payment { ${PAYMENT_FIELDS} } userErrors { code } } }`,
      { p: id, i: invoiceGid(200101, invoice.invoiceId) },
    );
    expect(edited.data!.updatePayment.payment.amount.amount).toBe('75.5');
    const writes = () => iqm.calls.filter((call) => call.method !== 'GET').length;
    const writesBefore = writes();
    const movedAway = await stack.gql<{ updatePayment: { payment: null; userErrors: UserError[] } }>(
      `mutation($p: ID!, $i: ID!) { updatePayment(input: { paymentId: $p, amount: "75.50", paidOn: "2026-10-06", mode: CHEQUE, type: AGAINST_INVOICE, transactionId: "CHQ-78", invoiceId: $i }) { payment { paymentId } userErrors { field message code } } }`,
      { p: id, i: invoiceGid(200102, otherInvoice.invoiceId) },
    );
    expect(movedAway.data!.updatePayment).toEqual({ payment: null, userErrors: [{ field: ['input', 'invoiceId'], message: 'the invoice belongs to another customer', code: 'INVALID_INPUT' }] });
    expect(writes()).toBe(writesBefore);
    expect(iqm.state.payments.get(payment.paymentId)!.transactionId).toBe('CHQ-78');

    const approved = await action('approvePayment', id, ', actionNote: "Cheque cleared"');
    expect(approved.payment!.status).toBe('PAID');
    expect(iqm.state.invoices.get(invoice.invoiceId)!.status).toBe(2);
    expect(iqm.state.invoices.get(invoice.invoiceId)!.paidAmount.toFixed()).toBe('75.5');

    const again = await action('approvePayment', id);
    expect(again).toEqual({ payment: null, userErrors: [{ field: null, message: 'Payment is already paid and cannot be approved', code: 'INVALID_TRANSITION' }] });
  });

  it('cancels (A39) and rejects (A40) processing payments', async () => {
    const add = async (transactionId: string) =>
      (
        await stack.gql<{ addPayment: { payment: PaymentNode } }>(
          `mutation($c: ID!, $t: String!) { addPayment(input: { customerId: $c, amount: "20.00", paidOn: "2026-10-07", mode: WIRE_TRANSFER, type: AS_FUND, transactionId: $t, idempotencyKey: "add-${transactionId}" }) { payment { paymentId status } } }`,
          { c: customerGid(200102), t: transactionId },
        )
      ).data!.addPayment.payment;
    const first = await add('WIRE-1');
    const second = await add('WIRE-2');
    expect(second.paymentId).toBeGreaterThan(first.paymentId);
    expect((await action('cancelPayment', paymentGid(200102, first.paymentId))).payment!.status).toBe('CANCELLED');
    expect((await action('rejectPayment', paymentGid(200102, second.paymentId))).payment!.status).toBe('REJECTED');
    expect((await action('cancelPayment', paymentGid(200102, second.paymentId))).userErrors[0]!.code).toBe('INVALID_TRANSITION');
  });

  it('adds funds (A41): bank name required for cheques, balance raised', async () => {
    const before = iqm.state.organizationBalances.get(200001)!;
    iqm.resetCalls();
    const refused = await stack.gql<{ addFunds: { userErrors: UserError[] } }>(`mutation { addFunds(input: { amount: "100.00", paidOn: "2026-10-08", mode: CHEQUE, idempotencyKey: "funds-without-bank" }) { userErrors { field code } } }`);
    expect(refused.data!.addFunds.userErrors).toEqual([{ field: ['input', 'bankName'], code: 'INVALID_INPUT' }]);
    expect(iqm.calls).toEqual([]);
    const added = await stack.gql<{ addFunds: { availableBalance: { amount: string }; message: string; userErrors: UserError[] } }>(
      `mutation { addFunds(input: { amount: "1000.10", paidOn: "2026-10-08", mode: CHEQUE, bankName: "Chase", idempotencyKey: "funds-1000.10" }) { availableBalance { amount } message userErrors { code } } }`,
    );
    expect(added.data!.addFunds).toEqual({ availableBalance: { amount: before.plus('1000.10').toFixed() }, message: 'Payment added Successfully.', userErrors: [] });
    expect(iqm.callsTo('/customer/payment/add-fund')).toHaveLength(1);
  });

  it('starts a PayPal payment (A42)', async () => {
    const response = await stack.gql<{ startPaypalPayment: { paypalUrl: string; userErrors: UserError[] } }>(`mutation { startPaypalPayment(input: { amount: "25.00" }) { paypalUrl userErrors { code } } }`);
    expect(response.data!.startPaypalPayment.paypalUrl).toMatch(/^https:\/\/www\.sandbox\.paypal\.com\/.*token=EC-/);
    expect([...iqm.state.paypalPayments.values()].map((amount) => amount.toFixed())).toContain('25');
  });

  it('initiates a refund (A43) that lowers the available balance only once approved (A44)', async () => {
    const customer = iqm.state.customers.get(200103)!;
    const before = customer.balance;
    const initiated = await stack.gql<{ initiateRefund: { payment: PaymentNode; userErrors: UserError[] } }>(
      `mutation($c: ID!) { initiateRefund(input: { customerId: $c, amount: "300.00", paidOn: "2026-10-09", mode: TO_FUNDS, refundReason: "Unused budget", idempotencyKey: "refund-unused-budget" }) { payment { ${PAYMENT_FIELDS} } userErrors { code } } }`,
      { c: customerGid(200103) },
    );
    const refund = initiated.data!.initiateRefund.payment;
    expect(refund).toMatchObject({ status: 'PROCESSING', type: 'REFUND', amount: { amount: '300' } });
    expect(customer.balance.equals(before)).toBe(true);
    const approved = await action('approveRefund', paymentGid(200103, refund.paymentId), ', actionNote: "ok", idempotencyKey: "approve-refund-1"');
    expect(approved.payment!.status).toBe('PAID');
    const balance = await stack.gql<{ customer: { availableBalance: { amount: string } } }>(`query($c: ID!) { customer(id: $c) { availableBalance { amount } } }`, { c: customerGid(200103) });
    expect(balance.data!.customer.availableBalance.amount).toBe(before.minus(300).toFixed());
  });

  it('emails a payment receipt (A45)', async () => {
    const payment = [...iqm.state.payments.values()].find((candidate) => candidate.owId === 200101)!;
    const response = await stack.gql<{ emailPaymentReceipt: { payment: { paymentId: number }; message: string; userErrors: UserError[] } }>(
      `mutation($p: ID!) { emailPaymentReceipt(input: { paymentId: $p, email: "ap@northwind.example" }) { payment { paymentId } message userErrors { code } } }`,
      { p: paymentGid(200101, payment.paymentId) },
    );
    expect(response.data!.emailPaymentReceipt).toEqual({ payment: { paymentId: payment.paymentId }, message: 'Payment receipt e-mail sent successfully.', userErrors: [] });
    expect(iqm.state.emails).toContainEqual({ kind: 'receipt', owId: 200101, id: payment.paymentId, email: 'ap@northwind.example' });
  });
});

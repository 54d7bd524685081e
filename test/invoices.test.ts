import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { customerGid, invoiceGid } from './helpers/iqm.js';
import { startStack, type TestStack } from './helpers/stack.js';

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) { invoice { status paid { amount } outstanding { amount } } userErrors { field message code } }
  }
`;
type PayAnswer = { payInvoice: { invoice: { status: string; paid: { amount: string }; outstanding: { amount: string } } | null; userErrors: UserError[] } };

describe('Invoices: IQM invoices, settings and payments against them', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  const invoicesOf = (owId: number, status?: number) =>
    [...iqm.state.invoices.values()].filter((invoice) => invoice.owId === owId && (status === undefined || invoice.status === status));

  it('lists a customer’s invoices with a status filter and sort, pushed down to IQM (A19)', async () => {
    iqm.resetCalls();
    const response = await stack.gql<{ customer: { invoices: { totalCount: number; nodes: { invoiceId: number; status: string; total: { amount: string } }[] } } }>(
      `query($id: ID!) { customer(id: $id) { invoices(first: 20, filter: { status: [PAID], sources: [IQM] }, orderBy: { field: TOTAL, direction: ASC }) { totalCount nodes { status total { amount } ... on IqmInvoice { invoiceId } } } } }`,
      { id: customerGid(200101) },
    );
    expect(response.errors).toBeUndefined();
    const expected = invoicesOf(200101, 4).sort((a, b) => a.invoiceAmount.comparedTo(b.invoiceAmount));
    expect(response.data!.customer.invoices.nodes.map((node) => node.invoiceId)).toEqual(expected.map((invoice) => invoice.invoiceId));
    expect(response.data!.customer.invoices.nodes.every((node) => node.status === 'PAID')).toBe(true);
    expect(iqm.callsTo('/invoice/list/').map((call) => call.url)).toEqual(['/api/v3/fa/invoice/list/200101?status=4&sortBy=%2BinvoiceAmount&isCustomerRequest=true']);
  });

  it('reads the organization’s invoice settings (A17) and an invoice’s payment details (A18)', async () => {
    const invoice = invoicesOf(200101)[0]!;
    const response = await stack.gql<{
      organization: { invoiceSettings: Record<string, unknown> };
      node: { paymentDetails: Record<string, unknown> };
    }>(
      `query($id: ID!) {
        organization { invoiceSettings { invoiceId owId title companyName email paymentTerm createdAt } }
        node(id: $id) { ... on IqmInvoice { paymentDetails { paypalId paypalAccountId chequeCompanyName bankName swiftCode routing } } }
      }`,
      { id: invoiceGid(200101, invoice.invoiceId) },
    );
    expect(response.errors).toBeUndefined();
    const settings = iqm.state.organizations.get(200001)!.invoiceSettings;
    expect(response.data!.organization.invoiceSettings).toEqual({
      invoiceId: settings.invoiceId,
      owId: 200001,
      title: settings.invoiceTitle,
      companyName: settings.invoiceCompanyName,
      email: settings.email,
      paymentTerm: '30',
      createdAt: '2021-08-27T07:33:14.000Z',
    });
    expect(response.data!.node.paymentDetails).toEqual({
      paypalId: settings.paypalId,
      paypalAccountId: settings.paypalAccountId,
      chequeCompanyName: settings.chequeCompanyName,
      bankName: settings.bankName,
      swiftCode: settings.swiftCode,
      routing: settings.routing,
    });
  });

  it('updates invoice settings (A20) and shows them on the next read; isWhiteLabel false is refused before IQM', async () => {
    const settingsId = iqm.state.organizations.get(200001)!.invoiceSettings.invoiceId;
    const response = await stack.gql<{ updateInvoiceSettings: { invoiceSettings: { title: string; footer: string }; userErrors: UserError[] } }>(
      `mutation($id: Int!) { updateInvoiceSettings(input: { invoiceSettingsId: $id, title: "Alchemist Billing", footer: "Alchemist | NY" }) { invoiceSettings { title footer } userErrors { field message code } } }`,
      { id: settingsId },
    );
    expect(response.data!.updateInvoiceSettings).toEqual({ invoiceSettings: { title: 'Alchemist Billing', footer: 'Alchemist | NY' }, userErrors: [] });
    expect(iqm.state.organizations.get(200001)!.invoiceSettings.invoiceTitle).toBe('Alchemist Billing');

    iqm.resetCalls();
    const refused = await stack.gql<{ updateInvoiceSettings: { userErrors: UserError[] } }>(
      `mutation($id: Int!) { updateInvoiceSettings(input: { invoiceSettingsId: $id, isWhiteLabel: false, title: "x" }) { userErrors { field code } } }`,
      { id: settingsId },
    );
    expect(refused.data!.updateInvoiceSettings.userErrors).toEqual([{ field: ['input', 'isWhiteLabel'], code: 'INVALID_INPUT' }]);
    expect(iqm.calls).toEqual([]);
  });

  it('deletes tax data (A21); an unknown tax id is a userError with IQM’s message', async () => {
    const taxData = iqm.state.organizations.get(200001)!.taxData;
    const taxId = [...taxData.keys()][0]!;
    const deleted = await stack.gql<{ deleteInvoiceTaxData: { deletedTaxId: number; userErrors: UserError[] } }>(
      `mutation($taxId: Int!) { deleteInvoiceTaxData(input: { taxId: $taxId }) { deletedTaxId userErrors { field message code } } }`,
      { taxId },
    );
    expect(deleted.data!.deleteInvoiceTaxData).toEqual({ deletedTaxId: taxId, userErrors: [] });
    expect(taxData.has(taxId)).toBe(false);
    const again = await stack.gql<{ deleteInvoiceTaxData: { deletedTaxId: null; userErrors: UserError[] } }>(
      `mutation($taxId: Int!) { deleteInvoiceTaxData(input: { taxId: $taxId }) { deletedTaxId userErrors { field message code } } }`,
      { taxId },
    );
    expect(again.data!.deleteInvoiceTaxData).toEqual({ deletedTaxId: null, userErrors: [{ field: null, message: 'Tax ID is invalid', code: 'NOT_FOUND' }] });
  });

  it('approves (A22) and cancels (A23) invoices', async () => {
    const pending = invoicesOf(200102, 1)[0]!;
    const approved = await stack.gql<{ approveInvoice: { invoice: { status: string }; userErrors: UserError[] } }>(
      `mutation($id: ID!) { approveInvoice(input: { invoiceId: $id }) { invoice { status } userErrors { code } } }`,
      { id: invoiceGid(200102, pending.invoiceId) },
    );
    expect(approved.data!.approveInvoice).toEqual({ invoice: { status: 'UNPAID' }, userErrors: [] });
    const cancelled = await stack.gql<{ cancelInvoice: { invoice: { status: string }; userErrors: UserError[] } }>(
      `mutation($id: ID!) { cancelInvoice(input: { invoiceId: $id, actionNote: "Raised twice" }) { invoice { status } userErrors { code } } }`,
      { id: invoiceGid(200102, pending.invoiceId) },
    );
    expect(cancelled.data!.cancelInvoice).toEqual({ invoice: { status: 'CANCELLED' }, userErrors: [] });
    expect(iqm.state.invoices.get(pending.invoiceId)!.actionNote).toBe('Raised twice');
  });

  it('a partial payment (A24) leaves the invoice PARTIALLY_PAID with the exact paid amount; the rest settles it', async () => {
    const invoice = invoicesOf(200103, 3)[0]!;
    const id = invoiceGid(200103, invoice.invoiceId);
    const partial = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: id, amount: '100.25', paymentMode: 'CHEQUE', bankName: 'First National Bank', transactionId: 'CHQ-1', idempotencyKey: 'partial-payment-1' } });
    expect(partial.data!.payInvoice).toEqual({
      invoice: { status: 'PARTIALLY_PAID', paid: { amount: '100.25' }, outstanding: { amount: invoice.invoiceAmount.minus('100.25').toFixed() } },
      userErrors: [],
    });
    expect(iqm.state.invoices.get(invoice.invoiceId)!.status).toBe(2);
    expect(iqm.state.invoices.get(invoice.invoiceId)!.paidAmount.toFixed()).toBe('100.25');

    const rest = invoice.invoiceAmount.minus('100.25').toFixed();
    const full = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: id, amount: rest, paymentMode: 'PAYPAL', paidAt: '2026-10-10T09:00:00.000Z', idempotencyKey: 'settling-payment-1' } });
    expect(full.data!.payInvoice).toEqual({ invoice: { status: 'PAID', paid: { amount: invoice.invoiceAmount.toFixed() }, outstanding: { amount: '0' } }, userErrors: [] });
    const payment = [...iqm.state.payments.values()].find((candidate) => candidate.invoiceId === invoice.invoiceId && candidate.paymentAmount.equals(rest))!;
    expect(payment.paymentDate).toBe(Date.parse('2026-10-10T09:00:00.000Z'));
  });

  it('0.1 + 0.2 paid against an invoice of 0.3 settles it exactly', async () => {
    const invoice = invoicesOf(200102, 3)[0]!;
    invoice.invoiceAmount = new Decimal('0.3');
    const id = invoiceGid(200102, invoice.invoiceId);
    const first = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: id, amount: '0.1', idempotencyKey: 'exact-sum-0.1' } });
    expect(first.data!.payInvoice.invoice).toEqual({ status: 'PARTIALLY_PAID', paid: { amount: '0.1' }, outstanding: { amount: '0.2' } });
    const second = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: id, amount: '0.2', idempotencyKey: 'exact-sum-0.2' } });
    expect(second.data!.payInvoice.invoice).toEqual({ status: 'PAID', paid: { amount: '0.3' }, outstanding: { amount: '0' } });
    expect(iqm.state.invoices.get(invoice.invoiceId)!.paidAmount.toFixed()).toBe('0.3');
  });

  it('checks amounts before IQM and turns IQM’s refusals into INVALID_TRANSITION userErrors', async () => {
    const cancelled = invoicesOf(200101, 8)[0]!;
    iqm.resetCalls();
    const bad = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: invoiceGid(200101, cancelled.invoiceId), amount: '1.005', paymentMode: 'WIRE_TRANSFER', idempotencyKey: 'bad-amount-1' } });
    expect(bad.data!.payInvoice.userErrors).toEqual([
      { field: ['input', 'amount'], message: 'must have at most 2 decimal places for USD', code: 'INVALID_INPUT' },
      { field: ['input', 'bankName'], message: 'required for cheque and wire-transfer payments', code: 'INVALID_INPUT' },
    ]);
    const zero = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: invoiceGid(200101, cancelled.invoiceId), amount: '0', idempotencyKey: 'zero-amount-1' } });
    expect(zero.data!.payInvoice.userErrors).toEqual([{ field: ['input', 'amount'], message: 'must be greater than 0', code: 'INVALID_INPUT' }]);
    expect(iqm.calls).toEqual([]);
    const refused = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: invoiceGid(200101, cancelled.invoiceId), amount: '1.00', idempotencyKey: 'pay-cancelled-1' } });
    expect(refused.data!.payInvoice).toEqual({ invoice: null, userErrors: [{ field: null, message: 'Invoice with the provided ID is cancelled', code: 'INVALID_TRANSITION' }] });
  });

  it('emails an invoice (A25)', async () => {
    const invoice = invoicesOf(200101)[0]!;
    const response = await stack.gql<{ emailInvoice: { invoice: { invoiceId: number }; message: string; userErrors: UserError[] } }>(
      `mutation($id: ID!) { emailInvoice(input: { invoiceId: $id, email: "ap@northwind.example" }) { invoice { ... on IqmInvoice { invoiceId } } message userErrors { code } } }`,
      { id: invoiceGid(200101, invoice.invoiceId) },
    );
    expect(response.data!.emailInvoice).toEqual({ invoice: { invoiceId: invoice.invoiceId }, message: 'Invoice e-mail sent successfully.', userErrors: [] });
    expect(iqm.state.emails).toContainEqual({ kind: 'invoice', owId: 200101, id: invoice.invoiceId, email: 'ap@northwind.example' });
  });
});

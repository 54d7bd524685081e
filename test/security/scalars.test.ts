import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IQMETRIX_DEMO_CUSTOMERS } from '../../src/upstreams/iqmetrix/index.js';
import { invoiceGid } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const customerId = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');
const refrensInvoiceId = Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02'])}`).toString('base64url');

function upstreamCalls(stack: TestStack): number {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [iqm, intact, refrens, iqmetrix].reduce((sum, simulator) => sum + (simulator?.calls.length ?? 0), 0);
}

function resetCalls(stack: TestStack): void {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  for (const simulator of [iqm, intact, refrens, iqmetrix]) simulator?.resetCalls();
}

/** An IQM invoice of workspace 200101 that can still be paid. */
function payableInvoice(stack: TestStack): string {
  const invoice = [...stack.embedded.iqm!.state.invoices.values()].find((candidate) => candidate.owId === 200101);
  return invoiceGid(200101, invoice!.invoiceId);
}

const PAY_INVOICE = 'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { invoice { id } userErrors { field message code } } }';
const ADD_PAYMENT = 'mutation($input: AddPaymentInput!) { addPayment(input: $input) { payment { id } userErrors { field message code } } }';
const EMAIL_INVOICE = 'mutation($input: EmailInvoiceInput!) { emailInvoice(input: $input) { userErrors { field message code } } }';
const IQMETRIX_BY_CUSTOMER = 'query($filter: IqmetrixInvoiceFilter) { iqmetrixInvoices(filter: $filter, first: 1) { totalCount } }';
const LEDGER = 'query($id: ID!, $filter: LedgerFilter) { customer(id: $id) { ledger(first: 1, filter: $filter) { totalCount } } }';

interface UserErrorShape {
  field: string[] | null;
  message: string;
  code: string;
}

describe('Security: strict scalars', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => resetCalls(stack));

  it('refuses every bad variable value with BAD_USER_INPUT naming the input path, and calls nothing', async () => {
    const invoiceId = payableInvoice(stack);
    const payInput = { invoiceId, amount: '10.00', idempotencyKey: 'scalar-test-key-1' };
    const addInput = { customerId: customerId('northwind'), amount: '10.00', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'T-1', idempotencyKey: 'scalar-test-key-2' };
    const cases: { query: string; variables: Record<string, unknown>; expected: string }[] = [
      // Amounts: text that is not a plain decimal, and JSON numbers that are not exact.
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: 'abc' } }, expected: 'Variable "$input" got invalid value "abc" at "input.amount"; Expected type "Decimal". Decimal cannot represent "abc": expected a decimal string such as "1250.50"' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: '1e3' } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent "1e3"' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: '+10' } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent "+10"' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: ' 10' } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent " 10"' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: '10.' } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent "10."' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: 12.5 } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent 12.5: send amounts as strings' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: 2 ** 60 } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent 1152921504606847000' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, amount: true } }, expected: 'at "input.amount"; Expected type "Decimal". Decimal cannot represent true' },
      // Instants and dates that do not exist.
      { query: PAY_INVOICE, variables: { input: { ...payInput, paidAt: '2026-02-30T10:00:00Z' } }, expected: 'at "input.paidAt"; Expected type "DateTime". DateTime cannot represent "2026-02-30T10:00:00Z": not a real instant' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, paidAt: '2026-10-01T24:00:00Z' } }, expected: 'at "input.paidAt"; Expected type "DateTime". DateTime cannot represent "2026-10-01T24:00:00Z": not a real instant' },
      { query: PAY_INVOICE, variables: { input: { ...payInput, paidAt: '2026-10-01T10:00:00' } }, expected: 'at "input.paidAt"; Expected type "DateTime". DateTime cannot represent "2026-10-01T10:00:00": expected ISO-8601 with a zone' },
      { query: ADD_PAYMENT, variables: { input: { ...addInput, paidOn: '2026-02-30' } }, expected: 'at "input.paidOn"; Expected type "Date". Date cannot represent "2026-02-30": expected a real calendar date YYYY-MM-DD' },
      { query: ADD_PAYMENT, variables: { input: { ...addInput, paidOn: '2026-13-01' } }, expected: 'at "input.paidOn"; Expected type "Date". Date cannot represent "2026-13-01"' },
      { query: ADD_PAYMENT, variables: { input: { ...addInput, paidOn: '01/10/2026' } }, expected: 'at "input.paidOn"; Expected type "Date". Date cannot represent "01/10/2026"' },
      // E-mail addresses.
      { query: EMAIL_INVOICE, variables: { input: { invoiceId, email: 'not-an-email' } }, expected: 'at "input.email"; Expected type "EmailAddress". EmailAddress cannot represent "not-an-email"' },
      { query: EMAIL_INVOICE, variables: { input: { invoiceId, email: 'dana@localhost' } }, expected: 'at "input.email"; Expected type "EmailAddress". EmailAddress cannot represent "dana@localhost"' },
      { query: EMAIL_INVOICE, variables: { input: { invoiceId, email: 'dana finance@example.com' } }, expected: 'at "input.email"; Expected type "EmailAddress". EmailAddress cannot represent "dana finance@example.com"' },
      { query: EMAIL_INVOICE, variables: { input: { invoiceId, email: 'dana@-example.com' } }, expected: 'at "input.email"; Expected type "EmailAddress". EmailAddress cannot represent "dana@-example.com"' },
      { query: EMAIL_INVOICE, variables: { input: { invoiceId, email: 'dana..f@example.com' } }, expected: 'at "input.email"; Expected type "EmailAddress". EmailAddress cannot represent "dana..f@example.com"' },
      { query: EMAIL_INVOICE, variables: { input: { invoiceId, email: `${'a'.repeat(65)}@example.com` } }, expected: 'at "input.email"; Expected type "EmailAddress". EmailAddress cannot represent' },
      // GUIDs.
      { query: IQMETRIX_BY_CUSTOMER, variables: { filter: { customerId: 'not-a-guid' } }, expected: 'Variable "$filter" got invalid value "not-a-guid" at "filter.customerId"; Expected type "Guid". Guid cannot represent "not-a-guid"' },
      { query: IQMETRIX_BY_CUSTOMER, variables: { filter: { customerId: '503d1d4a-c974-4286-b4a2-002699e60ad' } }, expected: 'at "filter.customerId"; Expected type "Guid". Guid cannot represent' },
      { query: IQMETRIX_BY_CUSTOMER, variables: { filter: { customerId: '503d1d4a-c974-4286-b4a2-002699e60adg' } }, expected: 'at "filter.customerId"; Expected type "Guid". Guid cannot represent' },
      // Currency codes.
      { query: LEDGER, variables: { id: customerId('tailspin'), filter: { currencyCode: 'ZZZ' } }, expected: 'Variable "$filter" got invalid value "ZZZ" at "filter.currencyCode"; Expected type "CurrencyCode". CurrencyCode cannot represent "ZZZ": expected an active ISO-4217 code' },
      { query: LEDGER, variables: { id: customerId('tailspin'), filter: { currencyCode: 'usd' } }, expected: 'at "filter.currencyCode"; Expected type "CurrencyCode". CurrencyCode cannot represent "usd"' },
      { query: LEDGER, variables: { id: customerId('tailspin'), filter: { currencyCode: 'XXX' } }, expected: 'at "filter.currencyCode"; Expected type "CurrencyCode". CurrencyCode cannot represent "XXX"' },
    ];
    for (const { query, variables, expected } of cases) {
      const response = await stack.gql(query, variables);
      expect(response.status, expected).toBe(400);
      expect(response.data, expected).toBeUndefined();
      expect(response.errors, expected).toHaveLength(1);
      expect(response.errors![0]!.extensions?.['code'], expected).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.message).toContain(expected);
    }
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('names the input path of a bad value written inline, down to list items, and calls nothing', async () => {
    const invoiceId = payableInvoice(stack);
    const cases: { query: string; expected: string }[] = [
      {
        query: `mutation { payInvoice(input: { invoiceId: "${invoiceId}", amount: "abc", idempotencyKey: "scalar-inline-1" }) { userErrors { field } } }`,
        expected: 'Expected value of type "Decimal!", found "abc" at "input.amount"; Decimal cannot represent "abc": expected a decimal string such as "1250.50"',
      },
      {
        query: `mutation { payInvoice(input: { invoiceId: "${invoiceId}", amount: 12.5, idempotencyKey: "scalar-inline-2" }) { userErrors { field } } }`,
        expected: 'Expected value of type "Decimal!", found 12.5 at "input.amount"; Decimal cannot represent 12.5: send amounts with a fraction as strings',
      },
      {
        query: `mutation { payInvoice(input: { invoiceId: "${invoiceId}", amount: "1", paidAt: "2026-02-30T00:00:00Z", idempotencyKey: "scalar-inline-3" }) { userErrors { field } } }`,
        expected: 'Expected value of type "DateTime", found "2026-02-30T00:00:00Z" at "input.paidAt"; DateTime cannot represent "2026-02-30T00:00:00Z": not a real instant',
      },
      {
        query: `mutation { emailInvoice(input: { invoiceId: "${invoiceId}", email: "nobody" }) { userErrors { field } } }`,
        expected: 'Expected value of type "EmailAddress!", found "nobody" at "input.email"; EmailAddress cannot represent "nobody"',
      },
      {
        query: '{ iqmetrixInvoices(filter: { customerId: 42 }, first: 1) { totalCount } }',
        expected: 'Expected value of type "Guid", found 42 at "filter.customerId"; Guid cannot represent 42',
      },
      {
        query: `mutation { createIqmetrixInvoice(input: { customerId: "503d1d4a-c974-4286-b4a2-002699e60ad6", locationId: 1, employeeId: 1, idempotencyKey: "scalar-inline-4",
          orders: [{ items: [{ description: "ok", quantity: 1, sellingPrice: "1.00" }, { description: "bad", quantity: 1, sellingPrice: "one" }] }] }) { userErrors { field } } }`,
        expected: 'Expected value of type "Decimal!", found "one" at "input.orders.0.items.1.sellingPrice"; Decimal cannot represent "one"',
      },
      {
        query: `query($id: ID!) { customer(id: $id) { ledger(first: 1, filter: { currencyCode: "EURO" }) { totalCount } } }`,
        expected: 'Expected value of type "CurrencyCode", found "EURO" at "filter.currencyCode"; CurrencyCode cannot represent "EURO"',
      },
      {
        query: `query($filter: LedgerFilter = { currencyCode: "eur" }) { customer(id: "${customerId('tailspin')}") { ledger(first: 1, filter: $filter) { totalCount } } }`,
        expected: 'Expected value of type "CurrencyCode", found "eur" at "$filter.currencyCode"',
      },
    ];
    for (const { query, expected } of cases) {
      const response = await stack.gql(query, { id: customerId('tailspin') });
      expect(response.status, expected).toBe(400);
      expect(response.errors?.map((error) => error.extensions?.['code']), expected).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors![0]!.message).toContain(expected);
    }
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('takes exact values: a long whole-number literal, a GUID in upper case, a real leap day with an offset', async () => {
    const response = await stack.gql<{ iqmetrixInvoices: { totalCount: number | null } }>(
      `query($filter: IqmetrixInvoiceFilter) { iqmetrixInvoices(filter: $filter, first: 1) { totalCount } }`,
      { filter: { customerId: '503D1D4A-C974-4286-B4A2-002699E60AD6' } },
    );
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    const ledger = await stack.gql(
      `query($id: ID!) { customer(id: $id) { ledger(first: 1, filter: { debitAmount: 123456789012345678901234567890, from: "2028-02-29T23:59:59.999+05:30" }) { totalCount } } }`,
      { id: customerId('tailspin') },
    );
    expect(ledger.status).toBe(200);
    expect(ledger.errors).toBeUndefined();
  });

  it('refuses negative and too-precise money amounts with a userError naming the field, before any write', async () => {
    const invoiceId = payableInvoice(stack);
    const pay = async (amount: string, key: string) =>
      (await stack.gql<{ payInvoice: { invoice: null; userErrors: UserErrorShape[] } }>(PAY_INVOICE, { input: { invoiceId, amount, idempotencyKey: key } })).data!.payInvoice;
    expect(await pay('-5', 'neg-amount-1')).toEqual({ invoice: null, userErrors: [{ field: ['input', 'amount'], message: 'must be greater than 0', code: 'INVALID_INPUT' }] });
    expect(await pay('0', 'zero-amount-1')).toEqual({ invoice: null, userErrors: [{ field: ['input', 'amount'], message: 'must be greater than 0', code: 'INVALID_INPUT' }] });
    expect(await pay('10.001', 'precise-amount-1')).toEqual({
      invoice: null,
      userErrors: [{ field: ['input', 'amount'], message: 'must have at most 2 decimal places for USD', code: 'INVALID_INPUT' }],
    });
    expect(stack.embedded.iqm!.calls).toEqual([]);

    const refrens = await stack.gql<{ payRefrensInvoice: { payment: null; userErrors: UserErrorShape[] } }>(
      `mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) { payment { id } userErrors { field message code } } }`,
      { input: { invoiceId: refrensInvoiceId, amount: '10.005', tds: '-1', method: 'CASH', idempotencyKey: 'refrens-precise-1' } },
    );
    expect(refrens.data!.payRefrensInvoice.payment).toBeNull();
    expect(refrens.data!.payRefrensInvoice.userErrors).toEqual([
      { field: ['input', 'amount'], message: 'has more decimals than INR allows', code: 'INVALID_INPUT' },
      { field: ['input', 'tds'], message: 'must not be negative', code: 'INVALID_INPUT' },
    ]);
    expect(stack.embedded.refrens!.callsTo(undefined, 'POST')).toEqual([]);

    const receipt = await stack.gql<{ allocateReceipt: { receipt: null; userErrors: UserErrorShape[] } }>(
      `mutation($input: AllocateReceiptInput!) { allocateReceipt(input: $input) { receipt { number } userErrors { field message code } } }`,
      {
        input: {
          customerId: customerId('tailspin'),
          amount: '-100',
          paidAt: '2026-10-10T09:00:00Z',
          paymentBranchCode: 'LON',
          receiptTypeCode: 'CC',
          allocations: [{ invoiceNumber: 'SI0000001', amount: '1.001' }],
          idempotencyKey: 'receipt-negative-1',
        },
      },
    );
    const errors = receipt.data!.allocateReceipt.userErrors;
    expect(errors[0]).toEqual({ field: ['input', 'amount'], message: 'must be greater than zero', code: 'INVALID_INPUT' });
    expect(errors[1]).toEqual({ field: ['input', 'allocations', '0', 'amount'], message: 'has more decimals than EUR allows', code: 'INVALID_INPUT' });
    expect(stack.embedded.intact!.callsTo(undefined, 'POST')).toEqual([]);
  });
});

describe('Security: amounts follow the currency’s minor unit', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { IQM_CURRENCY: 'JPY', IQMETRIX_CURRENCY: 'JPY' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses any fraction of a yen, and names the currency', async () => {
    const invoiceId = payableInvoice(stack);
    const response = await stack.gql<{ payInvoice: { userErrors: UserErrorShape[] } }>(PAY_INVOICE, { input: { invoiceId, amount: '100.5', idempotencyKey: 'yen-fraction-1' } });
    expect(response.data!.payInvoice.userErrors).toEqual([{ field: ['input', 'amount'], message: 'must have at most 0 decimal places for JPY', code: 'INVALID_INPUT' }]);
    expect(stack.embedded.iqm!.calls).toEqual([]);
  });

  it('refuses a fraction of a yen in a new iQmetrix invoice, item prices and payments alike, before the write', async () => {
    const response = await stack.gql<{ createIqmetrixInvoice: { invoice: null; userErrors: UserErrorShape[] } }>(
      `mutation($customerId: Guid!) {
        createIqmetrixInvoice(input: {
          customerId: $customerId, locationId: 4, employeeId: 15, idempotencyKey: "yen-fraction-iqmetrix",
          orders: [{ items: [{ description: "Case", quantity: 1, sellingPrice: "1200.5" }] }],
          payments: [{ amount: "0.5", paymentMethodId: 1 }]
        }) { invoice { id } userErrors { field message code } }
      }`,
      { customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia },
    );
    expect(response.data!.createIqmetrixInvoice).toEqual({
      invoice: null,
      userErrors: [
        { field: ['input', 'orders', '0', 'items', '0', 'sellingPrice'], message: 'has more decimals than JPY allows', code: 'INVALID_INPUT' },
        { field: ['input', 'payments', '0', 'amount'], message: 'has more decimals than JPY allows', code: 'INVALID_INPUT' },
      ],
    });
    expect(stack.embedded.iqmetrix!.callsTo(undefined, 'POST')).toEqual([]);
  });
});

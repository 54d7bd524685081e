import fc from 'fast-check';
import { LosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { fastDecoderOf } from '../../src/upstreams/fastWire.js';
import { envelope, IqmInvoiceList, IqmPaymentList } from '../../src/upstreams/iqm/wire.js';
import { IntactLedgerPage } from '../../src/upstreams/intact/wire.js';
import { IqmetrixInvoice, IqmetrixInvoiceSummaryList } from '../../src/upstreams/iqmetrix/wire.js';
import { RefrensPayment, RefrensPaymentList } from '../../src/upstreams/refrens/wire.js';

/**
 * The fast paths beside the largest wire schemas (src/upstreams/fastWire.ts, issue 16) must answer
 * exactly what their schema answers — the same keys in the same order, the same transforms — or
 * step aside (undefined) and let the schema decide. Generated rows mix valid values with every
 * wrong kind a JSON body can hold.
 */

interface Schema {
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/**
 * A field value: usually one of `valid`, sometimes null, absent (undefined) or of a wrong kind, each
 * one time in `validWeight + 3` (nested bodies with many fields use a higher weight, so that a share
 * of them is valid throughout).
 */
function field(valid: fc.Arbitrary<unknown>, validWeight = 8): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom(0.5, -2.25, 1e300, 2 ** 53, -0),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.constant(new LosslessNumber('12345678901234567890')),
  );
  return fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: fc.constant(null), weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: wrong, weight: 1 });
}

function record(fields: Record<string, fc.Arbitrary<unknown>>, validWeight = 8): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(Object.entries(fields).map(([key, valid]) => [key, field(valid, validWeight)]))).map((row) => {
    const withoutAbsent: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) if (value !== undefined) withoutAbsent[key] = value;
    return withoutAbsent;
  });
}

const amount = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(new LosslessNumber('1234567890.123456789')));
const epoch = fc.integer({ min: 0, max: 2_000_000_000_000 });
const text = fc.string({ maxLength: 8 });

const invoiceRow = record({
  invoiceId: fc.integer({ min: 1 }),
  invoiceFromDate: epoch,
  invoiceToDate: epoch,
  issuedOn: epoch,
  invoiceAmount: amount,
  status: fc.integer({ min: 1, max: 7 }),
  paymentTerm: fc.integer({ min: 0, max: 90 }),
  paidAmount: amount,
  paymentMode: fc.oneof(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }), text, fc.array(fc.double(), { minLength: 1, maxLength: 2 })),
  invoiceName: text,
  actionNote: text,
  invoiceStatusUpdatedBy: text,
  modifiedAt: epoch,
  unknownExtra: text,
});

const paymentRow = record({
  isPaymentInitiatorOrg: fc.boolean(),
  paymentId: fc.integer({ min: 1 }),
  owId: fc.integer({ min: 1 }),
  createdAt: epoch,
  createdByUserEmail: text,
  createdByUserProfile: text,
  paymentDate: fc.oneof(epoch, text),
  paymentAmount: amount,
  paymentStatus: text,
  paymentMode: text,
  paymentType: text,
  invoiceId: fc.integer({ min: 1 }),
  transactionId: fc.oneof(text, fc.integer()),
  modifiedAt: epoch,
  modifiedByUserEmail: text,
  modifiedByUserProfile: text,
  bankName: text,
  refundReason: text,
});

const ledgerItem = record({
  Id: fc.oneof(fc.integer({ min: 1 }), fc.string({ maxLength: 4 })),
  Date: fc.constant('2025-01-31T00:00:00'),
  DueDate: text,
  Number: text,
  Reference: text,
  Type: fc.oneof(fc.constantFrom('Inv', 'SL/Inv', 'Rct'), fc.integer({ min: 0, max: 9 })),
  Debit: fc.oneof(amount, fc.constantFrom('12.50', '-3', '1e5', 'x')),
  Credit: amount,
  Unallocated: amount,
  Currency: fc.oneof(fc.constantFrom('USD', 'CAD'), fc.constant('')),
});

function list(row: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return record({ data: fc.array(row, { maxLength: 4 }), totalRecords: fc.nat(), filteredRecords: fc.nat() });
}

/* iQmetrix D1 and D2: GUIDs (empty text is refused), .NET decimals (numbers or decimal text), nested lists. */
const guid = fc.oneof({ arbitrary: fc.uuid(), weight: 15 }, { arbitrary: fc.constant(''), weight: 1 });
const decimal = fc.oneof({ arbitrary: amount, weight: 3 }, { arbitrary: fc.constantFrom('12.50', '-3', '1e5', 'x'), weight: 1 });
const flag = fc.boolean();
const NESTED = 60;

const invoiceSummary = record({
  Id: guid,
  CreatedDateUtc: text,
  CustomerId: guid,
  EmployeeId: fc.integer(),
  InvoiceTotal: decimal,
  InvoiceType: fc.constantFrom('Purchase', 'Refund'),
  LocationId: fc.integer({ min: 1 }),
  PrintableId: text,
  PaymentTypes: fc.jsonValue({ maxDepth: 2 }),
  Extra: text,
});

const address = record(
  {
    Id: guid,
    CountryCode: text,
    DoNotContact: flag,
    Locality: text,
    Notes: text,
    PostalCode: text,
    PostOfficeBoxNumber: text,
    StateCode: text,
    StreetAddress1: text,
    StreetAddress2: text,
    Extra: text,
  },
  NESTED,
);

const customer = record(
  {
    Id: guid,
    AlternateName: text,
    BillingAddress: address,
    CustomerType: text,
    CustomerTypeId: fc.integer(),
    DateOfBirth: text,
    DoNotContact: flag,
    FamilyName: text,
    MiddleName: text,
    Notes: text,
    PrimaryName: text,
    ShippingAddress: address,
    Title: text,
  },
  NESTED,
);

const orderItem = record(
  { Id: guid, Description: text, ProductId: guid, Quantity: fc.integer({ min: -2, max: 9 }), SellingPrice: decimal, SerialNumber: text, Sku: text, Extra: text },
  NESTED,
);
const orderFields = { Id: guid, Items: fc.array(orderItem, { maxLength: 3 }), PrintableId: text, ReferenceId: text };
const order = record(orderFields, NESTED);
// A dropship order's keys come back in the schema's order whatever order the body has them in.
const dropshipOrder = record({ SupplierId: fc.integer(), ...orderFields, ShippingEntityId: fc.integer(), ShippingMethod: text }, NESTED);

const iqmetrixPayment = record(
  {
    Id: fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    Amount: decimal,
    DrawerId: guid,
    PaymentMethodId: fc.integer({ min: 1, max: 9 }),
    ReferenceId: text,
    TransactionDate: text,
    TransactionType: fc.constantFrom('Purchase', 'Refund'),
  },
  NESTED,
);

const taxDetail = record(
  {
    TaxId: guid,
    TaxName: text,
    CountryCode: text,
    Rate: decimal,
    RegionCode: text,
    Tax: decimal,
    Taxable: decimal,
    TaxAuthority: text,
    TaxAuthorityType: text,
    TaxCategory: text,
    TaxType: text,
  },
  NESTED,
);
const taxLine = record(
  { LineNumber: text, Discount: decimal, Rate: decimal, Tax: decimal, Taxability: flag, Taxable: decimal, TaxDetails: fc.array(taxDetail, { maxLength: 2 }) },
  NESTED,
);

const iqmetrixInvoice = record(
  {
    Id: guid,
    CreatedByUser: text,
    CreatedDateUtc: text,
    Customer: customer,
    DropshipOrders: fc.array(dropshipOrder, { maxLength: 2 }),
    EmployeeId: fc.integer(),
    IsRefund: flag,
    LocationId: fc.integer(),
    Notes: text,
    Orders: fc.array(order, { maxLength: 2 }),
    OriginalInvoiceId: guid,
    Payments: fc.array(iqmetrixPayment, { maxLength: 2 }),
    PrintableId: text,
    TaxCalculationResult: record({ Id: guid, Lines: fc.array(taxLine, { maxLength: 2 }) }, NESTED),
    Extra: text,
  },
  NESTED,
);

const refrensPayment = record({
  tds: amount,
  transactionCharge: amount,
  amount,
  paymentDate: fc.constantFrom('2023-10-01', '2024-08-18T12:08:38.000Z'),
  paymentMethod: fc.constantFrom('CASH', 'UPI', 'WIRE'),
  notes: text,
  business: text,
  payerBusiness: text,
  isApproved: flag,
  isRemoved: flag,
  appId: text,
  _id: text,
  refId: text,
  extra: text,
});

const ledgerPage = record({ Items: fc.array(ledgerItem, { maxLength: 4 }), TotalCount: fc.integer({ min: -1, max: 500 }), ErrorMessage: text, Success: fc.boolean() });

/** Whether the fast path, where it answers, answers what the schema answers; true when it answered. */
function agrees(schema: Schema, value: unknown): boolean {
  const fast = fastDecoderOf(schema)!(value);
  const parsed = schema.safeParse(value);
  if (fast === undefined) return false;
  expect(parsed.success).toBe(true);
  expect(fast).toStrictEqual(parsed.data);
  // The same keys in the same order, as JSON would write them.
  expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
  return true;
}

describe('Upstreams: fast paths of the largest wire schemas', () => {
  const cases: [string, Schema, fc.Arbitrary<unknown>][] = [
    ['IQM invoice list (A19)', IqmInvoiceList, list(invoiceRow)],
    ['IQM payment list (A34, A35)', IqmPaymentList, list(paymentRow)],
    ['IQM invoice list in its envelope', envelope(IqmInvoiceList), record({ success: fc.constant(true), data: list(invoiceRow) })],
    ['IQM payment list in its envelope', envelope(IqmPaymentList), record({ success: fc.constant(true), data: list(paymentRow) })],
    ['Intact ledger page (B1)', IntactLedgerPage, ledgerPage],
    ['iQmetrix invoice summaries (D1)', IqmetrixInvoiceSummaryList, fc.oneof(fc.array(invoiceSummary, { maxLength: 4 }), record({ value: fc.array(invoiceSummary, { maxLength: 4 }) }))],
    ['iQmetrix invoice (D2)', IqmetrixInvoice, iqmetrixInvoice],
    ['Refrens payments (C2)', RefrensPaymentList, record({ payments: fc.array(refrensPayment, { maxLength: 3 }) })],
    ['Refrens payment (C1)', RefrensPayment, refrensPayment],
  ];

  for (const [name, schema, values] of cases) {
    it(`${name}: answers what the schema answers, or lets the schema decide`, () => {
      let answered = 0;
      fc.assert(
        fc.property(values, (value) => {
          if (agrees(schema, value)) answered += 1;
        }),
        { numRuns: 3000 },
      );
      // Not a fast path that always steps aside: it answered a share of the (mostly valid) inputs.
      expect(answered).toBeGreaterThan(50);
    });
  }

  it('takes the rows the simulators send: a valid row is answered by the fast path', () => {
    const row = { invoiceId: 7, invoiceAmount: 120.5, status: 2, paidAmount: null, paymentMode: [1, 2], issuedOn: 1_767_225_600_000, invoiceName: 'March' };
    expect(agrees(envelope(IqmInvoiceList), { success: true, data: { data: [row], totalRecords: 1, filteredRecords: 1 } })).toBe(true);
    const item = { Id: 1, Date: '2025-01-31T00:00:00', DueDate: null, Number: 'INV1', Reference: null, Type: 'Inv', Debit: 10, Credit: null, Unallocated: 10, Currency: 'USD' };
    expect(agrees(IntactLedgerPage, { Items: [item], TotalCount: 1, ErrorMessage: null, Success: true })).toBe(true);
    expect(agrees(IntactLedgerPage, { Items: null, TotalCount: 0, Success: true })).toBe(true);
    const summary = { Id: '8bb4c26d-7338-44e9-ba39-ca857e6491a7', CreatedDateUtc: '2026-09-29T21:51:26.4648767Z', CustomerId: '503d1d4a-c974-4286-b4a2-002699e60ad6', EmployeeId: 15, InvoiceTotal: 697.19, InvoiceType: 'Purchase', LocationId: 4, PrintableId: '4-15-1001' };
    expect(agrees(IqmetrixInvoiceSummaryList, [summary])).toBe(true);
    const address = { Id: 'e68a5c8c-eadc-484c-9139-8437d2e0859a', CountryCode: 'CA', DoNotContact: false, Locality: 'Mountain View', Notes: null, PostalCode: '94043', PostOfficeBoxNumber: null, StateCode: 'AB', StreetAddress1: '1600 Amphitheatre Pkwy', StreetAddress2: null };
    const invoice = {
      Id: '8bb4c26d-7338-44e9-ba39-ca857e6491a7',
      CreatedByUser: '22212',
      CreatedDateUtc: '2026-09-29T21:51:26.464',
      Customer: { Id: '503d1d4a-c974-4286-b4a2-002699e60ad6', AlternateName: 'Bob', BillingAddress: address, CustomerType: 'Person', CustomerTypeId: 2, DateOfBirth: '1952-07-23T12:00:00.000', DoNotContact: false, FamilyName: 'Smith', MiddleName: null, Notes: null, PrimaryName: 'Robert', ShippingAddress: address, Title: 'Mr' },
      DropshipOrders: [],
      EmployeeId: 15,
      IsRefund: false,
      LocationId: 4,
      Notes: 'Trade in iPhone',
      Orders: [{ Id: '4b18443a-14bf-4dcd-b6f6-88af98f8dfa6', Items: [{ Id: '2c4fc0de-5db5-4a43-94ab-13ec3b7e79c8', Description: 'Galaxy S24 rugged case', ProductId: '5c1b7f2e-8d4a-4e6b-9f3c-1a2b3c4d5e6f', Quantity: 1, SellingPrice: 29.99, SerialNumber: null, Sku: '403512' }], PrintableId: '4-15-1001-1', ReferenceId: 'INV10010' }],
      OriginalInvoiceId: null,
      Payments: [{ Id: '15215', Amount: 697.19, DrawerId: 'f41b20b2-31cb-4585-aca2-e17b1b1de41e', PaymentMethodId: 1, ReferenceId: 'Pay15215', TransactionDate: '2026-09-29T21:56:26.4647133+00:00', TransactionType: 'Purchase' }],
      PrintableId: '4-15-1001',
      TaxCalculationResult: { Id: '4d57c55f-8508-4771-85d2-ffcc197c7f53', Lines: [{ LineNumber: 'Line1', Discount: 0, Rate: 5, Tax: 33.2, Taxability: true, Taxable: 663.99, TaxDetails: [{ TaxId: '70c97860-d841-45a8-bcf1-2ac667356f5c', TaxName: 'GST', CountryCode: 'CA', Rate: 5, RegionCode: 'AB', Tax: 33.2, Taxable: 663.99, TaxAuthority: 'CRA', TaxAuthorityType: 'Canada', TaxCategory: 'Goods and Sales', TaxType: 'Federal' }] }] },
    };
    expect(agrees(IqmetrixInvoice, invoice)).toBe(true);
    const payment = { tds: 0, transactionCharge: 0, amount: 50, paymentDate: '2026-08-28', paymentMethod: 'CASH', notes: 'Counter cash', business: '6786fa805eed0f0ce5000001', payerBusiness: '67c4f1005eed0f0ce5000003', isApproved: true, isRemoved: false, appId: '6786fa805eed0f0ce5000002', _id: '6a90cf805eed0f0ce5000004' };
    expect(agrees(RefrensPaymentList, { payments: [payment] })).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { toDecimal } from '../../src/domain/money.js';
import type { UpstreamHttpClient } from '../../src/upstreams/http.js';
import {
  IQMETRIX_DEMO_COMPANY_ID,
  IQMETRIX_DEMO_CUSTOMERS,
  IQMETRIX_DEMO_TOKEN,
  IQMETRIX_SIMULATOR_EPOCH,
  IqmetrixClient,
  IqmetrixSimulator,
  InvoiceSummaryFilterSyntaxError,
  buildInvoiceSummaryFilter,
  createInvoiceToWire,
  createIqmetrixLoaders,
  invoiceDetailFromWire,
  invoiceFromSummary,
  invoiceTypeFromWire,
  isGuid,
  parseInvoiceSummaryFilter,
  type IqmetrixCreateInvoiceInput,
  type IqmetrixSimulatorOptions,
} from '../../src/upstreams/iqmetrix/index.js';
import { caught, useSimulatorConnections } from '../helpers/upstreamClient.js';

const COMPANY = IQMETRIX_DEMO_COMPANY_ID;
const { robertSmith, contosoMedia, tailspinToys } = IQMETRIX_DEMO_CUSTOMERS;
const CURRENCY = 'CAD';

interface Harness {
  readonly sim: IqmetrixSimulator;
  readonly http: UpstreamHttpClient;
  readonly client: IqmetrixClient;
}

const connect = useSimulatorConnections();

async function start(options: IqmetrixSimulatorOptions = {}, token: string | null = IQMETRIX_DEMO_TOKEN): Promise<Harness> {
  const sim = new IqmetrixSimulator(options);
  const http = await connect(sim, 'IQMETRIX');
  return { sim, http, client: new IqmetrixClient(http, token) };
}

/** A raw call to the simulator, for what the client never sends. */
async function raw(sim: IqmetrixSimulator, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(sim.baseUrl + path, {
    ...init,
    headers: { authorization: `Bearer ${IQMETRIX_DEMO_TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

function sampleInput(overrides: Partial<IqmetrixCreateInvoiceInput> = {}): IqmetrixCreateInvoiceInput {
  return {
    customerId: contosoMedia,
    locationId: 7,
    employeeId: 22,
    printableId: 'GW-0001',
    notes: 'Created through the gateway',
    orders: [
      {
        referenceId: 'PO-77',
        items: [
          { description: 'Bluetooth headset', productId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', quantity: 2, sellingPrice: toDecimal('89.95'), sku: '404101' },
          { description: 'Screen protector', quantity: 3, sellingPrice: toDecimal('14.99') },
        ],
      },
    ],
    payments: [{ amount: toDecimal('100.10'), paymentMethodId: 4, referenceId: 'Pay-GW-1', transactionDate: new Date('2026-09-30T10:00:00.123Z') }],
    ...overrides,
  };
}

describe('iQmetrix: client ↔ simulator', () => {
  it('filters summaries by customer, location, employee and all three, as the simulator holds them', async () => {
    const { sim, client } = await start();
    const company = sim.state.companies.get(COMPANY)!;
    const all = [...company.invoices.values()];

    const robert = await client.invoiceSummaries(COMPANY, { customerIds: [robertSmith] });
    expect(robert).toHaveLength(5);
    expect(robert.every((row) => row.CustomerId === robertSmith)).toBe(true);

    const location7 = await client.invoiceSummaries(COMPANY, { locationId: 7 });
    expect(location7.length).toBe(all.filter((invoice) => invoice.locationId === 7).length);
    expect(location7.every((row) => row.LocationId === 7)).toBe(true);

    const employee22 = await client.invoiceSummaries(COMPANY, { employeeId: 22 });
    expect(employee22.length).toBe(all.filter((invoice) => invoice.employeeId === 22).length);
    expect(employee22.every((row) => row.EmployeeId === 22)).toBe(true);

    const combined = await client.invoiceSummaries(COMPANY, { customerIds: [robertSmith], locationId: 4, employeeId: 15 });
    const expected = all.filter((invoice) => invoice.customerId === robertSmith && invoice.locationId === 4 && invoice.employeeId === 15);
    expect(expected.length).toBeGreaterThan(0);
    expect(combined.map((row) => row.Id).sort()).toEqual(expected.map((invoice) => invoice.id).sort());

    const twoCustomers = await client.invoiceSummaries(COMPANY, { customerIds: [robertSmith, tailspinToys.toUpperCase()] });
    expect(new Set(twoCustomers.map((row) => row.CustomerId))).toEqual(new Set([robertSmith, tailspinToys]));
    expect(twoCustomers).toHaveLength(10);

    // The filter travels as one $filter parameter in the documented syntax.
    const call = sim.callsTo('InvoiceSummaries').at(-2)!;
    expect(decodeURIComponent(call.url.replace(/\+/g, ' '))).toContain(
      `$filter=CustomerId eq guid'${robertSmith}' and LocationId eq 4 and EmployeeId eq 15`,
    );
  });

  it('answers summaries newest first, maps them, and honours $top/$skip', async () => {
    const { sim, client } = await start();
    const rows = await client.invoiceSummaries(COMPANY);
    expect(rows).toHaveLength(15);
    const invoices = rows.map((row) => invoiceFromSummary(row, COMPANY, CURRENCY));
    const times = invoices.map((invoice) => invoice.createdAt!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]!).toBeLessThan(IQMETRIX_SIMULATOR_EPOCH);

    const first = invoices[0]!;
    expect(first).toMatchObject({ kind: 'IqmetrixInvoice', companyId: COMPANY, dueOn: null, number: rows[0]!.PrintableId });
    expect(first.issuedOn).toBe(rows[0]!.CreatedDateUtc!.slice(0, 10));
    expect(first.total.amount.equals(toDecimal(rows[0]!.InvoiceTotal))).toBe(true);
    expect(first.total.currencyCode).toBe(CURRENCY);
    expect(new Set(invoices.map((invoice) => invoice.invoiceType))).toEqual(new Set(['PURCHASE', 'REFUND']));
    // Seven fractional digits in the summary; the instant keeps milliseconds.
    expect(rows[0]!.CreatedDateUtc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);

    const page = await raw(sim, `/Companies(${COMPANY})/InvoiceSummaries?$top=2&$skip=1`);
    expect(page.status).toBe(200);
    expect((page.body as { Id: string }[]).map((row) => row.Id)).toEqual(rows.slice(1, 3).map((row) => row.Id));
  });

  it('batches the customers of one tick into ONE D1 call and splits the rows back, newest first', async () => {
    const { sim, client } = await start();
    const loaders = createIqmetrixLoaders(client, CURRENCY);
    sim.resetCalls();
    const [robert, contoso, tailspin] = await Promise.all([
      loaders.summariesByCustomer.load({ companyId: COMPANY, customerId: robertSmith }),
      loaders.summariesByCustomer.load({ companyId: COMPANY, customerId: contosoMedia.toUpperCase() }),
      loaders.summariesByCustomer.load({ companyId: COMPANY, customerId: tailspinToys }),
    ]);
    expect(sim.callsTo('InvoiceSummaries')).toHaveLength(1);
    expect(decodeURIComponent(sim.calls[0]!.url.replace(/\+/g, ' '))).toContain(' or CustomerId eq guid');

    for (const [customerId, list] of [
      [robertSmith, robert],
      [contosoMedia, contoso],
      [tailspinToys, tailspin],
    ] as const) {
      const own = await client.invoiceSummaries(COMPANY, { customerIds: [customerId] });
      expect(list!.map((invoice) => invoice.invoiceId)).toEqual(own.map((row) => row.Id));
      expect(list!.every((invoice) => invoice.customerId === customerId)).toBe(true);
      const times = list!.map((invoice) => invoice.createdAt!.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }

    // Cached for the rest of the request: no further call.
    sim.resetCalls();
    await loaders.summariesByCustomer.load({ companyId: COMPANY, customerId: robertSmith });
    expect(sim.calls).toHaveLength(0);
  });

  it('chunks a large batch at 20 customers per call and fails a malformed key alone', async () => {
    const { sim, client } = await start();
    const loaders = createIqmetrixLoaders(client, CURRENCY);
    const strangers = Array.from({ length: 22 }, (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`);
    sim.resetCalls();
    const results = await Promise.allSettled([
      ...[robertSmith, contosoMedia, tailspinToys, ...strangers].map((customerId) =>
        loaders.summariesByCustomer.load({ companyId: COMPANY, customerId }),
      ),
      loaders.summariesByCustomer.load({ companyId: COMPANY, customerId: "x' or 1 eq 1" }),
    ]);
    expect(sim.callsTo('InvoiceSummaries')).toHaveLength(2);
    const values = results.slice(0, 25).map((result) => (result.status === 'fulfilled' ? result.value : null));
    expect(values.slice(0, 3).map((list) => list?.length)).toEqual([5, 5, 5]);
    expect(values.slice(3).every((list) => list !== null && list.length === 0)).toBe(true);
    const bad = results[25]!;
    expect(bad.status).toBe('rejected');
    expect(bad.status === 'rejected' && (bad.reason as GatewayError).extensions['code']).toBe('BAD_USER_INPUT');
    for (const call of sim.calls) expect(call.url).not.toContain('%27+or+1');
  });

  it('maps a full D2 invoice: customer and addresses, orders, dropship, payments, tax lines, computed total', async () => {
    const { sim, client } = await start();
    const loaders = createIqmetrixLoaders(client, CURRENCY);
    const summaries = (await client.invoiceSummaries(COMPANY)).map((row) => invoiceFromSummary(row, COMPANY, CURRENCY));

    // Every invoice: the total computed from D2 equals D1's InvoiceTotal, and the summary fields agree.
    const details = await Promise.all(summaries.map((summary) => loaders.invoice.load({ companyId: COMPANY, invoiceId: summary.invoiceId })));
    details.forEach((detail, index) => {
      const summary = summaries[index]!;
      expect(detail).not.toBeNull();
      expect(detail!.invoice.total.amount.equals(summary.total.amount)).toBe(true);
      expect(detail!.invoice).toMatchObject({
        invoiceId: summary.invoiceId,
        customerId: summary.customerId,
        locationId: summary.locationId,
        employeeId: summary.employeeId,
        printableId: summary.printableId,
        number: summary.number,
        invoiceType: summary.invoiceType,
        issuedOn: summary.issuedOn,
      });
      expect(detail!.invoice.createdAt!.getTime()).toBe(summary.createdAt!.getTime());
    });

    // Robert's newest invoice with a dropship order, checked field by field.
    const seeded = sim.state.invoicesNewestFirst(sim.state.companies.get(COMPANY)!).find(
      (invoice) => invoice.customerId === robertSmith && invoice.dropshipOrders.length > 0 && invoice.payments.length > 0,
    )!;
    const detail = (await loaders.invoice.load({ companyId: COMPANY, invoiceId: seeded.id.toUpperCase() }))!;
    expect(detail.customer).toMatchObject({
      id: robertSmith,
      title: 'Mr',
      primaryName: 'Robert',
      middleName: 'Lee',
      familyName: 'Smith',
      alternateName: 'Bob',
      customerType: 'Person',
      customerTypeId: 2,
      dateOfBirth: '1952-07-23',
      doNotContact: false,
      notes: 'Interested in iPhone 6',
    });
    const docAddress = {
      id: 'e68a5c8c-eadc-484c-9139-8437d2e0859a',
      streetAddress1: '1600 Amphitheatre Pkwy',
      streetAddress2: 'Suite 500',
      postOfficeBoxNumber: 'P.O. Box 1022',
      locality: 'Mountain View',
      stateCode: 'AB',
      postalCode: '94043',
      countryCode: 'CA',
      doNotContact: false,
      notes: 'New residence',
    };
    expect(detail.customer!.billingAddress).toEqual(docAddress);
    expect(detail.customer!.shippingAddress).toEqual(docAddress);

    expect(detail.orders).toHaveLength(seeded.orders.length);
    const firstItem = seeded.orders[0]!.items[0]!;
    expect(detail.orders[0]!.items[0]).toMatchObject({ id: firstItem.id, quantity: firstItem.quantity, sku: firstItem.sku, productId: firstItem.productId });
    expect(detail.orders[0]!.items[0]!.sellingPrice.amount.equals(firstItem.sellingPrice)).toBe(true);
    expect(detail.dropshipOrders[0]).toMatchObject({ supplierId: 14107, shippingMethod: '350', shippingEntityId: seeded.locationId, printableId: seeded.dropshipOrders[0]!.printableId });
    expect(detail.dropshipOrders[0]!.items[0]).toMatchObject({ description: 'iPhone 4s', serialNumber: null });

    const payment = seeded.payments[0]!;
    expect(detail.payments[0]).toMatchObject({
      kind: 'IqmetrixPayment',
      companyId: COMPANY,
      invoiceId: seeded.id,
      paymentId: payment.id,
      reference: payment.referenceId,
      paymentMethodId: payment.paymentMethodId,
      transactionType: 'Purchase',
      drawerId: payment.drawerId,
    });
    expect(detail.payments[0]!.amount.amount.equals(payment.amount)).toBe(true);
    expect(detail.payments[0]!.paidAt!.getTime()).toBe(payment.transactionDate.ms);

    const line = seeded.taxCalculationResult.lines[0]!;
    expect(detail.taxLines).toHaveLength(1);
    expect(detail.taxLines[0]!.tax!.amount.equals(line.tax)).toBe(true);
    expect(detail.taxLines[0]!.details.map((tax) => tax.taxName)).toEqual(line.taxDetails.map((tax) => tax.taxName));
    const goods = [...seeded.orders, ...seeded.dropshipOrders]
      .flatMap((order) => order.items)
      .reduce((sum, item) => sum.plus(item.sellingPrice.times(item.quantity)), toDecimal(0));
    expect(detail.invoice.total.amount.equals(goods.plus(line.tax))).toBe(true);

    // Deduplicated per request, whatever the GUID's case.
    sim.resetCalls();
    await loaders.invoice.load({ companyId: COMPANY, invoiceId: seeded.id });
    expect(sim.calls).toHaveLength(0);
  });

  it('creates an invoice (201, Location) and reads it back through D1 and D2', async () => {
    const { sim, client } = await start();
    const before = sim.state.companies.get(COMPANY)!.invoices.size;
    const result = await client.createInvoice(COMPANY, createInvoiceToWire(sampleInput()));
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(isGuid(result.invoice.Id)).toBe(true);
    expect(sim.state.companies.get(COMPANY)!.invoices.size).toBe(before + 1);
    const created = invoiceDetailFromWire(result.invoice, COMPANY, CURRENCY);
    // 2 × 89.95 + 3 × 14.99, no tax lines sent.
    expect(created.invoice.total.amount.toFixed(2)).toBe('224.87');
    expect(created.invoice.createdAt!.toISOString()).toBe(new Date(IQMETRIX_SIMULATOR_EPOCH + 1000).toISOString());
    expect(created.customer!.primaryName).toBe('Contoso Media');
    expect(created.payments[0]).toMatchObject({ reference: 'Pay-GW-1', paymentMethodId: 4, transactionType: 'Purchase' });
    expect(created.payments[0]!.paidAt!.toISOString()).toBe('2026-09-30T10:00:00.123Z');

    const newest = (await client.invoiceSummaries(COMPANY, { customerIds: [contosoMedia], locationId: 7 }))[0]!;
    expect(newest.Id).toBe(result.invoice.Id);
    expect(newest).toMatchObject({ InvoiceTotal: 224.87, InvoiceType: 'Purchase', PrintableId: 'GW-0001', EmployeeId: 22 });

    const loaders = createIqmetrixLoaders(client, CURRENCY);
    const readBack = (await loaders.invoice.load({ companyId: COMPANY, invoiceId: result.invoice.Id }))!;
    expect(readBack.orders[0]!.items.map((item) => item.sellingPrice.amount.toFixed(2))).toEqual(['89.95', '14.99']);
    expect(readBack.notes).toBe('Created through the gateway');
    expect(readBack.invoice.total.amount.equals(invoiceFromSummary(newest, COMPANY, CURRENCY).total.amount)).toBe(true);

    // The Location header names the new invoice; the clock moved one second per write.
    const second = await raw(sim, `/Companies(${COMPANY})/Invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(createInvoiceToWire(sampleInput({ customerId: robertSmith, payments: null }))),
    });
    expect(second.status).toBe(201);
    const secondId = (second.body as { Id: string; CreatedDateUtc: string }).Id;
    expect(second.headers.get('location')).toBe(`${sim.baseUrl}/Companies(${COMPANY})/Invoices(${secondId})`);
    expect((second.body as { CreatedDateUtc: string }).CreatedDateUtc).toBe('2026-10-01T00:00:02.000');
  });

  it('refuses an invalid invoice with 400 and its messages, and stores nothing', async () => {
    const { sim, client } = await start();
    const before = (await client.invoiceSummaries(COMPANY)).length;
    const invalid = createInvoiceToWire(
      sampleInput({
        customerId: '11111111-2222-4333-8444-555555555555',
        orders: [{ items: [{ description: 'Nothing', quantity: 0, sellingPrice: toDecimal('1.999') }] }],
      }),
    );
    const result = await client.createInvoice(COMPANY, invalid);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('customer 11111111-2222-4333-8444-555555555555 does not exist'),
        expect.stringContaining('Orders.0.Items.0.Quantity'),
        expect.stringContaining('Orders.0.Items.0.SellingPrice: at most 2 decimal places'),
      ]),
    );
    const noOrders = await client.createInvoice(COMPANY, createInvoiceToWire(sampleInput({ orders: [] })));
    expect(noOrders).toMatchObject({ ok: false, status: 400, errors: ['Orders: an invoice needs at least one order'] });

    expect(await client.invoiceSummaries(COMPANY)).toHaveLength(before);
    expect(sim.state.companies.get(COMPANY)!.invoices.size).toBe(before);
  });

  it('refuses injection attempts before any call, and the simulator refuses filters outside the grammar', async () => {
    const { sim, client } = await start();
    sim.resetCalls();
    const attempts: Promise<unknown>[] = [
      client.invoiceSummaries(COMPANY, { customerIds: ["x' or 1 eq 1"] }),
      client.invoiceSummaries(COMPANY, { customerIds: [`${robertSmith}'`] }),
      client.invoiceSummaries(COMPANY, { customerIds: [`${robertSmith}' or CustomerId ne guid'${robertSmith}`] }),
      client.invoiceSummaries(COMPANY, { locationId: 4.5 }),
      client.invoiceSummaries(COMPANY, { locationId: -1 }),
      client.invoiceSummaries(COMPANY, { employeeId: '15 or 1 eq 1' as unknown as number }),
      client.invoiceSummaries(COMPANY, { customerIds: [] }),
      client.invoice(COMPANY, `${robertSmith}) or (1`),
      client.invoiceSummaries(1.5),
    ];
    for (const attempt of attempts) expect((await caught(attempt)).extensions['code']).toBe('BAD_USER_INPUT');
    expect(sim.calls).toHaveLength(0);

    for (const filter of [
      `CustomerId ne guid'${robertSmith}'`,
      'LocationId eq 4 or EmployeeId eq 15',
      '(LocationId eq 4 or EmployeeId eq 15)',
      "substringof('Smith', Notes)",
      "CustomerId eq '503d1d4a-c974-4286-b4a2-002699e60ad6'",
      `CustomerId eq guid'${robertSmith}' and LocationId eq 4.5`,
      'LocationId eq 4 and ((EmployeeId eq 15))',
      '',
    ]) {
      const answer = await raw(sim, `/Companies(${COMPANY})/InvoiceSummaries?$filter=${encodeURIComponent(filter)}`);
      expect(answer.status, filter).toBe(400);
      expect(answer.body).toMatchObject({ Code: 'BadRequest', ErrorCode: 'InvalidFilter', Message: expect.stringContaining('$filter') });
    }
    const badTop = await raw(sim, `/Companies(${COMPANY})/InvoiceSummaries?$top=-1`);
    expect(badTop.status).toBe(400);
  });

  it('maps 401 to UNAUTHENTICATED, a missing token to UNAUTHENTICATED without a call, an unknown invoice to null', async () => {
    const { sim, http, client } = await start();
    const wrong = new IqmetrixClient(http, 'not-the-token');
    const unauthorized = await caught(wrong.invoiceSummaries(COMPANY));
    expect(unauthorized.extensions).toMatchObject({ code: 'UNAUTHENTICATED', system: 'IQMETRIX' });
    expect(sim.calls.at(-1)?.status).toBe(401);

    sim.resetCalls();
    const missing = await caught(new IqmetrixClient(http, null).invoice(COMPANY, robertSmith));
    expect(missing.extensions['code']).toBe('UNAUTHENTICATED');
    expect(sim.calls).toHaveLength(0);

    expect(await client.invoice(COMPANY, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect((await caught(client.invoiceSummaries(99999))).extensions['code']).toBe('NOT_FOUND');
  });
});

describe('iQmetrix: $filter builder and parser', () => {
  it('builds the documented syntax from validated values only', () => {
    expect(buildInvoiceSummaryFilter({})).toBeNull();
    expect(buildInvoiceSummaryFilter({ customerIds: null, locationId: null, employeeId: undefined })).toBeNull();
    expect(buildInvoiceSummaryFilter({ customerIds: [robertSmith], locationId: 4, employeeId: 15 })).toBe(
      `CustomerId eq guid'${robertSmith}' and LocationId eq 4 and EmployeeId eq 15`,
    );
    expect(buildInvoiceSummaryFilter({ customerIds: [robertSmith.toUpperCase(), contosoMedia, robertSmith], employeeId: 0 })).toBe(
      `(CustomerId eq guid'${robertSmith}' or CustomerId eq guid'${contosoMedia}') and EmployeeId eq 0`,
    );
    expect(buildInvoiceSummaryFilter({ locationId: 7 })).toBe('LocationId eq 7');
  });

  it('throws BAD_USER_INPUT for anything but GUIDs and non-negative safe integers', () => {
    const bad: Parameters<typeof buildInvoiceSummaryFilter>[0][] = [
      { customerIds: ["x' or 1 eq 1"] },
      { customerIds: [`${robertSmith}'`] },
      { customerIds: [`{${robertSmith}}`] },
      { customerIds: [` ${robertSmith}`] },
      { customerIds: [] },
      { locationId: 4.5 },
      { locationId: -1 },
      { locationId: Number.NaN },
      { employeeId: 2 ** 53 },
      { employeeId: '15' as unknown as number },
    ];
    for (const filter of bad) {
      let code: unknown = null;
      try {
        buildInvoiceSummaryFilter(filter);
      } catch (error) {
        code = error instanceof GatewayError ? error.extensions['code'] : error;
      }
      expect(code, JSON.stringify(filter)).toBe('BAD_USER_INPUT');
    }
    expect(isGuid(robertSmith)).toBe(true);
    expect(isGuid(robertSmith.toUpperCase())).toBe(true);
    expect(isGuid(`${robertSmith}\n`)).toBe(false);
    expect(isGuid(42)).toBe(false);
  });

  it('parses exactly what the builder emits', () => {
    const text = buildInvoiceSummaryFilter({ customerIds: [robertSmith, contosoMedia.toUpperCase()], locationId: 4, employeeId: 15 })!;
    expect(parseInvoiceSummaryFilter(text)).toEqual([
      { field: 'CustomerId', values: [robertSmith, contosoMedia] },
      { field: 'LocationId', values: [4] },
      { field: 'EmployeeId', values: [15] },
    ]);
    expect(parseInvoiceSummaryFilter('(LocationId eq 4 or LocationId eq 7)')).toEqual([{ field: 'LocationId', values: [4, 7] }]);
    for (const text of ['LocationId eq 4and EmployeeId eq 1', 'LocationId eq 4 and', 'LocationId Eq 4', 'Notes eq 4', "CustomerId eq guid'nope'", 'LocationId eq 4 )']) {
      expect(() => parseInvoiceSummaryFilter(text), text).toThrow(InvoiceSummaryFilterSyntaxError);
    }
  });
});

describe('iQmetrix: mapping', () => {
  it('reads date-only birth dates, seven-digit transaction dates and the three invoice types', () => {
    const detail = invoiceDetailFromWire(
      {
        Id: '418938fe-e3e2-4f66-af01-a485a02a6b09',
        CreatedDateUtc: '2015-04-23T13:14:12.997',
        Customer: { Id: robertSmith, DateOfBirth: '1952-07-23' },
        Orders: [{ Id: '216f7424-ae18-4c69-9597-984b430d0759', Items: [{ Id: '0fff7fb5-4620-4b81-8199-ec41ba6f0451', Quantity: 1, SellingPrice: 499 }] }],
        DropshipOrders: [{ Id: '216f7424-ae18-4c69-9597-984b430d0759', Items: [{ Id: 'a08f1363-514f-4268-8e4c-cddd3ab347d8', Quantity: 1, SellingPrice: 499 }] }],
        Payments: [{ Id: '15215', Amount: 15, TransactionDate: '2016-01-06T16:22:41.1236641+00:00' }],
        TaxCalculationResult: { Lines: [{ Tax: 0.85, TaxDetails: [{ Tax: 3.99 }] }] },
        IsRefund: false,
      },
      COMPANY,
      CURRENCY,
    );
    expect(detail.customer!.dateOfBirth).toBe('1952-07-23');
    expect(detail.payments[0]!.paidAt!.toISOString()).toBe('2016-01-06T16:22:41.123Z');
    expect(detail.invoice.createdAt!.toISOString()).toBe('2015-04-23T13:14:12.997Z');
    // The doc's sample invoice: 499 + 499 + 0.85 (line Tax, not the detail's 3.99).
    expect(detail.invoice.total.amount.toFixed()).toBe('998.85');
    expect(detail.invoice.invoiceType).toBe('PURCHASE');
    expect(detail.invoice.number).toBe('418938fe-e3e2-4f66-af01-a485a02a6b09');
    expect(['None', 'Purchase', 'Refund', undefined].map((label) => invoiceTypeFromWire(label))).toEqual(['NONE', 'PURCHASE', 'REFUND', 'NONE']);
    expect(() => invoiceTypeFromWire('Exchange')).toThrow(GatewayError);
  });

  it('writes the D3 body without server-assigned ids or absent values', () => {
    const body = createInvoiceToWire(sampleInput({ isRefund: true, originalInvoiceId: '7832c7e8-6b3e-4538-9414-e3ca68058d9f' }));
    expect(body).toEqual({
      Customer: { Id: contosoMedia },
      LocationId: 7,
      EmployeeId: 22,
      IsRefund: true,
      PrintableId: 'GW-0001',
      Notes: 'Created through the gateway',
      OriginalInvoiceId: '7832c7e8-6b3e-4538-9414-e3ca68058d9f',
      Orders: [
        {
          ReferenceId: 'PO-77',
          Items: [
            { Description: 'Bluetooth headset', ProductId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', Quantity: 2, SellingPrice: 89.95, Sku: '404101' },
            { Description: 'Screen protector', Quantity: 3, SellingPrice: 14.99 },
          ],
        },
      ],
      Payments: [{ Amount: 100.1, PaymentMethodId: 4, ReferenceId: 'Pay-GW-1', TransactionDate: '2026-09-30T10:00:00.123Z', TransactionType: 'Refund' }],
    });
  });
});

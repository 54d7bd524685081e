import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { toDecimal } from '../../src/domain/money.js';
import type { RefrensPaymentMethod } from '../../src/domain/models.js';
import { UpstreamHttpClient, type UpstreamCallRecord } from '../../src/upstreams/http.js';
import {
  REFRENS_DEMO_INVOICES,
  REFRENS_DEMO_TOKEN,
  RefrensClient,
  RefrensSimulator,
  createRefrensLoaders,
  paymentFromWire,
  paymentMethodFromWire,
  paymentMethodToWire,
  settledAmount,
  type RefrensWirePayment,
} from '../../src/upstreams/refrens/index.js';

const NORTHWIND = 'northwind-traders';
const FABRIKAM = 'fabrikam-outdoor';
const PARTLY_PAID = '64f1a2b3c4d5e6f708192a01';
const UNPAID = '64f1a2b3c4d5e6f708192a02';
const FULLY_PAID = '64f1a2b3c4d5e6f708192a03';

function newHttp(sim: RefrensSimulator): UpstreamHttpClient {
  return new UpstreamHttpClient({ system: 'REFRENS', baseUrl: sim.baseUrl, connections: 4, connectTimeoutMs: 1000, requestTimeoutMs: 2000 });
}

function mapped(wire: readonly RefrensWirePayment[], urlKey: string, invoiceId: string) {
  return wire.map((payment) => paymentFromWire(payment, urlKey, invoiceId, 'INR'));
}

/** The GatewayError a promise rejects with. */
async function gatewayErrorOf(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('Refrens: client ↔ simulator', () => {
  let sim: RefrensSimulator;
  let http: UpstreamHttpClient;
  let client: RefrensClient;

  beforeEach(async () => {
    sim = new RefrensSimulator();
    await sim.start();
    http = newHttp(sim);
    client = new RefrensClient(http, REFRENS_DEMO_TOKEN);
  });

  afterEach(async () => {
    await http.close();
    await sim.stop();
  });

  it('lists the seeded payments (C2) with exact money, dates, methods and flags', async () => {
    const payments = mapped(await client.invoicePayments(NORTHWIND, PARTLY_PAID), NORTHWIND, PARTLY_PAID);

    expect(payments.map((payment) => [payment.amount.amount.toString(), payment.tds.amount.toString(), payment.transactionCharge.amount.toString()])).toEqual([
      ['50', '0', '0'],
      ['500', '10', '0'],
      ['200', '0', '0'],
    ]);
    expect(payments.map((payment) => payment.amount.currencyCode)).toEqual(['INR', 'INR', 'INR']);
    expect(payments.map((payment) => payment.method)).toEqual(['CASH', 'ACCOUNT_TRANSFER', 'UPI']);
    expect(payments.map((payment) => [payment.approved, payment.removed])).toEqual([
      [true, true],
      [true, false],
      [true, false],
    ]);
    // The removed one carries C2's bare-date form; the others C1's ISO instant.
    expect(payments.map((payment) => payment.paidAt?.toISOString())).toEqual([
      '2026-08-28T00:00:00.000Z',
      '2026-09-02T10:15:00.000Z',
      '2026-09-18T06:45:12.000Z',
    ]);
    expect(payments.map((payment) => payment.reference)).toEqual([null, 'NEFT-N245260902', 'UPI-624518064512']);
    expect(payments[0]).toMatchObject({ kind: 'RefrensPayment', urlKey: NORTHWIND, invoiceId: PARTLY_PAID, notes: 'Counter cash, entered twice' });
    for (const payment of payments) expect(payment.paymentId).toMatch(/^[0-9a-f]{24}$/);
    expect(settledAmount(payments).toString()).toBe('700');

    expect(await client.invoicePayments(NORTHWIND, UNPAID)).toEqual([]);

    const fullyPaid = mapped(await client.invoicePayments(FABRIKAM, FULLY_PAID), FABRIKAM, FULLY_PAID);
    expect(fullyPaid).toHaveLength(1);
    expect(fullyPaid[0]).toMatchObject({ method: 'CHEQUE', approved: true, removed: false });
    expect(settledAmount(fullyPaid).equals(toDecimal('999.99'))).toBe(true);
  });

  it('publishes seeded invoices that match what the simulator holds', () => {
    expect(REFRENS_DEMO_INVOICES.map((invoice) => [invoice.urlKey, invoice.invoiceId, invoice.number, invoice.total, invoice.currencyCode])).toEqual([
      [NORTHWIND, PARTLY_PAID, 'RF-2026-0001', '1180.00', 'INR'],
      [NORTHWIND, UNPAID, 'RF-2026-0002', '2360.50', 'INR'],
      [FABRIKAM, FULLY_PAID, 'RF-2026-0003', '999.99', 'INR'],
    ]);
    for (const demo of REFRENS_DEMO_INVOICES) {
      const invoice = sim.state.invoice(demo.urlKey, demo.invoiceId);
      expect(invoice?.total.equals(toDecimal(demo.total))).toBe(true);
      expect(demo.issuedOn <= demo.dueOn).toBe(true);
    }
  });

  it('adds a payment (C1) and reads it back (C2)', async () => {
    const result = await client.addPayment(NORTHWIND, UNPAID, {
      amount: toDecimal('1234.56'),
      tds: toDecimal('12.35'),
      transactionCharge: toDecimal('5'),
      method: 'DEMAND_DRAFT',
      paidAt: new Date('2024-08-18T12:08:38Z'),
      notes: 'Payment for invoice #RF-2026-0002',
      reference: 'DD-778812',
    });
    if (!result.ok) throw new Error(`refused: ${result.errors.join('; ')}`);
    expect(result.payment).toMatchObject({
      amount: 1234.56,
      tds: 12.35,
      transactionCharge: 5,
      paymentDate: '2024-08-18T12:08:38.000Z',
      paymentMethod: 'DD',
      notes: 'Payment for invoice #RF-2026-0002',
      refId: 'DD-778812',
      isApproved: true,
      isRemoved: false,
    });
    expect(result.payment._id).toMatch(/^[0-9a-f]{24}$/);
    const business = sim.state.businesses.get(NORTHWIND);
    expect(result.payment.business).toBe(business?.businessId);
    expect(result.payment.appId).toBe(business?.appId);
    expect(result.payment.payerBusiness).toBe(business?.payerBusinessId);

    const [readBack] = mapped(await client.invoicePayments(NORTHWIND, UNPAID), NORTHWIND, UNPAID);
    expect(readBack).toMatchObject({ paymentId: result.payment._id, method: 'DEMAND_DRAFT', reference: 'DD-778812', approved: true, removed: false });
    expect(readBack?.amount.amount.toString()).toBe('1234.56');
    expect(readBack?.tds.amount.toString()).toBe('12.35');
    expect(readBack?.paidAt?.toISOString()).toBe('2024-08-18T12:08:38.000Z');

    // Without a date Refrens records its own clock: the simulator's starts at 2026-10-01 and ticks a second per write.
    const undated = await client.addPayment(NORTHWIND, UNPAID, { amount: toDecimal('1'), method: 'CASH' });
    expect(undated.ok && undated.payment.paymentDate).toBe('2026-10-01T00:00:02.000Z');
    expect(undated.ok && 'notes' in undated.payment).toBe(false);
    expect(sim.state.invoice(NORTHWIND, UNPAID)?.payments.map((payment) => payment.paymentMethod)).toEqual(['DD', 'CASH']);
  });

  it('turns a 401 into UNAUTHENTICATED, and makes no call without a token', async () => {
    const wrong = new RefrensClient(http, 'not-the-jwt');
    for (const call of [wrong.invoicePayments(NORTHWIND, PARTLY_PAID), wrong.addPayment(NORTHWIND, UNPAID, { amount: toDecimal('1'), method: 'CASH' })]) {
      const error = await gatewayErrorOf(call);
      expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', system: 'REFRENS' });
      expect(error.message).toContain('Invalid login');
    }
    expect(sim.state.invoice(NORTHWIND, UNPAID)?.payments).toHaveLength(0);

    const raw = await fetch(`${sim.baseUrl}/businesses/${NORTHWIND}/invoices/${PARTLY_PAID}/payments`, { headers: { authorization: 'Bearer nope' } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      name: 'NotAuthenticated',
      message: 'Invalid login',
      code: 401,
      className: 'not-authenticated',
      data: { message: 'Invalid login' },
      errors: {},
    });

    sim.resetCalls();
    const none = new RefrensClient(http, null);
    const error = await gatewayErrorOf(none.invoicePayments(NORTHWIND, PARTLY_PAID));
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', system: 'REFRENS' });
    expect(sim.calls).toHaveLength(0);
  });

  it('returns validation and balance refusals as ok:false and stores nothing', async () => {
    const before = sim.state.invoice(NORTHWIND, PARTLY_PAID)?.payments.length;

    const negative = await client.addPayment(NORTHWIND, PARTLY_PAID, { amount: toDecimal('-5'), method: 'CASH' });
    expect(negative).toEqual({
      ok: false,
      status: 400,
      errors: ['amount must be greater than 0'],
      fieldErrors: [{ field: 'amount', message: 'amount must be greater than 0' }],
    });

    const fractional = await client.addPayment(NORTHWIND, PARTLY_PAID, { amount: toDecimal('1.005'), tds: toDecimal('-1'), method: 'UPI' });
    expect(fractional.ok === false && fractional.fieldErrors.map((error) => error.field)).toEqual(['amount', 'tds']);

    // The balance is 1180.00 − (500 + 200): the removed 50 does not count.
    const over = await client.addPayment(NORTHWIND, PARTLY_PAID, { amount: toDecimal('480.01'), method: 'ACCOUNT_TRANSFER' });
    expect(over).toMatchObject({ ok: false, status: 400, errors: ['Payment exceeds the invoice balance'] });
    const onPaid = await client.addPayment(FABRIKAM, FULLY_PAID, { amount: toDecimal('0.01'), method: 'CASH' });
    expect(onPaid).toMatchObject({ ok: false, errors: ['Payment exceeds the invoice balance'] });

    // An unknown method cannot be typed through the client; send it raw.
    const raw = await fetch(`${sim.baseUrl}/businesses/${NORTHWIND}/invoices/${PARTLY_PAID}/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${REFRENS_DEMO_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 10, paymentMethod: 'BITCOIN', paymentDate: '2026-02-30' }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({
      name: 'BadRequest',
      code: 400,
      className: 'bad-request',
      errors: { paymentMethod: expect.stringContaining('ACCOUNT_TRANSFER') as unknown, paymentDate: expect.any(String) as unknown },
    });

    const malformed = await fetch(`${sim.baseUrl}/businesses/${NORTHWIND}/invoices/${PARTLY_PAID}/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${REFRENS_DEMO_TOKEN}`, 'content-type': 'application/json' },
      body: '{"amount": 10,',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ name: 'BadRequest', code: 400, className: 'bad-request' });

    expect(sim.state.invoice(NORTHWIND, PARTLY_PAID)?.payments.length).toBe(before);
    expect(sim.state.invoice(FABRIKAM, FULLY_PAID)?.payments).toHaveLength(1);
    expect(await client.invoicePayments(NORTHWIND, PARTLY_PAID)).toHaveLength(3);

    // Exactly the balance is accepted.
    const rest = await client.addPayment(NORTHWIND, PARTLY_PAID, { amount: toDecimal('480.00'), method: 'ACCOUNT_TRANSFER' });
    expect(rest.ok).toBe(true);
  });

  it('turns an unknown business or invoice into NOT_FOUND', async () => {
    for (const call of [
      client.invoicePayments(NORTHWIND, '64f1a2b3c4d5e6f708192aff'),
      client.invoicePayments('no-such-business', PARTLY_PAID),
      client.addPayment(NORTHWIND, '64f1a2b3c4d5e6f708192aff', { amount: toDecimal('1'), method: 'CASH' }),
      // The invoice exists, but under another business.
      client.invoicePayments(FABRIKAM, PARTLY_PAID),
    ]) {
      const error = await gatewayErrorOf(call);
      expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', system: 'REFRENS' });
    }
  });

  it('encodes path segments', async () => {
    const error = await gatewayErrorOf(client.invoicePayments('a/b c', '../64f1a2b3c4d5e6f708192a01'));
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(sim.calls.at(-1)?.url).toBe('/businesses/a%2Fb%20c/invoices/..%2F64f1a2b3c4d5e6f708192a01/payments');
  });

  it('maps DD ↔ DEMAND_DRAFT and every other method unchanged', () => {
    const methods: RefrensPaymentMethod[] = ['ACCOUNT_TRANSFER', 'CASH', 'CHEQUE', 'CREDIT_CARD', 'DEBIT_CARD', 'DEMAND_DRAFT', 'UPI'];
    expect(methods.map(paymentMethodToWire)).toEqual(['ACCOUNT_TRANSFER', 'CASH', 'CHEQUE', 'CREDIT_CARD', 'DEBIT_CARD', 'DD', 'UPI']);
    for (const method of methods) expect(paymentMethodFromWire(paymentMethodToWire(method))).toBe(method);
    expect(paymentMethodFromWire('DEMAND_DRAFT')).toBeNull();
    expect(paymentMethodFromWire('CRYPTO')).toBeNull();
  });

  it('makes one C2 call per distinct invoice per request through the loader', async () => {
    const observed: UpstreamCallRecord[] = [];
    const loaders = createRefrensLoaders(new RefrensClient(http, REFRENS_DEMO_TOKEN, (call) => observed.push(call)), 'INR');
    sim.resetCalls();

    const [first, again, other] = await Promise.all([
      loaders.invoicePayments.load({ urlKey: NORTHWIND, invoiceId: PARTLY_PAID }),
      loaders.invoicePayments.load({ urlKey: NORTHWIND, invoiceId: PARTLY_PAID }),
      loaders.invoicePayments.load({ urlKey: FABRIKAM, invoiceId: FULLY_PAID }),
    ]);
    expect(first).toHaveLength(3);
    expect(again).toBe(first);
    expect(other?.[0]?.invoiceId).toBe(FULLY_PAID);
    await loaders.invoicePayments.load({ urlKey: NORTHWIND, invoiceId: PARTLY_PAID });
    expect(sim.callsTo('/payments', 'GET')).toHaveLength(2);
    expect(observed.map((call) => [call.method, call.route, call.status])).toEqual([
      ['GET', '/businesses/{urlKey}/invoices/{invoice}/payments', 200],
      ['GET', '/businesses/{urlKey}/invoices/{invoice}/payments', 200],
    ]);

    // A failed key is an Error for that key only.
    const [missing, present] = await Promise.allSettled([
      loaders.invoicePayments.load({ urlKey: NORTHWIND, invoiceId: 'nope' }),
      loaders.invoicePayments.load({ urlKey: NORTHWIND, invoiceId: UNPAID }),
    ]);
    expect(missing.status === 'rejected' && (missing.reason as GatewayError).extensions['code']).toBe('NOT_FOUND');
    expect(present.status === 'fulfilled' && present.value).toEqual([]);

    // After a write the caller clears the key and the next load reads again.
    await client.addPayment(NORTHWIND, PARTLY_PAID, { amount: toDecimal('10'), method: 'CASH' });
    loaders.invoicePayments.clear({ urlKey: NORTHWIND, invoiceId: PARTLY_PAID });
    expect(await loaders.invoicePayments.load({ urlKey: NORTHWIND, invoiceId: PARTLY_PAID })).toHaveLength(4);
    expect(sim.callsTo('/payments', 'GET')).toHaveLength(5);
    expect(sim.callsTo('/payments', 'POST')).toHaveLength(1);
  });

  it('records 0.1 + 0.2 exactly', async () => {
    for (const amount of ['0.1', '0.2']) {
      const result = await client.addPayment(NORTHWIND, UNPAID, { amount: toDecimal(amount), method: 'UPI' });
      expect(result.ok).toBe(true);
    }
    const invoice = sim.state.invoice(NORTHWIND, UNPAID);
    expect(invoice && sim.state.settledAmount(invoice).toString()).toBe('0.3');

    const wire = await client.invoicePayments(NORTHWIND, UNPAID);
    expect(wire.map((payment) => payment.amount)).toEqual([0.1, 0.2]);
    const settled = settledAmount(mapped(wire, NORTHWIND, UNPAID));
    expect(settled.toString()).toBe('0.3');
    expect(settled.equals(toDecimal('0.3'))).toBe(true);
  });
});

describe('Refrens: simulator seed', () => {
  it('is deterministic and scales C2 with paymentsPerInvoice without moving balances', async () => {
    const [a, b] = [new RefrensSimulator(), new RefrensSimulator()];
    const ids = (sim: RefrensSimulator) => REFRENS_DEMO_INVOICES.flatMap((demo) => sim.state.invoice(demo.urlKey, demo.invoiceId)?.payments.map((payment) => payment._id) ?? []);
    expect(ids(a)).toEqual(ids(b));
    expect(new Set(ids(a)).size).toBe(4);

    const big = new RefrensSimulator({ paymentsPerInvoice: 40 });
    await big.start();
    const http = newHttp(big);
    try {
      const client = new RefrensClient(http, REFRENS_DEMO_TOKEN);
      for (const demo of REFRENS_DEMO_INVOICES) {
        const payments = mapped(await client.invoicePayments(demo.urlKey, demo.invoiceId), demo.urlKey, demo.invoiceId);
        expect(payments).toHaveLength(40);
        const defaultInvoice = a.state.invoice(demo.urlKey, demo.invoiceId);
        expect(defaultInvoice && settledAmount(payments).equals(a.state.settledAmount(defaultInvoice))).toBe(true);
        for (const payment of payments) expect(payment.amount.amount.decimalPlaces()).toBeLessThanOrEqual(2);
      }
      expect(new Set(ids(big)).size).toBe(120);
    } finally {
      await http.close();
      await big.stop();
    }
  });
});

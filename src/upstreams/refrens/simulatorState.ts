import { Decimal } from 'decimal.js';
import { seededRandom } from '../simulatorServer.js';
import { REFRENS_WIRE_PAYMENT_METHODS, type RefrensWirePaymentMethod } from './wire.js';

/**
 * The Refrens simulator's world: businesses (by `urlKey`), their invoices with totals, and the
 * payments recorded on each. Refrens' API has no invoice read, so invoice totals live here only to
 * refuse over-payment; the gateway learns them from its customer directory (REFRENS_DEMO_INVOICES).
 * Amounts are exact decimals; the HTTP layer writes them as JSON numbers.
 */

/** The simulator's clock: fixed, so seeded data and default payment dates are the same on every run. */
export const SIMULATOR_EPOCH = Date.UTC(2026, 9, 1);

/** A seeded invoice as the gateway's customer directory should name it. */
export interface RefrensDemoInvoice {
  readonly urlKey: string;
  readonly invoiceId: string;
  readonly number: string;
  /** Decimal text, e.g. "1180.00". */
  readonly total: string;
  readonly currencyCode: string;
  readonly issuedOn: string;
  readonly dueOn: string;
}

interface SeedPayment {
  readonly amount: string;
  readonly tds?: string;
  readonly method: RefrensWirePaymentMethod;
  /** As Refrens returns it: C1's sample is an ISO instant, C2's a bare date. */
  readonly paymentDate: string;
  readonly notes?: string;
  readonly refId?: string;
  readonly isRemoved?: boolean;
}

interface SeedInvoice extends RefrensDemoInvoice {
  readonly payments: readonly SeedPayment[];
}

const SEED_INVOICES: readonly SeedInvoice[] = [
  {
    urlKey: 'northwind-traders',
    invoiceId: '64f1a2b3c4d5e6f708192a01',
    number: 'RF-2026-0001',
    total: '1180.00',
    currencyCode: 'INR',
    issuedOn: '2026-08-20',
    dueOn: '2026-09-19',
    payments: [
      { amount: '50', method: 'CASH', paymentDate: '2026-08-28', notes: 'Counter cash, entered twice', isRemoved: true },
      { amount: '500', tds: '10', method: 'ACCOUNT_TRANSFER', paymentDate: '2026-09-02T10:15:00.000Z', notes: 'First instalment', refId: 'NEFT-N245260902' },
      { amount: '200', method: 'UPI', paymentDate: '2026-09-18T06:45:12.000Z', refId: 'UPI-624518064512' },
    ],
  },
  {
    urlKey: 'northwind-traders',
    invoiceId: '64f1a2b3c4d5e6f708192a02',
    number: 'RF-2026-0002',
    total: '2360.50',
    currencyCode: 'INR',
    issuedOn: '2026-09-15',
    dueOn: '2026-10-15',
    payments: [],
  },
  {
    urlKey: 'fabrikam-outdoor',
    invoiceId: '64f1a2b3c4d5e6f708192a03',
    number: 'RF-2026-0003',
    total: '999.99',
    currencyCode: 'INR',
    issuedOn: '2026-07-10',
    dueOn: '2026-08-09',
    payments: [{ amount: '999.99', method: 'CHEQUE', paymentDate: '2026-08-05T09:00:00.000Z', notes: 'Settled in full', refId: 'CHQ-004512' }],
  },
];

/** The seeded invoices, for the gateway's customer directory. Keep any directory in sync with these. */
export const REFRENS_DEMO_INVOICES: readonly RefrensDemoInvoice[] = SEED_INVOICES.map(
  ({ urlKey, invoiceId, number, total, currencyCode, issuedOn, dueOn }) => ({ urlKey, invoiceId, number, total, currencyCode, issuedOn, dueOn }),
);

export interface SimRefrensPayment {
  readonly _id: string;
  readonly business: string;
  readonly payerBusiness: string;
  readonly appId: string;
  amount: Decimal;
  tds: Decimal;
  transactionCharge: Decimal;
  /** Stored and returned verbatim. */
  paymentDate: string;
  paymentMethod: RefrensWirePaymentMethod;
  notes: string | null;
  refId: string | null;
  isApproved: boolean;
  isRemoved: boolean;
}

export interface SimRefrensInvoice {
  readonly invoiceId: string;
  readonly number: string;
  readonly total: Decimal;
  readonly currencyCode: string;
  readonly issuedOn: string;
  readonly dueOn: string;
  /** In the order they were recorded, which is C2's order. */
  readonly payments: SimRefrensPayment[];
}

export interface SimRefrensBusiness {
  readonly urlKey: string;
  readonly businessId: string;
  readonly appId: string;
  /** The business paying this business's invoices (one client per business in the seed). */
  readonly payerBusinessId: string;
  readonly invoices: Map<string, SimRefrensInvoice>;
}

export interface RefrensSeedOptions {
  /**
   * Payments per seeded invoice, for benchmarks (default: the seed's own, 0 to 3). Payments beyond
   * the seed are recorded but not yet approved, so they never change a balance.
   */
  readonly paymentsPerInvoice?: number;
}

export class RefrensSimulatorState {
  readonly businesses = new Map<string, SimRefrensBusiness>();
  private clock = SIMULATOR_EPOCH;
  private objectIdCounter = 0;

  constructor(seed: RefrensSeedOptions = {}) {
    seedState(this, seed);
  }

  /** Advances the simulator clock by one second per write, so default payment dates order writes. */
  now(): number {
    this.clock += 1000;
    return this.clock;
  }

  /** A MongoDB-style 24-hex id: 4 bytes of seconds, a fixed 5-byte machine part, a 3-byte counter. */
  allocateObjectId(atMs: number = this.clock): string {
    this.objectIdCounter += 1;
    const seconds = Math.floor(atMs / 1000).toString(16).padStart(8, '0');
    return `${seconds}5eed0f0ce5${this.objectIdCounter.toString(16).padStart(6, '0')}`;
  }

  invoice(urlKey: string, invoiceId: string): SimRefrensInvoice | undefined {
    return this.businesses.get(urlKey)?.invoices.get(invoiceId);
  }

  /** The sum of the invoice's approved, non-removed payment amounts. */
  settledAmount(invoice: SimRefrensInvoice): Decimal {
    return invoice.payments
      .filter((payment) => payment.isApproved && !payment.isRemoved)
      .reduce((total, payment) => total.plus(payment.amount), new Decimal(0));
  }
}

function seedState(state: RefrensSimulatorState, options: RefrensSeedOptions): void {
  const random = seededRandom(20261001);
  const paymentsPerInvoice = options.paymentsPerInvoice ?? 0;

  for (const seed of SEED_INVOICES) {
    let business = state.businesses.get(seed.urlKey);
    if (!business) {
      business = {
        urlKey: seed.urlKey,
        businessId: state.allocateObjectId(Date.UTC(2025, 0, 15)),
        appId: state.allocateObjectId(Date.UTC(2025, 0, 15)),
        payerBusinessId: state.allocateObjectId(Date.UTC(2025, 2, 3)),
        invoices: new Map(),
      };
      state.businesses.set(seed.urlKey, business);
    }
    const invoice: SimRefrensInvoice = {
      invoiceId: seed.invoiceId,
      number: seed.number,
      total: new Decimal(seed.total),
      currencyCode: seed.currencyCode,
      issuedOn: seed.issuedOn,
      dueOn: seed.dueOn,
      payments: [],
    };
    business.invoices.set(invoice.invoiceId, invoice);

    for (const payment of seed.payments) {
      invoice.payments.push({
        _id: state.allocateObjectId(Date.parse(payment.paymentDate)),
        business: business.businessId,
        payerBusiness: business.payerBusinessId,
        appId: business.appId,
        amount: new Decimal(payment.amount),
        tds: new Decimal(payment.tds ?? 0),
        transactionCharge: new Decimal(0),
        paymentDate: payment.paymentDate,
        paymentMethod: payment.method,
        notes: payment.notes ?? null,
        refId: payment.refId ?? null,
        isApproved: true,
        isRemoved: payment.isRemoved ?? false,
      });
    }

    const issuedAt = Date.parse(`${seed.issuedOn}T00:00:00.000Z`);
    for (let index = invoice.payments.length; index < paymentsPerInvoice; index += 1) {
      const paidAt = issuedAt + (index + 1) * 60_000;
      invoice.payments.push({
        _id: state.allocateObjectId(paidAt),
        business: business.businessId,
        payerBusiness: business.payerBusinessId,
        appId: business.appId,
        amount: new Decimal(Math.round(100 + random() * 49_900)).dividedBy(100),
        tds: new Decimal(0),
        transactionCharge: new Decimal(index % 5 === 0 ? '2.50' : 0),
        paymentDate: new Date(paidAt).toISOString(),
        paymentMethod: REFRENS_WIRE_PAYMENT_METHODS[index % REFRENS_WIRE_PAYMENT_METHODS.length] ?? 'CASH',
        notes: 'Awaiting approval',
        refId: `BENCH-${index + 1}`,
        isApproved: false,
        isRemoved: false,
      });
    }
  }
}

import { parseUpstreamInstant } from '../../domain/dates.js';
import { money, sumDecimals, type Decimal } from '../../domain/money.js';
import type { RefrensPaymentMethod, RefrensPaymentModel } from '../../domain/models.js';
import type { RefrensPayment, RefrensWirePaymentMethod } from './wire.js';

/** The GraphQL enum spells Refrens' `DD` out as DEMAND_DRAFT; every other value is the same. */
const METHOD_TO_WIRE: Readonly<Record<RefrensPaymentMethod, RefrensWirePaymentMethod>> = {
  ACCOUNT_TRANSFER: 'ACCOUNT_TRANSFER',
  CASH: 'CASH',
  CHEQUE: 'CHEQUE',
  CREDIT_CARD: 'CREDIT_CARD',
  DEBIT_CARD: 'DEBIT_CARD',
  DEMAND_DRAFT: 'DD',
  UPI: 'UPI',
};

const METHOD_FROM_WIRE: ReadonlyMap<string, RefrensPaymentMethod> = new Map(
  Object.entries(METHOD_TO_WIRE).map(([method, wire]) => [wire, method as RefrensPaymentMethod]),
);

/** C1 `paymentMethod` for a GraphQL method (`DEMAND_DRAFT` → `DD`). */
export function paymentMethodToWire(method: RefrensPaymentMethod): RefrensWirePaymentMethod {
  return METHOD_TO_WIRE[method];
}

/** The GraphQL method for a Refrens `paymentMethod` (`DD` → `DEMAND_DRAFT`); null for one the doc does not list. */
export function paymentMethodFromWire(method: string): RefrensPaymentMethod | null {
  return METHOD_FROM_WIRE.get(method) ?? null;
}

/**
 * A C1/C2 payment as the gateway's model. Refrens sends no currency, so the caller names the
 * invoice's; `urlKey` and `invoiceId` are the path the payment was read from.
 */
export function paymentFromWire(wire: RefrensPayment, urlKey: string, invoiceId: string, currencyCode: string): RefrensPaymentModel {
  return {
    kind: 'RefrensPayment',
    paymentId: wire._id,
    urlKey,
    invoiceId,
    amount: money(wire.amount, currencyCode),
    tds: money(wire.tds, currencyCode),
    transactionCharge: money(wire.transactionCharge, currencyCode),
    method: paymentMethodFromWire(wire.paymentMethod),
    paidAt: parseUpstreamInstant(wire.paymentDate),
    notes: wire.notes ?? null,
    reference: wire.refId ?? null,
    approved: wire.isApproved,
    removed: wire.isRemoved,
  };
}

/**
 * What an invoice's payments have settled: the `amount` of every approved, non-removed payment.
 * TDS and transaction charge are a breakdown the doc does not say reduce the balance, so they do not.
 */
export function settledAmount(payments: readonly RefrensPaymentModel[]): Decimal {
  return sumDecimals(payments.filter((payment) => payment.approved && !payment.removed).map((payment) => payment.amount.amount));
}

import { Decimal } from 'decimal.js';
import type { GatewayContext } from '../context.js';
import type { InvoiceModel, InvoiceStatus } from '../domain/models.js';
import { ZERO, type MoneyModel } from '../domain/money.js';

/** The normalised amounts and status of an invoice from any system. */
export interface InvoiceFacts {
  readonly status: InvoiceStatus;
  readonly total: MoneyModel;
  readonly paid: MoneyModel;
  readonly outstanding: MoneyModel;
}

/**
 * Computes the shared invoice fields. IQM states status and paid amount; for the other systems
 * the gateway derives them from amounts (see README, "Normalising invoices"). All arithmetic is
 * exact. May load more data (a Refrens invoice's payments, an iQmetrix invoice's detail).
 */
export async function invoiceFacts(_context: GatewayContext, invoice: InvoiceModel): Promise<InvoiceFacts> {
  switch (invoice.kind) {
    case 'IqmInvoice': {
      const outstanding = invoice.status === 'CANCELLED' ? ZERO : Decimal.max(invoice.total.amount.minus(invoice.paid.amount), ZERO);
      return { status: invoice.status, total: invoice.total, paid: invoice.paid, outstanding: { amount: outstanding, currencyCode: invoice.total.currencyCode } };
    }
    default:
      throw new Error(`invoice facts for ${invoice.kind} are not wired yet`);
  }
}

/** PAID / PARTIALLY_PAID / UNPAID from amounts, OVERDUE when unpaid past the due date (UTC). */
export function derivedStatus(total: Decimal, paid: Decimal, dueOn: string | null, today: string): InvoiceStatus {
  if (paid.greaterThanOrEqualTo(total) && total.greaterThan(0)) return 'PAID';
  if (total.isZero()) return 'PAID';
  if (dueOn !== null && dueOn < today) return 'OVERDUE';
  return paid.greaterThan(0) ? 'PARTIALLY_PAID' : 'UNPAID';
}

import type { GatewayContext } from '../context.js';
import type { InvoiceModel } from '../domain/models.js';
import { invoiceFact, invoiceTotal } from '../unified/invoiceFacts.js';

/**
 * Status and amounts of invoices whose system does not state them: derived by invoiceFacts (once per
 * invoice per request). `total` is stated by every system, so it never waits on a load.
 */
export function derivedInvoiceFields<T extends InvoiceModel>() {
  return {
    status: (invoice: T, _args: unknown, context: GatewayContext) => invoiceFact(context, invoice, 'status'),
    total: (invoice: T) => invoiceTotal(invoice),
    paid: (invoice: T, _args: unknown, context: GatewayContext) => invoiceFact(context, invoice, 'paid'),
    outstanding: (invoice: T, _args: unknown, context: GatewayContext) => invoiceFact(context, invoice, 'outstanding'),
  };
}

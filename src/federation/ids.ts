import { toGlobalId } from '../domain/globalId.js';
import type { IqmInvoiceModel, IqmPaymentModel } from '../domain/models.js';

/**
 * Global ids of upstream objects. Keys hold what the upstream needs to find the object again:
 * IQM has no read-by-id, so an IQM invoice or payment key carries its customer workspace.
 */
export const iqmInvoiceId = (invoice: Pick<IqmInvoiceModel, 'owId' | 'invoiceId'>) =>
  toGlobalId('IqmInvoice', 'IQM', `${invoice.owId}:${invoice.invoiceId}`);

export const iqmPaymentId = (payment: Pick<IqmPaymentModel, 'owId' | 'paymentId'>) =>
  toGlobalId('IqmPayment', 'IQM', `${payment.owId ?? 0}:${payment.paymentId}`);

/** Splits a `<workspace>:<id>` key of an IQM global id; null when it is not one. */
export function parseIqmKey(key: string): { owId: number; id: number } | null {
  const match = /^(\d{1,12}):(\d{1,12})$/.exec(key);
  return match ? { owId: Number(match[1]), id: Number(match[2]) } : null;
}

import { toGlobalId } from '../domain/globalId.js';
import type { CreditModel, IqmInvoiceModel, IqmPaymentModel } from '../domain/models.js';
import { isIntactAccountCode, isIntactDocumentNumber, isIntactItemId } from '../upstreams/intact/index.js';
import { isIqmId } from '../upstreams/iqm/index.js';
import { isIqmetrixCompanyId, isIqmetrixGuid, isIqmetrixPaymentId } from '../upstreams/iqmetrix/index.js';
import { isRefrensObjectId, isRefrensUrlKey } from '../upstreams/refrens/index.js';

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
  const [owId, id, ...rest] = key.split(':');
  return owId !== undefined && id !== undefined && rest.length === 0 && isIqmId(owId) && isIqmId(id) ? { owId: Number(owId), id: Number(id) } : null;
}

/**
 * Ids whose upstream key has several parts (account and number, business and invoice, company and
 * GUID) carry them as a JSON array, so no separator can clash with a part.
 */
export function compositeKey(...parts: readonly (string | number)[]): string {
  return JSON.stringify(parts);
}

export function parseCompositeKey(key: string, length: number): (string | number)[] | null {
  try {
    const parts: unknown = JSON.parse(key);
    return Array.isArray(parts) && parts.length === length && parts.every((part) => typeof part === 'string' || typeof part === 'number')
      ? (parts as (string | number)[])
      : null;
  } catch {
    return null;
  }
}

export const intactInvoiceId = (item: { accountCode: string; number: string; itemId: string }) =>
  toGlobalId('IntactInvoice', 'INTACT', compositeKey(item.accountCode, item.number, item.itemId));
export const ledgerItemId = (item: { accountCode: string; number: string; itemId: string }) =>
  toGlobalId('LedgerItem', 'INTACT', compositeKey(item.accountCode, item.number, item.itemId));
export const intactReceiptId = (receipt: { accountCode: string; number: string }) =>
  toGlobalId('IntactReceipt', 'INTACT', compositeKey(receipt.accountCode, receipt.number));
export const refrensInvoiceId = (invoice: { urlKey: string; invoiceId: string }) =>
  toGlobalId('RefrensInvoice', 'REFRENS', compositeKey(invoice.urlKey, invoice.invoiceId));
export const refrensPaymentId = (payment: { urlKey: string; invoiceId: string; paymentId: string }) =>
  toGlobalId('RefrensPayment', 'REFRENS', compositeKey(payment.urlKey, payment.invoiceId, payment.paymentId));
export const iqmetrixInvoiceId = (invoice: { companyId: number; invoiceId: string }) =>
  toGlobalId('IqmetrixInvoice', 'IQMETRIX', compositeKey(invoice.companyId, invoice.invoiceId));
export const iqmetrixPaymentId = (payment: { companyId: number; invoiceId: string; paymentId: string }) =>
  toGlobalId('IqmetrixPayment', 'IQMETRIX', compositeKey(payment.companyId, payment.invoiceId, payment.paymentId));

/**
 * Global id of an IQM credit, keyed by `creditId` and the customer workspace it was offered to
 * (`0` for credits offered to the caller's organization, A28), so node(id:) knows which list to read.
 */
export const iqmCreditId = (credit: Pick<CreditModel, 'owId' | 'creditId'>) => toGlobalId('Credit', 'IQM', `${credit.owId ?? 0}:${credit.creditId}`);

/*
 * The typed readers of composite keys. Each part is checked against its system's key shape
 * (src/upstreams/<system>/keys.ts) here, where the id is decoded, so a hand-made id whose key holds
 * `..`, a slash or a wrong type is NOT_FOUND before any ownership check or upstream call.
 */

export function parseIntactItemKey(key: string): { accountCode: string; number: string; itemId: string } | null {
  const parts = parseCompositeKey(key, 3);
  if (!parts || !parts.every((part) => typeof part === 'string')) return null;
  const [accountCode, number, itemId] = parts as [string, string, string];
  return isIntactAccountCode(accountCode) && isIntactDocumentNumber(number) && isIntactItemId(itemId) ? { accountCode, number, itemId } : null;
}

export function parseIntactReceiptKey(key: string): { accountCode: string; number: string } | null {
  const parts = parseCompositeKey(key, 2);
  if (!parts || !parts.every((part) => typeof part === 'string')) return null;
  const [accountCode, number] = parts as [string, string];
  return isIntactAccountCode(accountCode) && isIntactDocumentNumber(number) ? { accountCode, number } : null;
}

export function parseRefrensInvoiceKey(key: string): { urlKey: string; invoiceId: string } | null {
  const parts = parseCompositeKey(key, 2);
  if (!parts || !parts.every((part) => typeof part === 'string')) return null;
  const [urlKey, invoiceId] = parts as [string, string];
  return isRefrensUrlKey(urlKey) && isRefrensObjectId(invoiceId) ? { urlKey, invoiceId } : null;
}

export function parseRefrensPaymentKey(key: string): { urlKey: string; invoiceId: string; paymentId: string } | null {
  const parts = parseCompositeKey(key, 3);
  if (!parts || !parts.every((part) => typeof part === 'string')) return null;
  const [urlKey, invoiceId, paymentId] = parts as [string, string, string];
  return isRefrensUrlKey(urlKey) && isRefrensObjectId(invoiceId) && isRefrensObjectId(paymentId) ? { urlKey, invoiceId, paymentId } : null;
}

export function parseIqmetrixInvoiceKey(key: string): { companyId: number; invoiceId: string } | null {
  const parts = parseCompositeKey(key, 2);
  if (!parts) return null;
  const [companyId, invoiceId] = parts;
  return isIqmetrixCompanyId(companyId) && isIqmetrixGuid(invoiceId) ? { companyId, invoiceId } : null;
}

export function parseIqmetrixPaymentKey(key: string): { companyId: number; invoiceId: string; paymentId: string } | null {
  const parts = parseCompositeKey(key, 3);
  if (!parts) return null;
  const [companyId, invoiceId, paymentId] = parts;
  return isIqmetrixCompanyId(companyId) && isIqmetrixGuid(invoiceId) && isIqmetrixPaymentId(paymentId) ? { companyId, invoiceId, paymentId } : null;
}

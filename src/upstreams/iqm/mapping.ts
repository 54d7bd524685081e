import { addDays, parseUpstreamDate, parseUpstreamInstant } from '../../domain/dates.js';
import { money, toDecimal } from '../../domain/money.js';
import { UpstreamBadResponseError } from '../../errors.js';
import type {
  InvoiceStatus,
  IqmInvoiceModel,
  IqmPaymentModel,
  PaymentMode,
  PaymentStatus,
  PaymentType,
} from '../../domain/models.js';
import type { IqmInvoiceRow, IqmPaymentRow } from './wire.js';

/** A50: IQM invoice status ids. Id 6 is not documented. */
export const INVOICE_STATUS_BY_ID: ReadonlyMap<number, InvoiceStatus> = new Map([
  [1, 'PENDING'],
  [2, 'PARTIALLY_PAID'],
  [3, 'UNPAID'],
  [4, 'PAID'],
  [5, 'OVERDUE'],
  [7, 'PROCESSING'],
  [8, 'CANCELLED'],
]);
export const INVOICE_STATUS_ID = new Map([...INVOICE_STATUS_BY_ID].map(([id, status]) => [status, id]));

/** A48 ids; the lists (A34/A35) send the label instead. */
export const PAYMENT_STATUS_BY_ID: ReadonlyMap<number, PaymentStatus> = new Map([
  [1, 'PROCESSING'],
  [2, 'PAID'],
  [3, 'REJECTED'],
  [4, 'CANCELLED'],
]);
export const PAYMENT_STATUS_ID = new Map([...PAYMENT_STATUS_BY_ID].map(([id, status]) => [status, id]));

/** A47 ids. */
export const PAYMENT_TYPE_BY_ID: ReadonlyMap<number, PaymentType> = new Map([
  [1, 'AS_FUND'],
  [2, 'AGAINST_INVOICE'],
  [3, 'REFUND'],
]);
export const PAYMENT_TYPE_ID = new Map([...PAYMENT_TYPE_BY_ID].map(([id, type]) => [type, id]));

/** A49 ids, plus 4 "To Funds", which IQM's own samples use (invoice paymentMode [2, 4], payment lists). */
export const PAYMENT_MODE_BY_ID: ReadonlyMap<number, PaymentMode> = new Map([
  [1, 'PAYPAL'],
  [2, 'CHEQUE'],
  [3, 'WIRE_TRANSFER'],
  [4, 'TO_FUNDS'],
]);
export const PAYMENT_MODE_ID = new Map([...PAYMENT_MODE_BY_ID].map(([id, mode]) => [mode, id]));

const PAYMENT_STATUS_BY_LABEL: ReadonlyMap<string, PaymentStatus> = new Map([
  ['processing', 'PROCESSING'],
  ['paid', 'PAID'],
  ['rejected', 'REJECTED'],
  ['cancelled', 'CANCELLED'],
  ['canceled', 'CANCELLED'],
]);
const PAYMENT_TYPE_BY_LABEL: ReadonlyMap<string, PaymentType> = new Map([
  ['as fund', 'AS_FUND'],
  ['against invoice', 'AGAINST_INVOICE'],
  ['refund', 'REFUND'],
]);
// IQM's samples spell cheque "Check" in payment lists and "Cheque" in A49.
const PAYMENT_MODE_BY_LABEL: ReadonlyMap<string, PaymentMode> = new Map([
  ['paypal', 'PAYPAL'],
  ['check', 'CHEQUE'],
  ['cheque', 'CHEQUE'],
  ['wire transfer', 'WIRE_TRANSFER'],
  ['to funds', 'TO_FUNDS'],
]);

export function invoiceFromWire(row: IqmInvoiceRow, owId: number, currencyCode: string): IqmInvoiceModel {
  const status = INVOICE_STATUS_BY_ID.get(row.status);
  if (!status) throw new UpstreamBadResponseError('IQM', `unknown invoice status id ${row.status}`);
  const issuedOn = parseUpstreamDate(row.issuedOn);
  const paymentTermDays = row.paymentTerm ?? null;
  return {
    kind: 'IqmInvoice',
    owId,
    invoiceId: row.invoiceId,
    number: row.invoiceName ?? String(row.invoiceId),
    name: row.invoiceName ?? null,
    status,
    total: money(row.invoiceAmount, currencyCode),
    paid: money(row.paidAmount ?? 0, currencyCode),
    issuedOn,
    dueOn: issuedOn !== null && paymentTermDays !== null ? addDays(issuedOn, paymentTermDays) : null,
    periodStart: parseUpstreamDate(row.invoiceFromDate),
    periodEnd: parseUpstreamDate(row.invoiceToDate),
    paymentTermDays,
    paymentModes: Array.isArray(row.paymentMode)
      ? row.paymentMode.flatMap((id) => {
          const mode = PAYMENT_MODE_BY_ID.get(id);
          return mode ? [mode] : [];
        })
      : [],
    actionNote: row.actionNote ?? null,
    statusUpdatedBy: row.invoiceStatusUpdatedBy ?? null,
    modifiedAt: parseUpstreamInstant(row.modifiedAt),
  };
}

/** `owId` is the customer workspace the list was read for; organization lists (A34) carry it per row. */
export function paymentFromWire(row: IqmPaymentRow, owId: number | null, currencyCode: string): IqmPaymentModel {
  const status = PAYMENT_STATUS_BY_LABEL.get(row.paymentStatus.toLowerCase());
  if (!status) throw new UpstreamBadResponseError('IQM', `unknown payment status "${row.paymentStatus}"`);
  return {
    kind: 'IqmPayment',
    paymentId: row.paymentId,
    owId: row.owId ?? owId,
    amount: { amount: toDecimal(row.paymentAmount), currencyCode },
    status,
    type: row.paymentType ? (PAYMENT_TYPE_BY_LABEL.get(row.paymentType.toLowerCase()) ?? null) : null,
    mode: row.paymentMode ? (PAYMENT_MODE_BY_LABEL.get(row.paymentMode.toLowerCase()) ?? null) : null,
    paidAt: parseUpstreamInstant(row.paymentDate),
    // IQM writes 0 for "no invoice" (funds, refunds).
    invoiceId: row.invoiceId ? row.invoiceId : null,
    transactionId: row.transactionId === null || row.transactionId === undefined ? null : String(row.transactionId),
    bankName: row.bankName ?? null,
    refundReason: row.refundReason ?? null,
    createdAt: parseUpstreamInstant(row.createdAt),
    modifiedAt: parseUpstreamInstant(row.modifiedAt),
    createdByUserEmail: row.createdByUserEmail ?? null,
    modifiedByUserEmail: row.modifiedByUserEmail ?? null,
    initiatedByOrganization: row.isPaymentInitiatorOrg ?? null,
  };
}

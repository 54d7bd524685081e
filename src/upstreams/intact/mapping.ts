import { parseUpstreamDate, parseUpstreamInstant } from '../../domain/dates.js';
import { money, type MoneyModel } from '../../domain/money.js';
import type { IntactInvoiceModel, IntactReceiptModel, LedgerItemModel, LedgerItemType } from '../../domain/models.js';
import type { IntactAllocation, IntactLedgerItem, IntactReceipt } from './wire.js';

/** One allocation of a posted receipt (B2), for `ReceiptAllocation`. */
export interface IntactAllocationModel {
  readonly invoiceNumber: string;
  readonly allocated: MoneyModel;
  /** The invoice's outstanding balance after the allocation. */
  readonly outstanding: MoneyModel;
}

// Codes are compared without case and without the sales-ledger prefix, so `SL/Inv`, `Inv` and
// `INV` are one type; anything else keeps its code and reads as OTHER.
const LEDGER_TYPE_BY_CODE: ReadonlyMap<string, LedgerItemType> = new Map([
  ['inv', 'INVOICE'],
  ['invoice', 'INVOICE'],
  ['rct', 'RECEIPT'],
  ['receipt', 'RECEIPT'],
  ['crn', 'CREDIT_NOTE'],
  ['credit', 'CREDIT_NOTE'],
  ['credit note', 'CREDIT_NOTE'],
]);

/** The ledger item type of an Intact type code (`Inv`, `SL/Inv`, `Rct`, `Crn`, …). */
export function ledgerItemType(typeCode: string): LedgerItemType {
  const normalized = typeCode.trim().toLowerCase().replace(/^sl\//, '');
  return LEDGER_TYPE_BY_CODE.get(normalized) ?? 'OTHER';
}

/** A B1 item of `accountCode`'s ledger; amounts are in the item's own Currency. */
export function ledgerItemFromWire(item: IntactLedgerItem, accountCode: string): LedgerItemModel {
  return {
    accountCode,
    itemId: String(item.Id),
    number: item.Number,
    reference: item.Reference,
    type: ledgerItemType(item.Type),
    typeCode: item.Type,
    date: parseUpstreamDate(item.Date),
    dueDate: parseUpstreamDate(item.DueDate),
    debit: money(item.Debit, item.Currency),
    credit: money(item.Credit, item.Currency),
    unallocated: money(item.Unallocated, item.Currency),
  };
}

/** An invoice line of the ledger (type INVOICE) as an invoice. */
export function invoiceFromLedgerItem(item: LedgerItemModel): IntactInvoiceModel {
  return {
    kind: 'IntactInvoice',
    number: item.number,
    issuedOn: item.date,
    dueOn: item.dueDate,
    ledgerItem: item,
  };
}

/** A receipt line of the ledger (type RECEIPT) as a payment: its Credit, and what of it is unallocated. */
export function receiptFromLedgerItem(item: LedgerItemModel): IntactReceiptModel {
  return {
    kind: 'IntactReceipt',
    accountCode: item.accountCode,
    number: item.number,
    amount: item.credit,
    unallocated: item.unallocated,
    // B1 dates are calendar dates here (LedgerItemModel.date): the receipt was paid that day, 00:00 UTC.
    paidAt: parseUpstreamInstant(item.date),
    reference: item.reference,
  };
}

/**
 * B2's generated receipt. B2 does not echo the account, currency or date, so the caller passes
 * what it posted: the account's currency and the `datepaid` it sent.
 */
export function receiptFromWire(
  receipt: IntactReceipt,
  accountCode: string,
  currencyCode: string,
  paidAt: Date | null,
  reference: string | null = null,
): IntactReceiptModel {
  return {
    kind: 'IntactReceipt',
    accountCode,
    number: receipt.Number,
    amount: money(receipt.Amount, currencyCode),
    unallocated: money(receipt.Unallocated, currencyCode),
    paidAt,
    reference,
  };
}

/** One of B2's `Allocations`: what went to the invoice and what it still owes. */
export function allocationFromWire(allocation: IntactAllocation, currencyCode: string): IntactAllocationModel {
  return {
    invoiceNumber: allocation.Number,
    allocated: money(allocation.Amount, currencyCode),
    outstanding: money(allocation.Unallocated, currencyCode),
  };
}

import { z } from 'zod';
import { jsonNumber } from '../exactJson.js';
import { attempt, isDecimal, isInteger, isNullish, isRecord, ensure, withFastPath } from '../fastWire.js';
import type { WireAmountType, WireNumber } from '../../domain/money.js';

/**
 * Intact iQ customer ledger payloads as documented (seeds/001_0c4da4cf5bbc64fc.txt, B1 and B2).
 * Intact is a .NET API: keys are PascalCase in answers, amounts are JSON numbers, dates are
 * ISO-8601 without a zone. Where the doc is vague the schemas accept every reading of it.
 */

/** B1/B2 type every amount `decimal` (.NET): 28-29 significant digits, so longer amounts are refused. */
export const INTACT_AMOUNT_TYPE: WireAmountType = 'dotnet-decimal';

/** A documented `decimal`: a JSON number, or a numeric string should a serializer quote it. */
const decimal = z.union([jsonNumber, z.string().regex(/^-?\d+(\.\d+)?$/)]);
/** An amount the doc lists but a row may leave null (a receipt has no Debit). */
const optionalDecimal = decimal.nullish().transform((value) => value ?? 0);
const nullableText = z.string().nullish().transform((value) => value ?? null);

/**
 * One entry of `Errors`. The doc only says "Error List": plain strings and objects carrying a
 * message under any common key are both read (see `errorText`).
 */
export const IntactErrorEntry = z.union([z.string(), z.record(z.string(), z.unknown())]);
export type IntactErrorEntry = z.infer<typeof IntactErrorEntry>;

/** Any answer with `Success:false`, B1 or B2. */
export const IntactFailure = z.object({
  Success: z.literal(false),
  ErrorMessage: nullableText,
  Errors: z.array(IntactErrorEntry).nullish().transform((value) => value ?? []),
});
export type IntactFailure = z.infer<typeof IntactFailure>;

// B1

export const IntactLedgerItem = z.object({
  /** `long`; a string is accepted too, as .NET sometimes quotes 64-bit ids. */
  Id: z.union([z.number().int(), z.string().min(1)]),
  Date: nullableText,
  DueDate: nullableText,
  Number: z.string(),
  Reference: nullableText,
  /** The table says `long` ("Always SL/Inv"): in practice a code such as `Inv`, `SL/Inv` or `Rct`. */
  Type: z.union([z.string(), z.number()]).transform(String),
  Debit: optionalDecimal,
  Credit: optionalDecimal,
  Unallocated: optionalDecimal,
  Currency: z.string().min(1),
});
export type IntactLedgerItem = z.infer<typeof IntactLedgerItem>;

/** B1's successful answer. An empty ledger may come back with `Items:null`; it reads as `[]`. */
const ledgerPage = z.object({
  Items: z.array(IntactLedgerItem).nullish().transform((value) => value ?? []),
  TotalCount: z.number().int().nonnegative(),
  ErrorMessage: nullableText,
  Success: z.literal(true),
});
export type IntactLedgerPage = z.infer<typeof ledgerPage>;
export const IntactLedgerPage = withFastPath(ledgerPage, (value) => attempt(() => fastLedgerPage(value)));

/** IntactLedgerPage's fast path (fastWire.ts): what the schema returns, for the values it surely accepts. */
function fastLedgerPage(value: unknown): IntactLedgerPage {
  ensure(isRecord(value));
  const page = value as Record<string, unknown>;
  const items = page['Items'];
  ensure(isNullish(items) || Array.isArray(items));
  ensure(isInteger(page['TotalCount']) && (page['TotalCount'] as number) >= 0 && page['Success'] === true);
  return {
    Items: isNullish(items) ? [] : (items as unknown[]).map(fastLedgerItem),
    TotalCount: page['TotalCount'] as number,
    ErrorMessage: fastNullableText(page['ErrorMessage']),
    Success: true,
  };
}

function fastLedgerItem(value: unknown): IntactLedgerItem {
  ensure(isRecord(value));
  const item = value as Record<string, unknown>;
  const id = item['Id'];
  ensure(isInteger(id) || (typeof id === 'string' && id.length > 0));
  const type = item['Type'];
  ensure(typeof type === 'string' || (typeof type === 'number' && Number.isFinite(type)));
  ensure(typeof item['Number'] === 'string' && typeof item['Currency'] === 'string' && (item['Currency'] as string).length > 0);
  return {
    Id: id as number | string,
    Date: fastNullableText(item['Date']),
    DueDate: fastNullableText(item['DueDate']),
    Number: item['Number'] as string,
    Reference: fastNullableText(item['Reference']),
    Type: String(type),
    Debit: fastOptionalDecimal(item['Debit']),
    Credit: fastOptionalDecimal(item['Credit']),
    Unallocated: fastOptionalDecimal(item['Unallocated']),
    Currency: item['Currency'] as string,
  };
}

function fastNullableText(value: unknown): string | null {
  ensure(isNullish(value) || typeof value === 'string');
  return (value as string | null | undefined) ?? null;
}

function fastOptionalDecimal(value: unknown): WireNumber | string {
  if (isNullish(value)) return 0;
  ensure(isDecimal(value));
  return value as WireNumber | string;
}

// B2

/**
 * B2's request body. The doc's sample mixes cases (`DatePaid`, `Number`, `AmountPaid`); its key
 * table is all lower case, and that is what is sent (.NET model binding ignores case anyway).
 */
export interface IntactReceiptBody {
  readonly accountcode: string;
  readonly amountpaid: WireNumber;
  /** `YYYY-MM-DDTHH:mm:ss`, UTC, no zone, as the doc's sample. */
  readonly datepaid: string;
  readonly paymentbranchcode: string;
  readonly receipttypecode: string;
  readonly items: readonly { readonly number: string; readonly amountpaid: WireNumber }[];
}

export const IntactReceipt = z.object({
  Number: z.string(),
  Amount: decimal,
  Unallocated: optionalDecimal,
});
export type IntactReceipt = z.infer<typeof IntactReceipt>;

export const IntactAllocation = z.object({
  /** The doc says "Number of receipt"; it is the invoice the funds went to. */
  Number: z.string(),
  Amount: decimal,
  /** The invoice's outstanding balance after the allocation. */
  Unallocated: optionalDecimal,
});
export type IntactAllocation = z.infer<typeof IntactAllocation>;

/** B2's successful answer. */
export const IntactPostSuccess = z.object({
  Success: z.literal(true),
  Receipt: IntactReceipt,
  Allocations: z.array(IntactAllocation).nullish().transform((value) => value ?? []),
  Errors: z.array(IntactErrorEntry).nullish().transform((value) => value ?? []),
  ErrorMessage: nullableText,
});
export type IntactPostSuccess = z.infer<typeof IntactPostSuccess>;

const ERROR_TEXT_KEYS = ['message', 'Message', 'errorMessage', 'ErrorMessage', 'error', 'Error', 'description', 'Description'];

/** The human text of one `Errors` entry. */
export function errorText(entry: IntactErrorEntry): string {
  if (typeof entry === 'string') return entry;
  for (const key of ERROR_TEXT_KEYS) {
    const value = entry[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return JSON.stringify(entry);
}

/** Every message of a failure: its `Errors`, else its `ErrorMessage`, else a generic text. */
export function failureMessages(failure: IntactFailure): string[] {
  const messages = failure.Errors.map(errorText).filter((text) => text.length > 0);
  if (messages.length > 0) return messages;
  return [failure.ErrorMessage ?? 'Intact refused the request'];
}

/** Intact's date-time format: `YYYY-MM-DDTHH:mm:ss`, in UTC, without a zone (the doc's samples). */
export function toIntactDateTime(instant: Date): string {
  return instant.toISOString().slice(0, 19);
}

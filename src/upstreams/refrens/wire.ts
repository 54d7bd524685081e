import { z } from 'zod';
import { jsonNumber } from '../exactJson.js';
import { asJsonNumber, asList, asNullableText, asRecord, asText, attempt, ensure, withFastPath } from '../fastWire.js';
import type { WireAmountType } from '../../domain/money.js';

/**
 * C1's body table types amount, tds and transactionCharge `number`, and Refrens is a JavaScript
 * (Feathers) server: a double, so amounts it cannot hold exactly are refused before they are sent.
 */
export const REFRENS_AMOUNT_TYPE: WireAmountType = 'double';

/**
 * Refrens business-invoicing payloads as documented (seeds/002_e72dc8995a5d78e7.txt, C1 and C2).
 * Fields every sample carries and the gateway reads are required; fields C1 lets a caller leave out
 * (notes, refId) and ids the gateway never reads (business, payerBusiness, appId) are optional, so a
 * payment recorded without them still decodes. Unknown fields are dropped.
 */

/** C1 `paymentMethod` as Refrens writes it; `DD` is a demand draft. */
export const REFRENS_WIRE_PAYMENT_METHODS = ['ACCOUNT_TRANSFER', 'CASH', 'CHEQUE', 'CREDIT_CARD', 'DEBIT_CARD', 'DD', 'UPI'] as const;
export const RefrensWirePaymentMethod = z.enum(REFRENS_WIRE_PAYMENT_METHODS);
export type RefrensWirePaymentMethod = z.infer<typeof RefrensWirePaymentMethod>;

/** One payment: C1's 201 body and each item of C2's `payments`. */
const payment = z.object({
  tds: jsonNumber,
  transactionCharge: jsonNumber,
  amount: jsonNumber,
  /** `2024-08-18T12:08:38.000Z` in C1's sample, `2023-10-01` in C2's. */
  paymentDate: z.string(),
  // A string, not the enum: a method Refrens adds later must not make a whole list unreadable.
  paymentMethod: z.string(),
  notes: z.string().nullable().optional(),
  business: z.string().optional(),
  payerBusiness: z.string().nullable().optional(),
  isApproved: z.boolean(),
  isRemoved: z.boolean(),
  appId: z.string().optional(),
  /** Documented as an id (`60cc8cc6ps9024abd4bej98k` in the samples, so not checked as hex). */
  _id: z.string(),
  /** Sent in C1's body; the samples do not show it coming back, so it may be absent. */
  refId: z.string().nullable().optional(),
});
export type RefrensPayment = z.infer<typeof payment>;
export const RefrensPayment = withFastPath(payment, (value) => attempt(() => fastPayment(value)));

/** C2 200 body. */
const paymentList = z.object({ payments: z.array(RefrensPayment) });
export type RefrensPaymentList = z.infer<typeof paymentList>;
export const RefrensPaymentList = withFastPath(paymentList, (value) => attempt(() => ({ payments: asList(asRecord(value)['payments'], fastPayment) })));

/**
 * RefrensPayment's fast path (fastWire.ts): what the schema returns, for the payments it surely
 * accepts, field by field in the schema's key order; absent optional keys stay absent and unknown
 * keys are dropped, as zod does.
 */
function fastPayment(value: unknown): RefrensPayment {
  const input = asRecord(value);
  const row: Record<string, unknown> = {
    tds: asJsonNumber(input['tds']),
    transactionCharge: asJsonNumber(input['transactionCharge']),
    amount: asJsonNumber(input['amount']),
    paymentDate: asText(input['paymentDate']),
    paymentMethod: asText(input['paymentMethod']),
  };
  if (input['notes'] !== undefined) row['notes'] = asNullableText(input['notes']);
  if (input['business'] !== undefined) row['business'] = asText(input['business']);
  if (input['payerBusiness'] !== undefined) row['payerBusiness'] = asNullableText(input['payerBusiness']);
  ensure(typeof input['isApproved'] === 'boolean' && typeof input['isRemoved'] === 'boolean');
  row['isApproved'] = input['isApproved'];
  row['isRemoved'] = input['isRemoved'];
  if (input['appId'] !== undefined) row['appId'] = asText(input['appId']);
  row['_id'] = asText(input['_id']);
  if (input['refId'] !== undefined) row['refId'] = asNullableText(input['refId']);
  return row as RefrensPayment;
}

/** C1 request body. Amounts are JSON numbers; `paymentDate` is an ISO-8601 instant or a date. */
export const RefrensAddPaymentBody = z.object({
  tds: jsonNumber.optional(),
  transactionCharge: jsonNumber.optional(),
  amount: jsonNumber,
  paymentDate: z.string().optional(),
  paymentMethod: RefrensWirePaymentMethod,
  notes: z.string().optional(),
  refId: z.string().optional(),
});
export type RefrensAddPaymentBody = z.infer<typeof RefrensAddPaymentBody>;

/**
 * A Feathers error, as in the doc's 401 `{ name: "NotAuthenticated", message, code: 401, className,
 * data, errors }`. `errors` is `{}` there; validation errors name fields in it (`{ amount: "…" }`).
 */
export const RefrensError = z.object({
  name: z.string(),
  message: z.string(),
  code: z.number().int(),
  className: z.string().optional(),
  data: z.unknown().optional(),
  errors: z.unknown().optional(),
});
export type RefrensError = z.infer<typeof RefrensError>;

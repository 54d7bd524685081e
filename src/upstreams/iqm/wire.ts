import { z } from 'zod';

/**
 * IQM Finance API payloads as documented (seeds/000_cb46ec1685ab0a68.txt). Fields the doc marks as
 * present in every sample are required; fields its samples omit or null are optional/nullable.
 * Unknown fields pass through untouched (IQM adds fields without notice).
 */

const amount = z.number();
const nullableText = z.string().nullable().optional();

/** `{ success: false, errorObjects: [{ error }] }`, at the top level or nested inside `data`. */
export const IqmErrorEnvelope = z.object({
  success: z.literal(false),
  errorObjects: z.array(z.object({ error: z.string() })).default([]),
});
export type IqmErrorEnvelope = z.infer<typeof IqmErrorEnvelope>;

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

/** A message-only success: `{ success: true, data: "Invoice … approved successfully" }`. */
export const IqmMessageEnvelope = envelope(z.union([z.string(), z.object({ message: z.string() }).passthrough()]));

// A1
export const IqmFinanceDetails = z.object({
  pendingCampaigns: z.number().int(),
  runningCampaigns: z.number().int(),
  totalCampaigns: z.number().int(),
  dataCost: amount,
  actualSpent: amount,
  credits: amount,
  balance: amount,
  spent: amount,
  earning: amount,
});
export type IqmFinanceDetails = z.infer<typeof IqmFinanceDetails>;

// A16
export const IqmAvailableBalance = amount;

// A19
export const IqmInvoiceRow = z.object({
  invoiceId: z.number().int(),
  invoiceFromDate: z.number().nullable().optional(),
  invoiceToDate: z.number().nullable().optional(),
  issuedOn: z.number().nullable().optional(),
  invoiceAmount: amount,
  status: z.number().int(),
  paymentTerm: z.number().int().nullable().optional(),
  paidAmount: amount.nullable().optional(),
  paymentMode: z.union([z.array(z.number().int()), z.string(), z.null()]).optional(),
  invoiceName: nullableText,
  actionNote: nullableText,
  invoiceStatusUpdatedBy: nullableText,
  modifiedAt: z.number().nullable().optional(),
});
export type IqmInvoiceRow = z.infer<typeof IqmInvoiceRow>;

export const IqmInvoiceList = z.object({
  data: z.array(IqmInvoiceRow),
  totalRecords: z.number().int(),
  filteredRecords: z.number().int(),
});
export type IqmInvoiceList = z.infer<typeof IqmInvoiceList>;

// A34, A35
export const IqmPaymentRow = z.object({
  isPaymentInitiatorOrg: z.boolean().nullable().optional(),
  paymentId: z.number().int(),
  /** Not in the doc's samples; the simulator and (we expect) IQM add it to organization lists. */
  owId: z.number().int().nullable().optional(),
  createdAt: z.number().nullable().optional(),
  createdByUserEmail: nullableText,
  createdByUserProfile: nullableText,
  paymentDate: z.union([z.number(), z.string()]).nullable().optional(),
  paymentAmount: amount,
  paymentStatus: z.string(),
  paymentMode: nullableText,
  paymentType: nullableText,
  invoiceId: z.number().int().nullable().optional(),
  transactionId: z.union([z.string(), z.number()]).nullable().optional(),
  modifiedAt: z.number().nullable().optional(),
  modifiedByUserEmail: nullableText,
  modifiedByUserProfile: nullableText,
  bankName: nullableText,
  refundReason: nullableText,
});
export type IqmPaymentRow = z.infer<typeof IqmPaymentRow>;

export const IqmPaymentList = z.object({
  data: z.array(IqmPaymentRow),
  totalRecords: z.number().int(),
  filteredRecords: z.number().int(),
});
export type IqmPaymentList = z.infer<typeof IqmPaymentList>;

/** A22, A23 request body. */
export interface IqmActionNoteBody {
  actionNote?: string;
}

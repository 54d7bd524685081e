import { z } from 'zod';
import { jsonNumber } from '../exactJson.js';
import {
  asInteger,
  asJsonNumber,
  asList,
  asNullableFlag,
  asNullableInteger,
  asNullableJsonNumber,
  asNullableNumber,
  asNullableText,
  asRecord,
  asText,
  attempt,
  ensure,
  fastDecoderOf,
  isNumber,
  isRecord,
  withFastPath,
} from '../fastWire.js';
import type { WireAmountType } from '../../domain/money.js';

/**
 * IQM Finance API payloads as documented (seeds/000_cb46ec1685ab0a68.txt). Fields the doc marks as
 * present in every sample are required; fields its samples omit or null are optional/nullable.
 * Unknown fields pass through untouched (IQM adds fields without notice).
 */

/**
 * The number type IQM documents for every amount and rate: `integer` in its tables (contradicted by
 * every sample's fractions) and `number` in its TypeScript blocks, i.e. a JavaScript double. An amount
 * a double cannot hold exactly is refused before it is sent (wireAmountProblem); multipart amounts go
 * as decimal text but land in the same type.
 */
export const IQM_AMOUNT_TYPE: WireAmountType = 'double';

/** A JSON number, exact however many digits it has (exactJson.ts). */
const amount = jsonNumber;
const nullableText = z.string().nullable().optional();

/** `{ success: false, errorObjects: [{ error }] }`, at the top level or nested inside `data`. */
export const IqmErrorEnvelope = z.object({
  success: z.literal(false),
  errorObjects: z.array(z.object({ error: z.string() })).default([]),
});
export type IqmErrorEnvelope = z.infer<typeof IqmErrorEnvelope>;

export function envelope<T extends z.ZodType>(data: T) {
  const schema = z.object({ success: z.literal(true), data });
  // An envelope around a list with a fast path (below) gets one too: IQM wraps every answer.
  const fastData = fastDecoderOf(data);
  if (fastData) {
    withFastPath(schema, (value: unknown) => {
      if (!isRecord(value) || value['success'] !== true) return undefined;
      const decoded = fastData(value['data']);
      return decoded === undefined ? undefined : { success: true as const, data: decoded };
    });
  }
  return schema;
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

const invoiceList = z.object({
  data: z.array(IqmInvoiceRow),
  totalRecords: z.number().int(),
  filteredRecords: z.number().int(),
});
export type IqmInvoiceList = z.infer<typeof invoiceList>;
export const IqmInvoiceList = withFastPath(invoiceList, (value) => attempt(() => fastList(value, fastInvoiceRow)));

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

const paymentList = z.object({
  data: z.array(IqmPaymentRow),
  totalRecords: z.number().int(),
  filteredRecords: z.number().int(),
});
export type IqmPaymentList = z.infer<typeof paymentList>;
export const IqmPaymentList = withFastPath(paymentList, (value) => attempt(() => fastList(value, fastPaymentRow)));

/*
 * Fast paths of the two largest IQM lists (fastWire.ts): what their schemas return, for the rows
 * they surely accept, written out field by field in the schema's key order. A key missing from a row
 * stays missing, as zod leaves an absent optional key; keys the schema does not know are dropped.
 */

function fastList<Row>(value: unknown, row: (value: unknown) => Row): { data: Row[]; totalRecords: number; filteredRecords: number } {
  const input = asRecord(value);
  return { data: asList(input['data'], row), totalRecords: asInteger(input['totalRecords']), filteredRecords: asInteger(input['filteredRecords']) };
}

/** `paymentMode` of A19: a list of mode ids (a copy, as zod returns), one text, or null. */
function asPaymentModes(value: unknown): number[] | string | null {
  if (value === null || typeof value === 'string') return value;
  return asList(value, asInteger);
}

function fastInvoiceRow(value: unknown): IqmInvoiceRow {
  const input = asRecord(value);
  const row: Record<string, unknown> = { invoiceId: asInteger(input['invoiceId']) };
  if (input['invoiceFromDate'] !== undefined) row['invoiceFromDate'] = asNullableNumber(input['invoiceFromDate']);
  if (input['invoiceToDate'] !== undefined) row['invoiceToDate'] = asNullableNumber(input['invoiceToDate']);
  if (input['issuedOn'] !== undefined) row['issuedOn'] = asNullableNumber(input['issuedOn']);
  row['invoiceAmount'] = asJsonNumber(input['invoiceAmount']);
  row['status'] = asInteger(input['status']);
  if (input['paymentTerm'] !== undefined) row['paymentTerm'] = asNullableInteger(input['paymentTerm']);
  if (input['paidAmount'] !== undefined) row['paidAmount'] = asNullableJsonNumber(input['paidAmount']);
  if (input['paymentMode'] !== undefined) row['paymentMode'] = asPaymentModes(input['paymentMode']);
  if (input['invoiceName'] !== undefined) row['invoiceName'] = asNullableText(input['invoiceName']);
  if (input['actionNote'] !== undefined) row['actionNote'] = asNullableText(input['actionNote']);
  if (input['invoiceStatusUpdatedBy'] !== undefined) row['invoiceStatusUpdatedBy'] = asNullableText(input['invoiceStatusUpdatedBy']);
  if (input['modifiedAt'] !== undefined) row['modifiedAt'] = asNullableNumber(input['modifiedAt']);
  return row as IqmInvoiceRow;
}

function fastPaymentRow(value: unknown): IqmPaymentRow {
  const input = asRecord(value);
  const row: Record<string, unknown> = {};
  if (input['isPaymentInitiatorOrg'] !== undefined) row['isPaymentInitiatorOrg'] = asNullableFlag(input['isPaymentInitiatorOrg']);
  row['paymentId'] = asInteger(input['paymentId']);
  if (input['owId'] !== undefined) row['owId'] = asNullableInteger(input['owId']);
  if (input['createdAt'] !== undefined) row['createdAt'] = asNullableNumber(input['createdAt']);
  if (input['createdByUserEmail'] !== undefined) row['createdByUserEmail'] = asNullableText(input['createdByUserEmail']);
  if (input['createdByUserProfile'] !== undefined) row['createdByUserProfile'] = asNullableText(input['createdByUserProfile']);
  if (input['paymentDate'] !== undefined) {
    const date = input['paymentDate'];
    ensure(date === null || isNumber(date) || typeof date === 'string');
    row['paymentDate'] = date;
  }
  row['paymentAmount'] = asJsonNumber(input['paymentAmount']);
  row['paymentStatus'] = asText(input['paymentStatus']);
  if (input['paymentMode'] !== undefined) row['paymentMode'] = asNullableText(input['paymentMode']);
  if (input['paymentType'] !== undefined) row['paymentType'] = asNullableText(input['paymentType']);
  if (input['invoiceId'] !== undefined) row['invoiceId'] = asNullableInteger(input['invoiceId']);
  if (input['transactionId'] !== undefined) {
    const id = input['transactionId'];
    ensure(id === null || typeof id === 'string' || isNumber(id));
    row['transactionId'] = id;
  }
  if (input['modifiedAt'] !== undefined) row['modifiedAt'] = asNullableNumber(input['modifiedAt']);
  if (input['modifiedByUserEmail'] !== undefined) row['modifiedByUserEmail'] = asNullableText(input['modifiedByUserEmail']);
  if (input['modifiedByUserProfile'] !== undefined) row['modifiedByUserProfile'] = asNullableText(input['modifiedByUserProfile']);
  if (input['bankName'] !== undefined) row['bankName'] = asNullableText(input['bankName']);
  if (input['refundReason'] !== undefined) row['refundReason'] = asNullableText(input['refundReason']);
  return row as IqmPaymentRow;
}

/** A22, A23 request body. */
export interface IqmActionNoteBody {
  actionNote?: string;
}

/** `{ data: [...], totalRecords, filteredRecords }`, the list shape most IQM reads share. */
function list<T extends z.ZodType>(row: T) {
  return z.object({ data: z.array(row), totalRecords: z.number().int(), filteredRecords: z.number().int() });
}

// A2
export const IqmMarginList = z.object({
  data: z.array(z.object({ marginTypeId: z.number().int(), marginType: z.string(), marginValue: amount })),
  totalRecords: z.number().int().optional(),
  filteredRecords: z.number().int().optional(),
  isBidShadingEnabled: z.boolean(),
});
export type IqmMarginList = z.infer<typeof IqmMarginList>;

// A4
export const IqmCampaignMarginList = list(
  z.object({
    campaignId: z.number().int(),
    campaignName: z.string(),
    status: nullableText,
    creativeTypeId: z.union([z.number().int(), z.string()]).nullable().optional(),
    campaignMargin: amount,
    isDefault: z.boolean(),
  }),
);
export type IqmCampaignMarginList = z.infer<typeof IqmCampaignMarginList>;

// A5: the JSON sample says organizationPgFeesDetails, the TypeScript sample organizationPGFeesDetails.
const IqmPgFeesDetails = z.object({ pgCampaignFees: amount, pgWorkspaceShare: amount });
export const IqmPgFees = z.object({
  organizationPgFeesDetails: IqmPgFeesDetails.optional(),
  organizationPGFeesDetails: IqmPgFeesDetails.optional(),
});
export type IqmPgFees = z.infer<typeof IqmPgFees>;

// A7, A9, A11: the samples carry only id and rate; the table adds the rest.
const optionalNumber = amount.nullable().optional();
const optionalFlag = z.boolean().nullable().optional();
const optionalId = z.number().int().nullable().optional();
export const IqmVldFees = z.object({
  id: z.number().int(),
  owId: optionalId,
  vldRate: optionalNumber,
  vldEnabled: optionalFlag,
  vldMarkupTypeId: optionalId,
  vldMarkupType: z.union([z.string(), z.number()]).nullable().optional(),
  vldMarkupValue: optionalNumber,
});
export const IqmPldFees = z.object({
  id: z.number().int(),
  owId: optionalId,
  pldRate: optionalNumber,
  pldEnabled: optionalFlag,
  pldMarkupTypeId: optionalId,
  pldMarkupType: z.union([z.string(), z.number()]).nullable().optional(),
  pldMarkupValue: optionalNumber,
});
export const IqmSlsFees = z.object({
  id: z.number().int(),
  owId: optionalId,
  slsRate: optionalNumber,
  slsEnabled: optionalFlag,
  slsMarkupTypeId: optionalId,
  slsMarkupType: z.union([z.string(), z.number()]).nullable().optional(),
  slsMarkupValue: optionalNumber,
});
export type IqmVldFees = z.infer<typeof IqmVldFees>;
export type IqmPldFees = z.infer<typeof IqmPldFees>;
export type IqmSlsFees = z.infer<typeof IqmSlsFees>;

/** Which data fee (A7–A12); the wire field names are `<kind>Rate`, `<kind>Enabled`, … */
export type IqmDataFeeKind = 'vld' | 'pld' | 'sls';

// A13
export const IqmDvIvt = z.object({ customerOwId: z.number().int(), isDvIvtSegmentsEnabled: z.boolean() });
export type IqmDvIvt = z.infer<typeof IqmDvIvt>;

// A15
export const IqmBasicDetails = z.object({ paypalFeesPercentage: amount.nullable().optional() });
export type IqmBasicDetails = z.infer<typeof IqmBasicDetails>;

// A17
export const IqmInvoiceSettings = z.object({
  invoiceId: z.number().int(),
  owId: optionalId,
  invoiceTitle: nullableText,
  invoiceCompanyName: nullableText,
  invoiceCompanyAddress: nullableText,
  email: nullableText,
  website: nullableText,
  invoiceDescription: nullableText,
  paypalId: optionalId,
  chequeTransferId: optionalId,
  wireTransferId: optionalId,
  termsAndConditions: nullableText,
  paymentTerm: z.union([z.string(), z.number()]).nullable().optional(),
  invoiceFooter: nullableText,
  createdAt: z.union([z.string(), z.number()]).nullable().optional(),
});
export type IqmInvoiceSettings = z.infer<typeof IqmInvoiceSettings>;

// A18: the table says payPalId, the sample paypalId.
export const IqmInvoicePaymentDetails = z.object({
  paypalPaymentDetail: z
    .object({ paypalId: optionalId, payPalId: optionalId, paypalAccountId: nullableText })
    .nullable()
    .optional(),
  chequePaymentDetail: z
    .object({ chequeId: optionalId, chequeCompanyName: nullableText, chequeCompanyAddress: nullableText })
    .nullable()
    .optional(),
  wireTransferPaymentDetail: z
    .object({
      wireTransferId: optionalId,
      wireTransferCompanyName: nullableText,
      bankName: nullableText,
      accountNumber: nullableText,
      bankAddress: nullableText,
      swiftCode: nullableText,
      routing: nullableText,
    })
    .nullable()
    .optional(),
});
export type IqmInvoicePaymentDetails = z.infer<typeof IqmInvoicePaymentDetails>;

// A27
export const IqmCreditSummary = z.object({ usedCredit: amount, totalCredit: amount });
export type IqmCreditSummary = z.infer<typeof IqmCreditSummary>;

// A28
export const IqmOrganizationCreditRow = z.object({
  creditId: z.number().int(),
  creditAmount: amount,
  modifiedAt: z.union([z.string(), z.number()]).nullable().optional(),
  status: z.string(),
  organizationName: nullableText,
});
export type IqmOrganizationCreditRow = z.infer<typeof IqmOrganizationCreditRow>;
export const IqmOrganizationCreditList = list(IqmOrganizationCreditRow);
export type IqmOrganizationCreditList = z.infer<typeof IqmOrganizationCreditList>;

// A29: status is not in the table but is in every sample row.
export const IqmCustomerCreditRow = z.object({
  creditId: z.number().int(),
  owId: z.number().int(),
  creditAmount: amount,
  status: z.string(),
  modifiedAt: z.union([z.string(), z.number()]).nullable().optional(),
  uowId: optionalId,
  displayName: nullableText,
});
export type IqmCustomerCreditRow = z.infer<typeof IqmCustomerCreditRow>;
export const IqmCustomerCreditList = z.array(IqmCustomerCreditRow);

// A47–A52
export const IqmReferenceItem = z.object({ id: z.number().int(), name: z.string(), label: z.string(), order: z.number().int() });
export type IqmReferenceItem = z.infer<typeof IqmReferenceItem>;
export const IqmReferenceList = z.array(IqmReferenceItem);
/**
 * A52: its TypeScript block types `data` as a bare array (like A47–A51), its JSON sample as
 * `{ totalRecords, filteredRecords, pgPaymentTypes: [...] }`. Both are read, as the list.
 */
export const IqmPgPaymentTypeList = z.union([
  IqmReferenceList,
  z
    .object({ totalRecords: z.number().int().optional(), filteredRecords: z.number().int().optional(), pgPaymentTypes: IqmReferenceList })
    .transform((page) => page.pgPaymentTypes),
]);

/** A20 request body (the table spells paypalAcountId, the sample paypalAccountId: the sample wins). */
export interface IqmInvoiceSettingsUpdate {
  invoiceTitle?: string;
  invoiceCompanyAddress?: string;
  email?: string;
  website?: string;
  invoiceDescription?: string;
  termsAndConditions?: string;
  paymentTerm?: string;
  invoiceFooter?: string;
  paypalAccountId?: string;
  chequeCompanyName?: string;
  chequeCompanyAddress?: string;
  wireTransferCompanyName?: string;
  bankName?: string;
  accountNumber?: string;
  bankAddress?: string;
  companyTaxId?: string;
  companyTaxName?: string;
}

/** A33 request body. */
export interface IqmClaimCreditBody {
  creditId: number;
  customerName: string;
  businessName: string;
  taxId: string;
  contactPersonName: string;
  contactPersonEmail: string;
  incorporationPlace: string;
  address: string;
}

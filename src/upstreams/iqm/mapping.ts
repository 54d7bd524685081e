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
import type {
  CampaignMargin,
  CustomerMargins,
  InvoicePaymentDetails,
  InvoiceSettings,
  PaymentFilter,
  ReferenceItem,
} from '../../__generated__/resolvers-types.js';
import type { CreditModel, CreditStatus, MarkupType } from '../../domain/models.js';
import type { Decimal, MoneyModel } from '../../domain/money.js';
import type {
  IqmCampaignMarginList,
  IqmCreditSummary,
  IqmCustomerCreditRow,
  IqmDataFeeKind,
  IqmInvoicePaymentDetails,
  IqmInvoiceRow,
  IqmInvoiceSettings,
  IqmMarginList,
  IqmOrganizationCreditRow,
  IqmPaymentRow,
  IqmPgFees,
  IqmPldFees,
  IqmReferenceItem,
  IqmSlsFees,
  IqmVldFees,
} from './wire.js';

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

/** A2 */
export function marginsFromWire(list: IqmMarginList): CustomerMargins {
  return {
    margins: list.data.map((row) => ({ marginTypeId: row.marginTypeId, marginType: row.marginType, value: toDecimal(row.marginValue) })),
    bidShadingEnabled: list.isBidShadingEnabled,
  };
}

/** A4. `creativeTypeId` is an integer in the sample and a string in the table. */
export function campaignMarginsFromWire(list: IqmCampaignMarginList): CampaignMargin[] {
  return list.data.map((row) => ({
    campaignId: row.campaignId,
    campaignName: row.campaignName,
    status: row.status ?? null,
    creativeTypeId: row.creativeTypeId === null || row.creativeTypeId === undefined || !/^\d+$/.test(String(row.creativeTypeId)) ? null : Number(row.creativeTypeId),
    margin: toDecimal(row.campaignMargin),
    isDefault: row.isDefault,
  }));
}

export interface PgFeesModel {
  readonly campaignFees: Decimal;
  readonly workspaceShare: Decimal;
}

/** A5: either spelling of the details object (see wire.ts); missing details are a bad response. */
export function pgFeesFromWire(data: IqmPgFees): PgFeesModel {
  const details = data.organizationPgFeesDetails ?? data.organizationPGFeesDetails;
  if (!details) throw new UpstreamBadResponseError('IQM', 'PG fees without organizationPgFeesDetails');
  return { campaignFees: toDecimal(details.pgCampaignFees), workspaceShare: toDecimal(details.pgWorkspaceShare) };
}

export interface DataFeesModel {
  readonly rate: Decimal | null;
  readonly enabled: boolean | null;
  readonly markupType: MarkupType | null;
  readonly markupValue: Decimal | null;
}

/**
 * Markup type ids of A7–A12. The doc names the two types ("Absolute" or "Percentage") but not their
 * ids; the gateway reads 1 as Absolute and 2 as Percentage, and prefers the name when IQM sends one.
 */
export const MARKUP_TYPE_BY_ID: ReadonlyMap<number, MarkupType> = new Map([
  [1, 'ABSOLUTE'],
  [2, 'PERCENTAGE'],
]);
export const MARKUP_TYPE_ID = new Map([...MARKUP_TYPE_BY_ID].map(([id, type]) => [type, id]));
export const MARKUP_TYPE_LABEL: Record<MarkupType, string> = { ABSOLUTE: 'Absolute', PERCENTAGE: 'Percentage' };

function markupType(id: number | null | undefined, name: string | number | null | undefined): MarkupType | null {
  if (typeof name === 'string') {
    const byName = name.trim().toUpperCase();
    if (byName === 'ABSOLUTE' || byName === 'PERCENTAGE') return byName;
  }
  return id === null || id === undefined ? null : (MARKUP_TYPE_BY_ID.get(id) ?? null);
}

const optionalDecimal = (value: number | null | undefined) => (value === null || value === undefined ? null : toDecimal(value));

/** A7, A9, A11 */
export function dataFeesFromWire(kind: 'vld', data: IqmVldFees): DataFeesModel;
export function dataFeesFromWire(kind: 'pld', data: IqmPldFees): DataFeesModel;
export function dataFeesFromWire(kind: 'sls', data: IqmSlsFees): DataFeesModel;
export function dataFeesFromWire(kind: IqmDataFeeKind, data: IqmVldFees | IqmPldFees | IqmSlsFees): DataFeesModel {
  const fields = new Map(Object.entries(data));
  const number = (name: string) => {
    const value = fields.get(`${kind}${name}`);
    return typeof value === 'number' ? value : null;
  };
  const flag = fields.get(`${kind}Enabled`);
  const name = fields.get(`${kind}MarkupType`);
  return {
    rate: optionalDecimal(number('Rate')),
    enabled: typeof flag === 'boolean' ? flag : null,
    markupType: markupType(number('MarkupTypeId'), typeof name === 'string' || typeof name === 'number' ? name : null),
    markupValue: optionalDecimal(number('MarkupValue')),
  };
}

/** A17 */
export function invoiceSettingsFromWire(data: IqmInvoiceSettings): InvoiceSettings {
  return {
    invoiceId: data.invoiceId,
    owId: data.owId ?? null,
    title: data.invoiceTitle ?? null,
    companyName: data.invoiceCompanyName ?? null,
    companyAddress: data.invoiceCompanyAddress ?? null,
    email: data.email ?? null,
    website: data.website ?? null,
    description: data.invoiceDescription ?? null,
    paypalId: data.paypalId ?? null,
    chequeTransferId: data.chequeTransferId ?? null,
    wireTransferId: data.wireTransferId ?? null,
    termsAndConditions: data.termsAndConditions ?? null,
    paymentTerm: data.paymentTerm === null || data.paymentTerm === undefined ? null : String(data.paymentTerm),
    footer: data.invoiceFooter ?? null,
    createdAt: parseUpstreamInstant(data.createdAt),
  };
}

/** A18, flattened. */
export function invoicePaymentDetailsFromWire(data: IqmInvoicePaymentDetails): InvoicePaymentDetails {
  const paypal = data.paypalPaymentDetail;
  const cheque = data.chequePaymentDetail;
  const wire = data.wireTransferPaymentDetail;
  return {
    paypalId: paypal?.paypalId ?? paypal?.payPalId ?? null,
    paypalAccountId: paypal?.paypalAccountId ?? null,
    chequeId: cheque?.chequeId ?? null,
    chequeCompanyName: cheque?.chequeCompanyName ?? null,
    chequeCompanyAddress: cheque?.chequeCompanyAddress ?? null,
    wireTransferId: wire?.wireTransferId ?? null,
    wireTransferCompanyName: wire?.wireTransferCompanyName ?? null,
    bankName: wire?.bankName ?? null,
    accountNumber: wire?.accountNumber ?? null,
    bankAddress: wire?.bankAddress ?? null,
    swiftCode: wire?.swiftCode ?? null,
    routing: wire?.routing ?? null,
  };
}

export interface CreditSummaryModel {
  readonly used: MoneyModel;
  readonly total: MoneyModel;
  readonly available: MoneyModel;
}

/** A27; available is total less used, never below zero. */
export function creditSummaryFromWire(data: IqmCreditSummary, currencyCode: string): CreditSummaryModel {
  const used = toDecimal(data.usedCredit);
  const total = toDecimal(data.totalCredit);
  const available = total.minus(used);
  return {
    used: { amount: used, currencyCode },
    total: { amount: total, currencyCode },
    available: { amount: available.isNegative() ? toDecimal(0) : available, currencyCode },
  };
}

const CREDIT_STATUS_BY_LABEL: ReadonlyMap<string, CreditStatus> = new Map([
  ['unclaimed', 'UNCLAIMED'],
  ['claimed', 'CLAIMED'],
  ['revoked', 'REVOKED'],
]);

function creditStatus(label: string): CreditStatus {
  const status = CREDIT_STATUS_BY_LABEL.get(label.trim().toLowerCase());
  if (!status) throw new UpstreamBadResponseError('IQM', `unknown credit status "${label}"`);
  return status;
}

/** A28: credits offered to the caller's organization (no customer workspace). */
export function organizationCreditFromWire(row: IqmOrganizationCreditRow, currencyCode: string): CreditModel {
  return {
    creditId: row.creditId,
    owId: null,
    amount: money(row.creditAmount, currencyCode),
    status: creditStatus(row.status),
    modifiedAt: parseUpstreamInstant(row.modifiedAt),
    organizationName: row.organizationName ?? null,
    displayName: null,
  };
}

/** A29 */
export function customerCreditFromWire(row: IqmCustomerCreditRow, currencyCode: string): CreditModel {
  return {
    creditId: row.creditId,
    owId: row.owId,
    amount: money(row.creditAmount, currencyCode),
    status: creditStatus(row.status),
    modifiedAt: parseUpstreamInstant(row.modifiedAt),
    organizationName: null,
    displayName: row.displayName ?? null,
  };
}

/** A47–A52 */
export function referenceItemFromWire(item: IqmReferenceItem): ReferenceItem {
  return { id: item.id, name: item.name, label: item.label, order: item.order };
}

/** A34/A35 filters in IQM's terms: comma-separated status ids, one type id, the search text. */
export function iqmPaymentFilter(filter: PaymentFilter | null | undefined): { status: string | null; paymentType: number | null; searchField: string | null } {
  const statuses = (filter?.status ?? []).map((status) => PAYMENT_STATUS_ID.get(status)).filter((id) => id !== undefined);
  return {
    status: statuses.length > 0 ? statuses.join(',') : null,
    paymentType: filter?.type ? (PAYMENT_TYPE_ID.get(filter.type) ?? null) : null,
    searchField: filter?.search?.trim() ? filter.search.trim() : null,
  };
}

import {
  decodeWire,
  encodePathSegment,
  type QueryValue,
  type UpstreamCallObserver,
  type UpstreamHttpClient,
  type UpstreamRequest,
  type UpstreamStreamResponse,
} from '../http.js';
import { multipartBody, type MultipartFields, type MultipartFile } from './multipart.js';
import { ForbiddenError, UnauthenticatedError, errorForUpstreamStatus } from '../../errors.js';
import {
  IqmAvailableBalance,
  IqmBasicDetails,
  IqmCampaignMarginList,
  IqmCreditSummary,
  IqmCustomerCreditList,
  IqmDvIvt,
  IqmErrorEnvelope,
  IqmFinanceDetails,
  IqmInvoiceList,
  IqmInvoicePaymentDetails,
  IqmInvoiceSettings,
  IqmMarginList,
  IqmMessageEnvelope,
  IqmOrganizationCreditList,
  IqmPaymentList,
  IqmPgFees,
  IqmPldFees,
  IqmPgPaymentTypeList,
  IqmReferenceList,
  IqmSlsFees,
  IqmVldFees,
  envelope,
  type IqmClaimCreditBody,
  type IqmDataFeeKind,
  type IqmInvoiceSettingsUpdate,
  type IqmReferenceItem,
} from './wire.js';
import type { z } from 'zod';
import type { WireNumber } from '../../domain/money.js';

/** Bearer token and organization workspace id, as IQM wants them on every request. */
export interface IqmCredentials {
  readonly token: string;
  readonly organizationWorkspaceId: string;
}

/** A write IQM accepted (its message), or refused for a business reason (its `errorObjects`). */
export type IqmWriteResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly status: number; readonly errors: readonly string[] };

export interface IqmInvoiceListQuery {
  readonly owId: number;
  /** IQM invoice status id (A50). */
  readonly status?: number | null;
  /** `-issuedOn`, `+invoiceAmount`, … */
  readonly sortBy?: string | null;
  readonly isCustomerRequest: boolean;
}

export interface IqmPaymentListQuery {
  /** A48 id, or several comma-separated. */
  readonly status?: number | string | null;
  readonly paymentType?: number | null;
  readonly searchField?: string | null;
  readonly limit: number;
  readonly pageNo: number;
  readonly sortBy?: string | null;
}

export interface IqmCreditListQuery {
  readonly limit: number;
  readonly pageNo: number;
  /** `-modifiedAt` (IQM's default), `+creditAmount`, … */
  readonly sortBy?: string | null;
}

/** A payment proof to send with a multipart write: a staged upload on local disk. */
export interface IqmProofFile {
  readonly path: string;
  readonly fileName: string;
  readonly mimeType: string;
}

/** A24 fields. `paymentAmount` is decimal text, so "0.1" reaches IQM exactly as typed. */
export interface IqmPayInvoiceFields {
  readonly invoiceId: number;
  readonly owId: number;
  readonly paymentAmount: string;
  readonly paymentType: number;
  /** Epoch milliseconds. */
  readonly paymentDate: number;
  readonly paymentMode?: number | null;
  readonly transactionId?: string | null;
  readonly bankName?: string | null;
  readonly isCustomerRequest: boolean;
}

/** A36 / A37 fields. */
export interface IqmPaymentFields {
  readonly owId: number;
  readonly paymentAmount: string;
  /** YYYY-MM-DD */
  readonly paymentDate: string;
  readonly paymentMode: number;
  readonly transactionId: string;
  readonly paymentType: number;
  readonly invoiceId?: number | null;
  readonly refundReason?: string | null;
}

/** A41 fields. */
export interface IqmAddFundsFields {
  readonly paymentAmount: string;
  readonly paymentDate: string;
  readonly paymentMode: number;
  readonly bankName?: string | null;
}

/** A43 fields. */
export interface IqmRefundFields {
  readonly owId: number;
  readonly paymentAmount: string;
  readonly paymentDate: string;
  readonly paymentMode: number;
  readonly transactionId?: string | null;
  readonly refundReason: string;
}

/** A8 / A10 / A12 body, in gateway terms; the client writes the `<kind>`-prefixed wire names. */
export interface IqmDataFeesUpdate {
  readonly owId: number;
  readonly rate?: WireNumber | null;
  readonly enabled?: boolean | null;
  readonly markupTypeId?: number | null;
  readonly markupType?: string | null;
  readonly markupValue?: WireNumber | null;
}

/** The six reference lists (A47–A52), by the path segment after `/static/`. */
export const IQM_REFERENCE_LISTS = {
  paymentTypes: '/static/payment-type',
  paymentStatuses: '/static/payment-status',
  invoicePaymentModes: '/static/invoice-payment-modes',
  invoiceStatuses: '/static/invoice-status',
  invoicePaymentTerms: '/static/invoice-payment-terms',
  pgPaymentTypes: '/static/pg/payment-type',
} as const;
export type IqmReferenceListName = keyof typeof IQM_REFERENCE_LISTS;

/**
 * Statuses on which IQM puts a business rejection (`errorObjects`) in the body of a write. Not 409:
 * IQM does not document it, and a proxy answers it after forwarding a write that may have been
 * applied, so it must stay an (ambiguous) error for idempotency to reconcile.
 */
const WRITE_REJECTION_STATUSES = [400, 403, 404, 422] as const;

function iqmErrorMessage(body: unknown): string | undefined {
  const parsed = IqmErrorEnvelope.safeParse(body);
  return parsed.success ? parsed.data.errorObjects.map((item) => item.error).join('; ') || undefined : undefined;
}

/**
 * The IQM Finance API, one method per documented operation. Built per request: it carries the
 * caller's (or the service's) credentials, which are only ever sent to IQM.
 */
export class IqmClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly credentials: IqmCredentials | null,
    private readonly observe?: UpstreamCallObserver,
  ) {}

  /** A1 */
  financeDetails(owId: number, year: number | null): Promise<z.infer<typeof IqmFinanceDetails>> {
    return this.read('/customer/financial-details', '/customer/financial-details', IqmFinanceDetails, {
      owId,
      isFinanceRequest: true,
      year,
    });
  }

  /** A16 */
  availableBalance(owId: number, isCustomerRequest: boolean): Promise<WireNumber> {
    return this.read('/available-balance', '/available-balance', IqmAvailableBalance, { owId, isCustomerRequest });
  }

  /** A19 */
  invoices(query: IqmInvoiceListQuery): Promise<z.infer<typeof IqmInvoiceList>> {
    return this.read('/invoice/list/{owId}', `/invoice/list/${encodePathSegment(query.owId)}`, IqmInvoiceList, {
      status: query.status,
      sortBy: query.sortBy,
      isCustomerRequest: query.isCustomerRequest,
    });
  }

  /** A35 */
  customerPayments(owId: number, query: IqmPaymentListQuery): Promise<z.infer<typeof IqmPaymentList>> {
    return this.read('/customer/payments/list', '/customer/payments/list', IqmPaymentList, { owId, ...query });
  }

  /** A22 */
  approveInvoice(invoiceId: number, actionNote: string | null): Promise<IqmWriteResult> {
    return this.write({
      method: 'PATCH',
      route: '/invoice-approve/{invoiceId}',
      path: `/invoice-approve/${encodePathSegment(invoiceId)}`,
      json: actionNote === null ? {} : { actionNote },
    });
  }

  /** A23 */
  cancelInvoice(invoiceId: number, actionNote: string | null): Promise<IqmWriteResult> {
    return this.write({
      method: 'PATCH',
      route: '/invoice-cancel/{invoiceId}',
      path: `/invoice-cancel/${encodePathSegment(invoiceId)}`,
      json: actionNote === null ? {} : { actionNote },
    });
  }

  /** A2 */
  margins(owId: number, marginTypeIds: readonly number[] | null): Promise<z.infer<typeof IqmMarginList>> {
    return this.read('/customer/view-margin', '/customer/view-margin', IqmMarginList, {
      owId,
      marginTypeIds: marginTypeIds && marginTypeIds.length > 0 ? marginTypeIds.join(',') : null,
    });
  }

  /** A3 */
  updateMargin(owId: number, marginTypeId: number, marginValue: WireNumber): Promise<IqmWriteResult> {
    return this.write({ method: 'POST', route: '/customer/edit-margin', path: '/customer/edit-margin', json: { owId, marginTypeId, marginValue } });
  }

  /** A4 (the doc gives no path; the gateway uses one beside A2, see README). */
  campaignMargins(owId: number, searchField: string | null, isEdit: boolean | null): Promise<z.infer<typeof IqmCampaignMarginList>> {
    return this.read('/customer/view-campaign-margin', '/customer/view-campaign-margin', IqmCampaignMarginList, { owId, searchField, isEdit });
  }

  /** A5 */
  pgFees(owId: number): Promise<z.infer<typeof IqmPgFees>> {
    return this.read('/customer/{owId}/pg-fees', `/customer/${encodePathSegment(owId)}/pg-fees`, IqmPgFees, {});
  }

  /** A6 */
  updatePgFees(customerOwId: number, pgCampaignFees: WireNumber, pgWorkspaceShare: WireNumber): Promise<IqmWriteResult> {
    return this.write({
      method: 'PATCH',
      route: '/customer/{customerOwId}/pg-fees',
      path: `/customer/${encodePathSegment(customerOwId)}/pg-fees`,
      json: { owId: customerOwId, pgCampaignFees, pgWorkspaceShare },
    });
  }

  /** A7 */
  vldFees(customerOwId: number): Promise<z.infer<typeof IqmVldFees>> {
    return this.read('/customer/{customerOwId}/vld-fees', `/customer/${encodePathSegment(customerOwId)}/vld-fees`, IqmVldFees, {});
  }

  /** A9 */
  pldFees(customerOwId: number): Promise<z.infer<typeof IqmPldFees>> {
    return this.read('/customer/{customerOwId}/pld-fees', `/customer/${encodePathSegment(customerOwId)}/pld-fees`, IqmPldFees, {});
  }

  /** A11 */
  slsFees(customerOwId: number): Promise<z.infer<typeof IqmSlsFees>> {
    return this.read('/customer/{customerOwId}/sls-fees', `/customer/${encodePathSegment(customerOwId)}/sls-fees`, IqmSlsFees, {});
  }

  /** A8, A10, A12: `PATCH /customer/<kind>-fees` with `<kind>Rate`, `<kind>Enabled`, … */
  updateDataFees(kind: IqmDataFeeKind, update: IqmDataFeesUpdate): Promise<IqmWriteResult> {
    const json: Record<string, unknown> = { owId: update.owId };
    const put = (field: string, value: unknown) => {
      if (value !== null && value !== undefined) json[`${kind}${field}`] = value;
    };
    put('Rate', update.rate);
    put('Enabled', update.enabled);
    put('MarkupTypeId', update.markupTypeId);
    put('MarkupType', update.markupType);
    put('MarkupValue', update.markupValue);
    return this.write({ method: 'PATCH', route: `/customer/${kind}-fees`, path: `/customer/${kind}-fees`, json });
  }

  /** A13 */
  dvIvt(customerOwId: number): Promise<z.infer<typeof IqmDvIvt>> {
    return this.read('/customer/dv-ivt', '/customer/dv-ivt', IqmDvIvt, { customerOwId });
  }

  /** A14: both values travel in the query string, as documented. */
  setDvIvt(customerOwId: number, enabled: boolean): Promise<IqmWriteResult> {
    return this.write({ method: 'PATCH', route: '/customer/dv-ivt', path: '/customer/dv-ivt', query: { customerOwId, isDvIvtSegmentsEnabled: enabled } });
  }

  /** A15 */
  basicDetails(): Promise<z.infer<typeof IqmBasicDetails>> {
    return this.read('/basic/details', '/basic/details', IqmBasicDetails, {});
  }

  /** A17 */
  invoiceSettings(): Promise<z.infer<typeof IqmInvoiceSettings>> {
    return this.read('/invoice-settings', '/invoice-settings', IqmInvoiceSettings, {});
  }

  /** A18 */
  invoicePaymentDetails(invoiceId: number): Promise<z.infer<typeof IqmInvoicePaymentDetails>> {
    return this.read('/invoice-settings-payment-details', '/invoice-settings-payment-details', IqmInvoicePaymentDetails, { invoiceId });
  }

  /** A20 */
  updateInvoiceSettings(invoiceSettingsId: number, isWhiteLabel: boolean, body: IqmInvoiceSettingsUpdate): Promise<IqmWriteResult> {
    return this.write({
      method: 'PATCH',
      route: '/invoice-settings/{invoiceId}',
      path: `/invoice-settings/${encodePathSegment(invoiceSettingsId)}`,
      query: { isWhiteLabel },
      json: body,
    });
  }

  /** A21 */
  deleteInvoiceTaxData(taxId: number): Promise<IqmWriteResult> {
    return this.write({ method: 'DELETE', route: '/invoice-settings-tax-data', path: '/invoice-settings-tax-data', query: { taxId } });
  }

  /** A24: multipart, with the proof streamed from disk when there is one. */
  payInvoice(fields: IqmPayInvoiceFields, proof: IqmProofFile | null): Promise<IqmWriteResult> {
    return this.writeMultipart('POST', '/pay-invoice', '/pay-invoice', { ...fields }, proof);
  }

  /** A25 */
  emailInvoice(owId: number, invoiceId: number, email: string): Promise<IqmWriteResult> {
    return this.write({
      method: 'POST',
      route: '/email-invoice/{owId}/{invoiceId}',
      path: `/email-invoice/${encodePathSegment(owId)}/${encodePathSegment(invoiceId)}`,
      json: { email },
    });
  }

  /** A26: the PDF as a stream, never buffered. */
  downloadInvoice(owId: number, invoiceId: number, isCustomerRequest: boolean): Promise<UpstreamStreamResponse> {
    return this.http.stream(
      {
        method: 'GET',
        route: '/download-invoice/{owId}/{invoiceId}',
        path: `/download-invoice/${encodePathSegment(owId)}/${encodePathSegment(invoiceId)}`,
        query: { isCustomerRequest },
        headers: this.headers(),
        errorMessage: iqmErrorMessage,
      },
      this.observe,
    );
  }

  /** A27 */
  creditSummary(owId: number, isCustomerRequest: boolean): Promise<z.infer<typeof IqmCreditSummary>> {
    return this.read('/credit-summary/{owId}', `/credit-summary/${encodePathSegment(owId)}`, IqmCreditSummary, { isCustomerRequest });
  }

  /** A28 */
  organizationCredits(query: IqmCreditListQuery): Promise<z.infer<typeof IqmOrganizationCreditList>> {
    return this.read('/credits/list', '/credits/list', IqmOrganizationCreditList, { limit: query.limit, pageNo: query.pageNo, sortBy: query.sortBy });
  }

  /** A29 (the doc gives no path; the gateway uses one beside A30, see README). */
  customerCredits(owId: number): Promise<z.infer<typeof IqmCustomerCreditList>> {
    return this.read('/customer/credit/list', '/customer/credit/list', IqmCustomerCreditList, { owId });
  }

  /** A30 */
  offerCredit(owId: number, creditAmount: WireNumber): Promise<IqmWriteResult> {
    return this.write({ method: 'POST', route: '/customer/credit/add', path: '/customer/credit/add', json: { owId, creditAmount } });
  }

  /** A31 */
  updateCredit(owId: number, creditId: number, creditAmount: WireNumber): Promise<IqmWriteResult> {
    return this.write({ method: 'PATCH', route: '/customer/credit/edit', path: '/customer/credit/edit', json: { owId, creditAmount, creditId } });
  }

  /** A32 */
  revokeCredit(owId: number, creditId: number): Promise<IqmWriteResult> {
    return this.write({ method: 'POST', route: '/customer/credit/revoke', path: '/customer/credit/revoke', json: { owId, creditId } });
  }

  /** A33 */
  claimCredit(body: IqmClaimCreditBody): Promise<IqmWriteResult> {
    return this.write({ method: 'POST', route: '/credit/claim', path: '/credit/claim', json: body });
  }

  /** A34 */
  organizationPayments(query: IqmPaymentListQuery): Promise<z.infer<typeof IqmPaymentList>> {
    return this.read('/payments/list', '/payments/list', IqmPaymentList, {
      status: query.status,
      paymentType: query.paymentType,
      searchField: query.searchField,
      limit: query.limit,
      pageNo: query.pageNo,
    });
  }

  /** A36 */
  addPayment(fields: IqmPaymentFields, proof: IqmProofFile | null): Promise<IqmWriteResult> {
    return this.writeMultipart('POST', '/customer/payment/add', '/customer/payment/add', { ...fields }, proof);
  }

  /** A37 */
  updatePayment(paymentId: number, fields: IqmPaymentFields, proof: IqmProofFile | null): Promise<IqmWriteResult> {
    return this.writeMultipart('PUT', '/customer/payment/{paymentId}', `/customer/payment/${encodePathSegment(paymentId)}`, { ...fields }, proof);
  }

  /** A38, A39, A40. Only A38 documents a body; the same `{ owId, actionNote }` goes to all three. */
  paymentAction(action: 'approve' | 'cancel' | 'reject', paymentId: number, owId: number, actionNote: string | null): Promise<IqmWriteResult> {
    return this.write({
      method: 'POST',
      route: `/customer/payment/${action}/{paymentId}`,
      path: `/customer/payment/${action}/${encodePathSegment(paymentId)}`,
      json: actionNote === null ? { owId } : { owId, actionNote },
    });
  }

  /** A41 (UPSTREAMS.md's path; the doc's curl says /payment/add-fund). */
  addFunds(fields: IqmAddFundsFields, proof: IqmProofFile | null): Promise<IqmWriteResult> {
    return this.writeMultipart('POST', '/customer/payment/add-fund', '/customer/payment/add-fund', { ...fields }, proof);
  }

  /**
   * A42: IQM answers the PayPal link as the message. Sent form-urlencoded, the only content type the
   * doc names for it (its TypeScript block); the amount goes as its decimal digits.
   */
  startPaypalPayment(paymentAmount: WireNumber): Promise<IqmWriteResult> {
    const form = new URLSearchParams({ paymentAmount: String(paymentAmount) }).toString();
    return this.write({
      method: 'POST',
      route: '/paypal/payment',
      path: '/paypal/payment',
      body: { contentType: 'application/x-www-form-urlencoded', stream: oneChunk(form) },
    });
  }

  /** A43 */
  initiateRefund(fields: IqmRefundFields, proof: IqmProofFile | null): Promise<IqmWriteResult> {
    return this.writeMultipart('POST', '/customer/payment/refund', '/customer/payment/refund', { ...fields }, proof);
  }

  /** A44 */
  approveRefund(paymentId: number, owId: number, actionNote: string | null, proof: IqmProofFile | null): Promise<IqmWriteResult> {
    return this.writeMultipart(
      'POST',
      '/customer/payment/approve-refund/{paymentId}',
      `/customer/payment/approve-refund/${encodePathSegment(paymentId)}`,
      { owId, actionNote },
      proof,
    );
  }

  /** A45 */
  emailPaymentReceipt(owId: number, paymentId: number, email: string): Promise<IqmWriteResult> {
    return this.write({
      method: 'POST',
      route: '/payment/email-receipt/{owId}/{paymentId}',
      path: `/payment/email-receipt/${encodePathSegment(owId)}/${encodePathSegment(paymentId)}`,
      json: { email },
    });
  }

  /** A46: the PDF as a stream, never buffered. */
  downloadReceipt(owId: number, paymentId: number, isCustomerRequest: boolean): Promise<UpstreamStreamResponse> {
    return this.http.stream(
      {
        method: 'GET',
        route: '/payment/download-receipt/{paymentId}',
        path: `/payment/download-receipt/${encodePathSegment(paymentId)}`,
        query: { owId, isCustomerRequest },
        headers: this.headers(),
        errorMessage: iqmErrorMessage,
      },
      this.observe,
    );
  }

  /** A47–A52 */
  referenceList(name: IqmReferenceListName): Promise<IqmReferenceItem[]> {
    const path = IQM_REFERENCE_LISTS[name];
    return this.read(path, path, name === 'pgPaymentTypes' ? IqmPgPaymentTypeList : IqmReferenceList, {});
  }

  private writeMultipart(
    method: 'POST' | 'PUT',
    route: string,
    path: string,
    fields: MultipartFields,
    proof: IqmProofFile | null,
  ): Promise<IqmWriteResult> {
    const file: MultipartFile | null = proof ? { fieldName: 'paymentProof', ...proof } : null;
    return this.write({ method, route, path, body: multipartBody(fields, file) });
  }

  private headers(): Record<string, string> {
    if (!this.credentials) {
      throw new UnauthenticatedError('IQM', "the caller's tenant has no IQM credentials (TENANTS_FILE, or IQM_TOKEN and IQM_OW_ID)");
    }
    return {
      authorization: `Bearer ${this.credentials.token}`,
      'x-iaa-ow-id': this.credentials.organizationWorkspaceId,
    };
  }

  /** A GET whose `data` is checked against `schema`; `success:false` (even nested in data) is FORBIDDEN. */
  private async read<T>(route: string, path: string, schema: z.ZodType<T>, query: Record<string, QueryValue>): Promise<T> {
    const { body } = await this.http.json(
      { method: 'GET', route, path, query, headers: this.headers(), errorMessage: iqmErrorMessage },
      this.observe,
    );
    const rejection = findRejection(body);
    if (rejection) throw new ForbiddenError('IQM', rejection.join('; ') || 'request refused');
    return decodeWire('IQM', route, envelopeOf(schema), body).data as T;
  }

  private async write(request: Omit<UpstreamRequest, 'headers' | 'passStatuses' | 'errorMessage'>): Promise<IqmWriteResult> {
    const { status, body } = await this.http.json(
      { ...request, headers: this.headers(), passStatuses: WRITE_REJECTION_STATUSES, errorMessage: iqmErrorMessage },
      this.observe,
    );
    const rejection = findRejection(body);
    if (rejection) return { ok: false, status, errors: rejection };
    if (status >= 300) throw errorForUpstreamStatus('IQM', status);
    const data = decodeWire('IQM', request.route, IqmMessageEnvelope, body).data;
    return { ok: true, message: typeof data === 'string' ? data : data.message };
  }
}

/**
 * One envelope per data schema, built on first use: zod compiles an object schema the first time it
 * parses, so an envelope built per call was compiled per call (a top item of the CPU profile).
 */
const envelopes = new WeakMap<z.ZodType, z.ZodType<{ data: unknown }>>();

function envelopeOf(schema: z.ZodType): z.ZodType<{ data: unknown }> {
  let wrapped = envelopes.get(schema);
  if (!wrapped) {
    wrapped = envelope(schema);
    envelopes.set(schema, wrapped);
  }
  return wrapped;
}

/** IQM reports refusals as `{ success:false, errorObjects }` at the top level or nested in `data`. */
function findRejection(body: unknown): string[] | null {
  for (const candidate of [body, isRecord(body) ? body['data'] : undefined]) {
    // Only `success: false` can be a rejection: anything else is let through without zod building
    // the error of a failed parse for every successful answer.
    if (!isRecord(candidate) || candidate['success'] !== false) continue;
    const parsed = IqmErrorEnvelope.safeParse(candidate);
    if (parsed.success) return parsed.data.errorObjects.map((item) => item.error);
  }
  return null;
}

async function* oneChunk(text: string): AsyncIterable<string> {
  yield text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

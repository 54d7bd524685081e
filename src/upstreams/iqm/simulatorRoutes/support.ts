import { Decimal } from 'decimal.js';
import { LosslessNumber } from 'lossless-json';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  PAYMENT_MODE_LABEL,
  PAYMENT_STATUS_LABEL,
  PAYMENT_TYPE_LABEL,
  type IqmSimulatorState,
  type IqmTenant,
  type SimCustomer,
  type SimInvoice,
  type SimPayment,
} from '../simulatorState.js';

/** What every route file of the IQM simulator receives. */
export type SimRoutes = FastifyInstance;
export type Query = Record<string, string | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    iqmTenant?: IqmTenant;
  }
}

export function tenantOf(request: FastifyRequest): IqmTenant {
  const tenant = request.iqmTenant;
  if (!tenant) throw new Error('IQM simulator route reached without a tenant');
  return tenant;
}

export function ok(data: unknown): { success: true; data: unknown } {
  return { success: true, data };
}

export function failure(error: string): { success: false; errorObjects: { error: string }[] } {
  return { success: false, errorObjects: [{ error }] };
}

/** Sends IQM's 422 `errorObjects` answer and returns the reply, so a handler can `return refuse(…)`. */
export function refuse(reply: FastifyReply, error: string, status = 422): FastifyReply {
  return reply.code(status).send(failure(error));
}

/** The caller's customer named by `raw`, or a 403/422 answer already sent. */
export function customerById(state: IqmSimulatorState, request: FastifyRequest, reply: FastifyReply, raw: unknown, parameter = 'owId'): SimCustomer | undefined {
  const text = raw === undefined || raw === null ? '' : String(raw);
  if (!/^\d+$/.test(text)) {
    void refuse(reply, `${parameter} is required`);
    return undefined;
  }
  const customer = state.customerOf(tenantOf(request).organizationWorkspaceId, Number(text));
  if (!customer) {
    void refuse(reply, 'User is not allowed to access provided customer details', 403);
    return undefined;
  }
  return customer;
}

/** The caller's customer named by a query parameter, or a 403/422 answer already sent. */
export function customerFromQuery(state: IqmSimulatorState, request: FastifyRequest, reply: FastifyReply, parameter: string): SimCustomer | undefined {
  return customerById(state, request, reply, (request.query as Query)[parameter], parameter);
}

/** An invoice of the caller's organization, or IQM's 422 already sent. */
export function invoiceById(state: IqmSimulatorState, request: FastifyRequest, reply: FastifyReply, raw: unknown): SimInvoice | undefined {
  const invoice = /^\d+$/.test(String(raw)) ? state.invoices.get(Number(raw)) : undefined;
  if (!invoice) {
    void refuse(reply, 'Invoice with the provided ID does not exists');
    return undefined;
  }
  if (invoice.organizationWorkspaceId !== tenantOf(request).organizationWorkspaceId) {
    void refuse(reply, 'Invoice does not belong to the logged in organization workspace');
    return undefined;
  }
  return invoice;
}

/** A payment of the caller's organization (or of one of its customers), or IQM's 422 already sent. */
export function paymentById(state: IqmSimulatorState, request: FastifyRequest, reply: FastifyReply, raw: unknown): SimPayment | undefined {
  const payment = /^\d+$/.test(String(raw)) ? state.payments.get(Number(raw)) : undefined;
  if (!payment || payment.organizationWorkspaceId !== tenantOf(request).organizationWorkspaceId) {
    void refuse(reply, 'Payment with the provided ID does not exists');
    return undefined;
  }
  return payment;
}

const DECIMAL_TEXT = /^\d{1,15}(\.\d{1,10})?$/;

/** An amount as IQM receives it: a JSON number or multipart text, kept exact ("0.1" stays 0.1). */
export function parseAmount(raw: unknown): Decimal | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) return new Decimal(String(raw));
  // IQM's types say `number`: its server reads a long JSON number as the nearest double, as here.
  if (raw instanceof LosslessNumber) return new Decimal(String(Number(raw.value)));
  if (typeof raw === 'string' && DECIMAL_TEXT.test(raw.trim())) return new Decimal(raw.trim());
  return null;
}

export function parseId(raw: unknown): number | null {
  const text = raw === undefined || raw === null ? '' : String(raw).trim();
  return /^\d{1,12}$/.test(text) ? Number(text) : null;
}

/** `YYYY-MM-DD`, epoch milliseconds or an ISO instant (the doc's curl samples send ISO) → epoch ms. */
export function parsePaymentDate(raw: unknown, fallback: number): number | null {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const text = String(raw).trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text);
  return Number.isNaN(parsed) ? null : parsed;
}

/** The request's JSON body as a record (empty when there is none). */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export interface ReceivedProof {
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: number;
}

/**
 * Reads a multipart/form-data request (IQM also takes the same fields as query parameters): text
 * fields as strings, and the proof file's name, type and size. The file's bytes are counted and
 * dropped, never kept.
 */
export async function readMultipart(request: FastifyRequest): Promise<{ fields: Record<string, string>; proof: ReceivedProof | null }> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query as Query)) {
    if (value !== undefined) fields[name] = value;
  }
  let proof: ReceivedProof | null = null;
  if (!request.isMultipart()) {
    for (const [name, value] of Object.entries(jsonBody(request))) {
      if (value !== null && value !== undefined) fields[name] = String(value);
    }
    return { fields, proof };
  }
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      let bytes = 0;
      for await (const chunk of part.file) bytes += (chunk as Buffer).length;
      if (part.fieldname === 'paymentProof') proof = { fileName: part.filename, mimeType: part.mimetype, bytes };
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  return { fields, proof };
}

/** Media types IQM takes as proof of payment (the doc says jpeg/png; its curl samples send PDFs). */
export const PROOF_TYPES = new Set(['image/jpeg', 'image/png', 'application/pdf']);

/** A19 row; `dates` picks the documented unit (IQM_ANSWER_VARIANTS.A19). */
export function invoiceRow(invoice: SimInvoice, dates: 'table' | 'sample' = 'table') {
  const date = (ms: number) => (dates === 'sample' ? Math.floor(ms / 1000) : ms);
  return {
    invoiceId: invoice.invoiceId,
    invoiceFromDate: date(invoice.invoiceFromDate),
    invoiceToDate: date(invoice.invoiceToDate),
    issuedOn: date(invoice.issuedOn),
    invoiceAmount: invoice.invoiceAmount,
    status: invoice.status,
    paymentTerm: invoice.paymentTerm,
    paidAmount: invoice.paidAmount,
    paymentMode: invoice.paymentMode,
    invoiceName: invoice.invoiceName,
    actionNote: invoice.actionNote,
    invoiceStatusUpdatedBy: invoice.invoiceStatusUpdatedBy,
    modifiedAt: date(invoice.modifiedAt),
  };
}

/** A34/A35 row. Organization lists add `owId`, which the doc's sample lacks (see README). */
export function paymentRow(payment: SimPayment, includeOwId: boolean) {
  return {
    isPaymentInitiatorOrg: payment.isPaymentInitiatorOrg,
    paymentId: payment.paymentId,
    ...(includeOwId ? { owId: payment.owId } : {}),
    createdAt: payment.createdAt,
    createdByUserEmail: payment.createdByUserEmail,
    createdByUserProfile: null,
    paymentDate: payment.paymentDate,
    paymentAmount: payment.paymentAmount,
    paymentStatus: PAYMENT_STATUS_LABEL[payment.paymentStatus],
    paymentMode: PAYMENT_MODE_LABEL[payment.paymentMode],
    paymentType: PAYMENT_TYPE_LABEL[payment.paymentType],
    invoiceId: payment.invoiceId,
    transactionId: payment.transactionId,
    modifiedAt: payment.modifiedAt,
    modifiedByUserEmail: payment.modifiedByUserEmail,
    modifiedByUserProfile: null,
    bankName: payment.bankName,
    refundReason: payment.refundReason,
  };
}

/** status / paymentType (ids) and searchField (payment id, transaction id, e-mail) filters of A34/A35. */
export function filterPayments(rows: SimPayment[], query: Query): SimPayment[] {
  const statuses = query['status'] ? query['status'].split(',').map(Number) : null;
  const types = query['paymentType'] ? query['paymentType'].split(',').map(Number) : null;
  const search = query['searchField']?.trim().toLowerCase();
  return rows.filter(
    (payment) =>
      (!statuses || statuses.includes(payment.paymentStatus)) &&
      (!types || types.includes(payment.paymentType)) &&
      (!search ||
        String(payment.paymentId) === search ||
        (payment.transactionId ?? '').toLowerCase().includes(search) ||
        payment.createdByUserEmail.toLowerCase().includes(search)),
  );
}

/** `limit` (default `defaultLimit`, at most 500) and `pageNo` (default 1) paging with IQM's record counts. */
export function page<T>(rows: T[], query: Query, defaultLimit = 10) {
  const limit = Math.min(Math.max(Number(query['limit'] ?? defaultLimit) || defaultLimit, 1), 500);
  const pageNo = Math.max(Number(query['pageNo'] ?? 1) || 1, 1);
  return { data: rows.slice((pageNo - 1) * limit, pageNo * limit), totalRecords: rows.length, filteredRecords: rows.length };
}

/** IQM's `sortBy`: `-field` descending, `+field` or `field` ascending; null for an unsupported field. */
export function sortRows<T>(rows: T[], sortBy: string, keys: Record<string, (row: T) => number | string>): T[] | null {
  const match = /^([+-]?)(\w+)$/.exec(sortBy.trim());
  const key = match ? keys[match[2]!] : undefined;
  if (!match || !key) return null;
  const direction = match[1] === '-' ? -1 : 1;
  return [...rows].sort((a, b) => {
    const left = key(a);
    const right = key(b);
    return (left < right ? -1 : left > right ? 1 : 0) * direction;
  });
}

/** Whether `raw` is a plausible e-mail address. */
export function isEmail(raw: unknown): raw is string {
  return typeof raw === 'string' && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(raw);
}

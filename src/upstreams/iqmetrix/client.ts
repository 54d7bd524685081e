import { decodeWire, type UpstreamCallObserver, type UpstreamHttpClient } from '../http.js';
import { BadUserInputError, UnauthenticatedError, errorForUpstreamStatus } from '../../errors.js';
import { buildInvoiceSummaryFilter, isGuid, type InvoiceSummaryFilter } from './odata.js';
import {
  IqmetrixErrorBody,
  IqmetrixInvoice,
  IqmetrixInvoiceSummaryList,
  type IqmetrixCreateInvoiceBody,
  type IqmetrixInvoiceSummary,
} from './wire.js';

/** A D3 the upstream accepted (the created invoice), or refused for a business reason (its messages). */
export type IqmetrixCreateResult =
  | { readonly ok: true; readonly invoice: IqmetrixInvoice }
  | { readonly ok: false; readonly status: number; readonly errors: readonly string[] };

/** Statuses on which D3 reports a refusal of the invoice itself rather than a fault. */
// Not 409: undocumented for D3, and a proxy's 409 may follow an applied write (an ambiguous outcome).
const CREATE_REJECTION_STATUSES = [400, 422] as const;

function iqmetrixErrorMessage(body: unknown): string | undefined {
  const parsed = IqmetrixErrorBody.safeParse(body);
  return parsed.success ? parsed.data.Message : undefined;
}

/**
 * The iQmetrix Invoice API (D1–D3), one method per documented operation. Built per request with the
 * bearer token to send; every path value is validated before it is placed between the literal
 * parentheses of `Companies(…)` and `Invoices(…)`.
 */
export class IqmetrixClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly token: string | null,
    private readonly observe?: UpstreamCallObserver,
  ) {}

  /** D1: summaries of a company, newest first, filtered with OData `$filter` (omitted when nothing is filtered). */
  async invoiceSummaries(companyId: number, filter: InvoiceSummaryFilter = {}): Promise<IqmetrixInvoiceSummary[]> {
    const headers = this.headers();
    const $filter = buildInvoiceSummaryFilter(filter);
    const { body } = await this.http.json(
      {
        method: 'GET',
        route: '/Companies({CompanyId})/InvoiceSummaries',
        path: `/Companies(${companyPathValue(companyId)})/InvoiceSummaries`,
        query: { $filter },
        headers,
        errorMessage: iqmetrixErrorMessage,
      },
      this.observe,
    );
    return decodeWire('IQMETRIX', '/Companies({CompanyId})/InvoiceSummaries', IqmetrixInvoiceSummaryList, body);
  }

  /** D2: one full invoice, or null when the upstream answers 404. */
  async invoice(companyId: number, invoiceId: string): Promise<IqmetrixInvoice | null> {
    const headers = this.headers();
    const { status, body } = await this.http.json(
      {
        method: 'GET',
        route: '/Companies({CompanyId})/Invoices({InvoiceId})',
        path: `/Companies(${companyPathValue(companyId)})/Invoices(${guidPathValue(invoiceId, 'invoiceId')})`,
        headers,
        passStatuses: [404],
        errorMessage: iqmetrixErrorMessage,
      },
      this.observe,
    );
    if (status === 404) return null;
    return decodeWire('IQMETRIX', '/Companies({CompanyId})/Invoices({InvoiceId})', IqmetrixInvoice, body);
  }

  /** D3: creates an invoice; 400/409/422 come back as `{ ok: false }` with the upstream's messages. */
  async createInvoice(companyId: number, body: IqmetrixCreateInvoiceBody): Promise<IqmetrixCreateResult> {
    const headers = this.headers();
    const route = '/Companies({CompanyId})/Invoices';
    const response = await this.http.json(
      {
        method: 'POST',
        route,
        path: `/Companies(${companyPathValue(companyId)})/Invoices`,
        headers,
        json: body,
        passStatuses: CREATE_REJECTION_STATUSES,
        errorMessage: iqmetrixErrorMessage,
      },
      this.observe,
    );
    if (response.status >= 300) return { ok: false, status: response.status, errors: rejectionMessages(response.status, response.body) };
    if (response.status !== 201 && response.status !== 200) throw errorForUpstreamStatus('IQMETRIX', response.status);
    return { ok: true, invoice: decodeWire('IQMETRIX', route, IqmetrixInvoice, response.body) };
  }

  private headers(): Record<string, string> {
    if (this.token === null) {
      throw new UnauthenticatedError('IQMETRIX', "the caller's tenant has no iQmetrix credentials (TENANTS_FILE or IQMETRIX_TOKEN)");
    }
    return { authorization: `Bearer ${this.token}` };
  }
}

/** `Details` when the upstream lists the problems, else its `Message`; a generic line for a bare status. */
function rejectionMessages(status: number, body: unknown): string[] {
  const parsed = IqmetrixErrorBody.safeParse(body);
  if (!parsed.success) return [`iQmetrix refused the invoice (HTTP ${status})`];
  return parsed.data.Details && parsed.data.Details.length > 0 ? parsed.data.Details : [parsed.data.Message];
}

function companyPathValue(companyId: number): string {
  if (!Number.isSafeInteger(companyId) || companyId <= 0) {
    throw new BadUserInputError('iQmetrix: companyId must be a positive integer', { field: 'companyId' });
  }
  return String(companyId);
}

function guidPathValue(value: string, field: string): string {
  if (!isGuid(value)) throw new BadUserInputError(`iQmetrix: ${field} must be a GUID`, { field });
  return value.toLowerCase();
}

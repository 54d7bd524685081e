import {
  decodeWire,
  encodePathSegment,
  type QueryValue,
  type UpstreamCallObserver,
  type UpstreamHttpClient,
  type UpstreamRequest,
} from '../http.js';
import { ForbiddenError, UnauthenticatedError, errorForUpstreamStatus } from '../../errors.js';
import {
  IqmAvailableBalance,
  IqmErrorEnvelope,
  IqmFinanceDetails,
  IqmInvoiceList,
  IqmMessageEnvelope,
  IqmPaymentList,
  envelope,
} from './wire.js';
import type { z } from 'zod';

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
  readonly status?: number | null;
  readonly paymentType?: number | null;
  readonly searchField?: string | null;
  readonly limit: number;
  readonly pageNo: number;
  readonly sortBy?: string | null;
}

/** Statuses on which IQM puts a business rejection (`errorObjects`) in the body of a write. */
const WRITE_REJECTION_STATUSES = [400, 403, 404, 409, 422] as const;

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
  availableBalance(owId: number, isCustomerRequest: boolean): Promise<number> {
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

  private headers(): Record<string, string> {
    if (!this.credentials) {
      throw new UnauthenticatedError('IQM', 'send Authorization: Bearer <token> and X-IAA-OW-ID, or configure IQM_TOKEN and IQM_OW_ID');
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
    return decodeWire('IQM', route, envelope(schema), body).data as T;
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

/** IQM reports refusals as `{ success:false, errorObjects }` at the top level or nested in `data`. */
function findRejection(body: unknown): string[] | null {
  for (const candidate of [body, isRecord(body) ? body['data'] : undefined]) {
    const parsed = IqmErrorEnvelope.safeParse(candidate);
    if (parsed.success) return parsed.data.errorObjects.map((item) => item.error);
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

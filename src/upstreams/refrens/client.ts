import { decodeWire, encodePathSegment, type UpstreamCallObserver, type UpstreamHttpClient } from '../http.js';
import { UnauthenticatedError, errorForUpstreamStatus } from '../../errors.js';
import { decimalToWireNumber, type Decimal } from '../../domain/money.js';
import type { RefrensPaymentMethod } from '../../domain/models.js';
import { paymentMethodToWire } from './mapping.js';
import { RefrensError, RefrensPayment, RefrensPaymentList, type RefrensAddPaymentBody } from './wire.js';

/** C1 and C2 share one documented route. */
const PAYMENTS_ROUTE = '/businesses/{urlKey}/invoices/{invoice}/payments';

/** Statuses on which Refrens puts a business rejection (a Feathers error naming fields) in a C1 answer. */
// Not 409: undocumented for C1, and a proxy's 409 may follow an applied write (an ambiguous outcome).
const WRITE_REJECTION_STATUSES = [400, 422] as const;

/** A C1 payment in the gateway's terms; the client converts it to Refrens' body. */
export interface RefrensAddPaymentRequest {
  readonly amount: Decimal;
  readonly tds?: Decimal | null;
  readonly transactionCharge?: Decimal | null;
  readonly method: RefrensPaymentMethod;
  /** Refrens records its own clock when absent. */
  readonly paidAt?: Date | null;
  readonly notes?: string | null;
  /** C1 `refId`. */
  readonly reference?: string | null;
}

/** One field Refrens named in a rejection; `field` is null when the error names none. */
export interface RefrensFieldError {
  readonly field: string | null;
  readonly message: string;
}

/** A payment Refrens recorded (its 201 body), or refused for a business reason (400/409/422). */
export type RefrensAddPaymentResult =
  | { readonly ok: true; readonly payment: RefrensPayment }
  | {
      readonly ok: false;
      readonly status: number;
      /** The messages, one per field error (or Refrens' `message` when it names no field). */
      readonly errors: readonly string[];
      readonly fieldErrors: readonly RefrensFieldError[];
    };

function refrensErrorMessage(body: unknown): string | undefined {
  const parsed = RefrensError.safeParse(body);
  return parsed.success ? parsed.data.message : undefined;
}

/**
 * The Refrens invoice-payments API (C1, C2). Built per request with the bearer JWT the gateway is
 * configured with; `token` null means none is configured and no call is made.
 */
export class RefrensClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly token: string | null,
    private readonly observe?: UpstreamCallObserver,
  ) {}

  /** C2: every payment on the invoice, removed and unapproved ones included, in Refrens' order. */
  async invoicePayments(urlKey: string, invoiceId: string): Promise<RefrensPayment[]> {
    const { body } = await this.http.json(
      {
        method: 'GET',
        route: PAYMENTS_ROUTE,
        path: paymentsPath(urlKey, invoiceId),
        // The doc marks Content-Type as required on the GET as well.
        headers: { ...this.headers(), 'content-type': 'application/json' },
        errorMessage: refrensErrorMessage,
      },
      this.observe,
    );
    return decodeWire('REFRENS', PAYMENTS_ROUTE, RefrensPaymentList, body).payments;
  }

  /**
   * C1. 401 throws UNAUTHENTICATED and an unknown business or invoice NOT_FOUND (both from the
   * shared status mapping); validation and balance refusals come back as `ok: false`.
   */
  async addPayment(urlKey: string, invoiceId: string, request: RefrensAddPaymentRequest): Promise<RefrensAddPaymentResult> {
    const { status, body } = await this.http.json(
      {
        method: 'POST',
        route: PAYMENTS_ROUTE,
        path: paymentsPath(urlKey, invoiceId),
        headers: this.headers(),
        json: addPaymentBody(request),
        passStatuses: WRITE_REJECTION_STATUSES,
        errorMessage: refrensErrorMessage,
      },
      this.observe,
    );
    if (status >= 300) {
      const rejection = RefrensError.safeParse(body);
      if (!rejection.success) throw errorForUpstreamStatus('REFRENS', status);
      const fieldErrors = fieldErrorsOf(rejection.data);
      return { ok: false, status, errors: fieldErrors.map((error) => error.message), fieldErrors };
    }
    return { ok: true, payment: decodeWire('REFRENS', PAYMENTS_ROUTE, RefrensPayment, body) };
  }

  private headers(): Record<string, string> {
    if (this.token === null) throw new UnauthenticatedError('REFRENS', "the caller's tenant has no Refrens credentials (TENANTS_FILE or REFRENS_TOKEN)");
    return { authorization: `Bearer ${this.token}` };
  }
}

function paymentsPath(urlKey: string, invoiceId: string): string {
  return `/businesses/${encodePathSegment(urlKey)}/invoices/${encodePathSegment(invoiceId)}/payments`;
}

/** The one place C1 amounts leave Decimal: JSON numbers, as the doc's body table types them. */
function addPaymentBody(request: RefrensAddPaymentRequest): RefrensAddPaymentBody {
  const body: RefrensAddPaymentBody = {
    amount: decimalToWireNumber(request.amount),
    paymentMethod: paymentMethodToWire(request.method),
  };
  if (request.tds != null) body.tds = decimalToWireNumber(request.tds);
  if (request.transactionCharge != null) body.transactionCharge = decimalToWireNumber(request.transactionCharge);
  if (request.paidAt != null) body.paymentDate = request.paidAt.toISOString();
  if (request.notes != null) body.notes = request.notes;
  if (request.reference != null) body.refId = request.reference;
  return body;
}

/**
 * Feathers puts field errors in `errors` as `{ field: message }` (or, from some validators, an
 * array of `{ path|field, message }`); without any, the top-level `message` is the one error.
 */
function fieldErrorsOf(error: RefrensError): RefrensFieldError[] {
  const found: RefrensFieldError[] = [];
  const { errors } = error;
  if (Array.isArray(errors)) {
    for (const item of errors as unknown[]) {
      if (typeof item === 'string') found.push({ field: null, message: item });
      else if (isRecord(item) && typeof item['message'] === 'string') {
        const field = typeof item['field'] === 'string' ? item['field'] : typeof item['path'] === 'string' ? item['path'] : null;
        found.push({ field, message: item['message'] });
      }
    }
  } else if (isRecord(errors)) {
    for (const [field, value] of Object.entries(errors)) {
      if (typeof value === 'string') found.push({ field, message: value });
      else if (isRecord(value) && typeof value['message'] === 'string') found.push({ field, message: value['message'] });
    }
  }
  return found.length > 0 ? found : [{ field: null, message: error.message }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

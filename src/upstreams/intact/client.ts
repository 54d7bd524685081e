import { decodeWire, type UpstreamCallObserver, type UpstreamHttpClient } from '../http.js';
import { NotFoundError, UpstreamBadResponseError, errorForUpstreamStatus } from '../../errors.js';
import { decimalToWireNumber, type Decimal } from '../../domain/money.js';
import {
  IntactFailure,
  IntactLedgerPage,
  IntactPostSuccess,
  failureMessages,
  toIntactDateTime,
  type IntactAllocation,
  type IntactReceipt,
  type IntactReceiptBody,
} from './wire.js';

const LEDGER_ROUTE = '/CustomerLedger';

/** B1's filters and window. `skip` counts items to leave out (0-based), `fetch` how many to return. */
export interface IntactLedgerQuery {
  readonly accountCode: string;
  readonly number?: string | null;
  readonly reference?: string | null;
  readonly currency?: string | null;
  /** Exact debit amount of the items wanted. */
  readonly debitAmount?: Decimal | null;
  /** Inclusive, on the item's Date. */
  readonly fromDate?: Date | null;
  /** Inclusive, on the item's Date. */
  readonly toDate?: Date | null;
  readonly skip: number;
  readonly fetch: number;
}

/** B2: a receipt for an account and the invoices it pays off. */
export interface IntactReceiptRequest {
  readonly accountCode: string;
  readonly amountPaid: Decimal;
  readonly datePaid: Date;
  readonly paymentBranchCode: string;
  readonly receiptTypeCode: string;
  readonly items: readonly { readonly number: string; readonly amountPaid: Decimal }[];
}

/** B2's answer: the posted receipt and its allocations, or Intact's reasons for refusing it. */
export type IntactPostResult =
  | { readonly ok: true; readonly receipt: IntactReceipt; readonly allocations: readonly IntactAllocation[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Statuses on which a B2 refusal is still read from the body. Intact documents refusals as HTTP 200
 * `Success:false`; an ASP.NET front may still answer 400 to a body it cannot bind.
 */
const WRITE_REJECTION_STATUSES = [400, 422] as const;

/** B1 messages that mean "no such account" rather than "bad request". */
const UNKNOWN_ACCOUNT = /\b(account|customer)\b.*\b(not found|unknown|does not exist|doesn't exist|invalid)\b/i;

function isMarkedFailure(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { Success?: unknown }).Success === false;
}

function intactErrorMessage(body: unknown): string | undefined {
  const parsed = IntactFailure.safeParse(body);
  return parsed.success ? failureMessages(parsed.data).join('; ') : undefined;
}

/**
 * The Intact iQ customer ledger API, one method per documented operation. Intact answers business
 * failures as HTTP 200 with `Success:false`; any other status goes through the shared status mapping.
 */
export class IntactClient {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly token: string | null,
    private readonly observe?: UpstreamCallObserver,
  ) {}

  /**
   * B1: one window of an account's ledger. A `Success:false` answer is thrown: NOT_FOUND when the
   * message says the account is unknown, UPSTREAM_BAD_RESPONSE (with Intact's message) otherwise,
   * since every other refusal means the gateway sent a request Intact did not accept.
   */
  async ledger(query: IntactLedgerQuery): Promise<IntactLedgerPage> {
    const { body } = await this.http.json(
      {
        method: 'GET',
        route: LEDGER_ROUTE,
        path: LEDGER_ROUTE,
        query: {
          accountCode: query.accountCode,
          number: query.number,
          reference: query.reference,
          currency: query.currency,
          debitamount: query.debitAmount?.toFixed(),
          fromDate: query.fromDate ? toIntactDateTime(query.fromDate) : null,
          toDate: query.toDate ? toIntactDateTime(query.toDate) : null,
          skip: query.skip,
          fetch: query.fetch,
        },
        headers: this.headers(),
        errorMessage: intactErrorMessage,
      },
      this.observe,
    );
    // Only a body saying `Success: false` can be a failure: a page is never parsed twice (issue 16).
    const failure = isMarkedFailure(body) ? IntactFailure.safeParse(body) : null;
    if (failure?.success) {
      const message = failureMessages(failure.data).join('; ');
      if (UNKNOWN_ACCOUNT.test(message)) throw new NotFoundError(`INTACT: ${message}`, 'INTACT');
      throw new UpstreamBadResponseError('INTACT', `${LEDGER_ROUTE} refused: ${message}`);
    }
    return decodeWire('INTACT', `GET ${LEDGER_ROUTE}`, IntactLedgerPage, body);
  }

  /** B2: posts a receipt and allocates it. A refusal is returned (`ok:false`), never thrown. */
  async postReceipt(request: IntactReceiptRequest): Promise<IntactPostResult> {
    const json: IntactReceiptBody = {
      accountcode: request.accountCode,
      amountpaid: decimalToWireNumber(request.amountPaid),
      datepaid: toIntactDateTime(request.datePaid),
      paymentbranchcode: request.paymentBranchCode,
      receipttypecode: request.receiptTypeCode,
      items: request.items.map((item) => ({ number: item.number, amountpaid: decimalToWireNumber(item.amountPaid) })),
    };
    const { status, body } = await this.http.json(
      {
        method: 'POST',
        route: LEDGER_ROUTE,
        path: LEDGER_ROUTE,
        json,
        headers: this.headers(),
        passStatuses: WRITE_REJECTION_STATUSES,
        errorMessage: intactErrorMessage,
      },
      this.observe,
    );
    const failure = IntactFailure.safeParse(body);
    if (failure.success) return { ok: false, errors: failureMessages(failure.data) };
    if (status >= 300) throw errorForUpstreamStatus('INTACT', status);
    const success = decodeWire('INTACT', `POST ${LEDGER_ROUTE}`, IntactPostSuccess, body);
    return { ok: true, receipt: success.Receipt, allocations: success.Allocations };
  }

  private headers(): Record<string, string> {
    return this.token === null ? {} : { authorization: `Bearer ${this.token}` };
  }
}

import { Decimal as BaseDecimal } from 'decimal.js';
import { LosslessNumber } from 'lossless-json';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SimulatorServer, type SimulatorServerOptions } from '../simulatorServer.js';
import { toIntactDateTime } from './wire.js';
import { IntactSimulatorState, type IntactSeedOptions, type SimLedgerItem } from './simulatorState.js';

/** Arithmetic as a .NET decimal does it (28–29 significant digits), not decimal.js's default 20. */
const Decimal = BaseDecimal.clone({ precision: 29 });
type Decimal = BaseDecimal;

/** The demo company's bearer token: it sees accounts CUS000001–CUS000003. */
export const INTACT_DEMO_TOKEN = 'demo-intact-token';
/** A second demo company's bearer token: it sees account CUS000004 only. */
export const INTACT_DEMO_TOKEN_B = 'demo-intact-token-b';

/** Each Intact company has its own token and sees only its own customer accounts. */
const DEMO_COMPANIES: readonly IntactCompany[] = [
  { token: INTACT_DEMO_TOKEN, accountCodes: ['CUS000001', 'CUS000002', 'CUS000003'] },
  { token: INTACT_DEMO_TOKEN_B, accountCodes: ['CUS000004'] },
];

export interface IntactCompany {
  readonly token: string;
  /** The accounts this company's token may read and post to; null: every account. */
  readonly accountCodes: readonly string[] | null;
}

const DEFAULT_FETCH = 100;
const MAX_FETCH = 500;

export interface IntactSimulatorOptions extends SimulatorServerOptions, IntactSeedOptions {
  /**
   * The one bearer token accepted, for every account; `null` accepts any request. Without either
   * option the two demo companies' tokens are accepted, each for its own accounts. A request without
   * an accepted token gets Intact's HTTP 401 `{ Success:false, ErrorMessage:'Unauthorized' }`.
   */
  readonly token?: string | null;
  readonly companies?: readonly IntactCompany[];
}

type Params = ReadonlyMap<string, string>;

/**
 * The embedded Intact iQ customer ledger (B1, B2). Like the .NET original it binds query and body
 * keys without regard to case and reports business failures as HTTP 200 `Success:false`. A refused
 * B2 changes nothing.
 */
/**
 * B1 has no JSON sample; its table types amounts `decimal` and `Id` `long`. The simulator answers them
 * as JSON numbers (its default) or as strings; tests switch `answerVariants` so both reach the gateway.
 */
export const INTACT_ANSWER_VARIANTS = { B1: ['numbers', 'quoted'] } as const;
export type IntactAnswerVariants = { -readonly [Op in keyof typeof INTACT_ANSWER_VARIANTS]: (typeof INTACT_ANSWER_VARIANTS)[Op][number] };

export class IntactSimulator extends SimulatorServer {
  readonly state: IntactSimulatorState;
  /** Which form B1's numbers take (INTACT_ANSWER_VARIANTS). */
  readonly answerVariants: IntactAnswerVariants = { B1: 'numbers' };
  /** The accounts the request's company may see (absent: every account). */
  private readonly visibleAccounts = new WeakMap<FastifyRequest, readonly string[] | null>();

  constructor(options: IntactSimulatorOptions = {}) {
    super('INTACT', options);
    this.state = new IntactSimulatorState(options);
    const companies =
      options.token === null ? null : options.token !== undefined ? [{ token: options.token, accountCodes: null }] : (options.companies ?? DEMO_COMPANIES);
    if (companies !== null) {
      this.app.addHook('preHandler', async (request, reply) => {
        const company = companies.find((candidate) => request.headers.authorization === `Bearer ${candidate.token}`);
        if (!company) return reply.code(401).send({ Success: false, ErrorMessage: 'Unauthorized' });
        this.visibleAccounts.set(request, company.accountCodes);
        return undefined;
      });
    }
    this.app.get('/CustomerLedger', (request, reply) => this.readLedger(request, reply));
    this.app.post('/CustomerLedger', (request, reply) => this.postReceipt(request, reply));
  }

  /** Base URL to configure as INTACT_BASE_URL: the origin, as Intact has no path prefix. */
  get baseUrl(): string {
    return this.origin;
  }

  /** Another company's account is answered exactly like one that does not exist. */
  private sees(request: FastifyRequest, accountCode: string): boolean {
    const visible = this.visibleAccounts.get(request);
    return this.state.accounts.has(accountCode) && (!visible || visible.includes(accountCode));
  }

  /** B1 */
  private async readLedger(request: FastifyRequest, reply: FastifyReply) {
    const fail = (message: string) => reply.send({ Items: [], TotalCount: 0, ErrorMessage: message, Success: false });
    const query = lowerCaseKeys(request.query);
    const accountCode = query.get('accountcode')?.trim();
    if (!accountCode) return fail('accountCode is required');
    if (!this.sees(request, accountCode)) return fail(`Account ${accountCode} not found`);

    const number = query.get('number');
    const reference = query.get('reference');
    const currency = query.get('currency')?.toUpperCase();
    const debitText = query.get('debitamount');
    const debit = debitText === undefined ? undefined : parseAmount(debitText);
    if (debit === null) return fail(`debitamount "${debitText}" is not a number`);
    const from = parseDateParam(query.get('fromdate'));
    if (from === null) return fail(`fromDate "${query.get('fromdate')}" is not a date`);
    const to = parseDateParam(query.get('todate'));
    if (to === null) return fail(`toDate "${query.get('todate')}" is not a date`);
    const skip = parseCount(query.get('skip'), 0);
    if (skip === null) return fail('skip must be a whole number of 0 or more');
    const fetch = parseCount(query.get('fetch'), DEFAULT_FETCH);
    if (fetch === null) return fail('fetch must be a whole number of 0 or more');

    const matching = this.state
      .ledgerOf(accountCode)
      .filter(
        (item) =>
          (number === undefined || item.number === number) &&
          (reference === undefined || item.reference === reference) &&
          (currency === undefined || item.currency === currency) &&
          (debit === undefined || item.debit.equals(debit)) &&
          (from === undefined || item.date >= from) &&
          (to === undefined || item.date <= to),
      )
      .sort((a, b) => b.date - a.date || (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
    return reply.send({
      Items: matching.slice(skip, skip + Math.min(fetch, MAX_FETCH)).map((item) => ledgerItemRow(item, this.answerVariants)),
      TotalCount: matching.length,
      ErrorMessage: null,
      Success: true,
    });
  }

  /** B2: every rule is checked before anything is written, so a refusal leaves the ledger as it was. */
  private async postReceipt(request: FastifyRequest, reply: FastifyReply) {
    const body = lowerCaseRecord(request.body);
    const errors: string[] = [];
    const refuse = () => reply.send({ Success: false, Receipt: null, Allocations: [], Errors: errors, ErrorMessage: errors.join('; ') });

    const accountCode = typeof body['accountcode'] === 'string' ? body['accountcode'].trim() : '';
    if (!accountCode) errors.push('accountcode is required');
    else if (!this.sees(request, accountCode)) errors.push(`Account ${accountCode} not found`);
    if (errors.length > 0) return refuse();
    const account = this.state.accounts.get(accountCode)!;

    const amountPaid = parseAmountValue(body['amountpaid']);
    if (amountPaid === null || !amountPaid.greaterThan(0)) errors.push('amountpaid must be greater than 0');
    const datePaid = typeof body['datepaid'] === 'string' ? parseDateParam(body['datepaid']) : null;
    if (datePaid === null || datePaid === undefined) errors.push('datepaid must be a date');
    for (const key of ['paymentbranchcode', 'receipttypecode']) {
      const value = body[key];
      if (typeof value !== 'string' || value.trim() === '') errors.push(`${key} is required`);
    }

    const rawItems = body['items'] ?? [];
    const allocations: { invoice: SimLedgerItem; amount: Decimal }[] = [];
    // What each invoice would still owe after the allocations read so far (a number may repeat).
    const outstanding = new Map<SimLedgerItem, Decimal>();
    let allocated = new Decimal(0);
    if (!Array.isArray(rawItems)) {
      errors.push('items must be a list');
    } else {
      rawItems.forEach((raw: unknown, index) => {
        const item = lowerCaseRecord(raw);
        const number = typeof item['number'] === 'string' ? item['number'] : null;
        const amount = parseAmountValue(item['amountpaid']);
        if (number === null) {
          errors.push(`items[${index}].number is required`);
          return;
        }
        if (amount === null || !amount.greaterThan(0)) {
          errors.push(`items[${index}].amountpaid for ${number} must be greater than 0`);
          return;
        }
        const invoice = this.state.invoiceOf(accountCode, number);
        if (!invoice || !invoice.unallocated.greaterThan(0)) {
          errors.push(`Invoice ${number} is not an open invoice of account ${accountCode}`);
          return;
        }
        const open = outstanding.get(invoice) ?? invoice.unallocated;
        if (amount.greaterThan(open)) {
          errors.push(`Allocation of ${amount.toFixed()} to invoice ${number} exceeds its outstanding ${open.toFixed()}`);
          return;
        }
        outstanding.set(invoice, open.minus(amount));
        allocations.push({ invoice, amount });
        allocated = allocated.plus(amount);
      });
    }
    if (amountPaid !== null && allocated.greaterThan(amountPaid)) {
      errors.push(`Allocations total ${allocated.toFixed()} exceeds the amount paid ${amountPaid.toFixed()}`);
    }
    if (errors.length > 0 || amountPaid === null || datePaid === null || datePaid === undefined) return refuse();

    const receipt = this.state.addReceipt(account.accountCode, {
      amount: amountPaid,
      unallocated: amountPaid.minus(allocated),
      date: datePaid,
    });
    const answered = allocations.map(({ invoice, amount }) => {
      invoice.unallocated = invoice.unallocated.minus(amount);
      return { Number: invoice.number, Amount: amount, Unallocated: invoice.unallocated };
    });
    return reply.send({
      Success: true,
      Receipt: { Number: receipt.number, Amount: receipt.credit, Unallocated: receipt.unallocated },
      Allocations: answered,
      Errors: [],
      ErrorMessage: null,
    });
  }
}

/** A B1 item as Intact writes it. */
export function ledgerItemRow(item: SimLedgerItem, variants: IntactAnswerVariants = { B1: 'numbers' }) {
  // A .NET serializer set to write decimals and longs as strings: the B1 table types them, the doc shows no sample.
  const quoted = variants.B1 === 'quoted';
  const amount = (value: Decimal | null) => (value === null ? null : quoted ? value.toFixed() : value);
  return {
    Id: quoted ? String(item.id) : item.id,
    Date: toIntactDateTime(new Date(item.date)),
    DueDate: item.dueDate === null ? null : toIntactDateTime(new Date(item.dueDate)),
    Number: item.number,
    Reference: item.reference,
    Type: item.type,
    Debit: amount(item.debit),
    Credit: amount(item.credit),
    Unallocated: amount(item.unallocated),
    Currency: item.currency,
  };
}

/** Query parameters by lower-case name (first value of a repeated one). */
function lowerCaseKeys(query: unknown): Params {
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(lowerCaseRecord(query))) {
    const first = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof first === 'string') params.set(name, first);
  }
  return params;
}

function lowerCaseRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key.toLowerCase(), entry]));
}

/** A decimal literal, or null when `text` is not one. */
function parseAmount(text: string): Decimal | null {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? new Decimal(text.trim()) : null;
}

/** A JSON amount: a number (read through its shortest text, so 0.1 is exactly 0.1) or a numeric string. */
function parseAmountValue(value: unknown): Decimal | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(String(value)) : null;
  // A .NET decimal holds 28-29 digits: a long JSON number keeps them all.
  if (value instanceof LosslessNumber) return new Decimal(value.value);
  if (typeof value === 'string') return parseAmount(value);
  return null;
}

/** Absent → undefined; `YYYY-MM-DD` or ISO date-time (no zone means UTC) → epoch ms; otherwise null. */
function parseDateParam(text: string | undefined): number | null | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}

function parseCount(text: string | undefined, fallback: number): number | null {
  if (text === undefined || text.trim() === '') return fallback;
  return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
}

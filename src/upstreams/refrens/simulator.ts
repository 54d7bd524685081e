import { Decimal } from 'decimal.js';
import { LosslessNumber } from 'lossless-json';
import type { FastifyReply } from 'fastify';
import { SimulatorServer, type SimulatorServerOptions } from '../simulatorServer.js';
import {
  RefrensSimulatorState,
  type RefrensSeedOptions,
  type SimRefrensBusiness,
  type SimRefrensInvoice,
  type SimRefrensPayment,
} from './simulatorState.js';
import { REFRENS_WIRE_PAYMENT_METHODS, type RefrensWirePaymentMethod } from './wire.js';

/** The bearer JWT the simulator accepts unless told otherwise. */
export const REFRENS_DEMO_TOKEN = 'demo-refrens-jwt';

/** C1 and C2, as registered. */
const PAYMENTS_ROUTE = '/businesses/:urlKey/invoices/:invoice/payments';

export interface RefrensSimulatorOptions extends SimulatorServerOptions, RefrensSeedOptions {
  /** The one bearer token accepted (default REFRENS_DEMO_TOKEN). */
  readonly token?: string;
}

interface PaymentsParams {
  readonly urlKey: string;
  readonly invoice: string;
}

/** Feathers' error names for the statuses the simulator answers with. */
const FEATHERS_ERRORS: Readonly<Record<number, { name: string; className: string }>> = {
  400: { name: 'BadRequest', className: 'bad-request' },
  401: { name: 'NotAuthenticated', className: 'not-authenticated' },
  404: { name: 'NotFound', className: 'not-found' },
  500: { name: 'GeneralError', className: 'general-error' },
};

/** Exactly the doc's 401 body. */
const NOT_AUTHENTICATED = {
  name: 'NotAuthenticated',
  message: 'Invalid login',
  code: 401,
  className: 'not-authenticated',
  data: { message: 'Invalid login' },
  errors: {},
} as const;

/**
 * The embedded Refrens invoice-payments API (C1, C2) with the doc's Feathers error shapes: 401
 * NotAuthenticated without the bearer token, 404 NotFound for an unknown business or invoice, 400
 * BadRequest naming the fields C1 refuses (nothing is stored then), including a payment that would
 * take the invoice's approved, non-removed payments past its total.
 */
export class RefrensSimulator extends SimulatorServer {
  readonly state: RefrensSimulatorState;
  private readonly token: string;

  constructor(options: RefrensSimulatorOptions = {}) {
    super('REFRENS', options);
    this.token = options.token ?? REFRENS_DEMO_TOKEN;
    this.state = new RefrensSimulatorState(options);

    // Body-parser and other framework errors answer in Feathers' shape too.
    this.app.setErrorHandler((error, _request, reply) => {
      const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
      const message = error instanceof Error ? error.message : 'Request failed';
      return status < 500 ? reply.code(400).send(feathersError(400, message)) : reply.code(500).send(feathersError(500, message));
    });
    this.app.setNotFoundHandler((request, reply) => reply.code(404).send(feathersError(404, `Page not found: ${request.url}`)));
    this.app.addHook('preHandler', async (request, reply) => {
      if (request.headers.authorization !== `Bearer ${this.token}`) return reply.code(401).send(NOT_AUTHENTICATED);
      return undefined;
    });

    // C2
    this.app.get<{ Params: PaymentsParams }>(PAYMENTS_ROUTE, async (request, reply) => {
      const found = this.invoiceFromPath(request.params, reply);
      if (!found) return reply;
      return { payments: found.invoice.payments.map(paymentWire) };
    });

    // C1
    this.app.post<{ Params: PaymentsParams; Body: unknown }>(PAYMENTS_ROUTE, async (request, reply) => {
      const found = this.invoiceFromPath(request.params, reply);
      if (!found) return reply;
      const checked = checkAddPayment(request.body);
      if (!checked.ok) return reply.code(400).send(feathersError(400, Object.values(checked.errors).join('; '), checked.errors));
      const { business, invoice } = found;
      const value = checked.value;
      if (this.state.settledAmount(invoice).plus(value.amount).greaterThan(invoice.total)) {
        const message = 'Payment exceeds the invoice balance';
        return reply.code(400).send(feathersError(400, message, { amount: message }));
      }
      const recordedAt = this.state.now();
      const payment: SimRefrensPayment = {
        _id: this.state.allocateObjectId(recordedAt),
        business: business.businessId,
        payerBusiness: business.payerBusinessId,
        appId: business.appId,
        amount: value.amount,
        tds: value.tds,
        transactionCharge: value.transactionCharge,
        paymentDate: new Date(value.paymentDate ?? recordedAt).toISOString(),
        paymentMethod: value.paymentMethod,
        notes: value.notes,
        refId: value.refId,
        isApproved: true,
        isRemoved: false,
      };
      invoice.payments.push(payment);
      return reply.code(201).send(paymentWire(payment));
    });
  }

  /** The origin; Refrens' paths start at `/businesses`, so this is the REFRENS_BASE_URL to configure. */
  get baseUrl(): string {
    return this.origin;
  }

  private invoiceFromPath(params: PaymentsParams, reply: FastifyReply): { business: SimRefrensBusiness; invoice: SimRefrensInvoice } | undefined {
    const business = this.state.businesses.get(params.urlKey);
    if (!business) {
      void reply.code(404).send(feathersError(404, `No business found for urlKey '${params.urlKey}'`));
      return undefined;
    }
    const invoice = business.invoices.get(params.invoice);
    if (!invoice) {
      void reply.code(404).send(feathersError(404, `No record found for id '${params.invoice}'`));
      return undefined;
    }
    return { business, invoice };
  }
}

/** A Feathers error body `{ name, message, code, className, data, errors }`. */
export function feathersError(code: 400 | 401 | 404 | 500, message: string, errors: Record<string, string> = {}) {
  const kind = FEATHERS_ERRORS[code] ?? { name: 'GeneralError', className: 'general-error' };
  return { name: kind.name, message, code, className: kind.className, data: {}, errors };
}

/** A payment as C1/C2 write it, in the doc's field order; notes and refId only when recorded. */
export function paymentWire(payment: SimRefrensPayment) {
  return {
    tds: payment.tds,
    transactionCharge: payment.transactionCharge,
    amount: payment.amount,
    paymentDate: payment.paymentDate,
    paymentMethod: payment.paymentMethod,
    ...(payment.notes !== null ? { notes: payment.notes } : {}),
    business: payment.business,
    payerBusiness: payment.payerBusiness,
    isApproved: payment.isApproved,
    isRemoved: payment.isRemoved,
    appId: payment.appId,
    _id: payment._id,
    ...(payment.refId !== null ? { refId: payment.refId } : {}),
  };
}

interface CheckedPayment {
  readonly amount: Decimal;
  readonly tds: Decimal;
  readonly transactionCharge: Decimal;
  readonly paymentMethod: RefrensWirePaymentMethod;
  /** Epoch ms, or null for "now". */
  readonly paymentDate: number | null;
  readonly notes: string | null;
  readonly refId: string | null;
}

type CheckResult = { ok: true; value: CheckedPayment } | { ok: false; errors: Record<string, string> };

const ISO_DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** C1 body rules: every failing field is named in `errors`. */
function checkAddPayment(body: unknown): CheckResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: { body: 'The request body must be a JSON object' } };
  }
  const input = body as Record<string, unknown>;
  const errors: Record<string, string> = {};

  const amount = readAmount(input, 'amount', errors, { required: true, positive: true });
  const tds = readAmount(input, 'tds', errors, { required: false, positive: false });
  const transactionCharge = readAmount(input, 'transactionCharge', errors, { required: false, positive: false });

  const method = input['paymentMethod'];
  const paymentMethod = REFRENS_WIRE_PAYMENT_METHODS.find((candidate) => candidate === method);
  if (method === undefined || method === null) errors['paymentMethod'] = 'paymentMethod is required';
  else if (!paymentMethod) errors['paymentMethod'] = `paymentMethod must be one of ${REFRENS_WIRE_PAYMENT_METHODS.join(', ')}`;

  let paymentDate: number | null = null;
  const date = input['paymentDate'];
  if (date !== undefined && date !== null) {
    paymentDate = typeof date === 'string' ? parseIsoDate(date) : null;
    if (paymentDate === null) errors['paymentDate'] = 'paymentDate must be an ISO-8601 date or date-time';
  }

  const notes = readText(input, 'notes', errors);
  const refId = readText(input, 'refId', errors);

  if (Object.keys(errors).length > 0 || !amount || !paymentMethod) return { ok: false, errors };
  return {
    ok: true,
    value: {
      amount,
      tds: tds ?? new Decimal(0),
      transactionCharge: transactionCharge ?? new Decimal(0),
      paymentMethod,
      paymentDate,
      notes,
      refId,
    },
  };
}

/** A JSON-number amount with at most two decimals; null when absent or refused (then `errors` says why). */
function readAmount(
  input: Record<string, unknown>,
  field: string,
  errors: Record<string, string>,
  rule: { required: boolean; positive: boolean },
): Decimal | null {
  // Refrens types amounts `number` (a JavaScript server): a long JSON number becomes the nearest double.
  const value = input[field] instanceof LosslessNumber ? Number(input[field].value) : input[field];
  if (value === undefined || value === null) {
    if (rule.required) errors[field] = `${field} is required`;
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    errors[field] = `${field} must be a number`;
    return null;
  }
  // The JSON literal the client wrote is the shortest round-trip text of the number.
  const amount = new Decimal(String(value));
  if (rule.positive ? !amount.greaterThan(0) : amount.isNegative()) {
    errors[field] = rule.positive ? `${field} must be greater than 0` : `${field} must not be negative`;
    return null;
  }
  if (amount.decimalPlaces() > 2) {
    errors[field] = `${field} must have at most 2 decimal places`;
    return null;
  }
  return amount;
}

function readText(input: Record<string, unknown>, field: string, errors: Record<string, string>): string | null {
  const value = input[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors[field] = `${field} must be a string`;
    return null;
  }
  return value;
}

/** ISO-8601 only, zone-less times read as UTC, so the simulator's answers never depend on the host's zone. */
function parseIsoDate(text: string): number | null {
  const match = ISO_DATE_OR_INSTANT.exec(text.trim());
  if (!match) return null;
  const trimmed = text.trim();
  const withZone = match[1] !== undefined && match[4] === undefined ? `${trimmed}Z` : trimmed;
  // Date.parse rolls 2026-02-30 over to March; a real calendar date reads back unchanged.
  const datePart = trimmed.slice(0, 10);
  const midnight = Date.parse(`${datePart}T00:00:00.000Z`);
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== datePart) return null;
  const time = Date.parse(withZone);
  return Number.isNaN(time) ? null : time;
}

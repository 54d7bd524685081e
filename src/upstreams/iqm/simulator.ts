import type { FastifyReply, FastifyRequest } from 'fastify';
import { SimulatorServer, type SimulatorServerOptions } from '../simulatorServer.js';
import {
  INVOICE_STATUS,
  IqmSimulatorState,
  PAYMENT_MODE_LABEL,
  PAYMENT_STATUS_LABEL,
  PAYMENT_TYPE_LABEL,
  type IqmSeedOptions,
  type IqmTenant,
  type SimInvoice,
  type SimPayment,
} from './simulatorState.js';

/** IQM's base path; the simulator serves it so a configured IQM_BASE_URL looks the same. */
export const IQM_BASE_PATH = '/api/v3/fa';

export interface IqmSimulatorOptions extends SimulatorServerOptions, IqmSeedOptions {
  readonly tenants?: readonly IqmTenant[];
}

declare module 'fastify' {
  interface FastifyRequest {
    iqmTenant?: IqmTenant;
  }
}

type Query = Record<string, string | undefined>;

/**
 * The embedded IQM Finance API: the documented routes, envelopes and error shapes, with state that
 * changes as writes arrive. 401 without a known bearer token or with an X-IAA-OW-ID that is not the
 * token's organization; 422 `errorObjects` for refused transitions.
 */
export class IqmSimulator extends SimulatorServer {
  readonly state: IqmSimulatorState;

  constructor(options: IqmSimulatorOptions = {}) {
    super('IQM', options);
    this.state = new IqmSimulatorState(options.tenants, options);
    this.app.addHook('preHandler', async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const tenant = token ? this.state.tenantByToken(token) : undefined;
      if (!tenant || request.headers['x-iaa-ow-id'] !== String(tenant.organizationWorkspaceId)) {
        return reply.code(401).send(failure('Unauthorized: a valid bearer token and its X-IAA-OW-ID are required'));
      }
      request.iqmTenant = tenant;
      return undefined;
    });
    this.app.register((routes, _options, done) => {
      this.registerRoutes(routes);
      done();
    }, { prefix: IQM_BASE_PATH });
  }

  /** Base URL to configure as IQM_BASE_URL. */
  get baseUrl(): string {
    return this.origin + IQM_BASE_PATH;
  }

  private registerRoutes(routes: SimulatorServer['app']): void {
    const state = this.state;

    // A1
    routes.get('/customer/financial-details', async (request, reply) => {
      const customer = this.customerFromQuery(request, reply, 'owId');
      if (!customer) return reply;
      const credits = [...state.credits.values()]
        .filter((credit) => credit.owId === customer.owId && credit.status === 'Claimed')
        .reduce((total, credit) => total.plus(credit.creditAmount), state.customers.get(customer.owId)!.balance.times(0));
      return ok({
        pendingCampaigns: customer.pendingCampaigns,
        runningCampaigns: customer.runningCampaigns,
        totalCampaigns: customer.totalCampaigns,
        dataCost: customer.dataCost.toNumber(),
        actualSpent: customer.actualSpent.toNumber(),
        credits: credits.toNumber(),
        balance: customer.balance.toNumber(),
        spent: customer.spent.toNumber(),
        earning: customer.earning.toNumber(),
      });
    });

    // A16
    routes.get('/available-balance', async (request, reply) => {
      const query = request.query as Query;
      const tenant = request.iqmTenant!;
      if (query['isCustomerRequest'] === 'false') {
        return ok(state.organizationBalances.get(tenant.organizationWorkspaceId)?.toNumber() ?? 0);
      }
      const customer = this.customerFromQuery(request, reply, 'owId');
      if (!customer) return reply;
      return ok(customer.balance.toNumber());
    });

    // A19
    routes.get('/invoice/list/:owId', async (request, reply) => {
      const tenant = request.iqmTenant!;
      const owId = Number((request.params as { owId: string }).owId);
      const query = request.query as Query;
      const organizationView = owId === tenant.organizationWorkspaceId;
      if (!organizationView && !state.customerOf(tenant.organizationWorkspaceId, owId)) {
        return reply.code(403).send(failure('User is not allowed to access provided customer details'));
      }
      const statuses = query['status'] ? query['status'].split(',').map(Number) : null;
      const rows = [...state.invoices.values()].filter(
        (invoice) =>
          invoice.organizationWorkspaceId === tenant.organizationWorkspaceId &&
          (organizationView || invoice.owId === owId) &&
          (!statuses || statuses.includes(invoice.status)),
      );
      const sorted = sortRows(rows, query['sortBy'] ?? '-invoiceId', {
        invoiceId: (invoice) => invoice.invoiceId,
        issuedOn: (invoice) => invoice.issuedOn,
        invoiceAmount: (invoice) => invoice.invoiceAmount.toNumber(),
        status: (invoice) => invoice.status,
      });
      if (!sorted) return reply.code(422).send(failure(`Unsupported sortBy: ${query['sortBy']}`));
      return ok({ data: sorted.map(invoiceRow), totalRecords: rows.length, filteredRecords: rows.length });
    });

    // A35
    routes.get('/customer/payments/list', async (request, reply) => {
      const customer = this.customerFromQuery(request, reply, 'owId');
      if (!customer) return reply;
      const query = request.query as Query;
      const rows = filterPayments([...state.payments.values()].filter((payment) => payment.owId === customer.owId), query);
      const sorted = sortRows(rows, query['sortBy'] ?? '-modifiedAt', {
        modifiedAt: (payment) => payment.modifiedAt,
        paymentId: (payment) => payment.paymentId,
        paymentDate: (payment) => payment.paymentDate,
        paymentAmount: (payment) => payment.paymentAmount.toNumber(),
        organizationName: () => customer.name,
        paymentType: (payment) => payment.paymentType,
        paymentMode: (payment) => payment.paymentMode,
        paymentStatus: (payment) => payment.paymentStatus,
      });
      if (!sorted) return reply.code(422).send(failure(`Unsupported sortBy: ${query['sortBy']}`));
      return ok(page(sorted.map((payment) => paymentRow(payment, false)), query));
    });

    // A22
    routes.patch('/invoice-approve/:invoiceId', async (request, reply) => {
      const invoice = this.invoiceFromPath(request, reply);
      if (!invoice) return reply;
      if (invoice.status === INVOICE_STATUS.CANCELLED) return reply.code(422).send(failure('Invoice with the provided ID is cancelled and cannot be approved'));
      if (invoice.status !== INVOICE_STATUS.PENDING) return reply.code(422).send(failure('Invoice with the provided ID is already approved'));
      invoice.status = INVOICE_STATUS.UNPAID;
      this.recordAction(invoice, request);
      state.settleInvoice(invoice);
      return ok('Invoice with the provided ID approved successfully');
    });

    // A23
    routes.patch('/invoice-cancel/:invoiceId', async (request, reply) => {
      const invoice = this.invoiceFromPath(request, reply);
      if (!invoice) return reply;
      if (invoice.status === INVOICE_STATUS.CANCELLED) return reply.code(422).send(failure('Invoice with the provided ID is already cancelled'));
      if (invoice.status === INVOICE_STATUS.PAID || invoice.paidAmount.greaterThan(0)) {
        return reply.code(422).send(failure('Invoice with the provided ID has payments and cannot be cancelled'));
      }
      invoice.status = INVOICE_STATUS.CANCELLED;
      this.recordAction(invoice, request);
      return ok('Invoice with the provided ID rejected successfully');
    });
  }

  private recordAction(invoice: SimInvoice, request: FastifyRequest): void {
    const body = (request.body ?? {}) as { actionNote?: unknown };
    invoice.actionNote = typeof body.actionNote === 'string' ? body.actionNote : null;
    invoice.invoiceStatusUpdatedBy = request.iqmTenant!.userName;
    invoice.modifiedAt = this.state.now();
  }

  /** The caller's customer named by a query parameter, or a 403/422 answer already sent. */
  protected customerFromQuery(request: FastifyRequest, reply: FastifyReply, parameter: string) {
    const raw = (request.query as Query)[parameter];
    if (!raw || !/^\d+$/.test(raw)) {
      void reply.code(422).send(failure(`${parameter} is required`));
      return undefined;
    }
    const customer = this.state.customerOf(request.iqmTenant!.organizationWorkspaceId, Number(raw));
    if (!customer) {
      void reply.code(403).send(failure('User is not allowed to access provided customer details'));
      return undefined;
    }
    return customer;
  }

  protected invoiceFromPath(request: FastifyRequest, reply: FastifyReply): SimInvoice | undefined {
    const invoiceId = Number((request.params as { invoiceId: string }).invoiceId);
    const invoice = this.state.invoices.get(invoiceId);
    if (!invoice) {
      void reply.code(422).send(failure('Invoice with the provided ID does not exists'));
      return undefined;
    }
    if (invoice.organizationWorkspaceId !== request.iqmTenant!.organizationWorkspaceId) {
      void reply.code(422).send(failure('Invoice does not belong to the logged in organization workspace'));
      return undefined;
    }
    return invoice;
  }
}

export function ok(data: unknown): { success: true; data: unknown } {
  return { success: true, data };
}

export function failure(error: string): { success: false; errorObjects: { error: string }[] } {
  return { success: false, errorObjects: [{ error }] };
}

export function invoiceRow(invoice: SimInvoice) {
  return {
    invoiceId: invoice.invoiceId,
    invoiceFromDate: invoice.invoiceFromDate,
    invoiceToDate: invoice.invoiceToDate,
    issuedOn: invoice.issuedOn,
    invoiceAmount: invoice.invoiceAmount.toNumber(),
    status: invoice.status,
    paymentTerm: invoice.paymentTerm,
    paidAmount: invoice.paidAmount.toNumber(),
    paymentMode: invoice.paymentMode,
    invoiceName: invoice.invoiceName,
    actionNote: invoice.actionNote,
    invoiceStatusUpdatedBy: invoice.invoiceStatusUpdatedBy,
    modifiedAt: invoice.modifiedAt,
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
    paymentAmount: payment.paymentAmount.toNumber(),
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

/** `limit` (default 10, at most 500) and `pageNo` (default 1) paging with IQM's record counts. */
export function page<T>(rows: T[], query: Query) {
  const limit = Math.min(Math.max(Number(query['limit'] ?? 10) || 10, 1), 500);
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

import { Decimal } from 'decimal.js';
import type { GatewayContext } from '../context.js';
import { toIsoDate } from '../domain/dates.js';
import type { InvoiceModel, InvoiceStatus, IqmInvoiceModel } from '../domain/models.js';
import { ZERO, sumDecimals, type MoneyModel } from '../domain/money.js';
import { settledAmount } from '../upstreams/refrens/index.js';

/** The normalised amounts and status of an invoice from any system. */
export interface InvoiceFacts {
  readonly status: InvoiceStatus;
  readonly total: MoneyModel;
  readonly paid: MoneyModel;
  readonly outstanding: MoneyModel;
}

/** One request's facts: today's date (UTC) once, and each invoice's facts once. */
interface RequestFacts {
  readonly today: string;
  readonly byInvoice: WeakMap<InvoiceModel, Promise<InvoiceFacts>>;
}

/**
 * Keyed by the request's context, so the memo lives and dies with the request: status, total, paid
 * and outstanding of one invoice (and a sort or filter on them) share one computation, one date
 * and one load, instead of four.
 */
const factsByRequest = new WeakMap<GatewayContext, RequestFacts>();

/**
 * The shared invoice fields, computed once per invoice per request. IQM states status and paid
 * amount; for the other systems the gateway derives them from amounts (README, "Normalising
 * invoices"). All arithmetic is exact. May load more data through the request's loaders: a Refrens
 * invoice's payments (C2), an iQmetrix invoice's detail (D2) — so a field that needs only the total
 * reads invoiceTotal instead.
 */
export function invoiceFacts(context: GatewayContext, invoice: InvoiceModel): Promise<InvoiceFacts> {
  let request = factsByRequest.get(context);
  if (!request) {
    request = { today: toIsoDate(context.services.now()), byInvoice: new WeakMap() };
    factsByRequest.set(context, request);
  }
  let facts = request.byInvoice.get(invoice);
  if (!facts) {
    facts = computeFacts(context, invoice, request.today);
    request.byInvoice.set(invoice, facts);
  }
  return facts;
}

/** An invoice's total, which every system states with the invoice itself (iQmetrix in D1, Refrens in the directory): no load. */
export function invoiceTotal(invoice: InvoiceModel): MoneyModel {
  return invoice.kind === 'IntactInvoice' ? invoice.ledgerItem.debit : invoice.total;
}

async function computeFacts(context: GatewayContext, invoice: InvoiceModel, today: string): Promise<InvoiceFacts> {
  switch (invoice.kind) {
    case 'IqmInvoice':
      return iqmInvoiceFacts(invoice);
    case 'IntactInvoice': {
      const { debit, unallocated } = invoice.ledgerItem;
      const paid = Decimal.max(debit.amount.minus(unallocated.amount), ZERO);
      return {
        status: derivedStatus(debit.amount, paid, invoice.dueOn, today),
        total: debit,
        paid: withAmount(debit, paid),
        outstanding: unallocated,
      };
    }
    case 'RefrensInvoice': {
      const payments = await context.refrens.loaders.invoicePayments.load({ urlKey: invoice.urlKey, invoiceId: invoice.invoiceId });
      return amountsFacts(invoice.total, settledAmount(payments), invoice.dueOn, today);
    }
    case 'IqmetrixInvoice': {
      const detail = await context.iqmetrix.loaders.invoice.load({ companyId: invoice.companyId, invoiceId: invoice.invoiceId });
      const paid = sumDecimals((detail?.payments ?? []).map((payment) => payment.amount.amount));
      return amountsFacts(invoice.total, paid, invoice.dueOn, today);
    }
  }
}

/** IQM states status and paid amount; a cancelled invoice owes nothing and none owes less than zero. */
export function iqmInvoiceFacts(invoice: IqmInvoiceModel): InvoiceFacts {
  const outstanding = invoice.status === 'CANCELLED' ? ZERO : Decimal.max(invoice.total.amount.minus(invoice.paid.amount), ZERO);
  return { status: invoice.status, total: invoice.total, paid: invoice.paid, outstanding: withAmount(invoice.total, outstanding) };
}

function amountsFacts(total: MoneyModel, paid: Decimal, dueOn: string | null, today: string): InvoiceFacts {
  return {
    status: derivedStatus(total.amount, paid, dueOn, today),
    total,
    paid: withAmount(total, paid),
    outstanding: withAmount(total, Decimal.max(total.amount.minus(paid), ZERO)),
  };
}

function withAmount(like: MoneyModel, amount: Decimal): MoneyModel {
  return { amount, currencyCode: like.currencyCode };
}

/** PAID when settled; OVERDUE when money is still owed past the due date (UTC); else PARTIALLY_PAID or UNPAID. */
export function derivedStatus(total: Decimal, paid: Decimal, dueOn: string | null, today: string): InvoiceStatus {
  if (paid.greaterThanOrEqualTo(total)) return 'PAID';
  if (dueOn !== null && dueOn < today) return 'OVERDUE';
  return paid.greaterThan(0) ? 'PARTIALLY_PAID' : 'UNPAID';
}

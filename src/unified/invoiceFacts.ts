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
  /** The facts once known, else the promise of them. */
  readonly byInvoice: WeakMap<InvoiceModel, InvoiceFacts | Promise<InvoiceFacts>>;
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
 *
 * Answers the facts themselves, not a promise, whenever they are known (IQM and Intact invoices
 * always; the others once their load has settled): a resolver that returns a plain value lets
 * graphql-js complete the field, and the invoice object, without a promise or a microtask per field.
 */
export function invoiceFacts(context: GatewayContext, invoice: InvoiceModel): InvoiceFacts | Promise<InvoiceFacts> {
  let request = factsByRequest.get(context);
  if (!request) {
    request = { today: toIsoDate(context.services.now()), byInvoice: new WeakMap() };
    factsByRequest.set(context, request);
  }
  const known = request.byInvoice.get(invoice);
  if (known !== undefined) return known;
  const facts = computeFacts(context, invoice, request.today);
  request.byInvoice.set(invoice, facts);
  if (facts instanceof Promise) {
    const byInvoice = request.byInvoice;
    // A failed load stays the rejected promise: every field that asks gets its error.
    facts.then((settled) => byInvoice.set(invoice, settled), () => undefined);
  }
  return facts;
}

/** One fact of an invoice: the value when the facts are known, else a promise of it. */
export function invoiceFact<K extends keyof InvoiceFacts>(context: GatewayContext, invoice: InvoiceModel, key: K): InvoiceFacts[K] | Promise<InvoiceFacts[K]> {
  const facts = invoiceFacts(context, invoice);
  return facts instanceof Promise ? facts.then((settled) => settled[key]) : facts[key];
}

/** An invoice's total, which every system states with the invoice itself (iQmetrix in D1, Refrens in the directory): no load. */
export function invoiceTotal(invoice: InvoiceModel): MoneyModel {
  return invoice.kind === 'IntactInvoice' ? invoice.ledgerItem.debit : invoice.total;
}

function computeFacts(context: GatewayContext, invoice: InvoiceModel, today: string): InvoiceFacts | Promise<InvoiceFacts> {
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
    case 'RefrensInvoice':
      return context.refrens.loaders.invoicePayments
        .load({ urlKey: invoice.urlKey, invoiceId: invoice.invoiceId })
        .then((payments) => amountsFacts(invoice.total, settledAmount(payments), invoice.dueOn, today));
    case 'IqmetrixInvoice':
      return context.iqmetrix.loaders.invoice.load({ companyId: invoice.companyId, invoiceId: invoice.invoiceId }).then((detail) => {
        const paid = sumDecimals((detail?.payments ?? []).map((payment) => payment.amount.amount));
        return amountsFacts(invoice.total, paid, invoice.dueOn, today);
      });
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

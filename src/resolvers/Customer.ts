import type { CustomerResolvers, InvoiceOrder } from '../__generated__/resolvers-types.js';
import { customerSources } from '../directory/index.js';
import { money, toDecimal, totalsByCurrency } from '../domain/money.js';
import type { InvoiceModel, CustomerModel, UnavailableSourceModel } from '../domain/models.js';
import { connectionFromList, connectionFromWindow, pageWindow, type Connection } from '../domain/pagination.js';
import { customerGlobalId } from '../unified/customers.js';
import { invoiceReads, paymentReads } from '../unified/customerLists.js';
import { fanOut, newestFirst, reportAtField, unavailableSources } from '../unified/fanOut.js';
import { invoiceFacts, invoiceTotal } from '../unified/invoiceFacts.js';
import { prefetchIqmInvoicePayments } from '../unified/lookahead.js';
import { withoutUnreadableInvoices } from '../unified/rowReads.js';
import type { GatewayContext } from '../context.js';
import { customerFinanceFields } from './customerFinanceFields.js';
import { entityReference } from './entities.js';
import { kindsWithOwnReads, type KindWithOwnRead } from './kindsWithOwnReads.js';

const STATUS_ORDER = ['PENDING', 'PARTIALLY_PAID', 'UNPAID', 'PAID', 'OVERDUE', 'PROCESSING', 'CANCELLED'];

/** Sorts merged invoices; every order ends with the invoice number so pages are stable. */
async function sortInvoices(context: GatewayContext, invoices: InvoiceModel[], order: InvoiceOrder | null | undefined): Promise<InvoiceModel[]> {
  const field = order?.field ?? 'ISSUED_ON';
  const direction = order?.direction === 'ASC' ? 1 : -1;
  // Only a sort by status needs the facts (and their loads); totals come with the invoices.
  const facts = field === 'STATUS' ? await Promise.all(invoices.map((invoice) => invoiceFacts(context, invoice))) : null;
  const keyed = invoices.map((invoice, index) => ({
    invoice,
    key: field === 'ISSUED_ON' ? (invoice.issuedOn ?? '') : field === 'TOTAL' ? invoiceTotal(invoice).amount.toNumber() : STATUS_ORDER.indexOf(facts![index]!.status),
  }));
  keyed.sort((a, b) => {
    if (a.key !== b.key) return (a.key < b.key ? -1 : 1) * direction;
    return (a.invoice.number < b.invoice.number ? -1 : a.invoice.number > b.invoice.number ? 1 : 0) * direction;
  });
  return keyed.map((entry) => entry.invoice);
}

/** A merged list can hold invoices of every type. */
const MERGED_KINDS_WITH_OWN_READS: readonly KindWithOwnRead[] = ['IqmetrixInvoice', 'RefrensInvoice'];

/** A merged list's connection: its count only when every system answered, and the systems that did not. */
function mergedConnection<T>(connection: Connection<T>, { complete, unavailable }: { complete: boolean; unavailable: UnavailableSourceModel[] }) {
  return { ...connection, totalCount: complete ? connection.totalCount : null, unavailableSources: unavailable };
}

export const Customer: CustomerResolvers = {
  __resolveReference: entityReference<CustomerModel>('Customer'),
  ...customerFinanceFields,
  id: (customer) => customerGlobalId(customer),
  sources: (customer) => customerSources(customer),
  identities: (customer) => customer,

  invoices: async (customer, args, context, info) => {
    const window = pageWindow(args);
    const iqmPayments = prefetchIqmInvoicePayments(context, customer, args.filter, info);
    const merged = await fanOut(context, info, invoiceReads(context, customer, args.filter, args.orderBy), () => 0);
    const page = connectionFromList(await sortInvoices(context, merged.items, args.orderBy), window);
    // Only a page with IQM invoices waits for A35: a slow A35 must not hold up a page without one.
    if (page.nodes.some((invoice) => invoice.kind === 'IqmInvoice')) await iqmPayments;
    const readable = await withoutUnreadableInvoices(context, page, kindsWithOwnReads(info, MERGED_KINDS_WITH_OWN_READS));
    if (!readable) return mergedConnection(page, merged);
    reportAtField(context, info, readable.errors);
    return mergedConnection(readable.page, { complete: false, unavailable: [...merged.unavailable, ...readable.unavailable] });
  },

  payments: async (customer, args, context, info) => {
    const window = pageWindow(args);
    const merged = await fanOut(
      context,
      info,
      paymentReads(context, customer, args.filter),
      newestFirst(
        (payment) => payment.paidAt?.toISOString() ?? null,
        (payment) => `${payment.kind}:${'paymentId' in payment ? payment.paymentId : payment.number}`,
      ),
    );
    return mergedConnection(connectionFromList(merged.items, window), merged);
  },

  ledger: async (customer, args, context) => {
    const window = pageWindow(args);
    const accountCode = customer.identities.intactAccountCode;
    if (accountCode === null) return connectionFromList([], window);
    const filter = args.filter;
    // B1 pages by skip/fetch: the window goes to Intact as it is, TotalCount comes back with it.
    const page = await context.intact.loaders.ledgerPage.load({
      accountCode,
      number: filter?.number ?? null,
      reference: filter?.reference ?? null,
      currency: filter?.currencyCode ?? null,
      debitAmount: filter?.debitAmount ?? null,
      fromDate: filter?.from ?? null,
      toDate: filter?.to ?? null,
      skip: window.offset,
      fetch: window.limit,
    });
    return connectionFromWindow(page.items, window, page.totalCount);
  },

  balances: async (customer, _args, context, info) => {
    const { items } = await fanOut(context, info, invoiceReads(context, customer, null, null, true), () => 0);
    const facts = (await Promise.all(items.map((invoice) => invoiceFacts(context, invoice)))).filter((fact) => fact.status !== 'CANCELLED');
    const invoiced = totalsByCurrency(facts.map((fact) => fact.total));
    const paid = new Map(totalsByCurrency(facts.map((fact) => fact.paid)).map((total) => [total.currencyCode, total.amount]));
    const outstanding = new Map(totalsByCurrency(facts.map((fact) => fact.outstanding)).map((total) => [total.currencyCode, total.amount]));
    return invoiced.map((total) => ({
      currencyCode: total.currencyCode,
      invoiced: total,
      paid: money(paid.get(total.currencyCode) ?? 0, total.currencyCode),
      outstanding: money(outstanding.get(total.currencyCode) ?? 0, total.currencyCode),
    }));
  },

  balancesUnavailableSources: (customer, _args, context) => unavailableSources(invoiceReads(context, customer, null, null, true)),

  financeDetails: async (customer, args, context) => {
    const owId = customer.identities.iqmWorkspaceId;
    if (owId === null) return null;
    const details = await context.iqm.loaders.financeDetails.load({ owId, year: args.year ?? null });
    const currency = context.iqm.currencyCode;
    return {
      pendingCampaigns: details.pendingCampaigns,
      runningCampaigns: details.runningCampaigns,
      totalCampaigns: details.totalCampaigns,
      dataCost: money(details.dataCost, currency),
      actualSpent: money(details.actualSpent, currency),
      credits: money(details.credits, currency),
      balance: money(details.balance, currency),
      spent: money(details.spent, currency),
      earning: money(details.earning, currency),
    };
  },

  availableBalance: async (customer, _args, context) => {
    const owId = customer.identities.iqmWorkspaceId;
    if (owId === null) return null;
    const balance = await context.iqm.loaders.availableBalance.load({ owId, isCustomerRequest: true });
    return { amount: toDecimal(balance), currencyCode: context.iqm.currencyCode };
  },
};

import type { GatewayContext } from '../context.js';
import type {
  InvoiceFilter,
  InvoiceOrder,
  PaymentFilter,
} from '../__generated__/resolvers-types.js';
import type { CustomerModel, InvoiceModel, InvoiceStatus, PaymentModel, PaymentStatus, SourceSystem } from '../domain/models.js';
import { INVOICE_STATUS_ID, iqmPaymentFilter } from '../upstreams/iqm/index.js';
import { partOf, type SourceRead } from './fanOut.js';
import { invoiceFacts } from './invoiceFacts.js';
import { intactInvoicesOf, intactReceiptsOf, iqmetrixInvoicesOf, iqmetrixPaymentsOf, refrensCustomerPaymentsOf, refrensInvoicesOf } from './otherSources.js';
import { settleRows } from './rowReads.js';

/**
 * Which systems hold which part of a customer, and how each one's part is read. Every read goes
 * through the request's loaders, so a list asked for twice in one operation is fetched once.
 */

const IQM_SORT_FIELD = { ISSUED_ON: 'issuedOn', TOTAL: 'invoiceAmount', STATUS: 'status' } as const;

function wanted(system: SourceSystem, sources: readonly SourceSystem[] | null | undefined): boolean {
  return !sources || sources.length === 0 || sources.includes(system);
}

/**
 * The reads of a customer's merged invoices. Where every invoice's status or amounts are needed
 * before paging (`filter.status`, an order by STATUS, or `withFacts` for the balances), the derived
 * systems' reads compute them, and an invoice whose own read fails (Refrens C2, iQmetrix D2) has no
 * place: it is left out and its system's part is partial (fanOut reports it).
 */
export function invoiceReads(
  context: GatewayContext,
  customer: CustomerModel,
  filter: InvoiceFilter | null | undefined,
  order: InvoiceOrder | null | undefined,
  withFacts = false,
): SourceRead<InvoiceModel>[] {
  const statuses = filter?.status && filter.status.length > 0 ? new Set<InvoiceStatus>(filter.status) : null;
  const keep = (invoice: InvoiceModel, status: InvoiceStatus) => !statuses || statuses.has(status);
  const reads: SourceRead<InvoiceModel>[] = [];
  const owId = customer.identities.iqmWorkspaceId;
  if (owId !== null && wanted('IQM', filter?.sources)) {
    // One status is pushed down to IQM (A19 takes one status id); several are filtered here.
    const single = statuses && statuses.size === 1 ? INVOICE_STATUS_ID.get([...statuses][0]!) : undefined;
    const sortBy = order ? `${order.direction === 'ASC' ? '+' : '-'}${IQM_SORT_FIELD[order.field ?? 'ISSUED_ON']}` : null;
    reads.push({
      system: 'IQM',
      read: async () =>
        (await context.iqm.loaders.invoiceList.load({ owId, status: single ?? null, sortBy, isCustomerRequest: true })).filter((invoice) =>
          keep(invoice, invoice.status),
        ),
    });
  }
  // The other systems' statuses are derived from amounts, so their status filter runs here.
  const factsFirst = withFacts || statuses !== null || order?.field === 'STATUS';
  const withKnownFacts = async (system: SourceSystem, invoices: readonly InvoiceModel[]) => {
    if (!factsFirst) return invoices;
    const { rows, values, failure } = await settleRows(system, invoices, (invoice) => invoiceFacts(context, invoice), 'those invoices are left out');
    return partOf(statuses ? rows.filter((invoice, index) => keep(invoice, values[index]!.status)) : rows, failure);
  };
  const { intactAccountCode, refrens, iqmetrix } = customer.identities;
  if (intactAccountCode !== null && wanted('INTACT', filter?.sources)) {
    reads.push({ system: 'INTACT', read: async () => withKnownFacts('INTACT', await intactInvoicesOf(context, intactAccountCode)) });
  }
  if (refrens && wanted('REFRENS', filter?.sources)) {
    reads.push({ system: 'REFRENS', read: async () => withKnownFacts('REFRENS', refrensInvoicesOf(customer)) });
  }
  if (iqmetrix && wanted('IQMETRIX', filter?.sources)) {
    reads.push({ system: 'IQMETRIX', read: async () => withKnownFacts('IQMETRIX', await iqmetrixInvoicesOf(context, customer)) });
  }
  return reads;
}

export function paymentReads(context: GatewayContext, customer: CustomerModel, filter: PaymentFilter | null | undefined): SourceRead<PaymentModel>[] {
  const statuses = filter?.status && filter.status.length > 0 ? new Set(filter.status) : null;
  const reads: SourceRead<PaymentModel>[] = [];
  const owId = customer.identities.iqmWorkspaceId;
  if (owId !== null && wanted('IQM', filter?.sources)) {
    // With a status, type or search, IQM filters (A35 status, paymentType, searchField); without, the
    // request's one unfiltered list is shared with every other reader of this customer's payments.
    const iqmFilter = iqmPaymentFilter(filter);
    const filtered = iqmFilter.status !== null || iqmFilter.paymentType !== null || iqmFilter.searchField !== null;
    reads.push({
      system: 'IQM',
      read: async () =>
        (filtered
          ? await context.iqm.loaders.filteredCustomerPayments.load({ owId, ...iqmFilter })
          : await context.iqm.loaders.customerPayments.load(owId)
        ).filter((payment) => (!statuses || statuses.has(payment.status)) && (!filter?.type || payment.type === filter.type)),
    });
  }
  // Payment type and free-text search are IQM notions: with either set, only IQM answers.
  if (!filter?.type && !filter?.search) {
    const keepStatus = <T extends PaymentModel>(payments: readonly T[], status: (payment: T) => PaymentStatus) =>
      statuses ? payments.filter((payment) => statuses.has(status(payment))) : payments;
    const { intactAccountCode, refrens, iqmetrix } = customer.identities;
    if (intactAccountCode !== null && wanted('INTACT', filter?.sources)) {
      reads.push({ system: 'INTACT', read: async () => keepStatus(await intactReceiptsOf(context, intactAccountCode), () => 'PAID') });
    }
    if (refrens && wanted('REFRENS', filter?.sources)) {
      reads.push({
        system: 'REFRENS',
        read: async () => {
          const { payments, failure } = await refrensCustomerPaymentsOf(context, customer);
          return partOf(keepStatus(payments, refrensPaymentStatus), failure);
        },
      });
    }
    if (iqmetrix && wanted('IQMETRIX', filter?.sources)) {
      reads.push({
        system: 'IQMETRIX',
        read: async () => {
          const { payments, failure } = await iqmetrixPaymentsOf(context, customer);
          return partOf(keepStatus(payments, () => 'PAID'), failure);
        },
      });
    }
  }
  return reads;
}

/** Refrens: removed → CANCELLED, approved → PAID, otherwise PROCESSING. */
export function refrensPaymentStatus(payment: { removed: boolean; approved: boolean }): PaymentStatus {
  return payment.removed ? 'CANCELLED' : payment.approved ? 'PAID' : 'PROCESSING';
}

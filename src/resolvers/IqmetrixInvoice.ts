import type { IqmetrixInvoiceResolvers } from '../__generated__/resolvers-types.js';
import type { GatewayContext } from '../context.js';
import type { IqmetrixInvoiceDetailModel, IqmetrixInvoiceModel } from '../domain/models.js';
import { iqmetrixInvoiceId } from '../unified/ids.js';
import type { IQMETRIX_DETAIL_ONLY_FIELDS } from '../domain/ownReads.js';
import { derivedInvoiceFields } from './invoiceFields.js';
import { entityReference } from './entities.js';

/** D2, loaded once per invoice per request whichever detail fields are selected. */
function detail(context: GatewayContext, invoice: IqmetrixInvoiceModel): Promise<IqmetrixInvoiceDetailModel | null> {
  return context.iqmetrix.loaders.invoice.load({ companyId: invoice.companyId, invoiceId: invoice.invoiceId });
}

/** The fields only D2 answers; the others come with the invoice's summary (D1). */
const fromDetail = {
  notes: async (invoice, _args, context) => (await detail(context, invoice))?.notes ?? null,
  createdByUser: async (invoice, _args, context) => (await detail(context, invoice))?.createdByUser ?? null,
  isRefund: async (invoice, _args, context) => (await detail(context, invoice))?.isRefund ?? null,
  originalInvoiceId: async (invoice, _args, context) => (await detail(context, invoice))?.originalInvoiceId ?? null,
  iqmetrixCustomer: async (invoice, _args, context) => (await detail(context, invoice))?.customer ?? null,
  orders: async (invoice, _args, context) => [...((await detail(context, invoice))?.orders ?? [])],
  dropshipOrders: async (invoice, _args, context) => [...((await detail(context, invoice))?.dropshipOrders ?? [])],
  payments: async (invoice, _args, context) => [...((await detail(context, invoice))?.payments ?? [])],
  taxLines: async (invoice, _args, context) => [...((await detail(context, invoice))?.taxLines ?? [])],
} satisfies Required<Pick<IqmetrixInvoiceResolvers, (typeof IQMETRIX_DETAIL_ONLY_FIELDS)[number]>>;

export const IqmetrixInvoice: IqmetrixInvoiceResolvers = {
  __resolveReference: entityReference<IqmetrixInvoiceModel>('IqmetrixInvoice'),
  ...derivedInvoiceFields<IqmetrixInvoiceModel>(),
  ...fromDetail,
  id: (invoice) => iqmetrixInvoiceId(invoice),
  source: () => 'IQMETRIX',
  customer: (invoice, _args, context) => (invoice.customerId ? (context.directory.bySourceId('IQMETRIX', invoice.customerId) ?? null) : null),
};

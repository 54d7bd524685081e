import type { RefrensInvoiceResolvers } from '../__generated__/resolvers-types.js';
import type { RefrensInvoiceModel } from '../domain/models.js';
import { refrensInvoiceId } from '../unified/ids.js';
import { refrensPaymentsOf } from '../unified/otherSources.js';
import { derivedInvoiceFields } from './invoiceFields.js';
import { entityReference } from './entities.js';

export const RefrensInvoice: RefrensInvoiceResolvers = {
  __resolveReference: entityReference<RefrensInvoiceModel>('RefrensInvoice'),
  ...derivedInvoiceFields<RefrensInvoiceModel>(),
  id: (invoice) => refrensInvoiceId(invoice),
  source: () => 'REFRENS',
  customer: (invoice, _args, context) => (invoice.customerKey ? (context.directory.byDirectoryKey(invoice.customerKey) ?? null) : null),
  payments: (invoice, _args, context) => refrensPaymentsOf(context, invoice),
};

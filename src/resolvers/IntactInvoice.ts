import type { IntactInvoiceResolvers } from '../__generated__/resolvers-types.js';
import type { IntactInvoiceModel } from '../domain/models.js';
import { intactInvoiceId } from '../unified/ids.js';
import { derivedInvoiceFields } from './invoiceFields.js';
import { entityReference } from './entities.js';

export const IntactInvoice: IntactInvoiceResolvers = {
  __resolveReference: entityReference<IntactInvoiceModel>('IntactInvoice'),
  ...derivedInvoiceFields<IntactInvoiceModel>(),
  id: (invoice) => intactInvoiceId(invoice.ledgerItem),
  source: () => 'INTACT',
  reference: (invoice) => invoice.ledgerItem.reference,
  customer: (invoice, _args, context) => context.directory.bySourceId('INTACT', invoice.ledgerItem.accountCode) ?? null,
};

import type { InvoiceResolvers } from '../__generated__/resolvers-types.js';
import type { InvoiceModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const Invoice: InvoiceResolvers = {
  __resolveReference: entityReference<InvoiceModel>('Invoice'),
  __resolveType: (invoice) => invoice.kind,
};

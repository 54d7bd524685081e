import type { InvoiceResolvers } from '../__generated__/resolvers-types.js';

export const Invoice: InvoiceResolvers = {
  __resolveType: (invoice) => invoice.kind,
};

import type { InvoiceConnectionResolvers } from '../__generated__/resolvers-types.js';

export const InvoiceConnection: InvoiceConnectionResolvers = {
  // Set by the lists that can miss a part (merged lists, iqmetrixInvoices); the others have nothing to report.
  unavailableSources: (connection) => connection.unavailableSources ?? [],
};

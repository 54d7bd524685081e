import type { PaymentConnectionResolvers } from '../__generated__/resolvers-types.js';

export const PaymentConnection: PaymentConnectionResolvers = {
  // Lists read from one system have nothing to report: only merged lists set it.
  unavailableSources: (connection) => connection.unavailableSources ?? [],
};

import type { PaymentResolvers } from '../__generated__/resolvers-types.js';

export const Payment: PaymentResolvers = {
  __resolveType: (payment) => payment.kind,
};

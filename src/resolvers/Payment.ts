import type { PaymentResolvers } from '../__generated__/resolvers-types.js';
import type { PaymentModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const Payment: PaymentResolvers = {
  __resolveReference: entityReference<PaymentModel>('Payment'),
  __resolveType: (payment) => payment.kind,
};

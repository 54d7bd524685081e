import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { approveInvoice } from './approveInvoice.js';
import { cancelInvoice } from './cancelInvoice.js';

export const Mutation: MutationResolvers = {
  approveInvoice,
  cancelInvoice,
};

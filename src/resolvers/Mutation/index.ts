import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { allocateReceipt } from './allocateReceipt.js';
import { approveInvoice } from './approveInvoice.js';
import { cancelInvoice } from './cancelInvoice.js';
import { createIqmetrixInvoice } from './createIqmetrixInvoice.js';
import { payRefrensInvoice } from './payRefrensInvoice.js';

export const Mutation: MutationResolvers = {
  approveInvoice,
  cancelInvoice,
  allocateReceipt,
  payRefrensInvoice,
  createIqmetrixInvoice,
};

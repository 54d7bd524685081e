import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { paymentAction } from './paymentAction.js';

/** A40 */
export const rejectPayment: MutationResolvers['rejectPayment'] = (_root, { input }, context) => paymentAction(context, 'reject', input);

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { paymentAction } from './paymentAction.js';

/** A38 */
export const approvePayment: MutationResolvers['approvePayment'] = (_root, { input }, context) => paymentAction(context, 'approve', input);

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { paymentAction } from './paymentAction.js';

/** A39 */
export const cancelPayment: MutationResolvers['cancelPayment'] = (_root, { input }, context) => paymentAction(context, 'cancel', input);

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { updateDataFees } from './updateDataFees.js';

/** A8: VLD fees. */
export const updateVldFees: MutationResolvers['updateVldFees'] = (_root, { input }, context) => updateDataFees(context, 'vld', input);

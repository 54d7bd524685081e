import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { updateDataFees } from './updateDataFees.js';

/** A10: PLD fees. */
export const updatePldFees: MutationResolvers['updatePldFees'] = (_root, { input }, context) => updateDataFees(context, 'pld', input);

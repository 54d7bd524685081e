import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { updateDataFees } from './updateDataFees.js';

/** A12: SLS fees. */
export const updateSlsFees: MutationResolvers['updateSlsFees'] = (_root, { input }, context) => updateDataFees(context, 'sls', input);

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { updateCustomerSettings } from './customerSettings.js';

/** A14 */
export const setDvIvtSegments: MutationResolvers['setDvIvtSegments'] = (_root, { input }, context) =>
  updateCustomerSettings(
    context,
    input.customerId,
    [],
    (owId) => context.iqm.client.setDvIvt(owId, input.enabled),
  );

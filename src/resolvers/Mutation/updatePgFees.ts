import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { updateCustomerSettings } from './customerSettings.js';
import { decimalToWireNumber, rateErrors } from './support.js';

/** A6 */
export const updatePgFees: MutationResolvers['updatePgFees'] = (_root, { input }, context) =>
  updateCustomerSettings(
    context,
    input.customerId,
    [...rateErrors(input.campaignFees, ['input', 'campaignFees']), ...rateErrors(input.workspaceShare, ['input', 'workspaceShare'], 100)],
    (owId) => context.iqm.client.updatePgFees(owId, decimalToWireNumber(input.campaignFees), decimalToWireNumber(input.workspaceShare)),
  );

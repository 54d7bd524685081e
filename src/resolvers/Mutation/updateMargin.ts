import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { updateCustomerSettings } from './customerSettings.js';
import { decimalToWireNumber, invalidInput, rateErrors } from './support.js';

/** A3 */
export const updateMargin: MutationResolvers['updateMargin'] = (_root, { input }, context) => {
  const marginTypeId = input.marginTypeId ?? 1;
  const errors = [
    ...rateErrors(input.value, ['input', 'value'], 100),
    ...(marginTypeId === 1 ? [] : [invalidInput(['input', 'marginTypeId'], 'IQM documents one margin type: 1 (Gross margin)')]),
  ];
  return updateCustomerSettings(
    context,
    input.customerId,
    errors,
    (owId) => context.iqm.client.updateMargin(owId, marginTypeId, decimalToWireNumber(input.value)),
  );
};

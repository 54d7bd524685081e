import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { amountErrors, decimalToWireNumber, freshCredit, invalidInput, iqmCreditKey, iqmUserErrors, rejected } from './support.js';

/** A31: only an unclaimed credit offered to a customer can change. */
export const updateCredit: MutationResolvers['updateCredit'] = async (_root, { input }, context) => {
  const key = iqmCreditKey(context, input.creditId);
  const errors = [
    ...(!key || key.owId === 0 ? [invalidInput(['input', 'creditId'], 'not the id of a credit offered to a customer', 'NOT_FOUND')] : []),
    ...amountErrors(context, input.amount, ['input', 'amount']),
  ];
  if (errors.length > 0 || !key) return rejected({ credit: null }, errors);
  const result = await context.iqm.client.updateCredit(key.owId, key.creditId, decimalToWireNumber(input.amount));
  if (!result.ok) return rejected({ credit: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
  return { credit: await freshCredit(context, key.owId, key.creditId), userErrors: [] };
};

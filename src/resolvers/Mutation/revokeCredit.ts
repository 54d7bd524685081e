import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { freshCredit, invalidInput, iqmCreditKey, iqmUserErrors, rejected } from './support.js';

/** A32 */
export const revokeCredit: MutationResolvers['revokeCredit'] = async (_root, { input }, context) => {
  const key = iqmCreditKey(context, input.creditId);
  if (!key || key.owId === 0) return rejected({ credit: null }, [invalidInput(['input', 'creditId'], 'not the id of a credit offered to a customer', 'NOT_FOUND')]);
  const result = await context.iqm.client.revokeCredit(key.owId, key.creditId);
  if (!result.ok) return rejected({ credit: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
  return { credit: await freshCredit(context, key.owId, key.creditId), userErrors: [] };
};

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { invalidInput, iqmUserErrors, rejected } from './support.js';

/** A21 */
export const deleteInvoiceTaxData: MutationResolvers['deleteInvoiceTaxData'] = async (_root, { input }, context) => {
  if (input.taxId <= 0) return rejected({ deletedTaxId: null }, [invalidInput(['input', 'taxId'], 'must be a positive id')]);
  const result = await context.iqm.client.deleteInvoiceTaxData(input.taxId);
  if (!result.ok) return rejected({ deletedTaxId: null }, iqmUserErrors(result, 'NOT_FOUND'));
  return { deletedTaxId: input.taxId, userErrors: [] };
};

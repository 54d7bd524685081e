import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { freshIqmInvoice, invalidInput, iqmInvoiceKey, iqmUserErrors, rejected } from './support.js';

export const approveInvoice: MutationResolvers['approveInvoice'] = async (_root, { input }, context) => {
  const key = iqmInvoiceKey(context, input.invoiceId);
  if (!key) return rejected({ invoice: null }, [invalidInput(['input', 'invoiceId'], 'not the id of an IQM invoice', 'NOT_FOUND')]);
  const result = await context.iqm.client.approveInvoice(key.invoiceId, input.actionNote ?? null);
  if (!result.ok) return rejected({ invoice: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
  return { invoice: await freshIqmInvoice(context, key.owId, key.invoiceId), userErrors: [] };
};

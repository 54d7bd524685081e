import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { invalidInput, iqmInvoiceKey, iqmUserErrors, rejected } from './support.js';

/** A25 */
export const emailInvoice: MutationResolvers['emailInvoice'] = async (_root, { input }, context) => {
  const key = iqmInvoiceKey(context, input.invoiceId);
  if (!key) return rejected({ invoice: null, message: null }, [invalidInput(['input', 'invoiceId'], 'not the id of an IQM invoice', 'NOT_FOUND')]);
  const result = await context.iqm.client.emailInvoice(key.owId, key.invoiceId, input.email);
  if (!result.ok) return rejected({ invoice: null, message: null }, iqmUserErrors(result));
  return { invoice: await context.iqm.loaders.invoice.load({ owId: key.owId, invoiceId: key.invoiceId }), message: result.message, userErrors: [] };
};


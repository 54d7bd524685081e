import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { invalidInput, iqmPaymentKey, iqmUserErrors, rejected } from './support.js';

/** A45 */
export const emailPaymentReceipt: MutationResolvers['emailPaymentReceipt'] = async (_root, { input }, context) => {
  const key = iqmPaymentKey(context, input.paymentId);
  if (!key || key.owId === 0) return rejected({ payment: null, message: null }, [invalidInput(['input', 'paymentId'], 'not the id of an IQM payment of a customer', 'NOT_FOUND')]);
  const result = await context.iqm.client.emailPaymentReceipt(key.owId, key.paymentId, input.email);
  if (!result.ok) return rejected({ payment: null, message: null }, iqmUserErrors(result));
  const payments = await context.iqm.loaders.customerPayments.load(key.owId);
  return { payment: payments.find((payment) => payment.paymentId === key.paymentId) ?? null, message: result.message, userErrors: [] };
};

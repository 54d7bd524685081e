import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { amountErrors, decimalToWireNumber, iqmUserErrors, rejected } from './support.js';

/** A42: IQM answers the PayPal checkout link. */
export const startPaypalPayment: MutationResolvers['startPaypalPayment'] = async (_root, { input }, context) => {
  const errors = amountErrors(context, input.amount, ['input', 'amount']);
  if (errors.length > 0) return rejected({ paypalUrl: null }, errors);
  const result = await context.iqm.client.startPaypalPayment(decimalToWireNumber(input.amount));
  if (!result.ok) return rejected({ paypalUrl: null }, iqmUserErrors(result));
  return { paypalUrl: result.message, userErrors: [] };
};

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { CreditModel, UserErrorModel } from '../../domain/models.js';
import { amountErrors, decimalToWireNumber, iqmCustomer, iqmUserErrors, isUserError, rejected } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/** A30. IQM answers only a message: the new credit is the newest (highest id) in the customer's list (A29). */
export const offerCredit: MutationResolvers['offerCredit'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'offerCredit', input, refuse: (errors) => rejected({ credit: null }, errors) }, async () => {
    const errors: UserErrorModel[] = [];
    const target = iqmCustomer(context, input.customerId);
    if (isUserError(target)) errors.push(target);
    errors.push(...amountErrors(context, input.amount, ['input', 'amount']));
    if (errors.length > 0 || isUserError(target)) return rejected({ credit: null }, errors);
    const result = await context.iqm.client.offerCredit(target.owId, decimalToWireNumber(input.amount));
    if (!result.ok) return rejected({ credit: null }, iqmUserErrors(result));
    const credits = await context.iqm.loaders.customerCredits.load(target.owId);
    const newest = credits.reduce<CreditModel | null>((best, credit) => (!best || credit.creditId > best.creditId ? credit : best), null);
    return { credit: newest, userErrors: [] };
  });

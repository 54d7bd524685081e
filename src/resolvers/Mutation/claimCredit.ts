import type { MutationClaimCreditArgs, MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import type { CreditModel, UserErrorModel } from '../../domain/models.js';
import { nodeFetchers } from '../Node.js';
import { freshCredit, invalidInput, iqmCreditKey, iqmUserErrors, rejected } from './support.js';
import { idempotent } from '../../idempotency/index.js';

const CLAIM_FIELDS = ['customerName', 'businessName', 'taxId', 'contactPersonName', 'incorporationPlace', 'address'] as const;

/**
 * How an ambiguous claimCredit is reconciled, by the credit's status: CLAIMED → applied, UNCLAIMED →
 * not applied, REVOKED (or gone) stays unknown. Also what the orphan sweep runs (reconcilers.ts).
 */
export function reconcileClaimCredit(input: MutationClaimCreditArgs['input']) {
  return async (current: GatewayContext) => {
    const key = iqmCreditKey(current, input.creditId);
    if (!key) return { found: 'unknown' } as const;
    const credit = await creditNow(current, key);
    if (credit?.status === 'CLAIMED') return { found: 'applied' as const, payload: { credit, userErrors: [] } };
    return credit?.status === 'UNCLAIMED' ? ({ found: 'not_applied' } as const) : ({ found: 'unknown' } as const);
  };
}

/** A33: claiming moves the credit into the claimant's balance; a revoked or claimed credit is INVALID_TRANSITION. */
export const claimCredit: MutationResolvers['claimCredit'] = (_root, { input }, context) =>
  idempotent(
    context,
    {
      mutation: 'claimCredit',
      input,
      refuse: (errors) => rejected({ credit: null }, errors),
      reconcile: reconcileClaimCredit(input),
    },
    async () => {
      const key = iqmCreditKey(context, input.creditId);
      const errors: UserErrorModel[] = key ? [] : [invalidInput(['input', 'creditId'], 'not the id of a credit', 'NOT_FOUND')];
      for (const field of CLAIM_FIELDS) {
        if (!input[field].trim()) errors.push(invalidInput(['input', field], 'must not be empty'));
      }
      if (errors.length > 0 || !key) return rejected({ credit: null }, errors);
      const result = await context.iqm.client.claimCredit({
        creditId: key.creditId,
        customerName: input.customerName.trim(),
        businessName: input.businessName.trim(),
        taxId: input.taxId.trim(),
        contactPersonName: input.contactPersonName.trim(),
        contactPersonEmail: input.contactPersonEmail,
        incorporationPlace: input.incorporationPlace.trim(),
        address: input.address.trim(),
      });
      if (!result.ok) return rejected({ credit: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
      return { credit: await creditNow(context, key), userErrors: [] };
    },
  );

/** The credit as IQM holds it now: from the customer's list, or (offered to the caller) through its node. */
async function creditNow(context: GatewayContext, key: { owId: number; creditId: number }): Promise<CreditModel | null> {
  if (key.owId !== 0) return freshCredit(context, key.owId, key.creditId);
  const credit = await nodeFetchers['Credit']!(context, `0:${key.creditId}`);
  return credit && 'creditId' in credit ? credit : null;
}

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { UserErrorModel } from '../../domain/models.js';
import { nodeFetchers } from '../Node.js';
import { freshCredit, invalidInput, iqmCreditKey, iqmUserErrors, rejected } from './support.js';
import { idempotent } from '../../idempotency/index.js';

const CLAIM_FIELDS = ['customerName', 'businessName', 'taxId', 'contactPersonName', 'incorporationPlace', 'address'] as const;

/** A33: claiming moves the credit into the claimant's balance; a revoked or claimed credit is INVALID_TRANSITION. */
export const claimCredit: MutationResolvers['claimCredit'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'claimCredit', input, refuse: (errors) => rejected({ credit: null }, errors) }, async () => {
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
    if (key.owId !== 0) return { credit: await freshCredit(context, key.owId, key.creditId), userErrors: [] };
    const credit = await nodeFetchers['Credit']!(context, `0:${key.creditId}`);
    return { credit: credit && 'creditId' in credit ? credit : null, userErrors: [] };
  });

import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { UserErrorModel } from '../../domain/models.js';
import { PAYMENT_MODE_ID } from '../../upstreams/iqm/index.js';
import { amountErrors, consumeUpload, invalidInput, iqmUserErrors, isUserError, rejected, stagedProof } from './support.js';
import { organizationWorkspace } from './organizationWorkspace.js';
import { idempotent } from '../../idempotency/index.js';

/** A41: funds the caller's organization adds to its own workspace. */
export const addFunds: MutationResolvers['addFunds'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'addFunds', input, refuse: (errors) => rejected({ availableBalance: null, message: null }, errors) }, async () => {
    const errors: UserErrorModel[] = [...amountErrors(context, input.amount, ['input', 'amount'])];
    if (input.mode === 'TO_FUNDS') errors.push(invalidInput(['input', 'mode'], 'funds are added by PAYPAL, CHEQUE or WIRE_TRANSFER'));
    if ((input.mode === 'CHEQUE' || input.mode === 'WIRE_TRANSFER') && !input.bankName?.trim()) {
      errors.push(invalidInput(['input', 'bankName'], 'required for cheque and wire-transfer payments'));
    }
    const staged = await stagedProof(context, input.paymentProofUploadId);
    if (isUserError(staged)) errors.push(staged);
    if (errors.length > 0 || isUserError(staged)) return rejected({ availableBalance: null, message: null }, errors);
    const result = await context.iqm.client.addFunds(
      { paymentAmount: input.amount.toFixed(), paymentDate: input.paidOn, paymentMode: PAYMENT_MODE_ID.get(input.mode)!, bankName: input.bankName?.trim() || null },
      staged.proof,
    );
    if (!result.ok) return rejected({ availableBalance: null, message: null }, iqmUserErrors(result));
    await consumeUpload(context, staged.uploadId);
    const owId = organizationWorkspace(context);
    const balance = await context.iqm.loaders.availableBalance.load({ owId, isCustomerRequest: false });
    return { availableBalance: { amount: balance, currencyCode: context.iqm.currencyCode }, message: result.message, userErrors: [] };
  });

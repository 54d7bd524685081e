import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { UserErrorModel } from '../../domain/models.js';
import { PAYMENT_MODE_ID } from '../../upstreams/iqm/index.js';
import { addedIqmPayment, amountErrors, consumeUpload, invalidInput, iqmCustomer, iqmUserErrors, isUserError, rejected, stagedProof } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/** A43: the refund stays Processing until approveRefund (A44). */
export const initiateRefund: MutationResolvers['initiateRefund'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'initiateRefund', input, refuse: (errors) => rejected({ payment: null }, errors) }, async () => {
    const errors: UserErrorModel[] = [];
    const target = iqmCustomer(context, input.customerId);
    if (isUserError(target)) errors.push(target);
    errors.push(...amountErrors(context, input.amount, ['input', 'amount']));
    if (!input.refundReason.trim()) errors.push(invalidInput(['input', 'refundReason'], 'must not be empty'));
    const staged = await stagedProof(context, input.paymentProofUploadId);
    if (isUserError(staged)) errors.push(staged);
    if (errors.length > 0 || isUserError(target) || isUserError(staged)) return rejected({ payment: null }, errors);
    const result = await context.iqm.client.initiateRefund(
      {
        owId: target.owId,
        paymentAmount: input.amount.toFixed(),
        paymentDate: input.paidOn,
        paymentMode: PAYMENT_MODE_ID.get(input.mode)!,
        transactionId: input.transactionId?.trim() || null,
        refundReason: input.refundReason.trim(),
      },
      staged.proof,
    );
    if (!result.ok) return rejected({ payment: null }, iqmUserErrors(result));
    await consumeUpload(context, staged.uploadId);
    return { payment: await addedIqmPayment(context, target.owId), userErrors: [] };
  });

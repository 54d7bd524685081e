import type { MutationInitiateRefundArgs, MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import type { UserErrorModel } from '../../domain/models.js';
import { PAYMENT_MODE_ID } from '../../upstreams/iqm/index.js';
import { addedIqmPayment, amountErrors, clientMarkerField, consumeUpload, invalidInput, iqmCustomer, iqmPaymentByMarker, iqmUserErrors, isUserError, rejected, stagedProof } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/**
 * How an ambiguous initiateRefund is reconciled: from the customer's payments (A35), the one carrying
 * the marker in its transactionId, of type REFUND, with this amount. Undefined when the client's own
 * transactionId took the marker's place. Also what the orphan sweep runs (reconcilers.ts).
 */
export function reconcileInitiateRefund(input: MutationInitiateRefundArgs['input']) {
  if (clientMarkerField(input.transactionId)) return undefined;
  return async (current: GatewayContext, marker: string) => {
    const target = iqmCustomer(current, input.customerId);
    if (isUserError(target)) return { found: 'unknown' } as const;
    const evidence = await iqmPaymentByMarker(current, target.owId, marker, (payment) => payment.type === 'REFUND' && payment.amount.amount.equals(input.amount));
    return evidence.found === 'applied' ? { found: 'applied' as const, payload: { payment: evidence.payment, userErrors: [] } } : evidence;
  };
}

/**
 * A43: the refund stays Processing until approveRefund (A44). Without a client transactionId, the
 * idempotency marker goes into A43's transactionId, so an ambiguous outcome is reconciled from the
 * customer's payments (reconcileInitiateRefund).
 */
export const initiateRefund: MutationResolvers['initiateRefund'] = (_root, { input }, context) => {
  const transactionId = clientMarkerField(input.transactionId);
  return idempotent(
    context,
    {
      mutation: 'initiateRefund',
      input,
      refuse: (errors) => rejected({ payment: null }, errors),
      reconcile: reconcileInitiateRefund(input),
    },
    async (marker) => {
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
          transactionId: transactionId?.trim() ?? marker,
          refundReason: input.refundReason.trim(),
        },
        staged.proof,
      );
      if (!result.ok) return rejected({ payment: null }, iqmUserErrors(result));
      await consumeUpload(context, staged.uploadId);
      return { payment: await addedIqmPayment(context, target.owId), userErrors: [] };
    },
  );
};

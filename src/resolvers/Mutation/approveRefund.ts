import type { MutationApproveRefundArgs, MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import { consumeUpload, freshIqmPayment, invalidInput, iqmPaymentKey, iqmUserErrors, isUserError, rejected, stagedProof } from './support.js';
import { idempotent } from '../../idempotency/index.js';
import { fourEyesRefusal } from './fourEyes.js';

/**
 * How an ambiguous approveRefund is reconciled, by the refund's status (A35): PAID → applied, still
 * PROCESSING → not applied; anything else stays unknown. Also what the orphan sweep runs (reconcilers.ts).
 */
export function reconcileApproveRefund(input: MutationApproveRefundArgs['input']) {
  return async (current: GatewayContext) => {
    const key = iqmPaymentKey(current, input.paymentId);
    if (!key || key.owId === 0) return { found: 'unknown' } as const;
    const payment = await freshIqmPayment(current, key.owId, key.paymentId);
    if (payment?.status === 'PAID') return { found: 'applied' as const, payload: { payment, userErrors: [] } };
    return payment?.status === 'PROCESSING' ? ({ found: 'not_applied' } as const) : ({ found: 'unknown' } as const);
  };
}

/** A44: approving a refund takes the amount out of the customer's available balance; four eyes apply. */
export const approveRefund: MutationResolvers['approveRefund'] = (_root, { input }, context) =>
  idempotent(
    context,
    {
      mutation: 'approveRefund',
      input,
      refuse: (errors) => rejected({ payment: null }, errors),
      reconcile: reconcileApproveRefund(input),
    },
    async () => {
      const key = iqmPaymentKey(context, input.paymentId);
      const staged = await stagedProof(context, input.paymentProofUploadId);
      const errors = [
        ...(!key || key.owId === 0 ? [invalidInput(['input', 'paymentId'], 'not the id of an IQM refund of a customer', 'NOT_FOUND')] : []),
        ...(isUserError(staged) ? [staged] : []),
      ];
      if (errors.length > 0 || !key || isUserError(staged)) return rejected({ payment: null }, errors);
      const fourEyes = await fourEyesRefusal(context, key);
      if (fourEyes) return rejected({ payment: null }, [fourEyes]);
      const result = await context.iqm.client.approveRefund(key.paymentId, key.owId, input.actionNote ?? null, staged.proof);
      if (!result.ok) return rejected({ payment: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
      await consumeUpload(context, staged.uploadId);
      return { payment: await freshIqmPayment(context, key.owId, key.paymentId), userErrors: [] };
    },
  );

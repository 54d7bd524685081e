import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { UserErrorModel } from '../../domain/models.js';
import { PAYMENT_MODE_ID, PAYMENT_TYPE_ID } from '../../upstreams/iqm/index.js';
import {
  amountErrors,
  consumeUpload,
  freshIqmPayment,
  invalidInput,
  iqmPaymentKey,
  iqmUserErrors,
  isUserError,
  paymentInvoiceId,
  rejected,
  stagedProof,
} from './support.js';

/** A37: edits a payment IQM still holds as Processing. */
export const updatePayment: MutationResolvers['updatePayment'] = async (_root, { input }, context) => {
  const errors: UserErrorModel[] = [];
  const key = iqmPaymentKey(context, input.paymentId);
  if (!key || key.owId === 0) errors.push(invalidInput(['input', 'paymentId'], 'not the id of an IQM payment of a customer', 'NOT_FOUND'));
  errors.push(...amountErrors(context, input.amount, ['input', 'amount']));
  if (!input.transactionId.trim() && input.type !== 'REFUND') errors.push(invalidInput(['input', 'transactionId'], 'must not be empty'));
  const invoiceId = paymentInvoiceId(context, input, key?.owId ?? null, errors);
  if (input.refundReason && input.type !== 'REFUND') errors.push(invalidInput(['input', 'refundReason'], 'only refunds carry a refund reason'));
  const staged = await stagedProof(context, input.paymentProofUploadId);
  if (isUserError(staged)) errors.push(staged);
  if (errors.length > 0 || !key || isUserError(staged)) return rejected({ payment: null }, errors);

  const result = await context.iqm.client.updatePayment(
    key.paymentId,
    {
      owId: key.owId,
      paymentAmount: input.amount.toFixed(),
      paymentDate: input.paidOn,
      paymentMode: PAYMENT_MODE_ID.get(input.mode)!,
      transactionId: input.transactionId.trim(),
      paymentType: PAYMENT_TYPE_ID.get(input.type)!,
      invoiceId,
      refundReason: input.refundReason ?? null,
    },
    staged.proof,
  );
  if (!result.ok) return rejected({ payment: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
  await consumeUpload(context, staged.uploadId);
  return { payment: await freshIqmPayment(context, key.owId, key.paymentId), userErrors: [] };
};

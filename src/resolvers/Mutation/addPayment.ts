import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { UserErrorModel } from '../../domain/models.js';
import { PAYMENT_MODE_ID, PAYMENT_TYPE_ID } from '../../upstreams/iqm/index.js';
import {
  addedIqmPayment,
  amountErrors,
  consumeUpload,
  invalidInput,
  iqmCustomer,
  iqmUserErrors,
  isUserError,
  paymentInvoiceId,
  rejected,
  stagedProof,
} from './support.js';
import { idempotent } from '../../idempotency/index.js';

/** A36: a payment for a customer, as funds or against one of its invoices; IQM keeps it Processing until approved. */
export const addPayment: MutationResolvers['addPayment'] = (_root, { input }, context) =>
  idempotent(context, { mutation: 'addPayment', input, refuse: (errors) => rejected({ payment: null }, errors) }, async () => {
    const errors: UserErrorModel[] = [];
    const target = iqmCustomer(context, input.customerId);
    if (isUserError(target)) errors.push(target);
    errors.push(...amountErrors(context, input.amount, ['input', 'amount']));
    if (input.type === 'REFUND') errors.push(invalidInput(['input', 'type'], 'refunds are added with initiateRefund'));
    if (!input.transactionId.trim()) errors.push(invalidInput(['input', 'transactionId'], 'must not be empty'));
    const invoiceId = paymentInvoiceId(context, input, isUserError(target) ? null : target.owId, errors);
    if (input.type !== 'AGAINST_INVOICE' && input.invoiceId) errors.push(invalidInput(['input', 'invoiceId'], 'only AGAINST_INVOICE payments name an invoice'));
    const staged = await stagedProof(context, input.paymentProofUploadId);
    if (isUserError(staged)) errors.push(staged);
    if (errors.length > 0 || isUserError(target) || isUserError(staged)) return rejected({ payment: null }, errors);

    const result = await context.iqm.client.addPayment(
      {
        owId: target.owId,
        paymentAmount: input.amount.toFixed(),
        paymentDate: input.paidOn,
        paymentMode: PAYMENT_MODE_ID.get(input.mode)!,
        transactionId: input.transactionId.trim(),
        paymentType: PAYMENT_TYPE_ID.get(input.type)!,
        invoiceId,
      },
      staged.proof,
    );
    if (!result.ok) return rejected({ payment: null }, iqmUserErrors(result));
    await consumeUpload(context, staged.uploadId);
    return { payment: await addedIqmPayment(context, target.owId), userErrors: [] };
  });

import type { MutationPayInvoiceArgs, MutationResolvers } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import { PAYMENT_MODE_ID, PAYMENT_TYPE_ID } from '../../upstreams/iqm/index.js';
import { amountErrors, clientMarkerField, consumeUpload, freshIqmInvoice, invalidInput, iqmInvoiceKey, iqmPaymentByMarker, iqmUserErrors, isUserError, rejected, stagedProof } from './support.js';
import { idempotent } from '../../idempotency/index.js';

/**
 * How an ambiguous payInvoice is reconciled: from the customer's payments (A35), the one carrying
 * the marker in its transactionId, on this invoice, with this amount. Undefined when the client's own
 * transactionId took the marker's place. Also what the orphan sweep runs (reconcilers.ts).
 */
export function reconcilePayInvoice(input: MutationPayInvoiceArgs['input']) {
  if (clientMarkerField(input.transactionId)) return undefined;
  return async (current: GatewayContext, marker: string) => {
    const key = iqmInvoiceKey(current, input.invoiceId);
    if (!key) return { found: 'unknown' } as const;
    const evidence = await iqmPaymentByMarker(current, key.owId, marker, (payment) => payment.invoiceId === key.invoiceId && payment.amount.amount.equals(input.amount));
    if (evidence.found !== 'applied') return evidence;
    // A24 answers no payment id: the payment found by its marker is named in the audit trail.
    return { found: 'applied' as const, payload: { invoice: await freshIqmInvoice(current, key.owId, key.invoiceId), userErrors: [] }, objects: [evidence.payment] };
  };
}

/**
 * A24: records a payment against an IQM invoice, with an optional staged proof streamed to IQM.
 * Without a client transactionId, the idempotency marker goes into A24's transactionId, so an
 * ambiguous outcome is reconciled from the customer's payments (reconcilePayInvoice).
 */
export const payInvoice: MutationResolvers['payInvoice'] = (_root, { input }, context) => {
  const transactionId = clientMarkerField(input.transactionId);
  return idempotent(
    context,
    {
      mutation: 'payInvoice',
      input,
      refuse: (errors) => rejected({ invoice: null }, errors),
      reconcile: reconcilePayInvoice(input),
    },
    async (marker) => {
      const key = iqmInvoiceKey(context, input.invoiceId);
      if (!key) return rejected({ invoice: null }, [invalidInput(['input', 'invoiceId'], 'not the id of an IQM invoice', 'NOT_FOUND')]);
      const errors = amountErrors(context, input.amount, ['input', 'amount']);
      if (input.paymentType === 'REFUND') errors.push(invalidInput(['input', 'paymentType'], 'an invoice is paid AGAINST_INVOICE or AS_FUND; refunds use initiateRefund'));
      if ((input.paymentMode === 'CHEQUE' || input.paymentMode === 'WIRE_TRANSFER') && !input.bankName?.trim()) {
        errors.push(invalidInput(['input', 'bankName'], 'required for cheque and wire-transfer payments'));
      }
      const staged = await stagedProof(context, input.paymentProofUploadId);
      if (isUserError(staged)) errors.push(staged);
      if (errors.length > 0 || isUserError(staged)) return rejected({ invoice: null }, errors);
      const result = await context.iqm.client.payInvoice(
        {
          invoiceId: key.invoiceId,
          owId: key.owId,
          paymentAmount: input.amount.toFixed(),
          paymentType: PAYMENT_TYPE_ID.get(input.paymentType ?? 'AGAINST_INVOICE')!,
          paymentDate: (input.paidAt ?? context.services.now()).getTime(),
          paymentMode: input.paymentMode ? PAYMENT_MODE_ID.get(input.paymentMode) : null,
          transactionId: transactionId ?? marker,
          bankName: input.bankName ?? null,
          isCustomerRequest: true,
        },
        staged.proof,
      );
      if (!result.ok) return rejected({ invoice: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
      await consumeUpload(context, staged.uploadId);
      return { invoice: await freshIqmInvoice(context, key.owId, key.invoiceId), userErrors: [] };
    },
  );
};

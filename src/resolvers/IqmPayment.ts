import type { IqmPaymentResolvers } from '../__generated__/resolvers-types.js';
import { customerForIqmWorkspace } from '../unified/customers.js';
import { iqmPaymentId } from '../unified/ids.js';
import type { IqmPaymentModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const IqmPayment: IqmPaymentResolvers = {
  __resolveReference: entityReference<IqmPaymentModel>('IqmPayment'),
  id: (payment) => iqmPaymentId(payment),
  source: () => 'IQM',
  reference: (payment) => payment.transactionId,
  // IQM has no invoice-by-id: the customer's invoice list is read once per request and indexed.
  invoice: (payment, _args, context) =>
    payment.invoiceId !== null && payment.owId !== null
      ? context.iqm.loaders.invoice.load({ owId: payment.owId, invoiceId: payment.invoiceId })
      : null,
  customer: (payment, _args, context) => (payment.owId === null ? null : customerForIqmWorkspace(context, payment.owId)),
  receiptUrl: (payment, _args, context) =>
    context.publicBaseUrl +
    context.services.fileLinks.sign(
      `/files/receipts/${payment.owId ?? context.caller.tenant.credentials.iqm?.organizationWorkspaceId ?? 0}/${payment.paymentId}.pdf`,
      context.caller.tenant.id,
    ),
};

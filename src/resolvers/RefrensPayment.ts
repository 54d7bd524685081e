import type { RefrensPaymentResolvers } from '../__generated__/resolvers-types.js';
import { refrensPaymentStatus } from '../unified/customerLists.js';
import { refrensPaymentId } from '../unified/ids.js';
import { refrensInvoicesOf } from '../unified/otherSources.js';
import type { RefrensPaymentModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const RefrensPayment: RefrensPaymentResolvers = {
  __resolveReference: entityReference<RefrensPaymentModel>('RefrensPayment'),
  id: (payment) => refrensPaymentId(payment),
  source: () => 'REFRENS',
  status: (payment) => refrensPaymentStatus(payment),
  invoice: (payment, _args, context) => {
    const customer = context.directory.bySourceId('REFRENS_INVOICE', `${payment.urlKey}/${payment.invoiceId}`);
    return (customer && refrensInvoicesOf(customer).find((invoice) => invoice.invoiceId === payment.invoiceId)) ?? null;
  },
  customer: (payment, _args, context) => context.directory.bySourceId('REFRENS_INVOICE', `${payment.urlKey}/${payment.invoiceId}`) ?? null,
};

import type { IqmetrixPaymentResolvers } from '../__generated__/resolvers-types.js';
import { iqmetrixPaymentId } from '../unified/ids.js';
import type { IqmetrixPaymentModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const IqmetrixPayment: IqmetrixPaymentResolvers = {
  __resolveReference: entityReference<IqmetrixPaymentModel>('IqmetrixPayment'),
  id: (payment) => iqmetrixPaymentId(payment),
  source: () => 'IQMETRIX',
  // iQmetrix records payments taken at the till: they are settled facts.
  status: () => 'PAID',
  invoice: async (payment, _args, context) =>
    (await context.iqmetrix.loaders.invoice.load({ companyId: payment.companyId, invoiceId: payment.invoiceId }))?.invoice ?? null,
  customer: async (payment, _args, context) => {
    const detail = await context.iqmetrix.loaders.invoice.load({ companyId: payment.companyId, invoiceId: payment.invoiceId });
    const customerId = detail?.invoice.customerId;
    return customerId ? (context.directory.bySourceId('IQMETRIX', customerId) ?? null) : null;
  },
};

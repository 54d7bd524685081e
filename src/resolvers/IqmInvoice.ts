import type { IqmInvoiceResolvers } from '../__generated__/resolvers-types.js';
import { connectionFromList, pageWindow } from '../domain/pagination.js';
import { customerForIqmWorkspace } from '../unified/customers.js';
import { iqmInvoiceId } from '../unified/ids.js';
import { iqmInvoiceFacts } from '../unified/invoiceFacts.js';
import type { IqmInvoiceModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const IqmInvoice: IqmInvoiceResolvers = {
  __resolveReference: entityReference<IqmInvoiceModel>('IqmInvoice'),
  id: (invoice) => iqmInvoiceId(invoice),
  source: () => 'IQM',
  outstanding: (invoice) => iqmInvoiceFacts(invoice).outstanding,
  customer: (invoice, _args, context) => customerForIqmWorkspace(context, invoice.owId),
  payments: async (invoice, args, context) => {
    const window = pageWindow(args);
    const payments = await context.iqm.loaders.customerPayments.load(invoice.owId);
    return connectionFromList(
      payments.filter((payment) => payment.invoiceId === invoice.invoiceId),
      window,
    );
  },
  paymentDetails: (invoice, _args, context) => context.iqm.loaders.invoicePaymentDetails.load(invoice.invoiceId),
  pdfUrl: (invoice, _args, context) =>
    context.publicBaseUrl + context.services.fileLinks.sign(`/files/invoices/${invoice.owId}/${invoice.invoiceId}.pdf`, context.caller.tenant.id),
};

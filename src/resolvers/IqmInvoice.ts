import type { IqmInvoiceResolvers } from '../__generated__/resolvers-types.js';
import { connectionFromList, pageWindow } from '../domain/pagination.js';
import { customerForIqmWorkspace } from '../unified/customers.js';
import { iqmInvoiceId } from '../unified/ids.js';
import { iqmInvoiceFacts } from '../unified/invoiceFacts.js';
import type { IqmInvoiceModel } from '../domain/models.js';
import type { PaymentsByInvoice } from '../upstreams/iqm/loaders.js';
import { entityReference } from './entities.js';

export const IqmInvoice: IqmInvoiceResolvers = {
  __resolveReference: entityReference<IqmInvoiceModel>('IqmInvoice'),
  id: (invoice) => iqmInvoiceId(invoice),
  source: () => 'IQM',
  outstanding: (invoice) => iqmInvoiceFacts(invoice).outstanding,
  customer: (invoice, _args, context) => customerForIqmWorkspace(context, invoice.owId),
  payments: (invoice, args, context) => {
    const window = pageWindow(args);
    const page = (byInvoice: PaymentsByInvoice) => connectionFromList(byInvoice.get(invoice.invoiceId) ?? [], window);
    const byInvoice = context.iqm.loaders.paymentsByInvoice.get(invoice.owId);
    return byInvoice instanceof Promise ? byInvoice.then(page) : page(byInvoice);
  },
  paymentDetails: (invoice, _args, context) => context.iqm.loaders.invoicePaymentDetails.load(invoice.invoiceId),
  pdfUrl: (invoice, _args, context) =>
    context.publicBaseUrl + context.services.fileLinks.sign(`/files/invoices/${invoice.owId}/${invoice.invoiceId}.pdf`, context.caller.tenant.id),
};

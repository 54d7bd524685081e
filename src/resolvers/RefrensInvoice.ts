import type { RefrensInvoiceResolvers } from '../__generated__/resolvers-types.js';
import type { RefrensInvoiceModel } from '../domain/models.js';
import { refrensInvoiceId } from '../unified/ids.js';
import { refrensPaymentsOf } from '../unified/otherSources.js';
import { FACTS_FIELDS, derivedInvoiceFields } from './invoiceFields.js';
import { entityReference } from './entities.js';

/**
 * The fields that wait on the invoice's payments (C2), its status and amounts included: a merged
 * page that selects one of them leaves out an invoice whose C2 failed (src/unified/rowReads.ts).
 */
export const REFRENS_INVOICE_PAYMENT_FIELDS: ReadonlySet<string> = new Set([...FACTS_FIELDS, 'payments']);

export const RefrensInvoice: RefrensInvoiceResolvers = {
  __resolveReference: entityReference<RefrensInvoiceModel>('RefrensInvoice'),
  ...derivedInvoiceFields<RefrensInvoiceModel>(),
  id: (invoice) => refrensInvoiceId(invoice),
  source: () => 'REFRENS',
  customer: (invoice, _args, context) => (invoice.customerKey ? (context.directory.byDirectoryKey(invoice.customerKey) ?? null) : null),
  payments: (invoice, _args, context) => refrensPaymentsOf(context, invoice),
};

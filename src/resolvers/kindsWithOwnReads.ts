import type { GraphQLResolveInfo } from 'graphql';
import type { InvoiceModel } from '../domain/models.js';
import { connectionItemsSelect } from '../unified/lookahead.js';
import { IQMETRIX_INVOICE_DETAIL_FIELDS, REFRENS_INVOICE_PAYMENT_FIELDS } from '../domain/ownReads.js';

/** The invoice types that have a read of their own (iQmetrix D2, Refrens C2). */
export type KindWithOwnRead = Extract<InvoiceModel['kind'], 'IqmetrixInvoice' | 'RefrensInvoice'>;

/** The fields of each such type that wait on that read. */
const OWN_READ_FIELDS: Readonly<Record<KindWithOwnRead, ReadonlySet<string>>> = {
  IqmetrixInvoice: IQMETRIX_INVOICE_DETAIL_FIELDS,
  RefrensInvoice: REFRENS_INVOICE_PAYMENT_FIELDS,
};

const NONE: ReadonlySet<InvoiceModel['kind']> = new Set();

/**
 * Of the invoice types `among` (those the connection can hold), the ones whose selected fields, in
 * the connection field being resolved, wait on each invoice's own read: on a page, those invoices
 * are left out when that read fails (src/unified/rowReads.ts, withoutUnreadableInvoices).
 */
export function kindsWithOwnReads(info: GraphQLResolveInfo, among: readonly KindWithOwnRead[]): ReadonlySet<InvoiceModel['kind']> {
  let kinds: Set<InvoiceModel['kind']> | null = null;
  for (const kind of among) {
    if (connectionItemsSelect(info, kind, OWN_READ_FIELDS[kind])) (kinds ??= new Set()).add(kind);
  }
  return kinds ?? NONE;
}

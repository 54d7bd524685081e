/**
 * Invoice fields that wait on a read of the invoice's own (an iQmetrix invoice's detail, D2; a
 * Refrens invoice's payments, C2). One list for the two places that must agree on it: the resolvers
 * (a merged page leaves out an invoice whose read failed when it selects one of these,
 * src/unified/rowReads.ts) and the upstream-call cost model (src/security/upstreamCost.ts).
 * `total` is not among them: every system states it with the invoice itself.
 */

/** Answered from the invoice's facts (src/unified/invoiceFacts.ts): a read of its own for Refrens and iQmetrix invoices. */
export const FACTS_FIELDS = ['status', 'paid', 'outstanding'] as const;

/** iQmetrix invoice fields only its detail (D2) answers. */
export const IQMETRIX_DETAIL_ONLY_FIELDS = ['notes', 'createdByUser', 'isRefund', 'originalInvoiceId', 'iqmetrixCustomer', 'orders', 'dropshipOrders', 'payments', 'taxLines'] as const;

/** Every iQmetrix invoice field that waits on D2. */
export const IQMETRIX_INVOICE_DETAIL_FIELDS: ReadonlySet<string> = new Set<string>([...FACTS_FIELDS, ...IQMETRIX_DETAIL_ONLY_FIELDS]);

/** Every Refrens invoice field that waits on C2. */
export const REFRENS_INVOICE_PAYMENT_FIELDS: ReadonlySet<string> = new Set<string>([...FACTS_FIELDS, 'payments']);

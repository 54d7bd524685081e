/**
 * The scope catalogue: what a token's `scope` claim may grant. The schema declares which scopes each
 * field needs (`@requiresScopes`); this list names and explains them, and the README's scope table
 * is generated from both (`npm run scopes:table`). Receipts and Intact invoices are read with
 * finance:read because they stand in the merged payment and invoice lists, and an interface asks
 * what all of its implementations ask: a separate scope would hide those whole lists.
 */
export const SCOPES = {
  'finance:read': 'Read customers, invoices, payments (Intact receipts included), credits, balances, fees and reference data',
  'ledger:read': "Read a customer's Intact ledger (Customer.ledger, ledger items)",
  'invoices:write': 'Approve, cancel and e-mail invoices; create iQmetrix invoices; change invoice settings',
  'payments:write': 'Record payments: pay IQM and Refrens invoices, add and update payments, add funds, start PayPal payments, e-mail receipts',
  'payments:approve': 'Approve, reject or cancel recorded payments',
  'refunds:initiate': 'Initiate refunds',
  'refunds:approve': 'Approve refunds',
  'credits:write': 'Offer, change, revoke and claim credit',
  'receipts:allocate': 'Allocate Intact receipts to invoices',
  'settings:write': 'Change margins, fees and customer settings',
  'audit:read': 'Read the audit trail of money movements',
} as const satisfies Record<string, string>;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES: readonly Scope[] = Object.keys(SCOPES) as Scope[];

/** What the anonymous demo caller of the embedded default may do: read, never move money. */
export const DEMO_ANONYMOUS_SCOPES: readonly Scope[] = ['finance:read', 'ledger:read'];

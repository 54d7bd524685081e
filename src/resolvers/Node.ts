import type { NodeResolvers } from '../__generated__/resolvers-types.js';
import type { GatewayContext } from '../context.js';
import { fromGlobalId } from '../domain/globalId.js';
import { customerFromGlobalId } from '../federation/customers.js';
import { parseIqmKey } from '../federation/ids.js';
import type { CreditModel, CustomerModel, InvoiceModel, LedgerItemModel, PaymentModel } from '../domain/models.js';

export type NodeModel = CustomerModel | InvoiceModel | PaymentModel | CreditModel | LedgerItemModel;

type NodeFetcher = (context: GatewayContext, key: string) => Promise<NodeModel | null>;

/**
 * How `node(id:)` refetches each type from the system its id names. Upstreams without a read-by-id
 * (IQM) are served from the owner's list, through the same per-request loaders as everything else.
 */
export const nodeFetchers: Record<string, NodeFetcher> = {
  Customer: async (context, key) => customerFromGlobalId(context, key),
  IqmInvoice: async (context, key) => {
    const parsed = parseIqmKey(key);
    return parsed ? context.iqm.loaders.invoice.load({ owId: parsed.owId, invoiceId: parsed.id }) : null;
  },
  IqmPayment: async (context, key) => {
    const parsed = parseIqmKey(key);
    if (!parsed) return null;
    const payments = await context.iqm.loaders.customerPayments.load(parsed.owId);
    return payments.find((payment) => payment.paymentId === parsed.id) ?? null;
  },
};

/** Refetches any node by global id; null for ids that are malformed or name nothing. */
export async function nodeById(context: GatewayContext, id: string): Promise<NodeModel | null> {
  const parts = fromGlobalId(id);
  if (!parts) return null;
  const fetcher = nodeFetchers[parts.typeName];
  if (!fetcher) return null;
  // Customer ids resolve from the whole id (directory key or IQM workspace).
  return parts.typeName === 'Customer' ? fetcher(context, id) : fetcher(context, parts.key);
}

export const Node: NodeResolvers = {
  __resolveType: (node) => {
    if ('kind' in node) return node.kind;
    if ('identities' in node) return 'Customer';
    if ('creditId' in node) return 'Credit';
    return 'LedgerItem';
  },
};

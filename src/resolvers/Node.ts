import type { NodeResolvers } from '../__generated__/resolvers-types.js';
import type { GraphQLSchema } from 'graphql';
import { mayReadType, ownsIntactAccount, ownsIqmWorkspace, ownsIqmetrixCompany, ownsRefrensInvoice } from '../auth/index.js';
import type { GatewayContext } from '../context.js';
import { fromGlobalId } from '../domain/globalId.js';
import { UnauthorizedFieldError } from '../errors.js';
import { customerFromGlobalId } from '../unified/customers.js';
import {
  parseIntactItemKey,
  parseIntactReceiptKey,
  parseIqmKey,
  parseIqmetrixInvoiceKey,
  parseIqmetrixPaymentKey,
  parseRefrensInvoiceKey,
  parseRefrensPaymentKey,
} from '../unified/ids.js';
import { refrensInvoicesOf } from '../unified/otherSources.js';
import { invoiceFromLedgerItem, receiptFromLedgerItem } from '../upstreams/intact/index.js';
import { IQM_FULL_LIST_PAGE_SIZE } from '../upstreams/iqm/index.js';
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
    const parsed = ownIqmKey(context, key);
    return parsed ? context.iqm.loaders.invoice.load({ owId: parsed.owId, invoiceId: parsed.id }) : null;
  },
  IqmPayment: async (context, key) => {
    const parsed = ownIqmKey(context, key);
    if (!parsed) return null;
    const payments = await context.iqm.loaders.customerPayments.load(parsed.owId);
    return payments.find((payment) => payment.paymentId === parsed.id) ?? null;
  },
  // IQM has no credit by id: a customer's credits (A29), or the organization's (A28, owId 0), are listed.
  Credit: async (context, key) => {
    const parsed = ownIqmKey(context, key);
    if (!parsed) return null;
    if (parsed.owId !== 0) {
      const credits = await context.iqm.loaders.customerCredits.load(parsed.owId);
      return credits.find((credit) => credit.creditId === parsed.id) ?? null;
    }
    for (let pageNo = 1; ; pageNo += 1) {
      const page = await context.iqm.loaders.organizationCredits.load({ limit: IQM_FULL_LIST_PAGE_SIZE, pageNo, sortBy: null });
      const found = page.items.find((credit) => credit.creditId === parsed.id);
      if (found) return found;
      if (page.items.length < IQM_FULL_LIST_PAGE_SIZE || pageNo * IQM_FULL_LIST_PAGE_SIZE >= page.totalRecords) return null;
    }
  },
  IntactInvoice: async (context, key) => {
    const item = await intactLedgerItem(context, key);
    return item && item.type === 'INVOICE' ? invoiceFromLedgerItem(item) : null;
  },
  LedgerItem: intactLedgerItem,
  IntactReceipt: async (context, key) => {
    const parts = parseIntactReceiptKey(key);
    if (!parts) return null;
    const { accountCode, number } = parts;
    if (!ownsIntactAccount(context, accountCode)) return null;
    const { items } = await context.intact.loaders.ledgerPage.load({ accountCode, number, skip: 0, fetch: 10 });
    const item = items.find((candidate) => candidate.number === number && candidate.type === 'RECEIPT');
    return item ? receiptFromLedgerItem(item) : null;
  },
  RefrensInvoice: async (context, key) => {
    const parts = parseRefrensInvoiceKey(key);
    if (!parts) return null;
    const { urlKey, invoiceId } = parts;
    const customer = context.directory.bySourceId('REFRENS_INVOICE', `${urlKey}/${invoiceId}`);
    return (customer && refrensInvoicesOf(customer).find((invoice) => invoice.invoiceId === invoiceId)) ?? null;
  },
  RefrensPayment: async (context, key) => {
    const parts = parseRefrensPaymentKey(key);
    if (!parts) return null;
    const { urlKey, invoiceId, paymentId } = parts;
    if (!ownsRefrensInvoice(context, urlKey, invoiceId)) return null;
    const payments = await context.refrens.loaders.invoicePayments.load({ urlKey, invoiceId });
    return payments.find((payment) => payment.paymentId === paymentId) ?? null;
  },
  IqmetrixInvoice: async (context, key) => {
    const parts = parseIqmetrixInvoiceKey(key);
    if (!parts || !ownsIqmetrixCompany(context, parts.companyId)) return null;
    return (await context.iqmetrix.loaders.invoice.load(parts))?.invoice ?? null;
  },
  IqmetrixPayment: async (context, key) => {
    const parts = parseIqmetrixPaymentKey(key);
    if (!parts || !ownsIqmetrixCompany(context, parts.companyId)) return null;
    const detail = await context.iqmetrix.loaders.invoice.load({ companyId: parts.companyId, invoiceId: parts.invoiceId });
    return detail?.payments.find((payment) => payment.paymentId.toLowerCase() === parts.paymentId.toLowerCase()) ?? null;
  },
};

/** Intact has no read-by-id: B1 filtered by the item's number, then matched on its id. */
async function intactLedgerItem(context: GatewayContext, key: string): Promise<LedgerItemModel | null> {
  const parts = parseIntactItemKey(key);
  if (!parts) return null;
  const { accountCode, number, itemId } = parts;
  if (!ownsIntactAccount(context, accountCode)) return null;
  const { items } = await context.intact.loaders.ledgerPage.load({ accountCode, number, skip: 0, fetch: 10 });
  return items.find((item) => item.itemId === itemId) ?? null;
}

/** The `<workspace>:<id>` key of an IQM id, when the workspace is the caller's tenant's. */
function ownIqmKey(context: GatewayContext, key: string): { owId: number; id: number } | null {
  const parsed = parseIqmKey(key);
  return parsed && ownsIqmWorkspace(context, parsed.owId) ? parsed : null;
}

/**
 * Refetches any node by global id; null for ids that are malformed, name nothing, or name something
 * outside the caller's tenant. Ownership is settled from the id and the tenant's directory before
 * any upstream call, so another tenant's id costs nothing and tells nothing. An id of a type the
 * caller may not see (its `@requiresScopes`) throws UnauthorizedFieldError, also before any call:
 * the operation could not know the type before the id was read.
 */
export async function nodeById(context: GatewayContext, schema: GraphQLSchema, id: string): Promise<NodeModel | null> {
  const parts = fromGlobalId(id);
  if (!parts) return null;
  const fetcher = nodeFetchers[parts.typeName];
  if (!fetcher) return null;
  if (!mayReadType(schema, context.caller, parts.typeName)) throw new UnauthorizedFieldError();
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

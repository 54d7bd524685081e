import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { connectionFromList, pageWindow } from '../domain/pagination.js';
import { customerFromGlobalId, customerFromSourceId } from '../unified/customers.js';
import { responsePathAsArray } from 'graphql';
import { BadUserInputError, NotFoundError, UnauthorizedFieldError } from '../errors.js';
import { auditTrail } from './auditTrail.js';
import { organizationWorkspace } from './Mutation/organizationWorkspace.js';
import { nodeById } from './Node.js';
import { ownsIqmetrixCompany } from '../auth/index.js';
import { reportAtField } from '../unified/fanOut.js';
import { withoutUnreadableInvoices } from '../unified/rowReads.js';
import { kindsWithOwnReads, type KindWithOwnRead } from './kindsWithOwnReads.js';

/** `iqmetrixInvoices` holds iQmetrix invoices only. */
const IQMETRIX_ONLY: readonly KindWithOwnRead[] = ['IqmetrixInvoice'];

/**
 * An object looked up by an id the caller sent: NOT_FOUND when there is none — the same answer for an
 * id that names nothing, a malformed one and another tenant's, so none tells which it was.
 */
function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NotFoundError(`no ${what} with this id`);
  return value;
}

export const Query: QueryResolvers = {
  node: async (_root, { id }, context, info) => found(await nodeById(context, info.schema, id), 'object'),
  // One NOT_FOUND (or FORBIDDEN) per entry that has no answer, at its index; the list itself still answers.
  nodes: (_root, { ids }, context, info) =>
    Promise.all(
      ids.map(async (id, index) => {
        const path = [...responsePathAsArray(info.path), index];
        try {
          const node = await nodeById(context, info.schema, id);
          if (node === null) context.partialErrors.push(new NotFoundError('no object with this id', { path }));
          return node;
        } catch (error) {
          if (!(error instanceof UnauthorizedFieldError)) throw error;
          context.partialErrors.push(new UnauthorizedFieldError(path));
          return null;
        }
      }),
    ),
  customer: (_root, { id }, context) => found(customerFromGlobalId(context, id), 'customer'),
  customerBySourceId: (_root, { system, sourceId }, context) => found(customerFromSourceId(context, system, sourceId), 'customer'),
  customers: (_root, args, context) => connectionFromList(context.directory.customers, pageWindow(args)),
  iqmetrixInvoices: async (_root, args, context, info) => {
    const window = pageWindow(args);
    const companyId = args.companyId ?? context.iqmetrix.defaultCompanyId;
    if (companyId === null) throw new BadUserInputError('companyId is required: no IQMETRIX_COMPANY_ID is configured', { argument: 'companyId' });
    // Only the tenant's own company: any other is NOT_FOUND before iQmetrix is asked.
    if (!ownsIqmetrixCompany(context, companyId)) throw new NotFoundError('no iQmetrix company with this id');
    // D1 has no documented paging: the filtered list is read once and sliced here.
    const invoices = await context.iqmetrix.loaders.summaries.load({
      companyId,
      ...(args.filter?.customerId ? { customerIds: [args.filter.customerId] } : {}),
      locationId: args.filter?.locationId ?? null,
      employeeId: args.filter?.employeeId ?? null,
    });
    const page = connectionFromList(invoices, window);
    // An invoice whose D2 failed is left out of a page that selects a D2 field, rather than nulling the response.
    const readable = await withoutUnreadableInvoices(context, page, kindsWithOwnReads(info, IQMETRIX_ONLY));
    if (!readable) return page;
    reportAtField(context, info, readable.errors);
    return { ...readable.page, totalCount: null, unavailableSources: readable.unavailable };
  },
  // The organization is the tenant's IQM organization workspace (the X-IAA-OW-ID sent for it).
  organization: (_root, _args, context) => ({ workspaceId: organizationWorkspace(context) }),
  financeReferenceData: () => ({}),
  auditTrail: (_root, args, context) => auditTrail(context, args),
  invoice: async (_root, { id }, context, info) => {
    const node = await nodeById(context, info.schema, id);
    return found(node && 'kind' in node && node.kind.endsWith('Invoice') ? (node as Extract<typeof node, { kind: `${string}Invoice` }>) : null, 'invoice');
  },
  payment: async (_root, { id }, context, info) => {
    const node = await nodeById(context, info.schema, id);
    return found(node && 'kind' in node && !node.kind.endsWith('Invoice') ? (node as Exclude<typeof node, { kind: `${string}Invoice` }>) : null, 'payment');
  },
};

import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { connectionFromList, pageWindow } from '../domain/pagination.js';
import { customerFromGlobalId, customerFromSourceId } from '../federation/customers.js';
import { BadUserInputError, UnauthenticatedError } from '../errors.js';
import { nodeById } from './Node.js';

export const Query: QueryResolvers = {
  node: (_root, { id }, context) => nodeById(context, id),
  nodes: (_root, { ids }, context) => Promise.all(ids.map((id) => nodeById(context, id))),
  customer: (_root, { id }, context) => customerFromGlobalId(context, id),
  customerBySourceId: (_root, { system, sourceId }, context) => customerFromSourceId(context, system, sourceId),
  customers: (_root, args, context) => connectionFromList(context.services.directory.customers, pageWindow(args)),
  iqmetrixInvoices: async (_root, args, context) => {
    const window = pageWindow(args);
    const companyId = args.companyId ?? context.iqmetrix.defaultCompanyId;
    if (companyId === null) throw new BadUserInputError('companyId is required: no IQMETRIX_COMPANY_ID is configured', { argument: 'companyId' });
    // D1 has no documented paging: the filtered list is read once and sliced here.
    const invoices = await context.iqmetrix.loaders.summaries.load({
      companyId,
      ...(args.filter?.customerId ? { customerIds: [args.filter.customerId] } : {}),
      locationId: args.filter?.locationId ?? null,
      employeeId: args.filter?.employeeId ?? null,
    });
    return connectionFromList(invoices, window);
  },
  // The organization is the IQM workspace the gateway sends as X-IAA-OW-ID for this caller.
  organization: (_root, _args, context) => {
    const workspace = context.caller.iqmCredentials?.organizationWorkspaceId;
    if (!workspace || !/^\d+$/.test(workspace)) throw new UnauthenticatedError('IQM', 'send Authorization: Bearer <token> and X-IAA-OW-ID');
    return { workspaceId: Number(workspace) };
  },
  financeReferenceData: () => ({}),
  invoice: async (_root, { id }, context) => {
    const node = await nodeById(context, id);
    return node && 'kind' in node && node.kind.endsWith('Invoice') ? (node as Extract<typeof node, { kind: `${string}Invoice` }>) : null;
  },
  payment: async (_root, { id }, context) => {
    const node = await nodeById(context, id);
    return node && 'kind' in node && !node.kind.endsWith('Invoice') ? (node as Exclude<typeof node, { kind: `${string}Invoice` }>) : null;
  },
};

import type { CustomerResolvers } from '../__generated__/resolvers-types.js';
import { connectionFromList, pageWindow } from '../domain/pagination.js';
import type { CustomerModel } from '../domain/models.js';

/** The customer's IQM workspace id, or null when IQM does not hold the customer (the field is then null). */
const iqmWorkspace = (customer: CustomerModel) => customer.identities.iqmWorkspaceId;

/**
 * IQM finance fields of Customer (A2–A13, A27, A29). Each reads its own IQM endpoint through the
 * request's loaders, so nothing is fetched unless the field is selected, and a field asked for twice
 * in one operation is fetched once.
 */
export const customerFinanceFields: Pick<
  CustomerResolvers,
  'margins' | 'campaignMargins' | 'pgFees' | 'vldFees' | 'pldFees' | 'slsFees' | 'dvIvtSegmentsEnabled' | 'creditSummary' | 'credits'
> = {
  margins: async (customer, args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.margins.load({ owId, marginTypeIds: args.marginTypeIds ?? null });
  },
  campaignMargins: async (customer, args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.campaignMargins.load({ owId, search: args.search ?? null, editableOnly: args.editableOnly ?? null });
  },
  pgFees: async (customer, _args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.pgFees.load(owId);
  },
  vldFees: async (customer, _args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.dataFees.load({ kind: 'vld', owId });
  },
  pldFees: async (customer, _args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.dataFees.load({ kind: 'pld', owId });
  },
  slsFees: async (customer, _args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.dataFees.load({ kind: 'sls', owId });
  },
  dvIvtSegmentsEnabled: async (customer, _args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.dvIvt.load(owId);
  },
  creditSummary: async (customer, _args, context) => {
    const owId = iqmWorkspace(customer);
    return owId === null ? null : context.iqm.loaders.creditSummary.load({ owId, isCustomerRequest: true });
  },
  credits: async (customer, args, context) => {
    const window = pageWindow(args);
    const owId = iqmWorkspace(customer);
    return connectionFromList(owId === null ? [] : await context.iqm.loaders.customerCredits.load(owId), window);
  },
};

import type { OrganizationResolvers } from '../__generated__/resolvers-types.js';
import { connectionFromWindow, pageNumberRequest, pageWindow } from '../domain/pagination.js';
import { iqmPaymentFilter } from '../upstreams/iqm/index.js';

const CREDIT_SORT_FIELD = { MODIFIED_AT: 'modifiedAt', CREDIT_AMOUNT: 'creditAmount' } as const;

/** The caller's IQM organization workspace. Every field is one IQM read, made only when selected. */
export const Organization: OrganizationResolvers = {
  paypalFeePercentage: (_organization, _args, context) => context.iqm.loaders.basicDetails.load('basic'),
  availableBalance: async (organization, _args, context) => ({
    amount: await context.iqm.loaders.availableBalance.load({ owId: organization.workspaceId, isCustomerRequest: false }),
    currencyCode: context.iqm.currencyCode,
  }),
  creditSummary: (organization, _args, context) => context.iqm.loaders.creditSummary.load({ owId: organization.workspaceId, isCustomerRequest: false }),
  invoiceSettings: (_organization, _args, context) => context.iqm.loaders.invoiceSettings.load('settings'),
  // A34 pages by pageNo/limit: one upstream page covers the requested window.
  payments: async (_organization, args, context) => {
    const window = pageWindow(args);
    const { pageNo, limit, skipInPage } = pageNumberRequest(window);
    const page = await context.iqm.loaders.organizationPayments.load({ ...iqmPaymentFilter(args.filter), limit, pageNo });
    return connectionFromWindow(page.items.slice(skipInPage, skipInPage + window.limit), window, page.totalRecords);
  },
  offeredCredits: async (_organization, args, context) => {
    const window = pageWindow(args);
    const { pageNo, limit, skipInPage } = pageNumberRequest(window);
    const order = args.orderBy;
    const sortBy = `${order?.direction === 'ASC' ? '+' : '-'}${CREDIT_SORT_FIELD[order?.field ?? 'MODIFIED_AT']}`;
    const page = await context.iqm.loaders.organizationCredits.load({ limit, pageNo, sortBy });
    return connectionFromWindow(page.items.slice(skipInPage, skipInPage + window.limit), window, page.totalRecords);
  },
};

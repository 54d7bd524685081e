import type { CustomerResolvers } from '../__generated__/resolvers-types.js';

/** IQM finance fields of Customer (A2–A13, A27), each fetched only when selected. */
export const customerFinanceFields: Pick<CustomerResolvers, never> = {};

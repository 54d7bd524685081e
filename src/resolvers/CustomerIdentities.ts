import type { CustomerIdentitiesResolvers } from '../__generated__/resolvers-types.js';

export const CustomerIdentities: CustomerIdentitiesResolvers = {
  iqmWorkspaceId: (customer) => customer.identities.iqmWorkspaceId,
  intactAccountCode: (customer) => customer.identities.intactAccountCode,
  refrensBusinessUrlKey: (customer) => customer.identities.refrens?.urlKey ?? null,
  iqmetrixCompanyId: (customer) => customer.identities.iqmetrix?.companyId ?? null,
  iqmetrixCustomerId: (customer) => customer.identities.iqmetrix?.customerId ?? null,
};

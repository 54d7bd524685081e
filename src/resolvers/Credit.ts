import type { CreditResolvers } from '../__generated__/resolvers-types.js';
import { customerForIqmWorkspace } from '../unified/customers.js';
import { iqmCreditId } from '../unified/ids.js';
import type { CreditModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const Credit: CreditResolvers = {
  __resolveReference: entityReference<CreditModel>('Credit'),
  id: (credit) => iqmCreditId(credit),
  source: () => 'IQM',
  // Credits offered to the caller's organization (A28) belong to no customer.
  customer: (credit, _args, context) => (credit.owId === null ? null : customerForIqmWorkspace(context, credit.owId)),
};

import type { LedgerItemResolvers } from '../__generated__/resolvers-types.js';
import { ledgerItemId } from '../unified/ids.js';
import type { LedgerItemModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const LedgerItem: LedgerItemResolvers = {
  __resolveReference: entityReference<LedgerItemModel>('LedgerItem'),
  id: (item) => ledgerItemId(item),
  source: () => 'INTACT',
  customer: (item, _args, context) => context.directory.bySourceId('INTACT', item.accountCode) ?? null,
};

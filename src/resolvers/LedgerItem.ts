import type { LedgerItemResolvers } from '../__generated__/resolvers-types.js';
import { ledgerItemId } from '../unified/ids.js';

export const LedgerItem: LedgerItemResolvers = {
  id: (item) => ledgerItemId(item),
  source: () => 'INTACT',
  customer: (item, _args, context) => context.directory.bySourceId('INTACT', item.accountCode) ?? null,
};

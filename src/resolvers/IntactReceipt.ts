import type { IntactReceiptResolvers } from '../__generated__/resolvers-types.js';
import { intactReceiptId } from '../unified/ids.js';
import type { IntactReceiptModel } from '../domain/models.js';
import { entityReference } from './entities.js';

export const IntactReceipt: IntactReceiptResolvers = {
  __resolveReference: entityReference<IntactReceiptModel>('IntactReceipt'),
  id: (receipt) => intactReceiptId(receipt),
  source: () => 'INTACT',
  // A posted receipt is money received.
  status: () => 'PAID',
  reference: (receipt) => receipt.reference ?? receipt.number,
  // A receipt may be spread over several invoices; the allocations are in allocateReceipt's payload.
  invoice: () => null,
  customer: (receipt, _args, context) => context.directory.bySourceId('INTACT', receipt.accountCode) ?? null,
};

import type DataLoader from 'dataloader';
import { memoLoader } from '../memoLoader.js';
import type { LedgerItemModel } from '../../domain/models.js';
import type { IntactClient, IntactLedgerQuery } from './client.js';
import { ledgerItemFromWire } from './mapping.js';

/** Window used when the gateway needs a whole ledger: the largest `fetch` Intact is known to serve. */
export const INTACT_FULL_LEDGER_PAGE_SIZE = 500;

/** One B1 window, mapped. `totalCount` counts every item matching the filters, before skip/fetch. */
export interface IntactLedgerWindow {
  readonly items: readonly LedgerItemModel[];
  readonly totalCount: number;
}

/** Per-request Intact loaders. Intact has no batch or by-id endpoint: look-ups go through B1. */
export interface IntactLoaders {
  /** B1, one window with its filters; identical windows asked for in one request are fetched once. */
  readonly ledgerPage: DataLoader<IntactLedgerQuery, IntactLedgerWindow, string>;
  /** B1, every item of an account (newest first), read in windows of 500. */
  readonly ledgerAll: DataLoader<string, readonly LedgerItemModel[], string>;
}

/** Cache key of a B1 query: every field that changes the call. */
export function ledgerQueryKey(query: IntactLedgerQuery): string {
  return [
    query.accountCode,
    query.number ?? '',
    query.reference ?? '',
    query.currency ?? '',
    query.debitAmount?.toFixed() ?? '',
    query.fromDate?.toISOString() ?? '',
    query.toDate?.toISOString() ?? '',
    query.skip,
    query.fetch,
  ]
    .map((part) => String(part).replaceAll('\\', '\\\\').replaceAll('|', '\\|'))
    .join('|');
}

export function createIntactLoaders(client: IntactClient): IntactLoaders {
  const ledgerPage = memoLoader(async (query: IntactLedgerQuery): Promise<IntactLedgerWindow> => {
    const page = await client.ledger(query);
    return { items: page.Items.map((item) => ledgerItemFromWire(item, query.accountCode)), totalCount: page.TotalCount };
  }, ledgerQueryKey);

  const ledgerAll = memoLoader(async (accountCode: string): Promise<readonly LedgerItemModel[]> => {
    const items: LedgerItemModel[] = [];
    for (;;) {
      const page = await ledgerPage.load({ accountCode, skip: items.length, fetch: INTACT_FULL_LEDGER_PAGE_SIZE });
      items.push(...page.items);
      // An empty window ends the loop even if TotalCount promised more (a ledger shrinking meanwhile).
      if (page.items.length === 0 || items.length >= page.totalCount) return items;
    }
  }, (accountCode) => accountCode);

  return { ledgerPage, ledgerAll };
}

import DataLoader from 'dataloader';
import { loaderOptions, memoLoader, toError, type ExecutionMode } from '../memoLoader.js';
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
  /**
   * B1, one window with its filters. Identical windows asked for in one request are fetched once, and
   * a window inside another one of the same batch (a ledger page beside the whole ledger) is cut
   * from that one's answer instead of being a call of its own.
   */
  readonly ledgerPage: DataLoader<IntactLedgerQuery, IntactLedgerWindow, string>;
  /** B1, every item of an account (newest first), read in windows of 500. */
  readonly ledgerAll: DataLoader<string, readonly LedgerItemModel[], string>;
}

/** Cache key of a B1 query: every field that changes the call. */
export function ledgerQueryKey(query: IntactLedgerQuery): string {
  return `${ledgerFilterKey(query)}|${query.skip}|${query.fetch}`;
}

/** Everything of a B1 query but its window: queries with equal filter keys differ only in skip/fetch. */
function ledgerFilterKey(query: IntactLedgerQuery): string {
  return [
    query.accountCode,
    query.number ?? '',
    query.reference ?? '',
    query.currency ?? '',
    query.debitAmount?.toFixed() ?? '',
    query.fromDate?.toISOString() ?? '',
    query.toDate?.toISOString() ?? '',
  ]
    .map((part) => String(part).replaceAll('\\', '\\\\').replaceAll('|', '\\|'))
    .join('|');
}

export function createIntactLoaders(client: IntactClient, mode: ExecutionMode = 'batched'): IntactLoaders {
  const ledgerPage = new DataLoader<IntactLedgerQuery, IntactLedgerWindow, string>(async (queries) => {
    const calls = coveringWindows(queries);
    const answers = await Promise.all(
      calls.map(async (call) => {
        try {
          const page = await client.ledger(call);
          return { items: page.Items.map((item) => ledgerItemFromWire(item, call.accountCode)), totalCount: page.TotalCount };
        } catch (error) {
          return toError(error);
        }
      }),
    );
    return queries.map((query) => {
      const index = calls.findIndex((call) => covers(call, query));
      const call = calls[index]!;
      const answer = answers[index]!;
      if (answer instanceof Error || call === query) return answer;
      const start = query.skip - call.skip;
      return { items: answer.items.slice(start, start + query.fetch), totalCount: answer.totalCount };
    });
  }, loaderOptions(mode, ledgerQueryKey));

  const ledgerAll = memoLoader(
    async (accountCode: string): Promise<readonly LedgerItemModel[]> => {
      const items: LedgerItemModel[] = [];
      for (;;) {
        const page = await ledgerPage.load({ accountCode, skip: items.length, fetch: INTACT_FULL_LEDGER_PAGE_SIZE });
        items.push(...page.items);
        // An empty window ends the loop even if TotalCount promised more (a ledger shrinking meanwhile).
        if (page.items.length === 0 || items.length >= page.totalCount) return items;
      }
    },
    (accountCode) => accountCode,
    mode,
  );

  return { ledgerPage, ledgerAll };
}

/**
 * The B1 calls that answer a batch of queries: one per query that no larger query of the batch
 * (same filters, a window containing it, at most one full window long) already answers.
 */
function coveringWindows(queries: readonly IntactLedgerQuery[]): IntactLedgerQuery[] {
  const calls: IntactLedgerQuery[] = [];
  for (const query of [...queries].sort((a, b) => b.fetch - a.fetch)) {
    if (!calls.some((call) => covers(call, query))) calls.push(query);
  }
  return calls;
}

/** Whether `outer`'s answer holds all of `inner`'s: same filters and a window around it that Intact serves whole. */
function covers(outer: IntactLedgerQuery, inner: IntactLedgerQuery): boolean {
  if (outer === inner) return true;
  return (
    outer.fetch <= INTACT_FULL_LEDGER_PAGE_SIZE &&
    outer.skip <= inner.skip &&
    inner.skip + inner.fetch <= outer.skip + outer.fetch &&
    ledgerFilterKey(outer) === ledgerFilterKey(inner)
  );
}

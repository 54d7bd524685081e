import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { InvoiceModel, SourceSystem, UnavailableSourceModel } from '../domain/models.js';
import type { Connection } from '../domain/pagination.js';
import { GatewayError } from '../errors.js';
import { unavailableEntry } from './fanOut.js';
import { invoiceFacts } from './invoiceFacts.js';

/**
 * Reads made once per row of a system's list: an iQmetrix invoice's detail (D2) and a Refrens
 * invoice's payments (C2). One of twenty such reads failing must not cost the other nineteen rows,
 * nor (through a non-null field) the whole customer: the rows whose read answered are kept, the
 * others are left out, and one error per system says how many and why (README, "Upstream faults").
 */

/** What one row's own read fetches, as a count's noun ("2 of 20 invoice details could not be read"). */
const ROW_READ: Readonly<Record<SourceSystem, string>> = {
  IQM: 'rows',
  INTACT: 'rows',
  REFRENS: 'invoice payment lists',
  IQMETRIX: 'invoice details',
};

const INVOICE_SYSTEM: Readonly<Record<InvoiceModel['kind'], SourceSystem>> = {
  IqmInvoice: 'IQM',
  IntactInvoice: 'INTACT',
  RefrensInvoice: 'REFRENS',
  IqmetrixInvoice: 'IQMETRIX',
};

/**
 * The error of `failed` of `of` row reads of one system: the first failure's code (UPSTREAM_UNAVAILABLE,
 * UPSTREAM_TIMEOUT, …) and system, and a message that counts them and says what the answer lacks.
 * A failure that is not a typed gateway error keeps its words out of the message and is masked
 * like any unexpected error.
 */
export function rowsUnreadable(system: SourceSystem, failed: number, of: number, reason: unknown, consequence: string): GraphQLError {
  const cause = reason instanceof GatewayError ? reason : null;
  return new GraphQLError(`${system}: ${failed} of ${of} ${ROW_READ[system]} could not be read (${cause?.message ?? 'an internal error'}); ${consequence}`, {
    originalError: reason instanceof Error ? reason : undefined,
    extensions: { ...cause?.extensions, code: cause?.extensions['code'] ?? 'INTERNAL_SERVER_ERROR', system },
  });
}

export interface SettledRows<R, V> {
  /** The rows whose read answered, in their order (`rows` itself when every one did). */
  readonly rows: readonly R[];
  /** Those rows' values, index for index. */
  readonly values: readonly V[];
  /** Null when every read answered; else rowsUnreadable's error for the others. */
  readonly failure: GraphQLError | null;
}

/**
 * Starts `read` for every row at once (the request's loaders share and batch them) and waits for
 * all of them. When every read answers, which is the common case, that is all it does; otherwise
 * the rows whose read failed are dropped and counted.
 */
export async function settleRows<R, V>(
  system: SourceSystem,
  rows: readonly R[],
  read: (row: R) => V | Promise<V>,
  consequence: string,
): Promise<SettledRows<R, V>> {
  const reads = rows.map(read);
  try {
    return { rows, values: await Promise.all(reads), failure: null };
  } catch {
    // Promise.all stops at the first failure; allSettled below waits for the others and names them.
  }
  const kept: R[] = [];
  const values: V[] = [];
  let failed = 0;
  let firstReason: unknown;
  (await Promise.allSettled(reads)).forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') {
      kept.push(rows[index]!);
      values.push(outcome.value);
    } else if (failed++ === 0) {
      firstReason = outcome.reason;
    }
  });
  return { rows: kept, values, failure: rowsUnreadable(system, failed, rows.length, firstReason, consequence) };
}

/**
 * Leaves out of a page of merged invoices those whose own read failed, when the page selects a
 * field that waits on it (`kinds`: the invoice types for which it does). Such a field is non-null
 * (`status`, `paid`, `orders`, …): left in, the invoice would be null, and with it the list and the
 * customer that holds it. The page keeps its pageInfo and the others keep their cursors: cursors are
 * places in the whole merged list, so the next page starts after the left-out invoices' places as
 * it would have, and no other invoice moves. The reads are the request's invoice facts (memoized
 * per invoice), which the selected fields then answer from without another call.
 *
 * Null when nothing was left out (the page answers as it is, with no new object); else the page
 * without them, and one error and one `unavailableSources` entry per system that lost invoices.
 */
export async function withoutUnreadableInvoices<C extends Connection<InvoiceModel>>(
  context: GatewayContext,
  page: C,
  kinds: ReadonlySet<InvoiceModel['kind']>,
): Promise<{ readonly page: C; readonly errors: GraphQLError[]; readonly unavailable: UnavailableSourceModel[] } | null> {
  if (kinds.size === 0) return null;
  // Facts already known (a value, not a promise) were read: only those still pending or failed are awaited.
  let reads: Promise<unknown>[] | null = null;
  for (const invoice of page.nodes) {
    if (!kinds.has(invoice.kind)) continue;
    const facts = invoiceFacts(context, invoice);
    if (facts instanceof Promise) (reads ??= []).push(facts);
  }
  if (reads === null) return null;
  try {
    await Promise.all(reads);
    return null;
  } catch {
    // Below: which invoices, once every read has settled.
  }
  await Promise.allSettled(reads);
  // Every read has settled: a failed one is still its rejected promise, a good one is now a value.
  const left = new Set<InvoiceModel>();
  const tallies = new Map<SourceSystem, { of: number; failed: number; reason: unknown }>();
  for (const invoice of page.nodes) {
    if (!kinds.has(invoice.kind)) continue;
    const system = INVOICE_SYSTEM[invoice.kind];
    let tally = tallies.get(system);
    if (!tally) tallies.set(system, (tally = { of: 0, failed: 0, reason: undefined }));
    tally.of += 1;
    const facts = invoiceFacts(context, invoice);
    if (!(facts instanceof Promise)) continue;
    try {
      await facts;
    } catch (reason) {
      if (tally.failed++ === 0) tally.reason = reason;
      left.add(invoice);
    }
  }
  const errors: GraphQLError[] = [];
  const unavailable: UnavailableSourceModel[] = [];
  for (const [system, { failed, of, reason }] of tallies) {
    if (failed === 0) continue;
    const error = rowsUnreadable(system, failed, of, reason, 'those invoices are left out of this page');
    errors.push(error);
    unavailable.push(unavailableEntry(system, error));
  }
  return {
    page: { ...page, edges: page.edges.filter((edge) => !left.has(edge.node)), nodes: page.nodes.filter((node) => !left.has(node)) },
    errors,
    unavailable,
  };
}

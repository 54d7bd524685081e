import DataLoader from 'dataloader';
import { loaderOptions, memoLoader, toError, type ExecutionMode } from '../memoLoader.js';
import type { IqmetrixInvoiceDetailModel, IqmetrixInvoiceModel } from '../../domain/models.js';
import type { IqmetrixClient } from './client.js';
import { invoiceDetailFromWire, invoiceFromSummary } from './mapping.js';
import { canonicalGuids, isGuid } from './odata.js';
import { BadUserInputError } from '../../errors.js';

/** Customer ids per D1 call when batching, so the `$filter` (and the URL) stays around 1 000 characters. */
export const IQMETRIX_CUSTOMERS_PER_CALL = 20;

export interface IqmetrixCustomerInvoicesKey {
  readonly companyId: number;
  readonly customerId: string;
}

export interface IqmetrixSummariesKey {
  readonly companyId: number;
  readonly customerIds?: readonly string[];
  readonly locationId?: number | null;
  readonly employeeId?: number | null;
}

export interface IqmetrixInvoiceKey {
  readonly companyId: number;
  readonly invoiceId: string;
}

/** Per-request iQmetrix loaders. D1 filters by several customers at once; D2 has no batch form. */
export interface IqmetrixLoaders {
  /** Invoices of one customer, newest first. Keys of one company loaded in the same tick share D1 calls. */
  readonly summariesByCustomer: DataLoader<IqmetrixCustomerInvoicesKey, readonly IqmetrixInvoiceModel[], string>;
  /** D1 with an arbitrary filter, newest first; more than 20 customer ids are split over several calls. */
  readonly summaries: DataLoader<IqmetrixSummariesKey, readonly IqmetrixInvoiceModel[], string>;
  /** D2 by id, deduplicated; null when iQmetrix does not know the invoice. */
  readonly invoice: DataLoader<IqmetrixInvoiceKey, IqmetrixInvoiceDetailModel | null, string>;
}

export function createIqmetrixLoaders(client: IqmetrixClient, currencyCode: string, mode: ExecutionMode = 'batched'): IqmetrixLoaders {
  /** One D1 call per chunk of customers; the rows, mapped, in the upstream's order. */
  const summariesOf = async (companyId: number, filter: Omit<IqmetrixSummariesKey, 'companyId'>): Promise<IqmetrixInvoiceModel[]> => {
    const customerIds = filter.customerIds;
    if (customerIds === undefined) {
      return (await client.invoiceSummaries(companyId, filter)).map((row) => invoiceFromSummary(row, companyId, currencyCode));
    }
    const chunks = chunk(canonicalGuids(customerIds, 'customerId'), IQMETRIX_CUSTOMERS_PER_CALL);
    const lists = await Promise.all(chunks.map((ids) => client.invoiceSummaries(companyId, { ...filter, customerIds: ids })));
    return newestFirst(lists.flat().map((row) => invoiceFromSummary(row, companyId, currencyCode)));
  };

  const summariesByCustomer = new DataLoader<IqmetrixCustomerInvoicesKey, readonly IqmetrixInvoiceModel[], string>(
    async (keys) => {
      const results = new Map<string, readonly IqmetrixInvoiceModel[] | Error>();
      const byCompany = new Map<number, Set<string>>();
      for (const key of keys) {
        // A bad id fails its own key only; it never reaches the filter of the others.
        if (!isGuid(key.customerId)) continue;
        const ids = byCompany.get(key.companyId) ?? new Set<string>();
        ids.add(key.customerId.toLowerCase());
        byCompany.set(key.companyId, ids);
      }
      await Promise.all(
        [...byCompany].flatMap(([companyId, ids]) =>
          chunk([...ids], IQMETRIX_CUSTOMERS_PER_CALL).map(async (chunkIds) => {
            try {
              const rows = await client.invoiceSummaries(companyId, { customerIds: chunkIds });
              const perCustomer = new Map<string, IqmetrixInvoiceModel[]>(chunkIds.map((id) => [id, []]));
              for (const row of rows) {
                const invoice = invoiceFromSummary(row, companyId, currencyCode);
                perCustomer.get(invoice.customerId?.toLowerCase() ?? '')?.push(invoice);
              }
              for (const [id, invoices] of perCustomer) results.set(customerKey(companyId, id), newestFirst(invoices));
            } catch (error) {
              for (const id of chunkIds) results.set(customerKey(companyId, id), toError(error));
            }
          }),
        ),
      );
      return keys.map(
        (key) =>
          results.get(customerKey(key.companyId, key.customerId)) ??
          new BadUserInputError('iQmetrix: customerId must be a GUID', { field: 'customerId' }),
      );
    },
    loaderOptions(mode, (key: IqmetrixCustomerInvoicesKey) => customerKey(key.companyId, key.customerId)),
  );

  const summaries = memoLoader(
    async ({ companyId, ...filter }: IqmetrixSummariesKey): Promise<readonly IqmetrixInvoiceModel[]> =>
      filter.customerIds !== undefined && filter.customerIds.length === 0 ? [] : summariesOf(companyId, filter),
    (key) =>
      [
        key.companyId,
        key.customerIds === undefined ? '*' : [...key.customerIds].map((id) => id.toLowerCase()).sort().join(','),
        key.locationId ?? '',
        key.employeeId ?? '',
      ].join('|'),
    mode,
  );

  const invoice = memoLoader(
    async ({ companyId, invoiceId }: IqmetrixInvoiceKey): Promise<IqmetrixInvoiceDetailModel | null> => {
      const wire = await client.invoice(companyId, invoiceId);
      return wire === null ? null : invoiceDetailFromWire(wire, companyId, currencyCode);
    },
    ({ companyId, invoiceId }) => `${companyId}|${invoiceId.toLowerCase()}`,
    mode,
  );

  return { summariesByCustomer, summaries, invoice };
}

function customerKey(companyId: number, customerId: string): string {
  return `${companyId}|${customerId.toLowerCase()}`;
}

/** Newest CreatedDateUtc first, undated last; stable, so the upstream's order breaks ties. */
function newestFirst(invoices: IqmetrixInvoiceModel[]): IqmetrixInvoiceModel[] {
  const time = (invoice: IqmetrixInvoiceModel) => invoice.createdAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return invoices.sort((a, b) => time(b) - time(a) || 0);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

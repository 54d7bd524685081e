import DataLoader from 'dataloader';
import { memoLoader } from '../memoLoader.js';
import { toDecimal, type Decimal } from '../../domain/money.js';
import type { IqmInvoiceModel, IqmPaymentModel } from '../../domain/models.js';
import type { IqmClient, IqmInvoiceListQuery } from './client.js';
import { invoiceFromWire, paymentFromWire } from './mapping.js';
import type { IqmFinanceDetails } from './wire.js';

/** Page size used when the gateway needs a whole list (IQM documents no maximum; the simulator allows 500). */
export const IQM_FULL_LIST_PAGE_SIZE = 500;

export interface IqmInvoiceKey {
  readonly owId: number;
  readonly invoiceId: number;
}

/** Per-request IQM loaders. IQM has no batch or by-id endpoints, so look-ups go through the lists. */
export interface IqmLoaders {
  /** A19 for one customer (or the organization), with one status filter and sort. */
  readonly invoiceList: DataLoader<IqmInvoiceListQuery, readonly IqmInvoiceModel[], string>;
  /** An invoice by id: the customer's unfiltered list, read once per request and indexed. */
  readonly invoice: DataLoader<IqmInvoiceKey, IqmInvoiceModel | null, string>;
  /** A35, every page, for one customer workspace. */
  readonly customerPayments: DataLoader<number, readonly IqmPaymentModel[], number>;
  /** A1 */
  readonly financeDetails: DataLoader<{ owId: number; year: number | null }, IqmFinanceDetails, string>;
  /** A16 */
  readonly availableBalance: DataLoader<{ owId: number; isCustomerRequest: boolean }, Decimal, string>;
}

export function createIqmLoaders(client: IqmClient, currencyCode: string): IqmLoaders {
  const invoiceList = memoLoader(
    async (query: IqmInvoiceListQuery) => (await client.invoices(query)).data.map((row) => invoiceFromWire(row, query.owId, currencyCode)),
    (query) => `${query.owId}|${query.status ?? ''}|${query.sortBy ?? ''}|${query.isCustomerRequest}`,
  );

  const invoice = new DataLoader<IqmInvoiceKey, IqmInvoiceModel | null, string>(
    async (keys) => {
      const owIds = [...new Set(keys.map((key) => key.owId))];
      const lists = await Promise.all(
        owIds.map((owId) => invoiceList.load({ owId, isCustomerRequest: true }).catch((error: unknown) => error as Error)),
      );
      const byOwner = new Map(owIds.map((owId, index) => [owId, lists[index]]));
      return keys.map((key) => {
        const list = byOwner.get(key.owId);
        if (list instanceof Error || list === undefined) return list ?? null;
        return list.find((item) => item.invoiceId === key.invoiceId) ?? null;
      });
    },
    { cacheKeyFn: (key) => `${key.owId}:${key.invoiceId}` },
  );

  const customerPayments = new DataLoader<number, readonly IqmPaymentModel[], number>((owIds) =>
    Promise.all(
      owIds.map(async (owId) => {
        try {
          const payments: IqmPaymentModel[] = [];
          for (let pageNo = 1; ; pageNo += 1) {
            const page = await client.customerPayments(owId, { limit: IQM_FULL_LIST_PAGE_SIZE, pageNo });
            payments.push(...page.data.map((row) => paymentFromWire(row, owId, currencyCode)));
            if (page.data.length < IQM_FULL_LIST_PAGE_SIZE || payments.length >= page.filteredRecords) return payments;
          }
        } catch (error) {
          return error as Error;
        }
      }),
    ),
  );

  const financeDetails = memoLoader(
    ({ owId, year }: { owId: number; year: number | null }) => client.financeDetails(owId, year),
    ({ owId, year }) => `${owId}|${year ?? ''}`,
  );

  const availableBalance = memoLoader(
    async ({ owId, isCustomerRequest }: { owId: number; isCustomerRequest: boolean }) =>
      toDecimal(await client.availableBalance(owId, isCustomerRequest)),
    ({ owId, isCustomerRequest }) => `${owId}|${isCustomerRequest}`,
  );

  return { invoiceList, invoice, customerPayments, financeDetails, availableBalance };
}

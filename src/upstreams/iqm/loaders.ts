import DataLoader from 'dataloader';
import { DerivedRead, loaderOptions, memoLoader, toError, type ExecutionMode } from '../memoLoader.js';
import { toDecimal, type Decimal } from '../../domain/money.js';
import type { CreditModel, IqmInvoiceModel, IqmPaymentModel } from '../../domain/models.js';
import type { CampaignMargin, CustomerMargins, InvoicePaymentDetails, InvoiceSettings } from '../../__generated__/resolvers-types.js';
import type { IqmClient, IqmCreditListQuery, IqmInvoiceListQuery, IqmPaymentListQuery } from './client.js';
import {
  campaignMarginsFromWire,
  creditSummaryFromWire,
  customerCreditFromWire,
  dataFeesFromWire,
  invoiceFromWire,
  invoicePaymentDetailsFromWire,
  invoiceSettingsFromWire,
  marginsFromWire,
  organizationCreditFromWire,
  paymentFromWire,
  pgFeesFromWire,
  type CreditSummaryModel,
  type DataFeesModel,
  type PgFeesModel,
} from './mapping.js';
import type { IqmDataFeeKind, IqmFinanceDetails, IqmInvoiceRow } from './wire.js';

/** Page size used when the gateway needs a whole list (IQM documents no maximum; the simulator allows 500). */
export const IQM_FULL_LIST_PAGE_SIZE = 500;

export interface IqmInvoiceKey {
  readonly owId: number;
  readonly invoiceId: number;
}

/** Per-request IQM loaders. IQM has no batch or by-id endpoints, so look-ups go through the lists. */
export interface IqmLoaders {
  /** A19 for one customer (or the organization), with one status filter and sort, as IQM wrote its rows. */
  readonly invoiceRows: DataLoader<IqmInvoiceListQuery, readonly IqmInvoiceRow[], string>;
  /** invoiceRows, every row mapped. */
  readonly invoiceList: DataLoader<IqmInvoiceListQuery, readonly IqmInvoiceModel[], string>;
  /**
   * An invoice by id: the customer's unfiltered list, read once per request and indexed by id; only
   * the rows asked for are mapped (50 payments name at most 50 of a workspace's invoices, however
   * many it has), into the same objects invoiceList answers.
   */
  readonly invoice: DataLoader<IqmInvoiceKey, IqmInvoiceModel | null, string>;
  /** A35, every page, for one customer workspace. */
  readonly customerPayments: DataLoader<number, readonly IqmPaymentModel[], string>;
  /**
   * customerPayments grouped by invoice id (in A35's order), grouped once per workspace per request.
   * The index itself once A35 has been read, so an invoice's payments resolve without a promise per
   * invoice; before that, the promise of it.
   */
  readonly paymentsByInvoice: DerivedRead<number, PaymentsByInvoice>;
  /** A1 */
  readonly financeDetails: DataLoader<{ owId: number; year: number | null }, IqmFinanceDetails, string>;
  /** A16 */
  readonly availableBalance: DataLoader<{ owId: number; isCustomerRequest: boolean }, Decimal, string>;
  /** A35, every page, with status / type / search passed to IQM. */
  readonly filteredCustomerPayments: DataLoader<IqmCustomerPaymentFilter, readonly IqmPaymentModel[], string>;
  /** A34, one page. */
  readonly organizationPayments: DataLoader<IqmPaymentListQuery, IqmPage<IqmPaymentModel>, string>;
  /** A2 */
  readonly margins: DataLoader<{ owId: number; marginTypeIds: readonly number[] | null }, CustomerMargins, string>;
  /** A4 */
  readonly campaignMargins: DataLoader<{ owId: number; search: string | null; editableOnly: boolean | null }, CampaignMargin[], string>;
  /** A5 */
  readonly pgFees: DataLoader<number, PgFeesModel, string>;
  /** A7, A9, A11 */
  readonly dataFees: DataLoader<{ kind: IqmDataFeeKind; owId: number }, DataFeesModel, string>;
  /** A13 */
  readonly dvIvt: DataLoader<number, boolean, string>;
  /** A15: PayPal fee percentage. */
  readonly basicDetails: DataLoader<'basic', Decimal | null, string>;
  /** A17 */
  readonly invoiceSettings: DataLoader<'settings', InvoiceSettings, string>;
  /** A18 */
  readonly invoicePaymentDetails: DataLoader<number, InvoicePaymentDetails, string>;
  /** A27 */
  readonly creditSummary: DataLoader<{ owId: number; isCustomerRequest: boolean }, CreditSummaryModel, string>;
  /** A28, one page. */
  readonly organizationCredits: DataLoader<IqmCreditListQuery, IqmPage<CreditModel>, string>;
  /** A29 */
  readonly customerCredits: DataLoader<number, readonly CreditModel[], string>;
}

/** A workspace's payments by the id of the invoice they pay (payments without an invoice are left out). */
export type PaymentsByInvoice = ReadonlyMap<number, readonly IqmPaymentModel[]>;

/** One page of an IQM list and its record count. */
export interface IqmPage<T> {
  readonly items: readonly T[];
  readonly totalRecords: number;
}

/** A customer's payments narrowed by IQM itself (A35 status, paymentType, searchField). */
export interface IqmCustomerPaymentFilter {
  readonly owId: number;
  /** Comma-separated A48 ids. */
  readonly status: string | null;
  readonly paymentType: number | null;
  readonly searchField: string | null;
}

export function createIqmLoaders(client: IqmClient, currencyCode: string, mode: ExecutionMode = 'batched'): IqmLoaders {
  const memo = <K, V>(load: (key: K) => Promise<V>, cacheKey: (key: K) => string) => memoLoader(load, cacheKey, mode);
  const invoiceListKey = (query: IqmInvoiceListQuery) => `${query.owId}|${query.status ?? ''}|${query.sortBy ?? ''}|${query.isCustomerRequest}`;
  const invoiceRows = memo(async (query: IqmInvoiceListQuery) => (await client.invoices(query)).data, invoiceListKey);
  // One model per row and request, whichever of invoiceList and invoice maps it first: kept per list
  // by position (one entry per A19 read, not one per row).
  const mappedRows = new WeakMap<readonly IqmInvoiceRow[], (IqmInvoiceModel | undefined)[]>();
  const modelsOf = (rows: readonly IqmInvoiceRow[]): (IqmInvoiceModel | undefined)[] => {
    let models = mappedRows.get(rows);
    if (models === undefined) {
      models = new Array<IqmInvoiceModel | undefined>(rows.length);
      mappedRows.set(rows, models);
    }
    return models;
  };
  const invoiceList = memo(async (query: IqmInvoiceListQuery) => {
    const rows = await invoiceRows.load(query);
    const models = modelsOf(rows);
    return rows.map((row, position) => (models[position] ??= invoiceFromWire(row, query.owId, currencyCode)));
  }, invoiceListKey);

  const invoice = new DataLoader<IqmInvoiceKey, IqmInvoiceModel | null, string>(
    async (keys) => {
      const owIds = [...new Set(keys.map((key) => key.owId))];
      const lists = await Promise.all(owIds.map((owId) => invoiceRows.load({ owId, isCustomerRequest: true }).catch(toError)));
      // Each list is indexed once per batch: n invoices cost n look-ups, not n scans of the list.
      const indexes = new Map<number, { rows: readonly IqmInvoiceRow[]; positions: Map<number, number> } | Error>();
      owIds.forEach((owId, index) => {
        const rows = lists[index]!;
        indexes.set(owId, rows instanceof Error ? rows : { rows, positions: new Map(rows.map((row, position) => [row.invoiceId, position])) });
      });
      return keys.map((key) => {
        const index = indexes.get(key.owId)!;
        if (index instanceof Error) return index;
        const position = index.positions.get(key.invoiceId);
        if (position === undefined) return null;
        try {
          const models = modelsOf(index.rows);
          return (models[position] ??= invoiceFromWire(index.rows[position]!, key.owId, currencyCode));
        } catch (error) {
          // A row IQM wrote that the gateway cannot read fails its own invoice, not the batch.
          return toError(error);
        }
      });
    },
    loaderOptions(mode, (key: IqmInvoiceKey) => `${key.owId}:${key.invoiceId}`),
  );

  const allCustomerPayments = async (owId: number, filter: Omit<IqmPaymentListQuery, 'limit' | 'pageNo'>) => {
    const payments: IqmPaymentModel[] = [];
    for (let pageNo = 1; ; pageNo += 1) {
      const page = await client.customerPayments(owId, { ...filter, limit: IQM_FULL_LIST_PAGE_SIZE, pageNo });
      payments.push(...page.data.map((row) => paymentFromWire(row, owId, currencyCode)));
      if (page.data.length < IQM_FULL_LIST_PAGE_SIZE || payments.length >= page.filteredRecords) return payments;
    }
  };

  const customerPayments = memo((owId: number) => allCustomerPayments(owId, {}), String);

  const paymentsByInvoice = new DerivedRead(async (owId: number) => groupByInvoice(await customerPayments.load(owId)), String, mode);

  const filteredCustomerPayments = memo(
    (filter: IqmCustomerPaymentFilter) =>
      allCustomerPayments(filter.owId, { status: filter.status, paymentType: filter.paymentType, searchField: filter.searchField }),
    (filter) => JSON.stringify([filter.owId, filter.status, filter.paymentType, filter.searchField]),
  );

  const organizationPayments = memo(
    async (query: IqmPaymentListQuery): Promise<IqmPage<IqmPaymentModel>> => {
      const page = await client.organizationPayments(query);
      return { items: page.data.map((row) => paymentFromWire(row, null, currencyCode)), totalRecords: page.filteredRecords };
    },
    (query) => JSON.stringify([query.status, query.paymentType, query.searchField, query.limit, query.pageNo, query.sortBy]),
  );

  const margins = memo(
    async ({ owId, marginTypeIds }: { owId: number; marginTypeIds: readonly number[] | null }) => marginsFromWire(await client.margins(owId, marginTypeIds)),
    ({ owId, marginTypeIds }) => `${owId}|${marginTypeIds?.join(',') ?? ''}`,
  );

  const campaignMargins = memo(
    async ({ owId, search, editableOnly }: { owId: number; search: string | null; editableOnly: boolean | null }) =>
      campaignMarginsFromWire(await client.campaignMargins(owId, search, editableOnly)),
    (key) => JSON.stringify([key.owId, key.search, key.editableOnly]),
  );

  const pgFees = memo(async (owId: number) => pgFeesFromWire(await client.pgFees(owId)), String);

  const dataFees = memo(
    async ({ kind, owId }: { kind: IqmDataFeeKind; owId: number }): Promise<DataFeesModel> => {
      switch (kind) {
        case 'vld':
          return dataFeesFromWire('vld', await client.vldFees(owId));
        case 'pld':
          return dataFeesFromWire('pld', await client.pldFees(owId));
        case 'sls':
          return dataFeesFromWire('sls', await client.slsFees(owId));
      }
    },
    ({ kind, owId }) => `${kind}|${owId}`,
  );

  const dvIvt = memo(async (owId: number) => (await client.dvIvt(owId)).isDvIvtSegmentsEnabled, String);

  const basicDetails = memo(async () => {
    const percentage = (await client.basicDetails()).paypalFeesPercentage;
    return percentage === null || percentage === undefined ? null : toDecimal(percentage);
  }, String);

  const invoiceSettings = memo(async () => invoiceSettingsFromWire(await client.invoiceSettings()), String);

  const invoicePaymentDetails = memo(
    async (invoiceId: number) => invoicePaymentDetailsFromWire(await client.invoicePaymentDetails(invoiceId)),
    String,
  );

  const creditSummary = memo(
    async ({ owId, isCustomerRequest }: { owId: number; isCustomerRequest: boolean }) =>
      creditSummaryFromWire(await client.creditSummary(owId, isCustomerRequest), currencyCode),
    ({ owId, isCustomerRequest }) => `${owId}|${isCustomerRequest}`,
  );

  const organizationCredits = memo(
    async (query: IqmCreditListQuery): Promise<IqmPage<CreditModel>> => {
      const page = await client.organizationCredits(query);
      return { items: page.data.map((row) => organizationCreditFromWire(row, currencyCode)), totalRecords: page.filteredRecords };
    },
    (query) => JSON.stringify([query.limit, query.pageNo, query.sortBy]),
  );

  const customerCredits = memo(
    async (owId: number) => (await client.customerCredits(owId)).map((row) => customerCreditFromWire(row, currencyCode)),
    String,
  );

  const financeDetails = memo(
    ({ owId, year }: { owId: number; year: number | null }) => client.financeDetails(owId, year),
    ({ owId, year }) => `${owId}|${year ?? ''}`,
  );

  const availableBalance = memo(
    async ({ owId, isCustomerRequest }: { owId: number; isCustomerRequest: boolean }) =>
      toDecimal(await client.availableBalance(owId, isCustomerRequest)),
    ({ owId, isCustomerRequest }) => `${owId}|${isCustomerRequest}`,
  );

  return {
    invoiceRows,
    invoiceList,
    invoice,
    customerPayments,
    paymentsByInvoice,
    financeDetails,
    availableBalance,
    filteredCustomerPayments,
    organizationPayments,
    margins,
    campaignMargins,
    pgFees,
    dataFees,
    dvIvt,
    basicDetails,
    invoiceSettings,
    invoicePaymentDetails,
    creditSummary,
    organizationCredits,
    customerCredits,
  };
}

function groupByInvoice(payments: readonly IqmPaymentModel[]): PaymentsByInvoice {
  const index = new Map<number, IqmPaymentModel[]>();
  for (const payment of payments) {
    if (payment.invoiceId === null) continue;
    const list = index.get(payment.invoiceId);
    if (list) list.push(payment);
    else index.set(payment.invoiceId, [payment]);
  }
  return index;
}

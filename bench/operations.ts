import type { EmbeddedOptions } from '../src/embedded.js';
import type { SourceSystem } from '../src/domain/models.js';
import { toGlobalId } from '../src/domain/globalId.js';

/**
 * The benchmark suite (issue 5): six operations, the seeded data they run on, and each one's call
 * plan — the fewest upstream calls the documented APIs allow and how many of them must wait on
 * each other. `npm run bench` measures the gateway against these plans and test/callPlans.test.ts
 * asserts them, so a regression in batching fails CI. bench/README.md explains every plan.
 */

/**
 * Seeded data large enough to matter: every IQM customer workspace with 60 monthly invoices (most
 * paid, some in two instalments) and its payments, 60 Intact invoices per account, 10 payments on
 * each Refrens invoice, 20 iQmetrix invoices per customer (60 in the demo company). The demo
 * directory (src/directory/demo-customers.yaml) links them; Northwind is in all four systems.
 */
export const BENCH_SEED = {
  iqm: { invoicesPerCustomer: 60 },
  intact: { invoicesPerAccount: 60 },
  refrens: { paymentsPerInvoice: 10 },
  iqmetrix: { invoicesPerCustomer: 20 },
} as const satisfies EmbeddedOptions;

/**
 * The growth scenario (issue 16): ten times the data per customer — 600 IQM invoices, 600 Intact
 * invoices per account (with their receipts, the ledger grows alike), 200 iQmetrix invoices — so that
 * CPU per returned and per upstream row shows whether any merge, sort or look-up grows faster than the data.
 */
export const GROWTH_SEED = {
  iqm: { invoicesPerCustomer: 600 },
  intact: { invoicesPerAccount: 600 },
  refrens: { paymentsPerInvoice: 100 },
  iqmetrix: { invoicesPerCustomer: 200 },
} as const satisfies EmbeddedOptions;

/** Northwind Traders: IQM workspace 200101, Intact CUS000001, two Refrens invoices, an iQmetrix customer. */
export const NORTHWIND_ID = toGlobalId('Customer', 'DIRECTORY', 'northwind');

/** Calls to one upstream route, as the simulator logs it (method and route template). */
export interface PlannedCall {
  readonly system: SourceSystem;
  readonly method: 'GET';
  /** The route template the simulator registered, e.g. `/api/v3/fa/invoice/list/:owId`. */
  readonly route: string;
  readonly count: number;
  /** The round these calls belong to (1 unless they wait on an earlier round's answer). */
  readonly wave?: number;
}

export interface CallPlan {
  /** Every upstream call of one operation; nothing else may be called. */
  readonly calls: readonly PlannedCall[];
  /** Rounds of calls that wait on the previous round (0 when nothing is called). */
  readonly waves: number;
}

export interface BenchOperation {
  /** Short machine name, the key in bench/results/latest.json. */
  readonly name: string;
  readonly title: string;
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>>;
  /** The plan with a warm process-wide cache (only the reference lists are cached across requests). */
  readonly plan: CallPlan;
  /** What `data` must hold, checked on every run so a benchmark never measures an error. */
  check(data: unknown): string | null;
}

const IQM = '/api/v3/fa';
const IQMETRIX_COMPANY = '/v1/Companies(:companyId(^\\d+))';

/** The number of planned calls. */
export function plannedCallCount(plan: CallPlan): number {
  return plan.calls.reduce((sum, call) => sum + call.count, 0);
}

const money = '{ amount currencyCode }';

export const BENCH_OPERATIONS: readonly BenchOperation[] = [
  {
    name: 'customerOverview',
    title: '1. customer overview: finance details, balance, credit summary',
    query: /* GraphQL */ `
      query CustomerOverview($id: ID!) {
        customer(id: $id) {
          id
          displayName
          financeDetails { pendingCampaigns runningCampaigns totalCampaigns dataCost ${money} actualSpent ${money} credits ${money} balance ${money} spent ${money} earning ${money} }
          availableBalance ${money}
          creditSummary { used ${money} total ${money} available ${money} }
        }
      }`,
    variables: { id: NORTHWIND_ID },
    plan: {
      calls: [
        { system: 'IQM', method: 'GET', route: `${IQM}/customer/financial-details`, count: 1 },
        { system: 'IQM', method: 'GET', route: `${IQM}/available-balance`, count: 1 },
        { system: 'IQM', method: 'GET', route: `${IQM}/credit-summary/:owId`, count: 1 },
      ],
      waves: 1,
    },
    check: (data) => expectPath(data, ['customer', 'financeDetails', 'balance', 'amount']) ?? expectPath(data, ['customer', 'creditSummary', 'available', 'amount']),
  },
  {
    name: 'customerInvoicesWithPayments',
    title: "2. a customer's 50 invoices, each with its payments",
    query: /* GraphQL */ `
      query CustomerInvoices($id: ID!) {
        customer(id: $id) {
          invoices(first: 50, filter: { sources: [IQM] }) {
            totalCount
            nodes {
              id number status total ${money} paid ${money} outstanding ${money} issuedOn dueOn
              ... on IqmInvoice {
                invoiceId
                payments(first: 5) { totalCount nodes { id status amount ${money} paidAt reference ... on IqmPayment { paymentId mode transactionId } } }
              }
            }
          }
        }
      }`,
    variables: { id: NORTHWIND_ID },
    plan: {
      calls: [
        { system: 'IQM', method: 'GET', route: `${IQM}/invoice/list/:owId`, count: 1 },
        { system: 'IQM', method: 'GET', route: `${IQM}/customer/payments/list`, count: 1 },
      ],
      waves: 1,
    },
    check: (data) => expectCount(data, ['customer', 'invoices', 'nodes'], 50),
  },
  {
    name: 'organizationPayments',
    title: '3. 50 organization payments, each with its invoice and customer',
    query: /* GraphQL */ `
      query OrganizationPayments {
        organization {
          payments(first: 50) {
            totalCount
            nodes {
              id status amount ${money} paidAt
              customer { id displayName }
              ... on IqmPayment {
                paymentId type mode
                invoice { id number status total ${money} outstanding ${money} issuedOn }
              }
            }
          }
        }
      }`,
    variables: {},
    plan: {
      calls: [
        { system: 'IQM', method: 'GET', route: `${IQM}/payments/list`, count: 1 },
        // One invoice list per customer workspace among the 50 payments (the seed's three).
        { system: 'IQM', method: 'GET', route: `${IQM}/invoice/list/:owId`, count: 3, wave: 2 },
      ],
      waves: 2,
    },
    check: (data) => expectCount(data, ['organization', 'payments', 'nodes'], 50),
  },
  {
    name: 'unifiedCustomer',
    title: '4. a unified customer across all four systems: invoices, payments, ledger',
    query: /* GraphQL */ `
      query UnifiedCustomer($id: ID!) {
        customer(id: $id) {
          id displayName sources
          invoices(first: 100) { totalCount nodes { __typename id source number status total ${money} paid ${money} outstanding ${money} issuedOn dueOn } }
          payments(first: 100) { totalCount nodes { __typename id source status amount ${money} paidAt reference } }
          ledger(first: 50) { totalCount nodes { id number type typeCode date dueDate debit ${money} credit ${money} unallocated ${money} } }
        }
      }`,
    variables: { id: NORTHWIND_ID },
    plan: {
      calls: [
        { system: 'IQM', method: 'GET', route: `${IQM}/invoice/list/:owId`, count: 1 },
        { system: 'IQM', method: 'GET', route: `${IQM}/customer/payments/list`, count: 1 },
        // The whole ledger once: invoices, receipts and the first 50 items are all cut from it.
        { system: 'INTACT', method: 'GET', route: '/CustomerLedger', count: 1 },
        // No batch read: one C2 per Refrens invoice of the customer (two in the directory).
        { system: 'REFRENS', method: 'GET', route: '/businesses/:urlKey/invoices/:invoice/payments', count: 2 },
        { system: 'IQMETRIX', method: 'GET', route: `${IQMETRIX_COMPANY}/InvoiceSummaries`, count: 1 },
        // No batch read: one D2 per iQmetrix invoice (its payments and paid amount live only there).
        { system: 'IQMETRIX', method: 'GET', route: `${IQMETRIX_COMPANY}/Invoices(:invoiceId(^[0-9A-Za-z-]+))`, count: 20, wave: 2 },
      ],
      waves: 2,
    },
    check: (data) =>
      expectCount(data, ['customer', 'invoices', 'nodes'], 100) ?? expectCount(data, ['customer', 'payments', 'nodes'], 100) ?? expectCount(data, ['customer', 'ledger', 'nodes'], 50),
  },
  {
    name: 'iqmetrixInvoicesExpanded',
    title: '5. 20 iQmetrix invoice summaries expanded to full invoices',
    query: /* GraphQL */ `
      query IqmetrixInvoices {
        iqmetrixInvoices(first: 20) {
          totalCount
          nodes {
            id number status total ${money} paid ${money} outstanding ${money}
            ... on IqmetrixInvoice {
              createdAt printableId locationId employeeId notes createdByUser isRefund originalInvoiceId
              iqmetrixCustomer { id primaryName familyName customerType billingAddress { locality postalCode } }
              orders { id printableId items { id description quantity sellingPrice ${money} sku serialNumber } }
              dropshipOrders { id printableId supplierId items { id description quantity sellingPrice ${money} } }
              payments { id amount ${money} paidAt paymentMethodId transactionType }
              taxLines { lineNumber rate tax ${money} taxable ${money} details { taxName rate tax ${money} } }
            }
          }
        }
      }`,
    variables: {},
    plan: {
      calls: [
        { system: 'IQMETRIX', method: 'GET', route: `${IQMETRIX_COMPANY}/InvoiceSummaries`, count: 1 },
        { system: 'IQMETRIX', method: 'GET', route: `${IQMETRIX_COMPANY}/Invoices(:invoiceId(^[0-9A-Za-z-]+))`, count: 20, wave: 2 },
      ],
      waves: 2,
    },
    check: (data) => expectCount(data, ['iqmetrixInvoices', 'nodes'], 20),
  },
  {
    name: 'referenceLists',
    title: '6. reference lists (warm cache)',
    query: /* GraphQL */ `
      query ReferenceLists {
        financeReferenceData {
          paymentTypes { id name label }
          paymentStatuses { id name label }
          invoicePaymentModes { id name label }
          invoiceStatuses { id name label }
          invoicePaymentTerms { id name label }
          pgPaymentTypes { id name label }
        }
      }`,
    variables: {},
    // Warm: the six lists (A47–A52) were read by an earlier operation and are kept for an hour.
    plan: { calls: [], waves: 0 },
    check: (data) => expectCount(data, ['financeReferenceData', 'invoiceStatuses'], 7),
  },
];

/** The calls a cold cache adds to `referenceLists`: one per list (A47–A52), all in one wave. */
export const REFERENCE_LIST_CALLS: readonly PlannedCall[] = [
  'payment-type',
  'payment-status',
  'invoice-payment-modes',
  'invoice-status',
  'invoice-payment-terms',
  'pg/payment-type',
].map((list) => ({ system: 'IQM', method: 'GET', route: `${IQM}/static/${list}`, count: 1 }));

/** What a simulator logs of each call it served (SimulatorServer.calls). */
export interface LoggedCalls {
  readonly calls: readonly { readonly method: string; readonly route: string; readonly url: string }[];
}

/** The calls of one operation as the simulators logged them. */
export interface CallTally {
  /** `SYSTEM METHOD route-template` → number of calls. */
  readonly byRoute: Record<string, number>;
  /** Calls whose method and URL (path and query) an earlier call already had: work done twice. */
  readonly duplicates: string[];
  readonly total: number;
}

export function tallyCalls(simulators: readonly (readonly [SourceSystem, LoggedCalls])[]): CallTally {
  const byRoute: Record<string, number> = {};
  const seen = new Set<string>();
  const duplicates: string[] = [];
  let total = 0;
  for (const [system, simulator] of simulators) {
    for (const call of simulator.calls) {
      const route = `${system} ${call.method} ${call.route}`;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
      const exact = `${system} ${call.method} ${call.url}`;
      if (seen.has(exact)) duplicates.push(exact);
      seen.add(exact);
      total += 1;
    }
  }
  return { byRoute, duplicates, total };
}

/** A plan in the shape of CallTally.byRoute. */
export function plannedByRoute(calls: readonly PlannedCall[]): Record<string, number> {
  return Object.fromEntries(calls.map((call) => [`${call.system} ${call.method} ${call.route}`, call.count]));
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function expectPath(data: unknown, path: readonly string[]): string | null {
  const value = valueAt(data, path);
  return value === undefined || value === null ? `${path.join('.')} is missing` : null;
}

function expectCount(data: unknown, path: readonly string[], count: number): string | null {
  const value = valueAt(data, path);
  if (!Array.isArray(value)) return `${path.join('.')} is not a list`;
  return value.length === count ? null : `${path.join('.')} has ${value.length} items, expected ${count}`;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { parse as losslessParse } from 'lossless-json';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CustomerDirectory } from '../../src/directory/index.js';
import { DEMO_DIRECTORY_FILE } from '../../src/embedded.js';
import type { SimulatorServer } from '../../src/upstreams/simulatorServer.js';
import { IQMETRIX_DEMO_COMPANY_ID } from '../../src/upstreams/iqmetrix/index.js';
import { creditGid, customerGid, invoiceGid, paymentGid } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { SAMPLES_DIR } from './extract.js';

/**
 * The documents' response samples, end to end. For every operation with a documented JSON response
 * sample, the upstream's simulator answers the route with the sample file itself, byte for byte (an
 * injected `respond` fault whose body is the committed sample), and the GraphQL operation that reads
 * it goes the real way: GraphQL over HTTP → gateway → undici → simulator. The GraphQL answer is then
 * compared with values derived from the same sample file by the mapping rules written beside each
 * case (never a copy of the answer), and the test checks that the sample really was what was served.
 *
 * What had to be adjusted for a sample to be served as it is, and why, is said where it is done:
 * - the gateway asks for its own tenant's objects (the demo customer `northwind`, IQM workspace
 *   200101; iQmetrix company 14146), since ids outside the tenant are refused before any upstream
 *   call; a sample whose rows name their own workspace (A29's `owId: 54`) gets that workspace added
 *   to this test's customer directory;
 * - the documents give no HTTP status for IQM's refusal samples: 403 and 422 are this test's choice;
 * - iQmetrix's resource models (D-Invoice, D-Customer, …) are served as the operation samples they
 *   are parts of (checked to be the same JSON).
 *
 * Mutations: the write is answered with its sample and the gateway's follow-up reads (a payload's
 * object read back after the write) go to the simulator as usual, so those values come from the
 * simulator's state and are checked only by id.
 */

// ---------------------------------------------------------------- the samples as data

type Json = null | boolean | string | Decimal | readonly Json[] | { readonly [key: string]: Json };

const sampleText = (file: string): string => readFileSync(join(SAMPLES_DIR, file), 'utf8');

/** A sample read with every number as an exact Decimal, and typed accessors that fail loudly. */
class Doc {
  private constructor(
    private readonly value: Json,
    private readonly where: string,
  ) {}

  static of(file: string): Doc {
    return new Doc(losslessParse(sampleText(file), null, (digits) => new Decimal(digits)) as Json, file);
  }

  at(...path: (string | number)[]): Doc {
    let value: Json = this.value;
    let where = this.where;
    for (const key of path) {
      where = `${where}.${key}`;
      const next: Json | undefined =
        typeof key === 'number' ? (Array.isArray(value) ? (value as readonly Json[])[key] : undefined) : isObject(value) ? value[key] : undefined;
      if (next === undefined) throw new Error(`${where}: not in the sample`);
      value = next;
    }
    return new Doc(value, where);
  }

  has(key: string): boolean {
    return isObject(this.value) && key in this.value;
  }

  get isNull(): boolean {
    return this.value === null;
  }

  get isText(): boolean {
    return typeof this.value === 'string';
  }

  get text(): string {
    if (typeof this.value !== 'string') throw new Error(`${this.where}: not a string`);
    return this.value;
  }

  get int(): number {
    if (!Decimal.isDecimal(this.value) || !this.value.isInteger()) throw new Error(`${this.where}: not an integer`);
    return this.value.toNumber();
  }

  /** A number as exact decimal text, the way the Decimal scalar writes it (`toFixed`: no exponent). */
  get decimal(): string {
    if (!Decimal.isDecimal(this.value)) throw new Error(`${this.where}: not a number`);
    return this.value.toFixed();
  }

  /** A string as it is, a number as its decimal text (fields the documents type either way). */
  get textOrNumber(): string {
    return Decimal.isDecimal(this.value) ? this.value.toFixed() : this.text;
  }

  get bool(): boolean {
    if (typeof this.value !== 'boolean') throw new Error(`${this.where}: not a boolean`);
    return this.value;
  }

  get items(): Doc[] {
    if (!Array.isArray(this.value)) throw new Error(`${this.where}: not an array`);
    return (this.value as readonly Json[]).map((_item, index) => this.at(index));
  }

  /** The value as plain JSON (numbers as their digits), to compare two samples. */
  get plain(): unknown {
    return JSON.parse(JSON.stringify(this.value, (_key, value: unknown) => (Decimal.isDecimal(value) ? `#${value.toFixed()}` : value)));
  }

  /** `read(this)`, or null where the sample has no such key or says null. */
  optional<T>(key: string, read: (doc: Doc) => T): T | null {
    return this.has(key) && !this.at(key).isNull ? read(this.at(key)) : null;
  }
}

function isObject(value: Json): value is { readonly [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Decimal.isDecimal(value);
}

// ---------------------------------------------------------------- mapping rules

/** Money: the sample's number with exactly its digits, in the system's currency (no upstream names one). */
const money = (doc: Doc, currencyCode: string) => ({ amount: doc.decimal, currencyCode });

/**
 * An instant as the DateTime scalar writes it (ISO-8601, UTC, milliseconds). IQM epoch numbers are
 * seconds below 1e11 and milliseconds above (README, "Readings"); text without a zone is UTC;
 * .NET's seven fractional digits keep the first three.
 */
function instant(doc: Doc): string {
  if (doc.isText) {
    const text = doc.text.replace(/(\.\d{3})\d+/, '$1');
    return new Date(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : /T/.test(text) ? `${text}Z` : `${text}T00:00:00Z`).toISOString();
  }
  const value = doc.int;
  return new Date(value < 1e11 ? value * 1000 : value).toISOString();
}

/** A calendar date (the Date scalar): the UTC day of the instant. */
const day = (doc: Doc): string => instant(doc).slice(0, 10);

const addDays = (isoDate: string, days: number): string => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** An IQM label as the schema's enum value: `Partially Paid` → `PARTIALLY_PAID`. */
const enumOf = (label: string): string => label.trim().toUpperCase().replace(/\s+/g, '_');

/** IQM's payment lists spell cheque "Check" (A49 says "Cheque"): both are CHEQUE (README, "Readings"). */
const paymentModeOf = (label: string): string => (label.trim().toLowerCase() === 'check' ? 'CHEQUE' : enumOf(label));

/** An IQM id → its enum value through a reference list sample (A47–A52): the label of the item with that id. */
function enumById(listFile: string, id: number): string {
  const list = Doc.of(listFile).at('data').items;
  const item = list.find((entry) => entry.at('id').int === id);
  if (!item) throw new Error(`${listFile} has no id ${id}`);
  return enumOf(item.at('label').text);
}

/** A19 payment modes: A49's ids, and 4 "To Funds", which IQM's samples use but A49 omits (README, "Readings"). */
const invoicePaymentModeOf = (id: number): string => (id === 4 ? 'TO_FUNDS' : enumById('A49.response.1.json', id));

const globalId = (type: string, system: string, key: string) => Buffer.from(`${type}:${system}:${key}`, 'utf8').toString('base64url');

// ---------------------------------------------------------------- the stack

/** Workspace 54 holds A29's sample credits (`owId: 54` in each row): a customer of this test's tenant. */
const SAMPLE_WORKSPACE = 54;

/** The demo directory, plus the workspace A29's sample rows name, so its credits resolve to a customer. */
function testDirectory(): { directory: CustomerDirectory; refrensCurrency: string } {
  const raw = parseYaml(readFileSync(DEMO_DIRECTORY_FILE, 'utf8')) as { customers: { refrens?: { invoices: { currencyCode: string }[] } }[] } & Record<string, unknown>;
  const refrensCurrency = raw.customers.find((customer) => customer.refrens)!.refrens!.invoices[0]!.currencyCode;
  const customers = [
    ...raw.customers,
    { key: 'a29-sample-workspace', tenant: 'alchemist-media', displayName: 'A29 sample workspace', iqm: { workspaceId: SAMPLE_WORKSPACE } },
  ];
  // CAD: the default IQMETRIX_CURRENCY, which this stack keeps (as the embedded directory would be told).
  return { directory: CustomerDirectory.fromData({ ...raw, customers }, { iqmetrixCurrencyCode: 'CAD' }), refrensCurrency };
}

type System = 'iqm' | 'refrens' | 'iqmetrix';

/** Where a sample is served: a route template part (as SimulatorServer matches it), a method, a status. */
interface Serve {
  readonly system: System;
  readonly route: string;
  readonly method: string;
  readonly status?: number;
  /** How many requests of the operation read that route (a field on Customer and on Organization). */
  readonly times?: number;
}

interface EndToEnd {
  readonly serve: Serve;
  /** Sends the GraphQL operation and checks its answer against the sample. */
  readonly check: (sample: Doc) => Promise<void>;
}

const iqm = (route: string, method: string, status?: number, times?: number): Serve => ({ system: 'iqm', route, method, ...(status ? { status } : {}), ...(times ? { times } : {}) });

describe('Contracts: every documented response sample, through GraphQL', () => {
  let stack: TestStack;
  let refrensCurrency: string;
  let usd: string;
  let cad: string;
  let keys = 0;
  const key = (label: string) => `contract-${label}-${++keys}`;

  beforeAll(async () => {
    const test = testDirectory();
    refrensCurrency = test.refrensCurrency;
    stack = await startStack({ directory: test.directory });
    usd = stack.services.config.iqm.currencyCode;
    cad = stack.services.config.iqmetrix.currencyCode;
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    // The reference lists are cached across requests: each case must reach the simulator.
    stack.services.sharedCache.clear();
    for (const sim of simulators()) {
      sim.clearFaults();
      sim.resetCalls();
    }
  });

  const simulators = (): SimulatorServer[] => [stack.embedded.iqm!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const simulator = (system: System): SimulatorServer => ({ iqm: stack.embedded.iqm!, refrens: stack.embedded.refrens!, iqmetrix: stack.embedded.iqmetrix! })[system];

  /** A query or mutation that must answer without errors; its data. */
  const read = async <T,>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await stack.gql<T>(query, variables);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data!;
  };

  // Objects of the tenant the writes name (the sample answers; the simulator's state serves read-backs).
  const OW_ID = 200101;
  /** `northwind`, the demo directory's customer that holds IQM workspace 200101. */
  const CUSTOMER = globalId('Customer', 'DIRECTORY', 'northwind');
  const state = () => stack.embedded.iqm!.state;
  const anInvoice = () => [...state().invoices.values()].find((invoice) => invoice.owId === OW_ID)!;
  const aPayment = () => [...state().payments.values()].find((payment) => payment.owId === OW_ID)!;
  const aCredit = () => [...state().credits.values()].find((credit) => credit.owId === OW_ID)!;
  const REFRENS_INVOICE = globalId('RefrensInvoice', 'REFRENS', JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02']));

  const MONEY = '{ amount currencyCode }';

  // ------------------------------------------------------------ IQM reads

  /** A7, A9, A11: `<kind>Rate` and, where present, `<kind>Enabled`, `<kind>MarkupTypeId`, `<kind>MarkupValue`. */
  const dataFees = (kind: 'vld' | 'pld' | 'sls', route: string): EndToEnd => ({
    serve: iqm(route, 'GET'),
    async check(sample) {
      const answer = await read<{ customer: Record<string, unknown> }>(`query($c: ID!) { customer(id: $c) { ${kind}Fees { rate enabled markupType markupValue } } }`, { c: CUSTOMER });
      const data = sample.at('data');
      expect(answer.customer[`${kind}Fees`]).toEqual({
        rate: data.optional(`${kind}Rate`, (doc) => doc.decimal),
        enabled: data.optional(`${kind}Enabled`, (doc) => doc.bool),
        // 1 Absolute, 2 Percentage (README, "Readings"); absent in the samples.
        markupType: data.optional(`${kind}MarkupTypeId`, (doc) => (doc.int === 1 ? 'ABSOLUTE' : 'PERCENTAGE')),
        markupValue: data.optional(`${kind}MarkupValue`, (doc) => doc.decimal),
      });
    },
  });

  /** A47–A52: each list's items, in the sample's order; A52's sample nests them under `pgPaymentTypes`. */
  const referenceList = (field: string, route: string, items: (data: Doc) => Doc[] = (data) => data.items): EndToEnd => ({
    serve: iqm(route, 'GET'),
    async check(sample) {
      const answer = await read<{ financeReferenceData: Record<string, unknown> }>(`{ financeReferenceData { ${field} { id name label order } } }`);
      expect(answer.financeReferenceData[field]).toEqual(
        items(sample.at('data')).map((item) => ({ id: item.at('id').int, name: item.at('name').text, label: item.at('label').text, order: item.at('order').int })),
      );
    },
  });

  /** A34/A35 row → IqmPayment. `owId` is the row's own (A34 samples have none: no customer) or the workspace asked for (A35). */
  const iqmPayment = (row: Doc, owId: number | null) => ({
    id: globalId('IqmPayment', 'IQM', `${owId ?? 0}:${row.at('paymentId').int}`),
    paymentId: row.at('paymentId').int,
    amount: money(row.at('paymentAmount'), usd),
    // A48's labels; A47's; payment lists' mode labels (A49, "Check" read as cheque).
    status: enumOf(row.at('paymentStatus').text),
    type: enumOf(row.at('paymentType').text),
    mode: paymentModeOf(row.at('paymentMode').text),
    paidAt: instant(row.at('paymentDate')),
    // `invoiceId: 0` means "no invoice".
    invoice: row.at('invoiceId').int === 0 ? null : { id: invoiceGid(owId!, row.at('invoiceId').int) },
    transactionId: row.optional('transactionId', (doc) => doc.textOrNumber),
    reference: row.optional('transactionId', (doc) => doc.textOrNumber),
    bankName: row.optional('bankName', (doc) => doc.text),
    refundReason: row.optional('refundReason', (doc) => doc.text),
    createdAt: row.optional('createdAt', instant),
    modifiedAt: row.optional('modifiedAt', instant),
    createdByUserEmail: row.optional('createdByUserEmail', (doc) => doc.text),
    modifiedByUserEmail: row.optional('modifiedByUserEmail', (doc) => doc.text),
    initiatedByOrganization: row.optional('isPaymentInitiatorOrg', (doc) => doc.bool),
    customer: owId === null ? null : { identities: { iqmWorkspaceId: owId } },
  });
  const IQM_PAYMENT = `... on IqmPayment { id paymentId amount ${MONEY} status type mode paidAt invoice { id } transactionId reference bankName refundReason
    createdAt modifiedAt createdByUserEmail modifiedByUserEmail initiatedByOrganization customer { identities { iqmWorkspaceId } } }`;

  // ------------------------------------------------------------ IQM writes

  /** Mutations whose input type is not named after them. */
  const INPUT_TYPES: Readonly<Record<string, string>> = {
    updateVldFees: 'UpdateDataFeesInput',
    updatePldFees: 'UpdateDataFeesInput',
    updateSlsFees: 'UpdateDataFeesInput',
    approvePayment: 'PaymentActionInput',
    cancelPayment: 'PaymentActionInput',
    rejectPayment: 'PaymentActionInput',
  };

  /** A write whose sample is a success: no userErrors, and the payload's message (if it has one) is the sample's. */
  const iqmWrite = (
    route: string,
    method: string,
    mutation: () => { field: string; input: Record<string, unknown>; select: string },
    expected: (sample: Doc) => Record<string, unknown>,
    options: { readonly status?: number; readonly approver?: boolean } = {},
  ): EndToEnd => ({
    serve: iqm(route, method, options.status),
    async check(sample) {
      const { field, input, select } = mutation();
      const type = INPUT_TYPES[field] ?? `${field.charAt(0).toUpperCase()}${field.slice(1)}Input`;
      // Four eyes: the addPayment and updatePayment cases made this test's caller an initiator of the
      // payments they read back, so approvals come from a second person.
      const headers = options.approver ? await stack.as({ subject: 'contract-approver' }) : {};
      const response = await stack.gql<Record<string, unknown>>(`mutation($input: ${type}!) { ${field}(input: $input) { ${select} userErrors { field message code } } }`, { input }, headers);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      const answer = response.data!;
      expect(answer[field]).toEqual(expected(sample));
    },
  });

  /** IQM refusal samples (`errorObjects`) as userErrors: 403 FORBIDDEN, 422 the mutation's code, 200 UPSTREAM_REJECTED. */
  const refusals = (sample: Doc, code: string) => sample.at('errorObjects').items.map((error) => ({ field: null, message: error.at('error').text, code }));
  /** A14's refusal sits inside a 200 answer's `data`. */
  const nestedRefusals = (sample: Doc, code: string) => refusals(sample.at('data'), code);

  const settings = (customerField: string, fieldInput: Record<string, unknown> = {}) => () => ({
    field: customerField,
    input: { customerId: CUSTOMER, ...fieldInput },
    select: 'message customer { id }',
  });
  const settingsAccepted = (message: (sample: Doc) => string) => (sample: Doc) => ({ message: message(sample), customer: { id: CUSTOMER }, userErrors: [] });

  const cases: Record<string, EndToEnd> = {
    'A1.response.1.json': {
      serve: iqm('/customer/financial-details', 'GET'),
      async check(sample) {
        const moneyFields = ['dataCost', 'actualSpent', 'credits', 'balance', 'spent', 'earning'] as const;
        const counts = ['pendingCampaigns', 'runningCampaigns', 'totalCampaigns'] as const;
        const answer = await read<{ customer: { financeDetails: unknown } }>(
          `query($c: ID!) { customer(id: $c) { financeDetails { ${counts.join(' ')} ${moneyFields.map((name) => `${name} ${MONEY}`).join(' ')} } } }`,
          { c: CUSTOMER },
        );
        const data = sample.at('data');
        expect(answer.customer.financeDetails).toEqual({
          ...Object.fromEntries(counts.map((name) => [name, data.at(name).int])),
          ...Object.fromEntries(moneyFields.map((name) => [name, money(data.at(name), usd)])),
        });
      },
    },
    'A2.response.1.json': {
      serve: iqm('/customer/view-margin', 'GET'),
      async check(sample) {
        const answer = await read<{ customer: { margins: unknown } }>(`query($c: ID!) { customer(id: $c) { margins { margins { marginTypeId marginType value } bidShadingEnabled } } }`, { c: CUSTOMER });
        const data = sample.at('data');
        expect(answer.customer.margins).toEqual({
          margins: data.at('data').items.map((row) => ({ marginTypeId: row.at('marginTypeId').int, marginType: row.at('marginType').text, value: row.at('marginValue').decimal })),
          bidShadingEnabled: data.at('isBidShadingEnabled').bool,
        });
      },
    },
    'A4.response.1.json': {
      serve: iqm('/customer/view-campaign-margin', 'GET'),
      async check(sample) {
        const answer = await read<{ customer: { campaignMargins: unknown } }>(
          `query($c: ID!) { customer(id: $c) { campaignMargins { campaignId campaignName status creativeTypeId margin isDefault } } }`,
          { c: CUSTOMER },
        );
        // `campaignMargin` is the margin; the row's `default` duplicates `isDefault` and is not read.
        expect(answer.customer.campaignMargins).toEqual(
          sample.at('data', 'data').items.map((row) => ({
            campaignId: row.at('campaignId').int,
            campaignName: row.at('campaignName').text,
            status: row.optional('status', (doc) => doc.text),
            creativeTypeId: row.optional('creativeTypeId', (doc) => Number(doc.textOrNumber)),
            margin: row.at('campaignMargin').decimal,
            isDefault: row.at('isDefault').bool,
          })),
        );
      },
    },
    'A5.response.1.json': {
      serve: iqm('/pg-fees', 'GET'),
      async check(sample) {
        const answer = await read<{ customer: { pgFees: unknown } }>(`query($c: ID!) { customer(id: $c) { pgFees { campaignFees workspaceShare } } }`, { c: CUSTOMER });
        const details = sample.at('data', 'organizationPgFeesDetails');
        expect(answer.customer.pgFees).toEqual({ campaignFees: details.at('pgCampaignFees').decimal, workspaceShare: details.at('pgWorkspaceShare').decimal });
      },
    },
    'A7.response.1.json': dataFees('vld', '/vld-fees'),
    'A9.response.1.json': dataFees('pld', '/pld-fees'),
    'A11.response.1.json': dataFees('sls', '/sls-fees'),
    'A13.response.1.json': {
      serve: iqm('/customer/dv-ivt', 'GET'),
      async check(sample) {
        const answer = await read<{ customer: { dvIvtSegmentsEnabled: unknown } }>(`query($c: ID!) { customer(id: $c) { dvIvtSegmentsEnabled } }`, { c: CUSTOMER });
        expect(answer.customer.dvIvtSegmentsEnabled).toBe(sample.at('data', 'isDvIvtSegmentsEnabled').bool);
      },
    },
    'A13.response.2.json': {
      serve: iqm('/customer/dv-ivt', 'GET'),
      async check(sample) {
        // A refusal nested in a 200 answer is FORBIDDEN at the field, with IQM's words.
        const response = await stack.gql<{ customer: { dvIvtSegmentsEnabled: unknown } }>(`query($c: ID!) { customer(id: $c) { dvIvtSegmentsEnabled } }`, { c: CUSTOMER });
        expect(response.data!.customer.dvIvtSegmentsEnabled).toBeNull();
        expect(response.errors).toHaveLength(1);
        expect(response.errors![0]).toMatchObject({ path: ['customer', 'dvIvtSegmentsEnabled'], extensions: { code: 'FORBIDDEN' } });
        expect(response.errors![0]!.message).toContain(sample.at('data', 'errorObjects', 0, 'error').text);
      },
    },
    'A15.response.1.json': {
      serve: iqm('/basic/details', 'GET'),
      async check(sample) {
        const answer = await read<{ organization: { paypalFeePercentage: unknown } }>(`{ organization { paypalFeePercentage } }`);
        expect(answer.organization.paypalFeePercentage).toBe(sample.at('data', 'paypalFeesPercentage').decimal);
      },
    },
    'A16.response.1.json': {
      // Customer.availableBalance and Organization.availableBalance read the same route.
      serve: iqm('/available-balance', 'GET', 200, 2),
      async check(sample) {
        const answer = await read<{ customer: { availableBalance: unknown }; organization: { availableBalance: unknown } }>(
          `query($c: ID!) { customer(id: $c) { availableBalance ${MONEY} } organization { availableBalance ${MONEY} } }`,
          { c: CUSTOMER },
        );
        expect(answer.customer.availableBalance).toEqual(money(sample.at('data'), usd));
        expect(answer.organization.availableBalance).toEqual(money(sample.at('data'), usd));
      },
    },
    'A17.response.1.json': {
      serve: iqm('/invoice-settings', 'GET'),
      async check(sample) {
        const answer = await read<{ organization: { invoiceSettings: unknown } }>(
          `{ organization { invoiceSettings { invoiceId owId title companyName companyAddress email website description paypalId chequeTransferId wireTransferId termsAndConditions paymentTerm footer createdAt } } }`,
        );
        const data = sample.at('data');
        const text = (name: string) => data.optional(name, (doc) => doc.text);
        const int = (name: string) => data.optional(name, (doc) => doc.int);
        // The `invoice` prefix is dropped; paymentTerm is text whether IQM sends a string or a number.
        expect(answer.organization.invoiceSettings).toEqual({
          invoiceId: data.at('invoiceId').int,
          owId: int('owId'),
          title: text('invoiceTitle'),
          companyName: text('invoiceCompanyName'),
          companyAddress: text('invoiceCompanyAddress'),
          email: text('email'),
          website: text('website'),
          description: text('invoiceDescription'),
          paypalId: int('paypalId'),
          chequeTransferId: int('chequeTransferId'),
          wireTransferId: int('wireTransferId'),
          termsAndConditions: text('termsAndConditions'),
          paymentTerm: data.optional('paymentTerm', (doc) => doc.textOrNumber),
          footer: text('invoiceFooter'),
          createdAt: data.optional('createdAt', instant),
        });
      },
    },
    'A18.response.1.json': {
      serve: iqm('/invoice-settings-payment-details', 'GET'),
      async check(sample) {
        // An invoice of the tenant's customer (from the simulator's A19) whose payment details IQM answers with the sample.
        const answer = await read<{ node: { paymentDetails: unknown } }>(
          `query($id: ID!) { node(id: $id) { ... on IqmInvoice { paymentDetails { paypalId paypalAccountId chequeId chequeCompanyName chequeCompanyAddress wireTransferId wireTransferCompanyName bankName accountNumber bankAddress swiftCode routing } } } }`,
          { id: invoiceGid(OW_ID, anInvoice().invoiceId) },
        );
        // The three detail objects, flattened.
        const paypal = sample.at('data', 'paypalPaymentDetail');
        const cheque = sample.at('data', 'chequePaymentDetail');
        const wire = sample.at('data', 'wireTransferPaymentDetail');
        expect(answer.node.paymentDetails).toEqual({
          paypalId: paypal.at('paypalId').int,
          paypalAccountId: paypal.at('paypalAccountId').text,
          chequeId: cheque.at('chequeId').int,
          chequeCompanyName: cheque.at('chequeCompanyName').text,
          chequeCompanyAddress: cheque.at('chequeCompanyAddress').text,
          wireTransferId: wire.at('wireTransferId').int,
          wireTransferCompanyName: wire.at('wireTransferCompanyName').text,
          bankName: wire.at('bankName').text,
          accountNumber: wire.at('accountNumber').text,
          bankAddress: wire.at('bankAddress').text,
          swiftCode: wire.at('swiftCode').text,
          routing: wire.at('routing').text,
        });
      },
    },
    'A19.response.1.json': {
      serve: iqm('/invoice/list/', 'GET'),
      async check(sample) {
        const answer = await read<{ customer: { invoices: { nodes: unknown[] } } }>(
          `query($c: ID!) { customer(id: $c) { invoices(first: 50, filter: { sources: [IQM] }) { nodes { ... on IqmInvoice {
            id invoiceId number name status total ${MONEY} paid ${MONEY} outstanding ${MONEY} issuedOn dueOn periodStart periodEnd
            paymentTermDays paymentModes actionNote statusUpdatedBy modifiedAt customer { identities { iqmWorkspaceId } } } } } } }`,
          { c: CUSTOMER },
        );
        expect(answer.customer.invoices.nodes).toEqual(
          sample.at('data', 'data').items.map((row) => {
            const status = enumById('A50.response.1.json', row.at('status').int);
            const total = new Decimal(row.at('invoiceAmount').decimal);
            const paid = new Decimal(row.optional('paidAmount', (doc) => doc.decimal) ?? 0);
            const issuedOn = day(row.at('issuedOn'));
            return {
              // The row names no workspace: the invoice is the asked customer's.
              id: invoiceGid(OW_ID, row.at('invoiceId').int),
              invoiceId: row.at('invoiceId').int,
              number: row.optional('invoiceName', (doc) => doc.text) ?? String(row.at('invoiceId').int),
              name: row.optional('invoiceName', (doc) => doc.text),
              // `status` is an A50 id; IQM states status and paid amount, the gateway derives what is left.
              status,
              total: { amount: total.toFixed(), currencyCode: usd },
              paid: { amount: paid.toFixed(), currencyCode: usd },
              outstanding: { amount: (status === 'CANCELLED' ? new Decimal(0) : Decimal.max(total.minus(paid), 0)).toFixed(), currencyCode: usd },
              issuedOn,
              dueOn: row.optional('paymentTerm', (doc) => addDays(issuedOn, doc.int)),
              periodStart: day(row.at('invoiceFromDate')),
              periodEnd: day(row.at('invoiceToDate')),
              paymentTermDays: row.optional('paymentTerm', (doc) => doc.int),
              paymentModes: row.at('paymentMode').items.map((mode) => invoicePaymentModeOf(mode.int)),
              actionNote: row.optional('actionNote', (doc) => doc.text),
              statusUpdatedBy: row.optional('invoiceStatusUpdatedBy', (doc) => doc.text),
              modifiedAt: row.optional('modifiedAt', instant),
              customer: { identities: { iqmWorkspaceId: OW_ID } },
            };
          }),
        );
      },
    },
    'A27.response.1.json': {
      // Customer.creditSummary and Organization.creditSummary read the same route.
      serve: iqm('/credit-summary/', 'GET', 200, 2),
      async check(sample) {
        const answer = await read<{ customer: { creditSummary: unknown }; organization: { creditSummary: unknown } }>(
          `query($c: ID!) { customer(id: $c) { creditSummary { used ${MONEY} total ${MONEY} available ${MONEY} } } organization { creditSummary { used ${MONEY} total ${MONEY} available ${MONEY} } } }`,
          { c: CUSTOMER },
        );
        const used = new Decimal(sample.at('data', 'usedCredit').decimal);
        const total = new Decimal(sample.at('data', 'totalCredit').decimal);
        // available = total − used, never below zero.
        const expected = {
          used: { amount: used.toFixed(), currencyCode: usd },
          total: { amount: total.toFixed(), currencyCode: usd },
          available: { amount: Decimal.max(total.minus(used), 0).toFixed(), currencyCode: usd },
        };
        expect(answer.customer.creditSummary).toEqual(expected);
        expect(answer.organization.creditSummary).toEqual(expected);
      },
    },
    'A28.response.1.json': {
      serve: iqm('/credits/list', 'GET'),
      async check(sample) {
        const answer = await read<{ organization: { offeredCredits: unknown } }>(
          `{ organization { offeredCredits(first: 10) { totalCount nodes { id creditId amount ${MONEY} status modifiedAt organizationName displayName customer { id } } } } }`,
        );
        // Credits offered to the organization belong to no customer (workspace 0 in their ids); IQM's order is kept.
        expect(answer.organization.offeredCredits).toEqual({
          totalCount: sample.at('data', 'filteredRecords').int,
          nodes: sample.at('data', 'data').items.map((row) => ({
            id: creditGid(0, row.at('creditId').int),
            creditId: row.at('creditId').int,
            amount: money(row.at('creditAmount'), usd),
            status: enumOf(row.at('status').text),
            modifiedAt: instant(row.at('modifiedAt')),
            organizationName: row.optional('organizationName', (doc) => doc.text),
            displayName: null,
            customer: null,
          })),
        });
      },
    },
    'A29.response.1.json': {
      serve: iqm('/customer/credit/list', 'GET'),
      async check(sample) {
        // Asked for the workspace the sample's rows name (registered in this test's directory).
        const answer = await read<{ customer: { credits: unknown } }>(
          `query($c: ID!) { customer(id: $c) { credits(first: 10) { totalCount nodes { id creditId amount ${MONEY} status modifiedAt organizationName displayName customer { identities { iqmWorkspaceId } } } } } }`,
          { c: customerGid(SAMPLE_WORKSPACE) },
        );
        const rows = sample.at('data').items;
        expect(answer.customer.credits).toEqual({
          totalCount: rows.length,
          nodes: rows.map((row) => ({
            id: creditGid(row.at('owId').int, row.at('creditId').int),
            creditId: row.at('creditId').int,
            amount: money(row.at('creditAmount'), usd),
            status: enumOf(row.at('status').text),
            modifiedAt: instant(row.at('modifiedAt')),
            organizationName: null,
            displayName: row.optional('displayName', (doc) => doc.text),
            customer: { identities: { iqmWorkspaceId: row.at('owId').int } },
          })),
        });
      },
    },
    'A34.response.1.json': {
      serve: iqm('/payments/list', 'GET'),
      async check(sample) {
        const answer = await read<{ organization: { payments: unknown } }>(`{ organization { payments(first: 10) { totalCount nodes { ${IQM_PAYMENT} } } } }`);
        // The sample's rows carry no owId: an organization payment then names no customer (README, "Readings").
        expect(answer.organization.payments).toEqual({
          totalCount: sample.at('data', 'filteredRecords').int,
          nodes: sample.at('data', 'data').items.map((row) => iqmPayment(row, row.optional('owId', (doc) => doc.int))),
        });
      },
    },
    'A35.response.1.json': {
      serve: iqm('/customer/payments/list', 'GET'),
      async check(sample) {
        const answer = await read<{ customer: { payments: { nodes: { paymentId: number }[] } } }>(
          `query($c: ID!) { customer(id: $c) { payments(first: 50, filter: { sources: [IQM] }) { nodes { ${IQM_PAYMENT} } } } }`,
          { c: CUSTOMER },
        );
        // Merged lists are ordered by the gateway (newest first); compared here by payment id.
        const byId = (a: { paymentId: number }, b: { paymentId: number }) => a.paymentId - b.paymentId;
        expect([...answer.customer.payments.nodes].sort(byId)).toEqual(
          sample.at('data', 'data').items.map((row) => iqmPayment(row, OW_ID)).sort(byId),
        );
      },
    },
    'A47.response.1.json': referenceList('paymentTypes', '/static/payment-type'),
    'A48.response.1.json': referenceList('paymentStatuses', '/static/payment-status'),
    'A49.response.1.json': referenceList('invoicePaymentModes', '/static/invoice-payment-modes'),
    'A50.response.1.json': referenceList('invoiceStatuses', '/static/invoice-status'),
    'A51.response.1.json': referenceList('invoicePaymentTerms', '/static/invoice-payment-terms'),
    'A52.response.1.json': referenceList('pgPaymentTypes', '/static/pg/payment-type', (data) => data.at('pgPaymentTypes').items),

    // ---------------------------------------------------------- IQM writes
    'A6.response.1.json': iqmWrite('/pg-fees', 'PATCH', settings('updatePgFees', { campaignFees: '10', workspaceShare: '15' }), settingsAccepted((sample) => sample.at('data').text)),
    'A8.response.1.json': iqmWrite('/customer/vld-fees', 'PATCH', settings('updateVldFees', { rate: '3' }), settingsAccepted((sample) => sample.at('data', 'message').text)),
    'A10.response.1.json': iqmWrite('/customer/pld-fees', 'PATCH', settings('updatePldFees', { rate: '3' }), settingsAccepted((sample) => sample.at('data', 'message').text)),
    'A12.response.1.json': iqmWrite('/customer/sls-fees', 'PATCH', settings('updateSlsFees', { rate: '3' }), settingsAccepted((sample) => sample.at('data', 'message').text)),
    'A14.response.1.json': iqmWrite('/customer/dv-ivt', 'PATCH', settings('setDvIvtSegments', { enabled: true }), settingsAccepted((sample) => sample.at('data', 'message').text)),
    'A14.response.2.json': iqmWrite('/customer/dv-ivt', 'PATCH', settings('setDvIvtSegments', { enabled: true }), (sample) => ({
      message: null,
      customer: null,
      userErrors: nestedRefusals(sample, 'UPSTREAM_REJECTED'),
    })),
    ...Object.fromEntries(
      (
        [
          ['A20.response.1.json', 200, (_sample: Doc) => ({ userErrors: [] })],
          ['A20.response.2.json', 403, (sample: Doc) => ({ userErrors: refusals(sample, 'FORBIDDEN') })],
          ['A20.response.3.json', 422, (sample: Doc) => ({ userErrors: refusals(sample, 'UPSTREAM_REJECTED') })],
        ] as const
      ).map(([file, status, expected]) => [
        file,
        iqmWrite(
          '/invoice-settings/',
          'PATCH',
          () => ({
            field: 'updateInvoiceSettings',
            input: { invoiceSettingsId: state().organizations.get(200001)!.invoiceSettings.invoiceId, title: 'The Alchemist' },
            select: 'invoiceSettings { invoiceId }',
          }),
          // Accepted: the settings are read back (A17, from the simulator); refused: none.
          (sample) => {
            const outcome = expected(sample);
            return { invoiceSettings: outcome.userErrors.length === 0 ? { invoiceId: state().organizations.get(200001)!.invoiceSettings.invoiceId } : null, ...outcome };
          },
          { status },
        ),
      ]),
    ),
    'A21.response.1.json': iqmWrite(
      '/invoice-settings-tax-data',
      'DELETE',
      () => ({ field: 'deleteInvoiceTaxData', input: { taxId: 7 }, select: 'deletedTaxId' }),
      () => ({ deletedTaxId: 7, userErrors: [] }),
    ),
    // A refused delete is NOT_FOUND (the tax id IQM does not know).
    'A21.response.2.json': iqmWrite(
      '/invoice-settings-tax-data',
      'DELETE',
      () => ({ field: 'deleteInvoiceTaxData', input: { taxId: 7 }, select: 'deletedTaxId' }),
      (sample) => ({ deletedTaxId: null, userErrors: refusals(sample, 'NOT_FOUND') }),
      { status: 422 },
    ),
    'A22.response.1.json': iqmWrite(
      '/invoice-approve/',
      'PATCH',
      () => ({ field: 'approveInvoice', input: { invoiceId: invoiceGid(OW_ID, anInvoice().invoiceId), actionNote: 'Approved for payment' }, select: 'invoice { id }' }),
      () => ({ invoice: { id: invoiceGid(OW_ID, anInvoice().invoiceId) }, userErrors: [] }),
    ),
    'A23.response.1.json': iqmWrite(
      '/invoice-cancel/',
      'PATCH',
      () => ({ field: 'cancelInvoice', input: { invoiceId: invoiceGid(OW_ID, anInvoice().invoiceId), actionNote: 'duplicate' }, select: 'invoice { id }' }),
      () => ({ invoice: { id: invoiceGid(OW_ID, anInvoice().invoiceId) }, userErrors: [] }),
    ),
    'A24.response.1.json': iqmWrite(
      '/pay-invoice',
      'POST',
      () => ({
        field: 'payInvoice',
        input: { invoiceId: invoiceGid(OW_ID, anInvoice().invoiceId), amount: '10', paymentType: 'AGAINST_INVOICE', transactionId: 'T-A24', idempotencyKey: key('a24') },
        select: 'invoice { id }',
      }),
      () => ({ invoice: { id: invoiceGid(OW_ID, anInvoice().invoiceId) }, userErrors: [] }),
    ),
    'A25.response.1.json': iqmWrite(
      '/email-invoice/',
      'POST',
      () => ({ field: 'emailInvoice', input: { invoiceId: invoiceGid(OW_ID, anInvoice().invoiceId), email: 'user@company.example' }, select: 'message invoice { id }' }),
      (sample) => ({ message: sample.at('data').text, invoice: { id: invoiceGid(OW_ID, anInvoice().invoiceId) }, userErrors: [] }),
    ),
    'A30.response.1.json': iqmWrite(
      '/customer/credit/add',
      'POST',
      () => ({ field: 'offerCredit', input: { customerId: CUSTOMER, amount: '5000', idempotencyKey: key('a30') }, select: 'credit { customer { id } }' }),
      // The new credit is read back from the customer's credits (A29): it is the customer's.
      () => ({ credit: { customer: { id: CUSTOMER } }, userErrors: [] }),
    ),
    'A31.response.1.json': iqmWrite(
      '/customer/credit/edit',
      'PATCH',
      () => ({ field: 'updateCredit', input: { creditId: creditGid(OW_ID, aCredit().creditId), amount: '4000' }, select: 'credit { id }' }),
      () => ({ credit: { id: creditGid(OW_ID, aCredit().creditId) }, userErrors: [] }),
    ),
    'A32.response.1.json': iqmWrite(
      '/customer/credit/revoke',
      'POST',
      () => ({ field: 'revokeCredit', input: { creditId: creditGid(OW_ID, aCredit().creditId) }, select: 'credit { id }' }),
      () => ({ credit: { id: creditGid(OW_ID, aCredit().creditId) }, userErrors: [] }),
    ),
    'A33.response.1.json': iqmWrite(
      '/credit/claim',
      'POST',
      () => {
        // The claim form is A33's request sample; the credit is one of the tenant's.
        const form = Doc.of('A33.request.1.json');
        const fields = ['customerName', 'businessName', 'taxId', 'contactPersonName', 'contactPersonEmail', 'incorporationPlace', 'address'];
        return {
          field: 'claimCredit',
          input: { creditId: creditGid(OW_ID, aCredit().creditId), idempotencyKey: key('a33'), ...Object.fromEntries(fields.map((name) => [name, form.at(name).text])) },
          select: 'credit { id }',
        };
      },
      () => ({ credit: { id: creditGid(OW_ID, aCredit().creditId) }, userErrors: [] }),
    ),
    'A36.response.1.json': iqmWrite(
      '/customer/payment/add',
      'POST',
      () => ({
        field: 'addPayment',
        input: { customerId: CUSTOMER, amount: '10', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'T-A36', idempotencyKey: key('a36') },
        select: 'payment { customer { id } }',
      }),
      () => ({ payment: { customer: { id: CUSTOMER } }, userErrors: [] }),
    ),
    'A37.response.1.json': iqmWrite(
      '/customer/payment/:paymentId',
      'PUT',
      () => ({
        field: 'updatePayment',
        input: { paymentId: paymentGid(OW_ID, aPayment().paymentId), amount: '10', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'T-A37' },
        select: 'payment { id }',
      }),
      () => ({ payment: { id: paymentGid(OW_ID, aPayment().paymentId) }, userErrors: [] }),
    ),
    ...Object.fromEntries(
      (
        [
          ['A38.response.1.json', 'approvePayment', 'approve'],
          ['A39.response.1.json', 'cancelPayment', 'cancel'],
          ['A40.response.1.json', 'rejectPayment', 'reject'],
        ] as const
      ).map(([file, field, action]) => [
        file,
        iqmWrite(
          `/customer/payment/${action}/`,
          'POST',
          () => ({ field, input: { paymentId: paymentGid(OW_ID, aPayment().paymentId), actionNote: 'Payment paid partially' }, select: 'payment { id }' }),
          () => ({ payment: { id: paymentGid(OW_ID, aPayment().paymentId) }, userErrors: [] }),
          { approver: action === 'approve' },
        ),
      ]),
    ),
    'A41.response.1.json': iqmWrite(
      '/customer/payment/add-fund',
      'POST',
      () => ({ field: 'addFunds', input: { amount: '100', paidOn: '2026-10-01', mode: 'CHEQUE', bankName: 'Chase', idempotencyKey: key('a41') }, select: 'message' }),
      (sample) => ({ message: sample.at('data').text, userErrors: [] }),
    ),
    'A42.response.1.json': iqmWrite(
      '/paypal/payment',
      'POST',
      () => ({ field: 'startPaypalPayment', input: { amount: '10' }, select: 'paypalUrl' }),
      // IQM's `data` is the PayPal link.
      (sample) => ({ paypalUrl: sample.at('data').text, userErrors: [] }),
    ),
    'A44.response.1.json': iqmWrite(
      '/customer/payment/approve-refund/',
      'POST',
      () => ({ field: 'approveRefund', input: { paymentId: paymentGid(OW_ID, aPayment().paymentId), idempotencyKey: key('a44') }, select: 'payment { id }' }),
      () => ({ payment: { id: paymentGid(OW_ID, aPayment().paymentId) }, userErrors: [] }),
      { approver: true },
    ),
    'A45.response.1.json': iqmWrite(
      '/payment/email-receipt/',
      'POST',
      () => ({ field: 'emailPaymentReceipt', input: { paymentId: paymentGid(OW_ID, aPayment().paymentId), email: 'example@business.example' }, select: 'message payment { id }' }),
      (sample) => ({ message: sample.at('data').text, payment: { id: paymentGid(OW_ID, aPayment().paymentId) }, userErrors: [] }),
    ),

    // ---------------------------------------------------------- Refrens
    'C1.response.1.json': {
      serve: { system: 'refrens', route: '/payments', method: 'POST', status: 201 },
      async check(sample) {
        // The mutation asks for what the sample answers: its amount, method, notes and date.
        const answer = await read<{ payRefrensInvoice: unknown }>(
          `mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) {
            payment { id amount ${MONEY} tds ${MONEY} transactionCharge ${MONEY} method notes approved removed status paidAt reference customer { id } }
            invoice { id } userErrors { field message code } } }`,
          {
            input: {
              invoiceId: REFRENS_INVOICE,
              amount: sample.at('amount').decimal,
              tds: sample.at('tds').decimal,
              transactionCharge: sample.at('transactionCharge').decimal,
              method: sample.at('paymentMethod').text,
              notes: sample.at('notes').text,
              paidAt: sample.at('paymentDate').text,
              idempotencyKey: key('c1'),
            },
          },
        );
        expect(answer.payRefrensInvoice).toEqual({
          payment: refrensPayment(sample),
          invoice: { id: REFRENS_INVOICE },
          userErrors: [],
        });
      },
    },
    'C1.response.2.json': {
      serve: { system: 'refrens', route: '/payments', method: 'POST', status: 401 },
      async check(sample) {
        // Refrens refusing the gateway's credentials (Feathers NotAuthenticated) is UNAUTHENTICATED, with its message.
        const response = await stack.gql<{ payRefrensInvoice: unknown }>(
          `mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) { payment { id } userErrors { code } } }`,
          { input: { invoiceId: REFRENS_INVOICE, amount: '1', method: 'CASH', idempotencyKey: key('c1-401') } },
        );
        expect(response.errors).toHaveLength(1);
        expect(response.errors![0]).toMatchObject({ path: ['payRefrensInvoice'], extensions: { code: 'UNAUTHENTICATED' } });
        expect(response.errors![0]!.message).toContain(sample.at('message').text);
      },
    },
    'C2.response.1.json': {
      serve: { system: 'refrens', route: '/payments', method: 'GET' },
      async check(sample) {
        const answer = await read<{ node: unknown }>(
          `query($id: ID!) { node(id: $id) { ... on RefrensInvoice { paid ${MONEY}
            payments { id amount ${MONEY} tds ${MONEY} transactionCharge ${MONEY} method notes approved removed status paidAt reference customer { id } } } } }`,
          { id: REFRENS_INVOICE },
        );
        const payments = sample.at('payments').items;
        // Paid: the `amount` of approved payments that are not removed (TDS and charges do not settle).
        const settled = payments.filter((payment) => payment.at('isApproved').bool && !payment.at('isRemoved').bool).reduce((sum, payment) => sum.plus(payment.at('amount').decimal), new Decimal(0));
        expect(answer.node).toEqual({ paid: { amount: settled.toFixed(), currencyCode: refrensCurrency }, payments: payments.map(refrensPayment) });
      },
    },
    'C2.response.2.json': {
      serve: { system: 'refrens', route: '/payments', method: 'GET', status: 401 },
      async check(sample) {
        const response = await stack.gql<{ node: { payments: unknown } | null }>(`query($id: ID!) { node(id: $id) { ... on RefrensInvoice { payments { id } } } }`, { id: REFRENS_INVOICE });
        expect(response.errors).toHaveLength(1);
        expect(response.errors![0]).toMatchObject({ path: ['node', 'payments'], extensions: { code: 'UNAUTHENTICATED' } });
        expect(response.errors![0]!.message).toContain(sample.at('message').text);
      },
    },

    // ---------------------------------------------------------- iQmetrix
    'D1.response.1.json': {
      serve: { system: 'iqmetrix', route: '/InvoiceSummaries', method: 'GET' },
      async check(sample) {
        const answer = await read<{ iqmetrixInvoices: unknown }>(
          `{ iqmetrixInvoices(first: 10) { totalCount nodes { ... on IqmetrixInvoice {
            id invoiceId companyId number total ${MONEY} issuedOn dueOn createdAt invoiceType locationId employeeId printableId
            customer { identities { iqmetrixCustomerId } } } } } }`,
        );
        expect(answer.iqmetrixInvoices).toEqual({
          totalCount: sample.items.length,
          nodes: sample.items.map((summary) => ({
            ...iqmetrixInvoiceSummary(summary, summary.at('InvoiceTotal')),
            // InvoiceType: None / Purchase / Refund.
            invoiceType: enumOf(summary.at('InvoiceType').text),
            customer: { identities: { iqmetrixCustomerId: summary.at('CustomerId').text } },
          })),
        });
      },
    },
    'D2.response.1.json': {
      serve: { system: 'iqmetrix', route: '/Invoices(', method: 'GET' },
      async check(sample) {
        const address = 'id streetAddress1 streetAddress2 postOfficeBoxNumber locality stateCode postalCode countryCode doNotContact notes';
        const item = `id description productId quantity sellingPrice ${MONEY} serialNumber sku`;
        const answer = await read<{ node: unknown }>(
          `query($id: ID!) { node(id: $id) { ... on IqmetrixInvoice {
            id invoiceId companyId number total ${MONEY} paid ${MONEY} outstanding ${MONEY} status issuedOn dueOn createdAt invoiceType
            locationId employeeId printableId notes createdByUser isRefund originalInvoiceId customer { identities { iqmetrixCustomerId } }
            iqmetrixCustomer { id title primaryName middleName familyName alternateName customerType customerTypeId dateOfBirth doNotContact notes
              billingAddress { ${address} } shippingAddress { ${address} } }
            orders { id printableId referenceId items { ${item} } }
            dropshipOrders { id printableId referenceId shippingEntityId shippingMethod supplierId items { ${item} } }
            payments { ... on IqmetrixPayment { id amount ${MONEY} status paidAt reference paymentMethodId transactionType drawerId } }
            taxLines { lineNumber discount ${MONEY} rate tax ${MONEY} taxable ${MONEY} taxability
              details { taxId taxName countryCode regionCode rate tax ${MONEY} taxable ${MONEY} taxAuthority taxAuthorityType taxCategory taxType } } } } }`,
          // The sample's own invoice id, in the tenant's company (the path names the company, the sample does not).
          { id: globalId('IqmetrixInvoice', 'IQMETRIX', JSON.stringify([IQMETRIX_DEMO_COMPANY_ID, sample.at('Id').text])) },
        );
        expect(answer.node).toEqual(iqmetrixInvoiceDetail(sample).detail);
      },
    },
    'D3.response.1.json': {
      serve: { system: 'iqmetrix', route: '/Invoices', method: 'POST', status: 201 },
      async check(sample) {
        // The input is D3's request sample in GraphQL's terms (DropshipOrders and the customer's details are not writable).
        const request = Doc.of('D3.request.1.json');
        const input = {
          customerId: request.at('Customer', 'Id').text,
          locationId: request.at('LocationId').int,
          employeeId: request.at('EmployeeId').int,
          printableId: request.at('PrintableId').text,
          notes: request.at('Notes').text,
          isRefund: request.at('IsRefund').bool,
          originalInvoiceId: request.at('OriginalInvoiceId').text,
          orders: request.at('Orders').items.map((order) => ({
            printableId: order.at('PrintableId').text,
            referenceId: order.at('ReferenceId').text,
            items: order.at('Items').items.map((line) => ({
              description: line.at('Description').text,
              productId: line.at('ProductId').text,
              quantity: line.at('Quantity').int,
              sellingPrice: line.at('SellingPrice').decimal,
              serialNumber: line.optional('SerialNumber', (doc) => doc.text),
              sku: line.at('Sku').text,
            })),
          })),
          payments: request.at('Payments').items.map((payment) => ({
            amount: payment.at('Amount').decimal,
            paymentMethodId: payment.at('PaymentMethodId').int,
            referenceId: payment.at('ReferenceId').text,
            transactionDate: payment.at('TransactionDate').text,
          })),
          idempotencyKey: key('d3'),
        };
        const answer = await read<{ createIqmetrixInvoice: unknown }>(
          `mutation($input: CreateIqmetrixInvoiceInput!) { createIqmetrixInvoice(input: $input) { invoice {
            id invoiceId companyId number total ${MONEY} issuedOn dueOn createdAt invoiceType locationId employeeId printableId
            customer { identities { iqmetrixCustomerId } } } userErrors { field message code } } }`,
          { input },
        );
        // The 201 body is the invoice as iQmetrix stored it: the payload is that invoice.
        expect(answer.createIqmetrixInvoice).toEqual({ invoice: iqmetrixInvoiceDetail(sample).summary, userErrors: [] });
      },
    },
  };

  /** C1/C2 payment → RefrensPayment; the currency is the invoice's (the directory's), Refrens sends none. */
  function refrensPayment(payment: Doc) {
    const approved = payment.at('isApproved').bool;
    const removed = payment.at('isRemoved').bool;
    return {
      id: globalId('RefrensPayment', 'REFRENS', JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02', payment.at('_id').text])),
      amount: money(payment.at('amount'), refrensCurrency),
      tds: money(payment.at('tds'), refrensCurrency),
      transactionCharge: money(payment.at('transactionCharge'), refrensCurrency),
      // Refrens' methods are the enum's values, but for DD (DEMAND_DRAFT).
      method: payment.at('paymentMethod').text === 'DD' ? 'DEMAND_DRAFT' : payment.at('paymentMethod').text,
      notes: payment.optional('notes', (doc) => doc.text),
      approved,
      removed,
      // Removed → CANCELLED, approved → PAID, else PROCESSING.
      status: removed ? 'CANCELLED' : approved ? 'PAID' : 'PROCESSING',
      // A date (C2) or an instant (C1).
      paidAt: instant(payment.at('paymentDate')),
      reference: payment.optional('refId', (doc) => doc.text),
      customer: { id: CUSTOMER },
    };
  }

  /** The summary fields of an iQmetrix invoice (D1 row or D2/D3 body); the number is PrintableId, else the GUID. */
  function iqmetrixInvoiceSummary(invoice: Doc, total: Doc | Decimal) {
    const id = invoice.at('Id').text;
    return {
      id: globalId('IqmetrixInvoice', 'IQMETRIX', JSON.stringify([IQMETRIX_DEMO_COMPANY_ID, id])),
      invoiceId: id,
      companyId: IQMETRIX_DEMO_COMPANY_ID,
      number: invoice.optional('PrintableId', (doc) => doc.text) ?? id,
      total: { amount: Decimal.isDecimal(total) ? total.toFixed() : total.decimal, currencyCode: cad },
      issuedOn: day(invoice.at('CreatedDateUtc')),
      // iQmetrix has no due date.
      dueOn: null,
      createdAt: instant(invoice.at('CreatedDateUtc')),
      locationId: invoice.optional('LocationId', (doc) => doc.int),
      employeeId: invoice.optional('EmployeeId', (doc) => doc.int),
      printableId: invoice.optional('PrintableId', (doc) => doc.text),
    };
  }

  /** D2 (and D3's 201 body) → IqmetrixInvoice with its detail fields. */
  function iqmetrixInvoiceDetail(invoice: Doc) {
    const amount = (doc: Doc) => money(doc, cad);
    const optionalAmount = (parent: Doc, key: string) => parent.optional(key, amount);
    const orders = invoice.optional('Orders', (doc) => doc.items) ?? [];
    const dropships = invoice.optional('DropshipOrders', (doc) => doc.items) ?? [];
    const lines = invoice.has('TaxCalculationResult') ? invoice.at('TaxCalculationResult', 'Lines').items : [];
    const payments = invoice.optional('Payments', (doc) => doc.items) ?? [];
    const item = (line: Doc) => ({
      id: line.at('Id').text,
      description: line.optional('Description', (doc) => doc.text),
      productId: line.optional('ProductId', (doc) => doc.text),
      quantity: line.at('Quantity').int,
      sellingPrice: amount(line.at('SellingPrice')),
      serialNumber: line.optional('SerialNumber', (doc) => doc.text),
      sku: line.optional('Sku', (doc) => doc.text),
    });
    const order = (entry: Doc) => ({
      id: entry.at('Id').text,
      printableId: entry.optional('PrintableId', (doc) => doc.text),
      referenceId: entry.optional('ReferenceId', (doc) => doc.text),
      items: entry.at('Items').items.map(item),
    });
    const address = (entry: Doc) => {
      const text = (key: string) => entry.optional(key, (doc) => doc.text);
      return {
        id: text('Id'),
        streetAddress1: text('StreetAddress1'),
        streetAddress2: text('StreetAddress2'),
        postOfficeBoxNumber: text('PostOfficeBoxNumber'),
        locality: text('Locality'),
        stateCode: text('StateCode'),
        postalCode: text('PostalCode'),
        countryCode: text('CountryCode'),
        doNotContact: entry.optional('DoNotContact', (doc) => doc.bool),
        notes: text('Notes'),
      };
    };
    // D2 carries no total: Σ Quantity × SellingPrice over Orders and DropshipOrders, plus Σ line Tax.
    const total = [...orders, ...dropships]
      .flatMap((entry) => entry.at('Items').items)
      .reduce((sum, line) => sum.plus(new Decimal(line.at('SellingPrice').decimal).times(line.at('Quantity').int)), new Decimal(0))
      .plus(lines.reduce((sum, line) => sum.plus(line.optional('Tax', (doc) => doc.decimal) ?? 0), new Decimal(0)));
    const paid = payments.reduce((sum, payment) => sum.plus(payment.at('Amount').decimal), new Decimal(0));
    const isRefund = invoice.optional('IsRefund', (doc) => doc.bool);
    const customer = invoice.at('Customer');
    const customerText = (key: string) => customer.optional(key, (doc) => doc.text);
    const invoiceId = invoice.at('Id').text;
    const summary = {
      ...iqmetrixInvoiceSummary(invoice, total),
      // D2 has IsRefund, not InvoiceType.
      invoiceType: isRefund === true ? 'REFUND' : isRefund === false ? 'PURCHASE' : 'NONE',
      customer: { identities: { iqmetrixCustomerId: customer.at('Id').text } },
    };
    const detail = {
      ...summary,
      // Paid: Σ Payments.Amount; no due date, so PAID, PARTIALLY_PAID or UNPAID from the amounts.
      paid: { amount: paid.toFixed(), currencyCode: cad },
      outstanding: { amount: Decimal.max(total.minus(paid), 0).toFixed(), currencyCode: cad },
      status: paid.greaterThanOrEqualTo(total) ? 'PAID' : paid.greaterThan(0) ? 'PARTIALLY_PAID' : 'UNPAID',
      notes: invoice.optional('Notes', (doc) => doc.text),
      createdByUser: invoice.optional('CreatedByUser', (doc) => doc.text),
      isRefund,
      originalInvoiceId: invoice.optional('OriginalInvoiceId', (doc) => doc.text),
      iqmetrixCustomer: {
        id: customer.at('Id').text,
        title: customerText('Title'),
        primaryName: customerText('PrimaryName'),
        middleName: customerText('MiddleName'),
        familyName: customerText('FamilyName'),
        alternateName: customerText('AlternateName'),
        customerType: customerText('CustomerType'),
        customerTypeId: customer.optional('CustomerTypeId', (doc) => doc.int),
        dateOfBirth: customer.optional('DateOfBirth', day),
        doNotContact: customer.optional('DoNotContact', (doc) => doc.bool),
        notes: customerText('Notes'),
        billingAddress: customer.optional('BillingAddress', address),
        shippingAddress: customer.optional('ShippingAddress', address),
      },
      orders: orders.map(order),
      dropshipOrders: dropships.map((entry) => ({
        ...order(entry),
        shippingEntityId: entry.optional('ShippingEntityId', (doc) => doc.int),
        shippingMethod: entry.optional('ShippingMethod', (doc) => doc.text),
        supplierId: entry.optional('SupplierId', (doc) => doc.int),
      })),
      payments: payments.map((payment) => ({
        id: globalId('IqmetrixPayment', 'IQMETRIX', JSON.stringify([IQMETRIX_DEMO_COMPANY_ID, invoiceId, payment.at('Id').text])),
        amount: amount(payment.at('Amount')),
        // Payments taken at the till are settled facts.
        status: 'PAID',
        paidAt: payment.optional('TransactionDate', instant),
        reference: payment.optional('ReferenceId', (doc) => doc.text),
        paymentMethodId: payment.optional('PaymentMethodId', (doc) => doc.int),
        transactionType: payment.optional('TransactionType', (doc) => doc.text),
        drawerId: payment.optional('DrawerId', (doc) => doc.text),
      })),
      taxLines: lines.map((line) => ({
        lineNumber: line.optional('LineNumber', (doc) => doc.text),
        discount: optionalAmount(line, 'Discount'),
        rate: line.optional('Rate', (doc) => doc.decimal),
        tax: optionalAmount(line, 'Tax'),
        taxable: optionalAmount(line, 'Taxable'),
        taxability: line.optional('Taxability', (doc) => doc.bool),
        details: (line.optional('TaxDetails', (doc) => doc.items) ?? []).map((detail) => {
          const text = (key: string) => detail.optional(key, (doc) => doc.text);
          return {
            taxId: text('TaxId'),
            taxName: text('TaxName'),
            countryCode: text('CountryCode'),
            regionCode: text('RegionCode'),
            rate: detail.optional('Rate', (doc) => doc.decimal),
            tax: optionalAmount(detail, 'Tax'),
            taxable: optionalAmount(detail, 'Taxable'),
            taxAuthority: text('TaxAuthority'),
            taxAuthorityType: text('TaxAuthorityType'),
            taxCategory: text('TaxCategory'),
            taxType: text('TaxType'),
          };
        }),
      })),
    };
    return { summary, detail };
  }

  /**
   * iQmetrix's resource models, each the same JSON as a part of an operation sample above: served
   * (and asserted) end to end as that part.
   */
  const resourceParts: Record<string, { readonly sample: string; readonly path: readonly (string | number)[] }> = {
    'D-Invoice.response.1.json': { sample: 'D2.response.1.json', path: [] },
    'D-InvoiceSummary.response.1.json': { sample: 'D1.response.1.json', path: [0] },
    'D-Customer.response.1.json': { sample: 'D2.response.1.json', path: ['Customer'] },
    'D-Address.response.1.json': { sample: 'D2.response.1.json', path: ['Customer', 'BillingAddress'] },
    'D-Order.response.1.json': { sample: 'D2.response.1.json', path: ['Orders', 0] },
    'D-OrderItem.response.1.json': { sample: 'D2.response.1.json', path: ['Orders', 0, 'Items', 0] },
    'D-DropshipOrder.response.1.json': { sample: 'D2.response.1.json', path: ['DropshipOrders', 0] },
    'D-DropshipOrderItem.response.1.json': { sample: 'D2.response.1.json', path: ['DropshipOrders', 0, 'Items', 0] },
    'D-Payment.response.1.json': { sample: 'D2.response.1.json', path: ['Payments', 0] },
    'D-TaxCalculationResult.response.1.json': { sample: 'D2.response.1.json', path: ['TaxCalculationResult'] },
    'D-TaxLineItem.response.1.json': { sample: 'D2.response.1.json', path: ['TaxCalculationResult', 'Lines', 0] },
    'D-TaxDetail.response.1.json': { sample: 'D2.response.1.json', path: ['TaxCalculationResult', 'Lines', 0, 'TaxDetails', 0] },
  };

  it('has a case for every response sample of the documents', () => {
    const manifest = JSON.parse(sampleText('manifest.json')) as { samples: { file: string; kind: string }[] };
    const responses = manifest.samples.filter((sample) => sample.kind === 'response').map((sample) => sample.file);
    expect(responses.filter((file) => !(file in cases) && !(file in resourceParts))).toEqual([]);
    expect([...Object.keys(cases), ...Object.keys(resourceParts)].filter((file) => !responses.includes(file))).toEqual([]);
  });

  it('is what the README says, operation by operation ("Readings, operation by operation")', () => {
    const readme = readFileSync(join(SAMPLES_DIR, '../../../README.md'), 'utf8').split('\n');
    const header = readme.findIndex((line) => line.startsWith('| op |') && line.endsWith('| response sample through GraphQL |'));
    expect(header).toBeGreaterThan(0);
    const rows = readme.slice(header + 2, readme.indexOf('', header)).map((line) => line.slice(2, -2).split(' | '));
    const ops = [
      ...Array.from({ length: 52 }, (_, index) => `A${index + 1}`),
      ...['B1', 'B2', 'C1', 'C2', 'D1', 'D2', 'D3'],
    ];
    // One row per documented operation, in order: all 59.
    expect(rows.map((cells) => cells[0])).toEqual(ops);
    for (const cells of rows) {
      const op = cells[0]!;
      const samples = Object.keys(cases).filter((file) => file.startsWith(`${op}.response.`)).length;
      const column = cells.at(-1)!;
      if (samples === 0) expect(column, op).toMatch(/^no: /);
      else expect(column, op).toMatch(samples === 1 ? /^yes(\b(?!, \d))/ : new RegExp(`^yes, ${samples} samples`));
    }
  });

  it.each(Object.entries(resourceParts))('%s is the part of %o that goes through GraphQL', (file, { sample, path }) => {
    expect(Doc.of(file).plain).toEqual(Doc.of(sample).at(...path).plain);
  });

  it.each(Object.keys(cases))('%s', async (file) => {
    const { serve, check } = cases[file]!;
    const sim = simulator(serve.system);
    sim.injectFault({
      route: serve.route,
      method: serve.method,
      times: serve.times ?? 1,
      fault: { kind: 'respond', status: serve.status ?? 200, body: sampleText(file), headers: { 'content-type': 'application/json' } },
    });
    await check(Doc.of(file));
    // The sample itself was the upstream's answer, as often as the operation reads that route.
    expect(sim.faultUsesLeft(), `${serve.method} ${serve.route} was not answered with ${file}`).toBe(0);
  });
});

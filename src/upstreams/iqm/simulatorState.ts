import { Decimal } from 'decimal.js';
import { seededRandom } from '../simulatorServer.js';

/**
 * The IQM simulator's world: organizations (one per API token), their customer workspaces,
 * invoices, payments and credits. Amounts are decimals; the HTTP layer writes them as JSON numbers.
 * Ids of IQM's reference lists are used as they are (A47–A52).
 */

export const INVOICE_STATUS = { PENDING: 1, PARTIALLY_PAID: 2, UNPAID: 3, PAID: 4, OVERDUE: 5, PROCESSING: 7, CANCELLED: 8 } as const;
export const PAYMENT_STATUS = { PROCESSING: 1, PAID: 2, REJECTED: 3, CANCELLED: 4 } as const;
export const PAYMENT_TYPE = { AS_FUND: 1, AGAINST_INVOICE: 2, REFUND: 3 } as const;
export const PAYMENT_MODE = { PAYPAL: 1, CHEQUE: 2, WIRE_TRANSFER: 3, TO_FUNDS: 4 } as const;

export const PAYMENT_STATUS_LABEL: Record<number, string> = { 1: 'Processing', 2: 'Paid', 3: 'Rejected', 4: 'Cancelled' };
export const PAYMENT_TYPE_LABEL: Record<number, string> = { 1: 'As Fund', 2: 'Against Invoice', 3: 'Refund' };
export const PAYMENT_MODE_LABEL: Record<number, string> = { 1: 'PayPal', 2: 'Check', 3: 'Wire Transfer', 4: 'To Funds' };

export interface IqmTenant {
  /** The bearer token that authenticates this organization. */
  readonly token: string;
  readonly organizationWorkspaceId: number;
  readonly organizationName: string;
  readonly userName: string;
  readonly userEmail: string;
}

export interface SimCustomer {
  readonly owId: number;
  readonly organizationWorkspaceId: number;
  readonly name: string;
  pendingCampaigns: number;
  runningCampaigns: number;
  totalCampaigns: number;
  dataCost: Decimal;
  actualSpent: Decimal;
  spent: Decimal;
  earning: Decimal;
  balance: Decimal;
  margins: { marginTypeId: number; marginType: string; marginValue: Decimal }[];
  isBidShadingEnabled: boolean;
  campaigns: { campaignId: number; campaignName: string; status: string; creativeTypeId: number; campaignMargin: Decimal; isDefault: boolean }[];
  pgFees: { pgCampaignFees: Decimal; pgWorkspaceShare: Decimal };
  vldFees: SimDataFees;
  pldFees: SimDataFees;
  slsFees: SimDataFees;
  isDvIvtSegmentsEnabled: boolean;
  /** Part of the claimed credit already spent (A27 usedCredit). */
  creditUsed: Decimal;
}

/** What the simulator keeps per organization (the token's workspace) besides its customers. */
export interface SimOrganization {
  readonly organizationWorkspaceId: number;
  paypalFeesPercentage: Decimal;
  creditUsed: Decimal;
  invoiceSettings: SimInvoiceSettings;
  /** Tax data rows A21 can delete, by taxId. */
  readonly taxData: Map<number, { companyTaxId: string; companyTaxName: string }>;
}

export interface SimInvoiceSettings {
  readonly invoiceId: number;
  invoiceTitle: string;
  invoiceCompanyName: string;
  invoiceCompanyAddress: string;
  email: string;
  website: string;
  invoiceDescription: string;
  paypalId: number;
  chequeTransferId: number;
  wireTransferId: number;
  termsAndConditions: string;
  paymentTerm: string;
  invoiceFooter: string;
  createdAt: string;
  paypalAccountId: string;
  chequeCompanyName: string;
  chequeCompanyAddress: string;
  wireTransferCompanyName: string;
  bankName: string;
  accountNumber: string;
  bankAddress: string;
  swiftCode: string;
  routing: string;
}

/** An e-mail the simulator "sent" (A25, A45). */
export interface SimEmail {
  readonly kind: 'invoice' | 'receipt';
  readonly owId: number;
  readonly id: number;
  readonly email: string;
}

export interface SimDataFees {
  id: number;
  rate: Decimal;
  enabled: boolean;
  markupTypeId: number;
  markupValue: Decimal;
}

export interface SimInvoice {
  readonly invoiceId: number;
  readonly owId: number;
  readonly organizationWorkspaceId: number;
  invoiceName: string;
  invoiceFromDate: number;
  invoiceToDate: number;
  issuedOn: number;
  invoiceAmount: Decimal;
  paidAmount: Decimal;
  status: number;
  paymentTerm: number;
  paymentMode: number[];
  actionNote: string | null;
  invoiceStatusUpdatedBy: string | null;
  modifiedAt: number;
}

export interface SimPayment {
  readonly paymentId: number;
  readonly owId: number;
  readonly organizationWorkspaceId: number;
  isPaymentInitiatorOrg: boolean;
  createdAt: number;
  createdByUserEmail: string;
  paymentDate: number;
  paymentAmount: Decimal;
  paymentStatus: number;
  paymentMode: number;
  paymentType: number;
  invoiceId: number;
  transactionId: string | null;
  modifiedAt: number;
  modifiedByUserEmail: string;
  bankName: string | null;
  refundReason: string | null;
  /** Name and media type of the proof file received, if any (the bytes are not kept). */
  paymentProof: { fileName: string; mimeType: string; bytes: number } | null;
  actionNote?: string | null;
}

export interface SimCredit {
  readonly creditId: number;
  readonly owId: number;
  readonly organizationWorkspaceId: number;
  creditAmount: Decimal;
  status: 'Unclaimed' | 'Claimed' | 'Revoked';
  modifiedAt: number;
  uowId: number;
  displayName: string;
  /** The claim form of A33, once claimed. */
  claim?: Record<string, string>;
}

/** The workspace that offers credit to the demo organizations (A28 organizationName). */
export const PLATFORM_WORKSPACE = { organizationWorkspaceId: 100001, name: 'IQM Platform' } as const;

export interface IqmSeedOptions {
  /** Invoices per customer workspace (default 6). */
  readonly invoicesPerCustomer?: number;
  /** Customer workspaces per organization (default 3). */
  readonly customersPerOrganization?: number;
}

/** The simulator's clock: fixed, so seeded data and derived dates are the same on every run. */
export const SIMULATOR_EPOCH = Date.UTC(2026, 9, 1);
const DAY_MS = 86_400_000;

export const DEMO_TENANTS: readonly IqmTenant[] = [
  { token: 'demo-iqm-token', organizationWorkspaceId: 200001, organizationName: 'Alchemist Media Group', userName: 'Dana Finance', userEmail: 'dana.finance@alchemist.example' },
  { token: 'demo-iqm-token-b', organizationWorkspaceId: 300001, organizationName: 'Blue Harbor Ads', userName: 'Omar Ledger', userEmail: 'omar.ledger@blueharbor.example' },
];

const CUSTOMER_NAMES: Record<number, readonly string[]> = {
  200001: ['Northwind Traders', 'Contoso Media', 'Fabrikam Outdoor', 'Tailspin Toys', 'Wide World Importers'],
  300001: ['Harbor Marker Co', 'Lighthouse Retail', 'Pier Nine Foods'],
};

/**
 * The documented shapes an answer can take where the doc's table, JSON sample and TypeScript block
 * disagree; the first of each is the simulator's default. Tests switch them (`answerVariants`) so
 * every documented shape goes through the gateway once.
 */
export const IQM_ANSWER_VARIANTS = {
  /** Margin rows with `totalRecords`/`filteredRecords` (JSON sample) or without them (the table lists none). */
  A2: ['sample', 'table'],
  /** Campaign rows with `creativeTypeId` a number and `default` a boolean (JSON sample), or both strings (the table). */
  A4: ['sample', 'table'],
  /** `organizationPgFeesDetails` (JSON sample) or `organizationPGFeesDetails` (TypeScript block). */
  A5: ['sample', 'typescript'],
  /** `paypalId` (JSON sample) or `payPalId` (table). */
  A18: ['sample', 'table'],
  /** `data` as a bare array (TypeScript block) or `{ totalRecords, filteredRecords, pgPaymentTypes }` (JSON sample). */
  A52: ['typescript', 'sample'],
  /** Invoice dates in epoch milliseconds (the table) or seconds (the JSON sample). */
  A19: ['table', 'sample'],
  /** Organization payment rows with the customer's `owId` (the simulator's addition) or without (the JSON sample). */
  A34: ['withOwId', 'sample'],
} as const;
export type IqmAnswerVariants = { -readonly [Op in keyof typeof IQM_ANSWER_VARIANTS]: (typeof IQM_ANSWER_VARIANTS)[Op][number] };

export class IqmSimulatorState {
  readonly tenants: readonly IqmTenant[];
  /** Which documented shape each disputed answer takes (IQM_ANSWER_VARIANTS). */
  readonly answerVariants: IqmAnswerVariants = { A2: 'sample', A4: 'sample', A5: 'sample', A18: 'sample', A52: 'typescript', A19: 'table', A34: 'withOwId' };
  readonly customers = new Map<number, SimCustomer>();
  readonly invoices = new Map<number, SimInvoice>();
  readonly payments = new Map<number, SimPayment>();
  readonly credits = new Map<number, SimCredit>();
  /** Organization workspace balances (A16 with isCustomerRequest=false). */
  readonly organizationBalances = new Map<number, Decimal>();
  readonly organizations = new Map<number, SimOrganization>();
  readonly emails: SimEmail[] = [];
  /** Amounts of PayPal payments started (A42), by PayPal token. */
  readonly paypalPayments = new Map<string, Decimal>();
  private nextPaymentId = 9000;
  private nextCreditId = 700;
  private clock = SIMULATOR_EPOCH;

  constructor(tenants: readonly IqmTenant[] = DEMO_TENANTS, seed: IqmSeedOptions = {}) {
    this.tenants = tenants;
    seedState(this, seed);
    // Ids handed out by writes follow the seeded ones, however large the seed.
    this.nextPaymentId = Math.max(this.nextPaymentId, ...this.payments.keys());
    this.nextCreditId = Math.max(this.nextCreditId, ...this.credits.keys());
  }

  tenantByToken(token: string): IqmTenant | undefined {
    return this.tenants.find((tenant) => tenant.token === token);
  }

  /** Advances the simulator clock by one second per write, so modifiedAt orders writes. */
  now(): number {
    this.clock += 1000;
    return this.clock;
  }

  /**
   * Records a payment made through the API by the caller's organization: the simulator assigns the
   * id and the audit fields (who, when), the route gives what the request said.
   */
  recordPayment(
    tenant: IqmTenant,
    payment: Pick<SimPayment, 'owId' | 'paymentDate' | 'paymentAmount' | 'paymentStatus' | 'paymentMode' | 'paymentType'> &
      Partial<Pick<SimPayment, 'invoiceId' | 'transactionId' | 'bankName' | 'refundReason' | 'paymentProof'>>,
  ): SimPayment {
    this.nextPaymentId += 1;
    const now = this.now();
    const recorded: SimPayment = {
      invoiceId: 0,
      transactionId: null,
      bankName: null,
      refundReason: null,
      paymentProof: null,
      ...payment,
      paymentId: this.nextPaymentId,
      organizationWorkspaceId: tenant.organizationWorkspaceId,
      isPaymentInitiatorOrg: true,
      createdAt: now,
      createdByUserEmail: tenant.userEmail,
      modifiedAt: now,
      modifiedByUserEmail: tenant.userEmail,
    };
    this.payments.set(recorded.paymentId, recorded);
    return recorded;
  }

  allocateCreditId(): number {
    this.nextCreditId += 1;
    return this.nextCreditId;
  }

  customerOf(organizationWorkspaceId: number, owId: number): SimCustomer | undefined {
    const customer = this.customers.get(owId);
    return customer && customer.organizationWorkspaceId === organizationWorkspaceId ? customer : undefined;
  }

  /** Recomputes an invoice's paid amount and status from its settled payments. */
  settleInvoice(invoice: SimInvoice): void {
    let paid = new Decimal(0);
    for (const payment of this.payments.values()) {
      if (payment.invoiceId === invoice.invoiceId && payment.paymentStatus === PAYMENT_STATUS.PAID && payment.paymentType === PAYMENT_TYPE.AGAINST_INVOICE) {
        paid = paid.plus(payment.paymentAmount);
      }
    }
    invoice.paidAmount = paid;
    if (invoice.status === INVOICE_STATUS.CANCELLED || invoice.status === INVOICE_STATUS.PENDING) return;
    if (paid.greaterThanOrEqualTo(invoice.invoiceAmount)) invoice.status = INVOICE_STATUS.PAID;
    else if (paid.greaterThan(0)) invoice.status = INVOICE_STATUS.PARTIALLY_PAID;
    else if (invoice.issuedOn + invoice.paymentTerm * DAY_MS < SIMULATOR_EPOCH) invoice.status = INVOICE_STATUS.OVERDUE;
    else invoice.status = INVOICE_STATUS.UNPAID;
  }
}

function seedState(state: IqmSimulatorState, options: IqmSeedOptions): void {
  const random = seededRandom(20261121);
  const invoicesPerCustomer = options.invoicesPerCustomer ?? 6;
  const customersPerOrganization = options.customersPerOrganization ?? 3;
  const cents = (min: number, max: number) => new Decimal(Math.round((min + random() * (max - min)) * 100)).dividedBy(100);
  let nextInvoiceId = 5000;
  let nextPaymentId = 1000;
  let nextCreditId = 500;

  for (const tenant of state.tenants) {
    state.organizationBalances.set(tenant.organizationWorkspaceId, new Decimal('250000.00'));
    seedOrganization(state, tenant, nextCreditId);
    nextCreditId += 3;
    const names = CUSTOMER_NAMES[tenant.organizationWorkspaceId] ?? [];
    for (let customerIndex = 0; customerIndex < customersPerOrganization; customerIndex += 1) {
      const owId = tenant.organizationWorkspaceId + 100 + customerIndex;
      const name = names[customerIndex] ?? `Customer ${owId}`;
      state.customers.set(owId, {
        owId,
        organizationWorkspaceId: tenant.organizationWorkspaceId,
        name,
        pendingCampaigns: 2 + customerIndex,
        runningCampaigns: 5 + customerIndex * 2,
        totalCampaigns: 12 + customerIndex * 5,
        dataCost: cents(100, 900),
        actualSpent: cents(5_000, 20_000),
        spent: cents(20_000, 40_000),
        earning: cents(1_000, 5_000),
        balance: cents(10_000, 40_000),
        margins: [{ marginTypeId: 1, marginType: 'Gross Margin', marginValue: new Decimal(15 + customerIndex) }],
        isBidShadingEnabled: customerIndex % 2 === 1,
        campaigns: [0, 1, 2].map((campaignIndex) => ({
          campaignId: owId * 10 + campaignIndex,
          campaignName: `${name.split(' ')[0]}_Campaign_${campaignIndex + 1}`,
          status: campaignIndex === 0 ? 'running' : campaignIndex === 1 ? 'pending' : 'expired',
          creativeTypeId: 13,
          campaignMargin: new Decimal(campaignIndex * 5),
          isDefault: campaignIndex === 0,
        })),
        pgFees: { pgCampaignFees: new Decimal(10), pgWorkspaceShare: new Decimal(15) },
        vldFees: { id: owId, rate: new Decimal(3), enabled: true, markupTypeId: 2, markupValue: new Decimal(10) },
        pldFees: { id: owId, rate: new Decimal(2.5), enabled: false, markupTypeId: 1, markupValue: new Decimal(0) },
        slsFees: { id: owId, rate: new Decimal(4), enabled: true, markupTypeId: 2, markupValue: new Decimal(5) },
        isDvIvtSegmentsEnabled: customerIndex === 0,
        creditUsed: new Decimal('750.25'),
      });

      const shortName = name.split(' ')[0] ?? name;
      // Invoices newest first: month 0 is September 2026, then back one month at a time.
      for (let month = 0; month < invoicesPerCustomer; month += 1) {
        const periodStart = Date.UTC(2026, 8 - month, 1);
        const periodEnd = Date.UTC(2026, 9 - month, 1) - DAY_MS;
        const issuedOn = periodEnd + DAY_MS;
        const invoiceId = nextInvoiceId++;
        const amount = cents(1_000, 20_000);
        const monthLabel = new Date(periodStart).toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
        // A mix of every status: the newest is still pending approval, one is cancelled, older ones are paid.
        const plan = month === 0 ? 'pending' : month === 1 ? 'unpaid' : month === 2 ? 'partial' : month === 3 ? 'cancelled' : 'paid';
        const invoice: SimInvoice = {
          invoiceId,
          owId,
          organizationWorkspaceId: tenant.organizationWorkspaceId,
          invoiceName: `${shortName} - ${monthLabel}`,
          invoiceFromDate: periodStart,
          invoiceToDate: periodEnd,
          issuedOn,
          invoiceAmount: amount,
          paidAmount: new Decimal(0),
          status: plan === 'pending' ? INVOICE_STATUS.PENDING : plan === 'cancelled' ? INVOICE_STATUS.CANCELLED : INVOICE_STATUS.UNPAID,
          paymentTerm: 30,
          paymentMode: [PAYMENT_MODE.CHEQUE, PAYMENT_MODE.WIRE_TRANSFER],
          actionNote: plan === 'cancelled' ? 'Duplicate of an earlier invoice' : null,
          invoiceStatusUpdatedBy: plan === 'pending' ? null : tenant.userName,
          modifiedAt: issuedOn + DAY_MS,
        };
        state.invoices.set(invoiceId, invoice);
        const settlements = plan === 'paid' ? [amount] : plan === 'partial' ? [amount.dividedBy(2).toDecimalPlaces(2)] : [];
        if (plan === 'paid' && month % 2 === 1) {
          // Some invoices were settled in two instalments.
          const first = amount.times(0.6).toDecimalPlaces(2);
          settlements.splice(0, 1, first, amount.minus(first));
        }
        settlements.forEach((part, index) => {
          const paymentDate = issuedOn + (10 + index * 7) * DAY_MS;
          const paymentId = nextPaymentId++;
          state.payments.set(paymentId, {
            paymentId,
            owId,
            organizationWorkspaceId: tenant.organizationWorkspaceId,
            isPaymentInitiatorOrg: false,
            createdAt: paymentDate,
            createdByUserEmail: `ap@${shortName.toLowerCase()}.example`,
            paymentDate,
            paymentAmount: part,
            paymentStatus: PAYMENT_STATUS.PAID,
            paymentMode: index === 0 ? PAYMENT_MODE.WIRE_TRANSFER : PAYMENT_MODE.CHEQUE,
            paymentType: PAYMENT_TYPE.AGAINST_INVOICE,
            invoiceId,
            transactionId: `TXN-${paymentId}`,
            modifiedAt: paymentDate + DAY_MS,
            modifiedByUserEmail: tenant.userEmail,
            bankName: index === 0 ? 'First National Bank' : null,
            refundReason: null,
            paymentProof: null,
          });
        });
        state.settleInvoice(invoice);
      }

      // One top-up of funds per customer and one refund still processing.
      for (const [type, status, amount] of [
        [PAYMENT_TYPE.AS_FUND, PAYMENT_STATUS.PAID, cents(2_000, 5_000)],
        [PAYMENT_TYPE.REFUND, PAYMENT_STATUS.PROCESSING, cents(50, 300)],
      ] as const) {
        const paymentId = nextPaymentId++;
        const paymentDate = SIMULATOR_EPOCH - (20 + paymentId % 7) * DAY_MS;
        state.payments.set(paymentId, {
          paymentId,
          owId,
          organizationWorkspaceId: tenant.organizationWorkspaceId,
          isPaymentInitiatorOrg: type === PAYMENT_TYPE.REFUND,
          createdAt: paymentDate,
          createdByUserEmail: type === PAYMENT_TYPE.REFUND ? tenant.userEmail : `ap@${shortName.toLowerCase()}.example`,
          paymentDate,
          paymentAmount: amount,
          paymentStatus: status,
          paymentMode: type === PAYMENT_TYPE.REFUND ? PAYMENT_MODE.TO_FUNDS : PAYMENT_MODE.PAYPAL,
          paymentType: type,
          invoiceId: 0,
          transactionId: type === PAYMENT_TYPE.REFUND ? null : `PP-${paymentId}`,
          modifiedAt: paymentDate + DAY_MS,
          modifiedByUserEmail: tenant.userEmail,
          bankName: null,
          refundReason: type === PAYMENT_TYPE.REFUND ? 'Unused campaign budget' : null,
          paymentProof: null,
        });
      }

      for (const [amount, status] of [
        [new Decimal(5000), 'Unclaimed'],
        [new Decimal(1500), 'Revoked'],
        [new Decimal(2000), 'Claimed'],
      ] as const) {
        const creditId = nextCreditId++;
        state.credits.set(creditId, {
          creditId,
          owId,
          organizationWorkspaceId: tenant.organizationWorkspaceId,
          creditAmount: amount,
          status,
          modifiedAt: SIMULATOR_EPOCH - (creditId % 30) * DAY_MS,
          uowId: 1,
          displayName: tenant.organizationName,
        });
      }
    }
  }
}

function seedOrganization(state: IqmSimulatorState, tenant: IqmTenant, firstCreditId: number): void {
  const company = tenant.organizationName;
  const domain = tenant.userEmail.split('@')[1] ?? 'example.com';
  state.organizations.set(tenant.organizationWorkspaceId, {
    organizationWorkspaceId: tenant.organizationWorkspaceId,
    paypalFeesPercentage: new Decimal('3.5'),
    creditUsed: new Decimal('400'),
    invoiceSettings: {
      invoiceId: tenant.organizationWorkspaceId % 1000,
      invoiceTitle: company,
      invoiceCompanyName: company,
      invoiceCompanyAddress: '42, 6th Avenue, New York, NY',
      email: `billing@${domain}`,
      website: `www.${domain}`,
      invoiceDescription: `Dear Customer, Greetings from ${company}, we are writing to provide you an electronic invoice for your use of services.`,
      paypalId: 1,
      chequeTransferId: 1,
      wireTransferId: 2,
      termsAndConditions: 'Please make the payment in 30 days or your account might be put on hold',
      paymentTerm: '30',
      invoiceFooter: `${company} | USA`,
      createdAt: '2021-08-27T07:33:14.000+00:00',
      paypalAccountId: `finance@${domain}`,
      chequeCompanyName: `${company} Inc.`,
      chequeCompanyAddress: '45, Fifth Avenue, NY, USA',
      wireTransferCompanyName: company,
      bankName: 'JP Morgan Chase Bank',
      accountNumber: '670669295',
      bankAddress: '498 7th Avenue New York NY',
      swiftCode: 'MGTCUS3G',
      routing: '150098',
    },
    taxData: new Map([
      [tenant.organizationWorkspaceId * 10 + 1, { companyTaxId: '202130INGST', companyTaxName: 'GSTIN' }],
      [tenant.organizationWorkspaceId * 10 + 2, { companyTaxId: 'US-EIN-12-3456789', companyTaxName: 'EIN' }],
    ]),
  });
  // Credits the platform offered to the organization itself (A28).
  ([
    [new Decimal(1000), 'Unclaimed'],
    [new Decimal(1500), 'Revoked'],
    [new Decimal(3000), 'Claimed'],
  ] as const).forEach(([amount, status], index) => {
    const creditId = firstCreditId + index;
    state.credits.set(creditId, {
      creditId,
      owId: tenant.organizationWorkspaceId,
      organizationWorkspaceId: PLATFORM_WORKSPACE.organizationWorkspaceId,
      creditAmount: amount,
      status,
      modifiedAt: SIMULATOR_EPOCH - (index + 2) * DAY_MS,
      uowId: 1,
      displayName: PLATFORM_WORKSPACE.name,
    });
  });
}

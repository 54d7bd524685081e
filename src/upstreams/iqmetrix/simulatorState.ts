import { Decimal as BaseDecimal } from 'decimal.js';
import { seededRandom } from '../simulatorServer.js';

/** Arithmetic as a .NET decimal does it (28–29 significant digits), not decimal.js's default 20. */
const Decimal = BaseDecimal.clone({ precision: 29 });
type Decimal = BaseDecimal;

/**
 * The iQmetrix simulator's world: companies, their customers (as iQmetrix CRM records) and their
 * invoices. Amounts are decimals; the HTTP layer writes them as JSON numbers. Everything seeded or
 * assigned (GUIDs, payment ids, timestamps) comes from seeded generators, so every start is alike.
 */

/** The bearer token the simulator accepts unless told otherwise. */
export const IQMETRIX_DEMO_TOKEN = 'demo-iqmetrix-token';

/** The company of the doc's samples (`Companies(14146)`). */
export const IQMETRIX_DEMO_COMPANY_ID = 14146;

/** The seeded customers of the demo company. Robert Smith is the doc's sample customer. */
export const IQMETRIX_DEMO_CUSTOMERS = {
  robertSmith: '503d1d4a-c974-4286-b4a2-002699e60ad6',
  contosoMedia: '7f9c2a51-3b8e-4d0a-9c61-2f4e8b1d0a77',
  tailspinToys: '2b8e6f40-91c3-4a57-8d2e-6c0f1a9b3e55',
} as const;

/** The simulator clock starts here and advances one second per write. */
export const IQMETRIX_SIMULATOR_EPOCH = Date.UTC(2026, 9, 1);

/** The user id the simulator records as CreatedByUser for invoices created through D3. */
export const IQMETRIX_SIMULATOR_USER = '22212';

export interface SimAddress {
  readonly id: string;
  readonly countryCode: string;
  readonly doNotContact: boolean;
  readonly locality: string;
  readonly notes: string | null;
  readonly postalCode: string;
  readonly postOfficeBoxNumber: string | null;
  readonly stateCode: string;
  readonly streetAddress1: string;
  readonly streetAddress2: string | null;
}

export interface SimCustomer {
  readonly id: string;
  readonly alternateName: string | null;
  readonly billingAddress: SimAddress | null;
  readonly customerType: 'Person' | 'Company';
  readonly customerTypeId: number;
  /** As written on the wire: the doc's full form or the short `yyyy-mm-dd`. */
  readonly dateOfBirth: string | null;
  readonly doNotContact: boolean;
  readonly familyName: string | null;
  readonly middleName: string | null;
  readonly notes: string | null;
  readonly primaryName: string;
  readonly shippingAddress: SimAddress | null;
  readonly title: string | null;
}

export interface SimOrderItem {
  readonly id: string;
  readonly description: string | null;
  readonly productId: string | null;
  readonly quantity: number;
  readonly sellingPrice: Decimal;
  readonly serialNumber: string | null;
  readonly sku: string | null;
}

export interface SimOrder {
  readonly id: string;
  readonly items: readonly SimOrderItem[];
  readonly printableId: string | null;
  readonly referenceId: string | null;
}

export interface SimDropshipOrder extends SimOrder {
  readonly shippingEntityId: number | null;
  readonly shippingMethod: string | null;
  readonly supplierId: number | null;
}

/** An instant with .NET's 100 ns resolution: milliseconds plus ticks (0–9999) below them. */
export interface SimInstant {
  readonly ms: number;
  readonly ticks: number;
}

export interface SimPayment {
  readonly id: string;
  readonly amount: Decimal;
  readonly drawerId: string | null;
  readonly paymentMethodId: number;
  readonly referenceId: string | null;
  readonly transactionDate: SimInstant;
  readonly transactionType: 'Purchase' | 'Refund';
}

export interface SimTaxDetail {
  readonly taxId: string | null;
  readonly taxName: string | null;
  readonly countryCode: string | null;
  readonly rate: Decimal | null;
  readonly regionCode: string | null;
  readonly tax: Decimal | null;
  readonly taxable: Decimal | null;
  readonly taxAuthority: string | null;
  readonly taxAuthorityType: string | null;
  readonly taxCategory: string | null;
  readonly taxType: string | null;
}

export interface SimTaxLine {
  readonly lineNumber: string | null;
  readonly discount: Decimal | null;
  readonly rate: Decimal | null;
  readonly tax: Decimal;
  readonly taxability: boolean | null;
  readonly taxable: Decimal | null;
  readonly taxDetails: readonly SimTaxDetail[];
}

export interface SimInvoice {
  readonly id: string;
  readonly companyId: number;
  readonly createdByUser: string;
  readonly created: SimInstant;
  readonly customerId: string;
  readonly employeeId: number;
  readonly isRefund: boolean;
  readonly locationId: number;
  readonly notes: string | null;
  readonly orders: readonly SimOrder[];
  readonly dropshipOrders: readonly SimDropshipOrder[];
  readonly originalInvoiceId: string | null;
  readonly payments: readonly SimPayment[];
  readonly printableId: string | null;
  readonly taxCalculationResult: { readonly id: string; readonly lines: readonly SimTaxLine[] };
}

export interface SimCompany {
  readonly companyId: number;
  /** By lower-cased GUID. */
  readonly customers: Map<string, SimCustomer>;
  /** By lower-cased GUID. */
  readonly invoices: Map<string, SimInvoice>;
}

export interface IqmetrixSeedOptions {
  /** Invoices per seeded customer (default 5; benchmarks use 20 or more). */
  readonly invoicesPerCustomer?: number;
}

/**
 * InvoiceSummary.InvoiceTotal: Σ Quantity × SellingPrice over the items of Orders and DropshipOrders
 * plus Σ Tax over the tax lines — the rule mapping.invoiceTotalFromWire applies to D2.
 */
export function simInvoiceTotal(invoice: SimInvoice): Decimal {
  let total = new Decimal(0);
  for (const order of [...invoice.orders, ...invoice.dropshipOrders]) {
    for (const item of order.items) total = total.plus(item.sellingPrice.times(item.quantity));
  }
  for (const line of invoice.taxCalculationResult.lines) total = total.plus(line.tax);
  return total;
}

/** Version-4-shaped GUIDs from a seeded generator (deterministic, not crypto random). */
export function guidGenerator(seed: number): () => string {
  const random = seededRandom(seed);
  const word = () => Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return () => {
    const hex = [word(), word(), word(), word()].join('').split('');
    hex[12] = '4';
    hex[16] = '89ab'[parseInt(hex[16]!, 16) % 4]!;
    const text = hex.join('');
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  };
}

export class IqmetrixSimulatorState {
  readonly companies = new Map<number, SimCompany>();
  readonly newGuid = guidGenerator(0x5a2de5ef);
  private clock = IQMETRIX_SIMULATOR_EPOCH;
  private nextPaymentId = 15215;

  constructor(options: IqmetrixSeedOptions = {}) {
    seedState(this, options.invoicesPerCustomer ?? 5);
  }

  /** Advances the simulator clock by one second per write and returns the new time. */
  now(): SimInstant {
    this.clock += 1000;
    return { ms: this.clock, ticks: 0 };
  }

  allocatePaymentId(): string {
    const id = String(this.nextPaymentId);
    this.nextPaymentId += 1;
    return id;
  }

  /** Invoices of a company, newest CreatedDateUtc first. */
  invoicesNewestFirst(company: SimCompany): SimInvoice[] {
    return [...company.invoices.values()].sort(
      (a, b) => b.created.ms - a.created.ms || b.created.ticks - a.created.ticks || a.id.localeCompare(b.id),
    );
  }
}

// ---------------------------------------------------------------- seed

const DOC_ADDRESS: SimAddress = {
  id: 'e68a5c8c-eadc-484c-9139-8437d2e0859a',
  countryCode: 'CA',
  doNotContact: false,
  locality: 'Mountain View',
  notes: 'New residence',
  postalCode: '94043',
  postOfficeBoxNumber: 'P.O. Box 1022',
  stateCode: 'AB',
  streetAddress1: '1600 Amphitheatre Pkwy',
  streetAddress2: 'Suite 500',
};

function seedCustomers(newGuid: () => string): SimCustomer[] {
  return [
    {
      id: IQMETRIX_DEMO_CUSTOMERS.robertSmith,
      alternateName: 'Bob',
      billingAddress: DOC_ADDRESS,
      customerType: 'Person',
      customerTypeId: 2,
      dateOfBirth: '1952-07-23T12:00:00.000',
      doNotContact: false,
      familyName: 'Smith',
      middleName: 'Lee',
      notes: 'Interested in iPhone 6',
      primaryName: 'Robert',
      shippingAddress: DOC_ADDRESS,
      title: 'Mr',
    },
    {
      id: IQMETRIX_DEMO_CUSTOMERS.contosoMedia,
      alternateName: 'Contoso',
      billingAddress: {
        id: newGuid(),
        countryCode: 'CA',
        doNotContact: false,
        locality: 'Calgary',
        notes: 'Accounts payable',
        postalCode: 'T2P 1J9',
        postOfficeBoxNumber: null,
        stateCode: 'AB',
        streetAddress1: '240 4 Ave SW',
        streetAddress2: 'Floor 12',
      },
      customerType: 'Company',
      customerTypeId: 3,
      dateOfBirth: null,
      doNotContact: false,
      familyName: null,
      middleName: null,
      notes: 'Business account, net 30',
      primaryName: 'Contoso Media',
      shippingAddress: {
        id: newGuid(),
        countryCode: 'CA',
        doNotContact: false,
        locality: 'Calgary',
        notes: 'Loading dock at the rear',
        postalCode: 'T2G 0P6',
        postOfficeBoxNumber: null,
        stateCode: 'AB',
        streetAddress1: '1120 10 Ave SE',
        streetAddress2: null,
      },
      title: null,
    },
    {
      id: IQMETRIX_DEMO_CUSTOMERS.tailspinToys,
      alternateName: null,
      billingAddress: {
        id: newGuid(),
        countryCode: 'CA',
        doNotContact: true,
        locality: 'Vancouver',
        notes: null,
        postalCode: 'V6B 1A1',
        postOfficeBoxNumber: 'P.O. Box 4410',
        stateCode: 'BC',
        streetAddress1: '555 W Hastings St',
        streetAddress2: null,
      },
      customerType: 'Company',
      customerTypeId: 3,
      dateOfBirth: null,
      doNotContact: false,
      familyName: null,
      middleName: null,
      notes: null,
      primaryName: 'Tailspin Toys',
      shippingAddress: null,
      title: null,
    },
  ];
}

interface Product {
  readonly description: string;
  readonly productId: string;
  readonly sku: string;
  readonly price: string;
  readonly serialized: boolean;
}

const PRODUCTS: readonly Product[] = [
  { description: 'iPhone 4s', productId: 'a183f1a9-c58f-426a-930a-9a6357db52ed', sku: '403405', price: '499', serialized: true },
  { description: 'Galaxy S24 rugged case', productId: '5c1b7f2e-8d4a-4e6b-9f3c-1a2b3c4d5e6f', sku: '403512', price: '29.99', serialized: false },
  { description: 'Tempered glass screen protector', productId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', sku: '403777', price: '14.99', serialized: false },
  { description: 'USB-C fast charger 25W', productId: '0f1e2d3c-4b5a-4968-8776-655443322110', sku: '404020', price: '24.50', serialized: false },
  { description: 'Bluetooth headset', productId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', sku: '404101', price: '89.95', serialized: true },
  { description: 'Prepaid plan card', productId: 'c0ffee00-1234-4abc-8def-0123456789ab', sku: '405000', price: '45', serialized: false },
];

/** Location → province and its sales taxes (Calgary: GST only; Vancouver: GST and PST). */
const LOCATIONS: Record<number, { readonly regionCode: string; readonly taxes: readonly { name: string; rate: number; authority: string; type: string }[] }> = {
  4: { regionCode: 'AB', taxes: [{ name: 'GST', rate: 5, authority: 'CRA', type: 'Federal' }] },
  7: {
    regionCode: 'BC',
    taxes: [
      { name: 'GST', rate: 5, authority: 'CRA', type: 'Federal' },
      { name: 'PST', rate: 7, authority: 'BC Ministry of Finance', type: 'Provincial' },
    ],
  },
};

const DRAWERS = ['f41b20b2-31cb-4585-aca2-e17b1b1de41e', '3d9a5e71-0c4b-4f2a-8e6d-5b7c9a1e2f30'] as const;
const HOUR_MS = 3_600_000;

function seedState(state: IqmetrixSimulatorState, invoicesPerCustomer: number): void {
  const random = seededRandom(14146);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const customers = seedCustomers(state.newGuid);
  const company: SimCompany = {
    companyId: IQMETRIX_DEMO_COMPANY_ID,
    customers: new Map(customers.map((customer) => [customer.id.toLowerCase(), customer])),
    invoices: new Map(),
  };
  state.companies.set(company.companyId, company);
  let printable = 1000;

  customers.forEach((customer, customerIndex) => {
    let previous: SimInvoice | null = null;
    for (let index = 0; index < invoicesPerCustomer; index += 1) {
      // Newest first going back ~26 h per step, customers interleaved, nothing at the same instant.
      const step = index * customers.length + customerIndex + 1;
      const created: SimInstant = {
        ms: IQMETRIX_SIMULATOR_EPOCH - step * 26 * HOUR_MS - Math.floor(random() * 3600) * 1000 - Math.floor(random() * 1000),
        ticks: Math.floor(random() * 10_000),
      };
      const locationId = (index + customerIndex) % 2 === 0 ? 4 : 7;
      const employeeId = (Math.floor(index / 2) + customerIndex) % 2 === 0 ? 15 : 22;
      printable += 1;
      const printableId = `${locationId}-${employeeId}-${printable}`;

      const item = (product: Product): SimOrderItem => ({
        id: state.newGuid(),
        description: product.description,
        productId: product.productId,
        quantity: product.serialized ? 1 : 1 + Math.floor(random() * 3),
        sellingPrice: new Decimal(product.price),
        serialNumber: product.serialized ? `SN${Math.floor(random() * 1e8).toString(36).toUpperCase()}` : null,
        sku: product.sku,
      });
      const orders: SimOrder[] = Array.from({ length: 1 + (index % 2) }, (_, orderIndex) => ({
        id: state.newGuid(),
        items: Array.from({ length: 1 + Math.floor(random() * 3) }, () => item(pick(PRODUCTS))),
        printableId: `${printableId}-${orderIndex + 1}`,
        referenceId: `INV${printable}${orderIndex}`,
      }));
      const dropshipOrders: SimDropshipOrder[] =
        index % 3 === 1
          ? [
              {
                id: state.newGuid(),
                items: [{ ...item(PRODUCTS[0]!), serialNumber: null }],
                printableId: `${printableId}-D`,
                referenceId: `DS${printable}`,
                shippingEntityId: locationId,
                shippingMethod: '350',
                supplierId: 14107,
              },
            ]
          : [];

      const taxable = [...orders, ...dropshipOrders]
        .flatMap((order) => order.items)
        .reduce((sum, line) => sum.plus(line.sellingPrice.times(line.quantity)), new Decimal(0));
      const location = LOCATIONS[locationId]!;
      const details = location.taxes.map(
        (tax): SimTaxDetail => ({
          taxId: state.newGuid(),
          taxName: tax.name,
          countryCode: 'CA',
          rate: new Decimal(tax.rate),
          regionCode: location.regionCode,
          tax: taxable.times(tax.rate).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP),
          taxable,
          taxAuthority: tax.authority,
          taxAuthorityType: 'Canada',
          taxCategory: 'Goods and Sales',
          taxType: tax.type,
        }),
      );
      const lines: SimTaxLine[] = [
        {
          lineNumber: 'Line1',
          discount: new Decimal(0),
          rate: new Decimal(location.taxes.reduce((sum, tax) => sum + tax.rate, 0)),
          tax: details.reduce((sum, detail) => sum.plus(detail.tax ?? 0), new Decimal(0)),
          taxability: true,
          taxable,
          taxDetails: details,
        },
      ];

      // Every fifth invoice refunds the one before it; the rest are paid in full, in part or not yet.
      const isRefund = index % 5 === 4 && previous !== null;
      const draft: SimInvoice = {
        id: state.newGuid(),
        companyId: company.companyId,
        createdByUser: customerIndex % 2 === 0 ? '22212' : '22213',
        created,
        customerId: customer.id,
        employeeId,
        isRefund,
        locationId,
        notes: index % 4 === 0 ? 'Trade in iPhone' : null,
        orders,
        dropshipOrders,
        originalInvoiceId: isRefund && previous ? previous.id : null,
        payments: [],
        printableId,
        taxCalculationResult: { id: state.newGuid(), lines },
      };
      const total = simInvoiceTotal(draft);
      const plan = isRefund ? 'full' : (['full', 'partial', 'none'] as const)[index % 3]!;
      const parts =
        plan === 'none'
          ? []
          : plan === 'partial'
            ? [total.dividedBy(2).toDecimalPlaces(2, Decimal.ROUND_DOWN)]
            : index % 2 === 1
              ? [total.times(0.6).toDecimalPlaces(2, Decimal.ROUND_DOWN), total.minus(total.times(0.6).toDecimalPlaces(2, Decimal.ROUND_DOWN))]
              : [total];
      const payments = parts.map(
        (amount, partIndex): SimPayment => {
          const id = state.allocatePaymentId();
          return {
            id,
            amount,
            drawerId: DRAWERS[partIndex % 2]!,
            paymentMethodId: 1 + ((index + partIndex) % 4),
            referenceId: `Pay${id}`,
            transactionDate: { ms: created.ms + (5 + partIndex * 30) * 60_000, ticks: Math.floor(random() * 10_000) },
            transactionType: isRefund ? 'Refund' : 'Purchase',
          };
        },
      );
      const invoice: SimInvoice = { ...draft, payments };
      company.invoices.set(invoice.id.toLowerCase(), invoice);
      previous = invoice;
    }
  });
}

import { parseUpstreamDate, parseUpstreamInstant } from '../../domain/dates.js';
import { decimalToWireNumber, money, sumDecimals, toDecimal, type Decimal, type MoneyModel, type WireNumber } from '../../domain/money.js';
import { UpstreamBadResponseError } from '../../errors.js';
import type {
  IqmetrixAddressModel,
  IqmetrixCustomerModel,
  IqmetrixDropshipOrderModel,
  IqmetrixInvoiceDetailModel,
  IqmetrixInvoiceModel,
  IqmetrixInvoiceType,
  IqmetrixOrderItemModel,
  IqmetrixOrderModel,
  IqmetrixPaymentModel,
  IqmetrixTaxDetailModel,
  IqmetrixTaxLineModel,
} from '../../domain/models.js';
import type {
  IqmetrixAddress,
  IqmetrixCreateInvoiceBody,
  IqmetrixCustomer,
  IqmetrixInvoice,
  IqmetrixInvoiceSummary,
  IqmetrixOrder,
  IqmetrixOrderItem,
  IqmetrixPayment,
  IqmetrixTaxDetail,
  IqmetrixTaxLine,
} from './wire.js';

/**
 * Pure wire → domain functions for the iQmetrix Invoice API. iQmetrix carries no currency: the
 * caller passes the company's configured one (IQMETRIX_CURRENCY).
 */

const INVOICE_TYPE_BY_LABEL: ReadonlyMap<string, IqmetrixInvoiceType> = new Map([
  ['none', 'NONE'],
  ['purchase', 'PURCHASE'],
  ['refund', 'REFUND'],
]);

/** InvoiceSummary.InvoiceType (`None`, `Purchase`, `Refund`); a missing value is NONE. */
export function invoiceTypeFromWire(label: string | null | undefined): IqmetrixInvoiceType {
  if (label === null || label === undefined || label === '') return 'NONE';
  const type = INVOICE_TYPE_BY_LABEL.get(label.toLowerCase());
  if (!type) throw new UpstreamBadResponseError('IQMETRIX', `unknown InvoiceType "${label}"`);
  return type;
}

/** D1 row → invoice. The number shown is PrintableId, falling back to the GUID; iQmetrix has no due date. */
export function invoiceFromSummary(summary: IqmetrixInvoiceSummary, companyId: number, currencyCode: string): IqmetrixInvoiceModel {
  return {
    kind: 'IqmetrixInvoice',
    companyId,
    invoiceId: summary.Id,
    number: summary.PrintableId || summary.Id,
    issuedOn: parseUpstreamDate(summary.CreatedDateUtc),
    dueOn: null,
    customerId: summary.CustomerId ?? null,
    total: money(summary.InvoiceTotal, currencyCode),
    createdAt: parseUpstreamInstant(summary.CreatedDateUtc),
    invoiceType: invoiceTypeFromWire(summary.InvoiceType),
    locationId: summary.LocationId ?? null,
    employeeId: summary.EmployeeId ?? null,
    printableId: summary.PrintableId ?? null,
  };
}

/**
 * The invoice total D2 does not carry: Σ Quantity × SellingPrice over the items of Orders and
 * DropshipOrders, plus Σ Tax over TaxCalculationResult.Lines (line Tax, not the TaxDetails, which
 * break the same tax down by jurisdiction). Discounts are taken as already reflected in
 * SellingPrice. The simulator computes InvoiceSummary.InvoiceTotal by the same rule.
 */
export function invoiceTotalFromWire(invoice: IqmetrixInvoice): Decimal {
  const items = [...(invoice.Orders ?? []), ...(invoice.DropshipOrders ?? [])].flatMap((order) => order.Items ?? []);
  const goods = items.map((item) => toDecimal(item.SellingPrice).times(item.Quantity));
  const taxes = (invoice.TaxCalculationResult?.Lines ?? []).map((line) => toDecimal(line.Tax ?? 0));
  return sumDecimals([...goods, ...taxes]);
}

/** The invoice type D2 implies: it has IsRefund but no InvoiceType. */
function invoiceTypeFromRefundFlag(isRefund: boolean | null | undefined): IqmetrixInvoiceType {
  if (isRefund === true) return 'REFUND';
  if (isRefund === false) return 'PURCHASE';
  return 'NONE';
}

/**
 * D2 → the full invoice, with `.invoice` the same invoice in summary form (total computed, see
 * invoiceTotalFromWire). The parts an operation often leaves out — the computed total, the customer,
 * the orders and the tax lines — are mapped when first read, once (issue 16: a unified customer reads
 * only the payments of its twenty D2 invoices); payments are mapped at once.
 */
export function invoiceDetailFromWire(invoice: IqmetrixInvoice, companyId: number, currencyCode: string): IqmetrixInvoiceDetailModel {
  return new IqmetrixInvoiceDetail(invoice, companyId, currencyCode);
}

/**
 * An invoice as plain data, its total computed: what a mutation answers, since the idempotency
 * guard stores payloads and its codec takes plain objects only (the summary of a D2 detail is a
 * class instance with a lazy total).
 */
export function plainIqmetrixInvoice(invoice: IqmetrixInvoiceModel): IqmetrixInvoiceModel {
  return { ...invoice, total: invoice.total };
}

// The lazy parts are prototype getters over private fields, not getters in an object literal: a
// literal with an accessor gets a hidden class of its own per object, kept in the old generation
// with a pointer to that object's closure, which kept every D2 body a request read alive through
// the young-generation collections (bench/README.md, "What the young generation keeps").

/** D2's invoice in summary form. */
class IqmetrixInvoiceFromDetail implements IqmetrixInvoiceModel {
  readonly kind = 'IqmetrixInvoice';
  readonly invoiceId: string;
  readonly number: string;
  readonly issuedOn: string | null;
  readonly dueOn = null;
  readonly customerId: string | null;
  readonly createdAt: Date | null;
  readonly invoiceType: IqmetrixInvoiceType;
  readonly locationId: number | null;
  readonly employeeId: number | null;
  readonly printableId: string | null;
  readonly #wire: IqmetrixInvoice;
  readonly #currencyCode: string;
  #total: MoneyModel | undefined;

  constructor(
    invoice: IqmetrixInvoice,
    readonly companyId: number,
    currencyCode: string,
  ) {
    this.invoiceId = invoice.Id;
    this.number = invoice.PrintableId || invoice.Id;
    this.issuedOn = parseUpstreamDate(invoice.CreatedDateUtc);
    this.customerId = invoice.Customer?.Id ?? null;
    this.createdAt = parseUpstreamInstant(invoice.CreatedDateUtc);
    this.invoiceType = invoiceTypeFromRefundFlag(invoice.IsRefund);
    this.locationId = invoice.LocationId ?? null;
    this.employeeId = invoice.EmployeeId ?? null;
    this.printableId = invoice.PrintableId ?? null;
    this.#wire = invoice;
    this.#currencyCode = currencyCode;
  }

  get total(): MoneyModel {
    return (this.#total ??= { amount: invoiceTotalFromWire(this.#wire), currencyCode: this.#currencyCode });
  }
}

class IqmetrixInvoiceDetail implements IqmetrixInvoiceDetailModel {
  readonly invoice: IqmetrixInvoiceModel;
  readonly createdByUser: string | null;
  readonly notes: string | null;
  readonly isRefund: boolean | null;
  readonly originalInvoiceId: string | null;
  readonly payments: readonly IqmetrixPaymentModel[];
  readonly #wire: IqmetrixInvoice;
  readonly #currencyCode: string;
  /** undefined until first read; the customer itself may be null. */
  #customer: IqmetrixCustomerModel | null | undefined;
  #orders: readonly IqmetrixOrderModel[] | undefined;
  #dropshipOrders: readonly IqmetrixDropshipOrderModel[] | undefined;
  #taxLines: readonly IqmetrixTaxLineModel[] | undefined;

  constructor(invoice: IqmetrixInvoice, companyId: number, currencyCode: string) {
    this.invoice = new IqmetrixInvoiceFromDetail(invoice, companyId, currencyCode);
    this.createdByUser = invoice.CreatedByUser ?? null;
    this.notes = invoice.Notes ?? null;
    this.isRefund = invoice.IsRefund ?? null;
    this.originalInvoiceId = invoice.OriginalInvoiceId ?? null;
    this.payments = (invoice.Payments ?? []).map((payment) => paymentFromWire(payment, companyId, invoice.Id, currencyCode));
    this.#wire = invoice;
    this.#currencyCode = currencyCode;
  }

  get customer(): IqmetrixCustomerModel | null {
    if (this.#customer === undefined) this.#customer = this.#wire.Customer ? customerFromWire(this.#wire.Customer) : null;
    return this.#customer;
  }

  get orders(): readonly IqmetrixOrderModel[] {
    return (this.#orders ??= (this.#wire.Orders ?? []).map((order) => orderFromWire(order, this.#amount)));
  }

  get dropshipOrders(): readonly IqmetrixDropshipOrderModel[] {
    return (this.#dropshipOrders ??= (this.#wire.DropshipOrders ?? []).map(
      (order): IqmetrixDropshipOrderModel => ({
        ...orderFromWire(order, this.#amount),
        shippingEntityId: order.ShippingEntityId ?? null,
        shippingMethod: order.ShippingMethod ?? null,
        supplierId: order.SupplierId ?? null,
      }),
    ));
  }

  get taxLines(): readonly IqmetrixTaxLineModel[] {
    return (this.#taxLines ??= (this.#wire.TaxCalculationResult?.Lines ?? []).map((line) => taxLineFromWire(line, this.#amount, this.#optionalAmount)));
  }

  readonly #amount = (value: WireNumber | string): MoneyModel => money(value, this.#currencyCode);
  readonly #optionalAmount = (value: WireNumber | string | null | undefined): MoneyModel | null => (value === null || value === undefined ? null : this.#amount(value));
}

/** A D2 payment. TransactionDate has seven fractional digits; milliseconds are kept. */
export function paymentFromWire(payment: IqmetrixPayment, companyId: number, invoiceId: string, currencyCode: string): IqmetrixPaymentModel {
  return {
    kind: 'IqmetrixPayment',
    companyId,
    invoiceId,
    paymentId: payment.Id,
    amount: money(payment.Amount, currencyCode),
    paymentMethodId: payment.PaymentMethodId ?? null,
    reference: payment.ReferenceId ?? null,
    paidAt: parseUpstreamInstant(payment.TransactionDate),
    transactionType: payment.TransactionType ?? null,
    drawerId: payment.DrawerId ?? null,
  };
}

function customerFromWire(customer: IqmetrixCustomer): IqmetrixCustomerModel {
  return {
    id: customer.Id,
    title: customer.Title ?? null,
    primaryName: customer.PrimaryName ?? null,
    middleName: customer.MiddleName ?? null,
    familyName: customer.FamilyName ?? null,
    alternateName: customer.AlternateName ?? null,
    customerType: customer.CustomerType ?? null,
    customerTypeId: customer.CustomerTypeId ?? null,
    // "stored in UTC but can be provided in shortened form (yyyy-mm-dd)": both read as a calendar date.
    dateOfBirth: parseUpstreamDate(customer.DateOfBirth),
    doNotContact: customer.DoNotContact ?? null,
    notes: customer.Notes ?? null,
    billingAddress: customer.BillingAddress ? addressFromWire(customer.BillingAddress) : null,
    shippingAddress: customer.ShippingAddress ? addressFromWire(customer.ShippingAddress) : null,
  };
}

function addressFromWire(address: IqmetrixAddress): IqmetrixAddressModel {
  return {
    id: address.Id ?? null,
    streetAddress1: address.StreetAddress1 ?? null,
    streetAddress2: address.StreetAddress2 ?? null,
    postOfficeBoxNumber: address.PostOfficeBoxNumber ?? null,
    locality: address.Locality ?? null,
    stateCode: address.StateCode ?? null,
    postalCode: address.PostalCode ?? null,
    countryCode: address.CountryCode ?? null,
    doNotContact: address.DoNotContact ?? null,
    notes: address.Notes ?? null,
  };
}

function orderFromWire(order: IqmetrixOrder, amount: (value: WireNumber | string) => MoneyModel): IqmetrixOrderModel {
  return {
    id: order.Id,
    printableId: order.PrintableId ?? null,
    referenceId: order.ReferenceId ?? null,
    items: (order.Items ?? []).map((item) => orderItemFromWire(item, amount)),
  };
}

function orderItemFromWire(item: IqmetrixOrderItem, amount: (value: WireNumber | string) => MoneyModel): IqmetrixOrderItemModel {
  return {
    id: item.Id,
    description: item.Description ?? null,
    productId: item.ProductId ?? null,
    quantity: item.Quantity,
    sellingPrice: amount(item.SellingPrice),
    serialNumber: item.SerialNumber ?? null,
    sku: item.Sku ?? null,
  };
}

function taxLineFromWire(
  line: IqmetrixTaxLine,
  amount: (value: WireNumber | string) => MoneyModel,
  optionalAmount: (value: WireNumber | string | null | undefined) => MoneyModel | null,
): IqmetrixTaxLineModel {
  return {
    lineNumber: line.LineNumber ?? null,
    discount: optionalAmount(line.Discount),
    rate: optionalDecimal(line.Rate),
    tax: optionalAmount(line.Tax),
    taxable: optionalAmount(line.Taxable),
    taxability: line.Taxability ?? null,
    details: (line.TaxDetails ?? []).map((detail) => taxDetailFromWire(detail, optionalAmount)),
  };
}

function taxDetailFromWire(
  detail: IqmetrixTaxDetail,
  optionalAmount: (value: WireNumber | string | null | undefined) => MoneyModel | null,
): IqmetrixTaxDetailModel {
  return {
    taxId: detail.TaxId ?? null,
    taxName: detail.TaxName ?? null,
    countryCode: detail.CountryCode ?? null,
    regionCode: detail.RegionCode ?? null,
    rate: optionalDecimal(detail.Rate),
    tax: optionalAmount(detail.Tax),
    taxable: optionalAmount(detail.Taxable),
    taxAuthority: detail.TaxAuthority ?? null,
    taxAuthorityType: detail.TaxAuthorityType ?? null,
    taxCategory: detail.TaxCategory ?? null,
    taxType: detail.TaxType ?? null,
  };
}

function optionalDecimal(value: WireNumber | string | null | undefined): Decimal | null {
  return value === null || value === undefined ? null : toDecimal(value);
}

// ---------------------------------------------------------------- D3 request

/** What the gateway asks D3 to create (CreateIqmetrixInvoiceInput, validated by the caller). */
export interface IqmetrixCreateInvoiceInput {
  readonly customerId: string;
  readonly locationId: number;
  readonly employeeId: number;
  readonly printableId?: string | null;
  readonly notes?: string | null;
  readonly isRefund?: boolean | null;
  readonly originalInvoiceId?: string | null;
  readonly orders: readonly {
    readonly printableId?: string | null;
    readonly referenceId?: string | null;
    readonly items: readonly {
      readonly description: string;
      readonly productId?: string | null;
      readonly quantity: number;
      readonly sellingPrice: Decimal;
      readonly serialNumber?: string | null;
      readonly sku?: string | null;
    }[];
  }[];
  readonly payments?:
    | readonly {
        readonly amount: Decimal;
        readonly paymentMethodId: number;
        readonly referenceId?: string | null;
        readonly transactionDate?: Date | null;
      }[]
    | null;
}

/**
 * The D3 body for `input`. Only the customer's Id is sent: the doc's sample repeats the whole
 * customer, but the invoice refers to an existing one. Payments are Purchase transactions, or
 * Refund ones on a refund invoice. Absent optional values are left out rather than sent as null.
 */
export function createInvoiceToWire(input: IqmetrixCreateInvoiceInput): IqmetrixCreateInvoiceBody {
  const isRefund = input.isRefund ?? false;
  return {
    Customer: { Id: input.customerId },
    LocationId: input.locationId,
    EmployeeId: input.employeeId,
    IsRefund: isRefund,
    ...present('PrintableId', input.printableId),
    ...present('Notes', input.notes),
    ...present('OriginalInvoiceId', input.originalInvoiceId),
    Orders: input.orders.map((order) => ({
      ...present('PrintableId', order.printableId),
      ...present('ReferenceId', order.referenceId),
      Items: order.items.map((item) => ({
        Description: item.description,
        ...present('ProductId', item.productId),
        Quantity: item.quantity,
        SellingPrice: decimalToWireNumber(item.sellingPrice),
        ...present('SerialNumber', item.serialNumber),
        ...present('Sku', item.sku),
      })),
    })),
    Payments: (input.payments ?? []).map((payment) => ({
      Amount: decimalToWireNumber(payment.amount),
      PaymentMethodId: payment.paymentMethodId,
      ...present('ReferenceId', payment.referenceId),
      ...present('TransactionDate', payment.transactionDate ? payment.transactionDate.toISOString() : null),
      TransactionType: isRefund ? 'Refund' : 'Purchase',
    })),
  };
}

function present<K extends string>(key: K, value: string | null | undefined): { [P in K]?: string } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

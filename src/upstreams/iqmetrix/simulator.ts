import { Decimal as BaseDecimal } from 'decimal.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseUpstreamInstant } from '../../domain/dates.js';
import type { WireNumber } from '../../domain/money.js';
import { SimulatorServer, type SimulatorServerOptions } from '../simulatorServer.js';
import {
  InvoiceSummaryFilterSyntaxError,
  isGuid,
  matchesInvoiceSummaryFilter,
  parseInvoiceSummaryFilter,
  type InvoiceSummaryFilterClause,
} from './odata.js';
import {
  IQMETRIX_DEMO_TOKEN,
  IQMETRIX_SIMULATOR_USER,
  IqmetrixSimulatorState,
  simInvoiceTotal,
  type IqmetrixSeedOptions,
  type SimAddress,
  type SimCompany,
  type SimCustomer,
  type SimDropshipOrder,
  type SimInstant,
  type SimInvoice,
  type SimOrder,
  type SimOrderItem,
  type SimTaxLine,
} from './simulatorState.js';
import { IqmetrixCreateInvoiceBody, type IqmetrixCreateInvoiceItem, type IqmetrixErrorBody } from './wire.js';

/** Arithmetic as a .NET decimal does it (28–29 significant digits), not decimal.js's default 20. */
const Decimal = BaseDecimal.clone({ precision: 29 });
type Decimal = BaseDecimal;

/** The API's version prefix; the simulator serves it so a configured IQMETRIX_BASE_URL looks the same. */
export const IQMETRIX_BASE_PATH = '/v1';

export interface IqmetrixSimulatorOptions extends SimulatorServerOptions, IqmetrixSeedOptions {
  /** The accepted bearer token (default IQMETRIX_DEMO_TOKEN). */
  readonly token?: string;
}

type Query = Record<string, string | string[] | undefined>;
type CreateBody = IqmetrixCreateInvoiceBody;

// find-my-way reads `(` after a parameter name as the start of its pattern, so the literal
// parentheses of `Companies(14146)` are matched by giving each parameter a pattern.
const COMPANY = 'Companies(:companyId(^\\d+))';
const INVOICE_KEY = 'Invoices(:invoiceId(^[0-9A-Za-z-]+))';

/**
 * The embedded iQmetrix Invoice API: D1, D2 and D3 with the documented shapes and formats (seven
 * fractional digits in summaries and payments, zone-less CreatedDateUtc in full invoices), OData
 * `$filter`/`$top`/`$skip` on D1, validation on D3, and 401/404/400 answers in the error body
 * described in wire.ts.
 */
/**
 * Where the iQmetrix doc shows an answer in more than one form, the forms the simulator can answer in
 * (the first is its default); tests switch `answerVariants` so each goes through the gateway once.
 */
export const IQMETRIX_ANSWER_VARIANTS = {
  /** D1 `InvoiceTotal` as a JSON number (the sample) or a numeric string, should a serializer quote a decimal. */
  D1: ['sample', 'quotedTotal'],
  /** D2 `CreatedDateUtc` without a zone (the resource sample) or with `Z` and 7 fraction digits (as in D1's sample). */
  D2: ['sample', 'zoned'],
} as const;
export type IqmetrixAnswerVariants = { -readonly [Op in keyof typeof IQMETRIX_ANSWER_VARIANTS]: (typeof IQMETRIX_ANSWER_VARIANTS)[Op][number] };

export class IqmetrixSimulator extends SimulatorServer {
  /** Which documented form each answer takes (IQMETRIX_ANSWER_VARIANTS). */
  readonly answerVariants: IqmetrixAnswerVariants = { D1: 'sample', D2: 'sample' };
  readonly state: IqmetrixSimulatorState;
  private readonly token: string;

  constructor(options: IqmetrixSimulatorOptions = {}) {
    super('IQMETRIX', options);
    this.token = options.token ?? IQMETRIX_DEMO_TOKEN;
    this.state = new IqmetrixSimulatorState(options);
    this.app.addHook('onRequest', async (request, reply) => {
      const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (token !== this.token) {
        return reply.code(401).send(errorBody('Unauthorized', 'Unauthorized', 'Authorization has been denied for this request.'));
      }
      return undefined;
    });
    this.app.setNotFoundHandler((request, reply) =>
      reply.code(404).send(errorBody('NotFound', 'ResourceNotFound', `No resource matches ${request.method} ${request.url.split('?')[0]}`)),
    );
    this.app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      return reply.code(status).send(errorBody(status === 500 ? 'InternalServerError' : 'BadRequest', 'RequestFailed', error.message));
    });
    this.app.register(
      (routes, _options, done) => {
        this.registerRoutes(routes);
        done();
      },
      { prefix: IQMETRIX_BASE_PATH },
    );
  }

  /** Base URL to configure as IQMETRIX_BASE_URL. */
  get baseUrl(): string {
    return this.origin + IQMETRIX_BASE_PATH;
  }

  private registerRoutes(routes: SimulatorServer['app']): void {
    // D1
    routes.get(`/${COMPANY}/InvoiceSummaries`, async (request, reply) => {
      const company = this.company(request, reply);
      if (!company) return reply;
      const query = request.query as Query;
      let clauses: readonly InvoiceSummaryFilterClause[] = [];
      const filter = query['$filter'];
      if (filter !== undefined) {
        if (typeof filter !== 'string') return reply.code(400).send(errorBody('BadRequest', 'InvalidFilter', '$filter may be given once'));
        try {
          clauses = parseInvoiceSummaryFilter(filter);
        } catch (error) {
          if (error instanceof InvoiceSummaryFilterSyntaxError) return reply.code(400).send(errorBody('BadRequest', 'InvalidFilter', error.message));
          throw error;
        }
      }
      const top = queryCount(query, '$top');
      const skip = queryCount(query, '$skip');
      if (top === false || skip === false) {
        return reply.code(400).send(errorBody('BadRequest', 'InvalidQuery', '$top and $skip must be non-negative integers'));
      }
      const rows = this.state
        .invoicesNewestFirst(company)
        .filter((invoice) => matchesInvoiceSummaryFilter(clauses, invoice))
        .slice(skip ?? 0, top === undefined ? undefined : (skip ?? 0) + top);
      return rows.map((invoice) => invoiceSummaryJson(invoice, this.answerVariants));
    });

    // D2
    routes.get(`/${COMPANY}/${INVOICE_KEY}`, async (request, reply) => {
      const company = this.company(request, reply);
      if (!company) return reply;
      const invoiceId = (request.params as { invoiceId: string }).invoiceId;
      const invoice = isGuid(invoiceId) ? company.invoices.get(invoiceId.toLowerCase()) : undefined;
      if (!invoice) return reply.code(404).send(errorBody('NotFound', 'InvoiceNotFound', `Invoice ${invoiceId} was not found in company ${company.companyId}`));
      return invoiceJson(company, invoice, this.answerVariants);
    });

    // D3
    routes.post(`/${COMPANY}/Invoices`, async (request, reply) => {
      const company = this.company(request, reply);
      if (!company) return reply;
      const parsed = IqmetrixCreateInvoiceBody.safeParse(request.body);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
        return reply.code(400).send(validationError(problems));
      }
      const problems = validateCreate(company, parsed.data);
      if (problems.length > 0) return reply.code(400).send(validationError(problems));
      const invoice = this.createInvoice(company, parsed.data);
      company.invoices.set(invoice.id.toLowerCase(), invoice);
      void reply.header('location', `${this.baseUrl}/Companies(${company.companyId})/Invoices(${invoice.id})`);
      return reply.code(201).send(invoiceJson(company, invoice, this.answerVariants));
    });
  }

  /** The company of the path, or a 404 already sent. */
  private company(request: FastifyRequest, reply: FastifyReply): SimCompany | undefined {
    const raw = (request.params as { companyId: string }).companyId;
    const company = this.state.companies.get(Number(raw));
    if (!company) void reply.code(404).send(errorBody('NotFound', 'CompanyNotFound', `Company ${raw} was not found`));
    return company;
  }

  private createInvoice(company: SimCompany, body: CreateBody): SimInvoice {
    const state = this.state;
    const created = state.now();
    const isRefund = body.IsRefund ?? false;
    const item = (line: IqmetrixCreateInvoiceItem): SimOrderItem => ({
      id: state.newGuid(),
      description: line.Description ?? null,
      productId: line.ProductId?.toLowerCase() ?? null,
      quantity: line.Quantity,
      sellingPrice: new Decimal(String(line.SellingPrice)),
      serialNumber: line.SerialNumber ?? null,
      sku: line.Sku ?? null,
    });
    const orders: SimOrder[] = (body.Orders ?? []).map((order) => ({
      id: state.newGuid(),
      items: order.Items.map(item),
      printableId: order.PrintableId ?? null,
      referenceId: order.ReferenceId ?? null,
    }));
    const dropshipOrders: SimDropshipOrder[] = (body.DropshipOrders ?? []).map((order) => ({
      id: state.newGuid(),
      items: order.Items.map(item),
      printableId: order.PrintableId ?? null,
      referenceId: order.ReferenceId ?? null,
      shippingEntityId: order.ShippingEntityId ?? null,
      shippingMethod: order.ShippingMethod ?? null,
      supplierId: order.SupplierId ?? null,
    }));
    const optionalDecimal = (value: WireNumber | string | null | undefined) => (value === null || value === undefined ? null : new Decimal(String(value)));
    const lines: SimTaxLine[] = (body.TaxCalculationResult?.Lines ?? []).map((line) => ({
      lineNumber: line.LineNumber ?? null,
      discount: optionalDecimal(line.Discount),
      rate: optionalDecimal(line.Rate),
      tax: new Decimal(String(line.Tax)),
      taxability: line.Taxability ?? null,
      taxable: optionalDecimal(line.Taxable),
      taxDetails: (line.TaxDetails ?? []).map((detail) => ({
        taxId: detail.TaxId ?? null,
        taxName: detail.TaxName ?? null,
        countryCode: detail.CountryCode ?? null,
        rate: optionalDecimal(detail.Rate),
        regionCode: detail.RegionCode ?? null,
        tax: optionalDecimal(detail.Tax),
        taxable: optionalDecimal(detail.Taxable),
        taxAuthority: detail.TaxAuthority ?? null,
        taxAuthorityType: detail.TaxAuthorityType ?? null,
        taxCategory: detail.TaxCategory ?? null,
        taxType: detail.TaxType ?? null,
      })),
    }));
    return {
      id: state.newGuid(),
      companyId: company.companyId,
      createdByUser: IQMETRIX_SIMULATOR_USER,
      created,
      customerId: company.customers.get(body.Customer.Id.toLowerCase())!.id,
      employeeId: body.EmployeeId,
      isRefund,
      locationId: body.LocationId,
      notes: body.Notes ?? null,
      orders,
      dropshipOrders,
      originalInvoiceId: body.OriginalInvoiceId?.toLowerCase() ?? null,
      payments: (body.Payments ?? []).map((payment) => ({
        id: state.allocatePaymentId(),
        amount: new Decimal(String(payment.Amount)),
        drawerId: payment.DrawerId?.toLowerCase() ?? null,
        paymentMethodId: payment.PaymentMethodId,
        referenceId: payment.ReferenceId ?? null,
        transactionDate: payment.TransactionDate ? instantOf(payment.TransactionDate) : created,
        transactionType: payment.TransactionType === 'Refund' || (!payment.TransactionType && isRefund) ? 'Refund' : 'Purchase',
      })),
      printableId: body.PrintableId ?? null,
      taxCalculationResult: { id: state.newGuid(), lines },
    };
  }
}

// ---------------------------------------------------------------- validation (D3)

/** Business rules of D3; an empty list means the invoice is accepted. */
function validateCreate(company: SimCompany, body: CreateBody): string[] {
  const problems: string[] = [];
  if (!isGuid(body.Customer.Id)) problems.push('Customer.Id: must be a GUID');
  else if (!company.customers.has(body.Customer.Id.toLowerCase())) {
    problems.push(`Customer.Id: customer ${body.Customer.Id} does not exist in company ${company.companyId}`);
  }
  if (body.LocationId <= 0) problems.push('LocationId: must be a positive integer');
  if (body.EmployeeId <= 0) problems.push('EmployeeId: must be a positive integer');
  if (body.OriginalInvoiceId && !isGuid(body.OriginalInvoiceId)) problems.push('OriginalInvoiceId: must be a GUID');

  const orders = [
    ...(body.Orders ?? []).map((order, index) => ({ order, path: `Orders.${index}` })),
    ...(body.DropshipOrders ?? []).map((order, index) => ({ order, path: `DropshipOrders.${index}` })),
  ];
  if (orders.length === 0) problems.push('Orders: an invoice needs at least one order');
  for (const { order, path } of orders) {
    if (order.Items.length === 0) problems.push(`${path}.Items: an order needs at least one item`);
    order.Items.forEach((item, index) => {
      const where = `${path}.Items.${index}`;
      if (item.Quantity <= 0) problems.push(`${where}.Quantity: must be greater than 0`);
      const price = new Decimal(String(item.SellingPrice));
      if (price.isNegative()) problems.push(`${where}.SellingPrice: must not be negative`);
      if (price.decimalPlaces() > 2) problems.push(`${where}.SellingPrice: at most 2 decimal places`);
      if (item.ProductId && !isGuid(item.ProductId)) problems.push(`${where}.ProductId: must be a GUID`);
    });
  }
  (body.Payments ?? []).forEach((payment, index) => {
    const where = `Payments.${index}`;
    const amount = new Decimal(String(payment.Amount));
    if (!amount.isPositive() || amount.isZero()) problems.push(`${where}.Amount: must be greater than 0`);
    if (amount.decimalPlaces() > 2) problems.push(`${where}.Amount: at most 2 decimal places`);
    if (payment.DrawerId && !isGuid(payment.DrawerId)) problems.push(`${where}.DrawerId: must be a GUID`);
    if (payment.TransactionDate && parseUpstreamInstant(payment.TransactionDate) === null) problems.push(`${where}.TransactionDate: not a date`);
    if (payment.TransactionType && payment.TransactionType !== 'Purchase' && payment.TransactionType !== 'Refund') {
      problems.push(`${where}.TransactionType: must be Purchase or Refund`);
    }
  });
  (body.TaxCalculationResult?.Lines ?? []).forEach((line, index) => {
    if (new Decimal(String(line.Tax)).decimalPlaces() > 2) problems.push(`TaxCalculationResult.Lines.${index}.Tax: at most 2 decimal places`);
  });
  return problems;
}

// ---------------------------------------------------------------- wire formats

function errorBody(code: string, errorCode: string, message: string, details?: string[]): IqmetrixErrorBody {
  return { Code: code, ErrorCode: errorCode, Message: message, ...(details ? { Details: details } : {}) };
}

function validationError(problems: string[]): IqmetrixErrorBody {
  return errorBody('BadRequest', 'ValidationFailed', problems.join('; '), problems);
}

/** `undefined` when absent, `false` when not a non-negative integer. */
function queryCount(query: Query, name: string): number | undefined | false {
  const value = query[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : false;
}

function instantOf(text: string): SimInstant {
  const fraction = /\.\d{3}(\d{1,4})/.exec(text)?.[1] ?? '';
  return { ms: parseUpstreamInstant(text)!.getTime(), ticks: Number(fraction.padEnd(4, '0')) || 0 };
}

/** `2016-01-18T15:56:23.2526213Z`, as InvoiceSummary.CreatedDateUtc in the doc. */
function ticksUtc(instant: SimInstant): string {
  return `${new Date(instant.ms).toISOString().slice(0, 23)}${String(instant.ticks).padStart(4, '0')}Z`;
}

/** `2016-01-06T16:22:41.1236641+00:00`, as Payment.TransactionDate in the doc. */
function ticksOffset(instant: SimInstant): string {
  return `${new Date(instant.ms).toISOString().slice(0, 23)}${String(instant.ticks).padStart(4, '0')}+00:00`;
}

/** `2015-04-23T13:14:12.997`, as Invoice.CreatedDateUtc in the doc: milliseconds, no zone. */
function millisNoZone(instant: SimInstant): string {
  return new Date(instant.ms).toISOString().slice(0, 23);
}

function invoiceSummaryJson(invoice: SimInvoice, variants: IqmetrixAnswerVariants) {
  const total = simInvoiceTotal(invoice);
  return {
    Id: invoice.id,
    CreatedDateUtc: ticksUtc(invoice.created),
    CustomerId: invoice.customerId,
    EmployeeId: invoice.employeeId,
    InvoiceTotal: variants.D1 === 'quotedTotal' ? total.toFixed() : total,
    InvoiceType: invoice.isRefund ? 'Refund' : 'Purchase',
    LocationId: invoice.locationId,
    PrintableId: invoice.printableId,
  };
}

function addressJson(address: SimAddress | null) {
  if (!address) return null;
  return {
    Id: address.id,
    CountryCode: address.countryCode,
    DoNotContact: address.doNotContact,
    Locality: address.locality,
    Notes: address.notes,
    PostalCode: address.postalCode,
    PostOfficeBoxNumber: address.postOfficeBoxNumber,
    StateCode: address.stateCode,
    StreetAddress1: address.streetAddress1,
    StreetAddress2: address.streetAddress2,
  };
}

function customerJson(customer: SimCustomer) {
  return {
    Id: customer.id,
    AlternateName: customer.alternateName,
    BillingAddress: addressJson(customer.billingAddress),
    CustomerType: customer.customerType,
    CustomerTypeId: customer.customerTypeId,
    DateOfBirth: customer.dateOfBirth,
    DoNotContact: customer.doNotContact,
    FamilyName: customer.familyName,
    MiddleName: customer.middleName,
    Notes: customer.notes,
    PrimaryName: customer.primaryName,
    ShippingAddress: addressJson(customer.shippingAddress),
    Title: customer.title,
  };
}

function itemJson(item: SimOrderItem, dropship: boolean) {
  return {
    Id: item.id,
    Description: item.description,
    ProductId: item.productId,
    Quantity: item.quantity,
    SellingPrice: item.sellingPrice,
    // DropshipOrderItem has no SerialNumber.
    ...(dropship ? {} : { SerialNumber: item.serialNumber }),
    Sku: item.sku,
  };
}

const decimalOrNull = (value: Decimal | null) => (value === null ? null : value);

/** D2 and the 201 answer of D3. */
function invoiceJson(company: SimCompany, invoice: SimInvoice, variants: IqmetrixAnswerVariants) {
  const customer = company.customers.get(invoice.customerId.toLowerCase());
  return {
    Id: invoice.id,
    CreatedByUser: invoice.createdByUser,
    CreatedDateUtc: variants.D2 === 'zoned' ? ticksUtc(invoice.created) : millisNoZone(invoice.created),
    Customer: customer ? customerJson(customer) : null,
    DropshipOrders: invoice.dropshipOrders.map((order) => ({
      Id: order.id,
      Items: order.items.map((item) => itemJson(item, true)),
      PrintableId: order.printableId,
      ReferenceId: order.referenceId,
      ShippingEntityId: order.shippingEntityId,
      ShippingMethod: order.shippingMethod,
      SupplierId: order.supplierId,
    })),
    EmployeeId: invoice.employeeId,
    IsRefund: invoice.isRefund,
    LocationId: invoice.locationId,
    Notes: invoice.notes,
    Orders: invoice.orders.map((order) => ({
      Id: order.id,
      Items: order.items.map((item) => itemJson(item, false)),
      PrintableId: order.printableId,
      ReferenceId: order.referenceId,
    })),
    OriginalInvoiceId: invoice.originalInvoiceId,
    Payments: invoice.payments.map((payment) => ({
      Id: payment.id,
      Amount: payment.amount,
      DrawerId: payment.drawerId,
      PaymentMethodId: payment.paymentMethodId,
      ReferenceId: payment.referenceId,
      TransactionDate: ticksOffset(payment.transactionDate),
      TransactionType: payment.transactionType,
    })),
    PrintableId: invoice.printableId,
    TaxCalculationResult: {
      Id: invoice.taxCalculationResult.id,
      Lines: invoice.taxCalculationResult.lines.map((line) => ({
        LineNumber: line.lineNumber,
        Discount: decimalOrNull(line.discount),
        Rate: decimalOrNull(line.rate),
        Tax: line.tax,
        Taxability: line.taxability,
        Taxable: decimalOrNull(line.taxable),
        TaxDetails: line.taxDetails.map((detail) => ({
          TaxId: detail.taxId,
          TaxName: detail.taxName,
          CountryCode: detail.countryCode,
          Rate: decimalOrNull(detail.rate),
          RegionCode: detail.regionCode,
          Tax: decimalOrNull(detail.tax),
          Taxable: decimalOrNull(detail.taxable),
          TaxAuthority: detail.taxAuthority,
          TaxAuthorityType: detail.taxAuthorityType,
          TaxCategory: detail.taxCategory,
          TaxType: detail.taxType,
        })),
      })),
    },
  };
}

import { z } from 'zod';
import { jsonNumber } from '../exactJson.js';
import {
  asDecimal,
  asInteger,
  asList,
  asNullableDecimal,
  asNullableFlag,
  asNullableInteger,
  asNullableList,
  asNullableText,
  asRecord,
  attempt,
  ensure,
  isNumber,
  isRecord,
  withFastPath,
} from '../fastWire.js';
import type { WireAmountType } from '../../domain/money.js';

/** The doc types amounts `(Decimal)` (.NET): 28-29 significant digits, so longer amounts are refused. */
export const IQMETRIX_AMOUNT_TYPE: WireAmountType = 'dotnet-decimal';

/**
 * iQmetrix Invoice API payloads as documented (seeds/003_5a2de5ef98c7bfbf.txt): PascalCase fields,
 * GUID ids, decimals as JSON numbers. Identifiers and the fields every sample carries are required;
 * everything else is optional or nullable, because .NET serializers write `null` for unset members
 * and omit them under other settings. Unknown fields are dropped.
 */

/** A documented Decimal. JSON numbers as the doc shows; numeric strings tolerated (some .NET serializer settings). */
const decimal = z.union([jsonNumber, z.string().regex(/^-?\d+(\.\d+)?$/)]);
const text = z.string().nullable().optional();
const integer = z.number().int().nullable().optional();
const flag = z.boolean().nullable().optional();
/** Read side: GUIDs are taken as the upstream wrote them (the gateway validates only what it sends). */
const guid = z.string().min(1);

// ---------------------------------------------------------------- D1

export const IqmetrixInvoiceSummary = z.object({
  Id: guid,
  CreatedDateUtc: z.string().nullable().optional(),
  CustomerId: guid.nullable().optional(),
  EmployeeId: integer,
  InvoiceTotal: decimal,
  /** `None`, `Purchase` or `Refund`. */
  InvoiceType: text,
  LocationId: integer,
  PrintableId: text,
  /** Reserved for future use. */
  PaymentTypes: z.unknown().optional(),
});
export type IqmetrixInvoiceSummary = z.infer<typeof IqmetrixInvoiceSummary>;

/**
 * D1 answers `Array[InvoiceSummary]`. An OData `{ value: [...] }` wrapper is accepted too, since the
 * API speaks OData for `$filter` and OData services wrap collections that way.
 */
export const IqmetrixInvoiceSummaryList = withFastPath(
  z.union([z.array(IqmetrixInvoiceSummary), z.object({ value: z.array(IqmetrixInvoiceSummary) }).transform((wrapped) => wrapped.value)]),
  (value) => attempt(() => asList(isRecord(value) ? value['value'] : value, fastInvoiceSummary)),
);

// ---------------------------------------------------------------- D2

export const IqmetrixAddress = z.object({
  Id: guid.nullable().optional(),
  CountryCode: text,
  DoNotContact: flag,
  Locality: text,
  Notes: text,
  PostalCode: text,
  PostOfficeBoxNumber: text,
  StateCode: text,
  StreetAddress1: text,
  StreetAddress2: text,
});
export type IqmetrixAddress = z.infer<typeof IqmetrixAddress>;

export const IqmetrixCustomer = z.object({
  Id: guid,
  AlternateName: text,
  BillingAddress: IqmetrixAddress.nullable().optional(),
  CustomerType: text,
  CustomerTypeId: integer,
  /** Full timestamp (`1952-07-23T12:00:00.000`) or the documented short form `yyyy-mm-dd`. */
  DateOfBirth: text,
  DoNotContact: flag,
  FamilyName: text,
  MiddleName: text,
  Notes: text,
  PrimaryName: text,
  ShippingAddress: IqmetrixAddress.nullable().optional(),
  Title: text,
});
export type IqmetrixCustomer = z.infer<typeof IqmetrixCustomer>;

export const IqmetrixOrderItem = z.object({
  Id: guid,
  Description: text,
  ProductId: guid.nullable().optional(),
  Quantity: z.number().int(),
  SellingPrice: decimal,
  SerialNumber: text,
  Sku: text,
});
export type IqmetrixOrderItem = z.infer<typeof IqmetrixOrderItem>;

export const IqmetrixOrder = z.object({
  Id: guid,
  Items: z.array(IqmetrixOrderItem).nullable().optional(),
  PrintableId: text,
  ReferenceId: text,
});
export type IqmetrixOrder = z.infer<typeof IqmetrixOrder>;

/** DropshipOrderItem is an OrderItem without SerialNumber. */
export const IqmetrixDropshipOrder = IqmetrixOrder.extend({
  ShippingEntityId: integer,
  ShippingMethod: text,
  SupplierId: integer,
});
export type IqmetrixDropshipOrder = z.infer<typeof IqmetrixDropshipOrder>;

export const IqmetrixPayment = z.object({
  /** A String, not a GUID (`"15215"`). */
  Id: z.union([z.string(), z.number()]).transform(String),
  Amount: decimal,
  DrawerId: guid.nullable().optional(),
  PaymentMethodId: integer,
  ReferenceId: text,
  /** .NET round-trip format with seven fractional digits: `2016-01-06T16:22:41.1236641+00:00`. */
  TransactionDate: text,
  /** PaymentTransactionType: `Purchase` (1) or `Refund` (0). */
  TransactionType: text,
});
export type IqmetrixPayment = z.infer<typeof IqmetrixPayment>;

export const IqmetrixTaxDetail = z.object({
  TaxId: guid.nullable().optional(),
  TaxName: text,
  CountryCode: text,
  Rate: decimal.nullable().optional(),
  RegionCode: text,
  Tax: decimal.nullable().optional(),
  Taxable: decimal.nullable().optional(),
  TaxAuthority: text,
  TaxAuthorityType: text,
  TaxCategory: text,
  TaxType: text,
});
export type IqmetrixTaxDetail = z.infer<typeof IqmetrixTaxDetail>;

export const IqmetrixTaxLine = z.object({
  LineNumber: text,
  Discount: decimal.nullable().optional(),
  Rate: decimal.nullable().optional(),
  Tax: decimal.nullable().optional(),
  Taxability: flag,
  Taxable: decimal.nullable().optional(),
  TaxDetails: z.array(IqmetrixTaxDetail).nullable().optional(),
});
export type IqmetrixTaxLine = z.infer<typeof IqmetrixTaxLine>;

export const IqmetrixTaxCalculationResult = z.object({
  Id: guid.nullable().optional(),
  Lines: z.array(IqmetrixTaxLine).nullable().optional(),
});
export type IqmetrixTaxCalculationResult = z.infer<typeof IqmetrixTaxCalculationResult>;

/** D2 (and the 201 answer of D3). The doc's Invoice carries no total; see mapping.invoiceTotalFromWire. */
const invoice = z.object({
  Id: guid,
  CreatedByUser: text,
  /** Zone-less in the doc's sample (`2015-04-23T13:14:12.997`): UTC by the field's name. */
  CreatedDateUtc: text,
  Customer: IqmetrixCustomer.nullable().optional(),
  DropshipOrders: z.array(IqmetrixDropshipOrder).nullable().optional(),
  EmployeeId: integer,
  IsRefund: flag,
  LocationId: integer,
  Notes: text,
  Orders: z.array(IqmetrixOrder).nullable().optional(),
  OriginalInvoiceId: guid.nullable().optional(),
  Payments: z.array(IqmetrixPayment).nullable().optional(),
  PrintableId: text,
  TaxCalculationResult: IqmetrixTaxCalculationResult.nullable().optional(),
});
export type IqmetrixInvoice = z.infer<typeof invoice>;
export const IqmetrixInvoice = withFastPath(invoice, (value) => attempt(() => fastInvoice(value)));

/*
 * Fast paths of D1 and D2 (fastWire.ts): what their schemas return, for the values they surely
 * accept, written out field by field in each schema's key order. A key missing from the input stays
 * missing; keys the schemas do not know are dropped, as zod drops them.
 */

/** `guid`: a non-empty string. */
function asGuid(value: unknown): string {
  ensure(typeof value === 'string' && value.length > 0);
  return value as string;
}

function asNullableGuid(value: unknown): string | null {
  return value === null ? null : asGuid(value);
}

function fastInvoiceSummary(value: unknown): IqmetrixInvoiceSummary {
  const input = asRecord(value);
  const row: Record<string, unknown> = { Id: asGuid(input['Id']) };
  if (input['CreatedDateUtc'] !== undefined) row['CreatedDateUtc'] = asNullableText(input['CreatedDateUtc']);
  if (input['CustomerId'] !== undefined) row['CustomerId'] = asNullableGuid(input['CustomerId']);
  if (input['EmployeeId'] !== undefined) row['EmployeeId'] = asNullableInteger(input['EmployeeId']);
  row['InvoiceTotal'] = asDecimal(input['InvoiceTotal']);
  if (input['InvoiceType'] !== undefined) row['InvoiceType'] = asNullableText(input['InvoiceType']);
  if (input['LocationId'] !== undefined) row['LocationId'] = asNullableInteger(input['LocationId']);
  if (input['PrintableId'] !== undefined) row['PrintableId'] = asNullableText(input['PrintableId']);
  if (input['PaymentTypes'] !== undefined) row['PaymentTypes'] = input['PaymentTypes'];
  return row as IqmetrixInvoiceSummary;
}

function fastInvoice(value: unknown): IqmetrixInvoice {
  const input = asRecord(value);
  const row: Record<string, unknown> = { Id: asGuid(input['Id']) };
  if (input['CreatedByUser'] !== undefined) row['CreatedByUser'] = asNullableText(input['CreatedByUser']);
  if (input['CreatedDateUtc'] !== undefined) row['CreatedDateUtc'] = asNullableText(input['CreatedDateUtc']);
  if (input['Customer'] !== undefined) row['Customer'] = input['Customer'] === null ? null : fastCustomer(input['Customer']);
  if (input['DropshipOrders'] !== undefined) row['DropshipOrders'] = asNullableList(input['DropshipOrders'], fastDropshipOrder);
  if (input['EmployeeId'] !== undefined) row['EmployeeId'] = asNullableInteger(input['EmployeeId']);
  if (input['IsRefund'] !== undefined) row['IsRefund'] = asNullableFlag(input['IsRefund']);
  if (input['LocationId'] !== undefined) row['LocationId'] = asNullableInteger(input['LocationId']);
  if (input['Notes'] !== undefined) row['Notes'] = asNullableText(input['Notes']);
  if (input['Orders'] !== undefined) row['Orders'] = asNullableList(input['Orders'], fastOrder);
  if (input['OriginalInvoiceId'] !== undefined) row['OriginalInvoiceId'] = asNullableGuid(input['OriginalInvoiceId']);
  if (input['Payments'] !== undefined) row['Payments'] = asNullableList(input['Payments'], fastPayment);
  if (input['PrintableId'] !== undefined) row['PrintableId'] = asNullableText(input['PrintableId']);
  if (input['TaxCalculationResult'] !== undefined) {
    row['TaxCalculationResult'] = input['TaxCalculationResult'] === null ? null : fastTaxCalculationResult(input['TaxCalculationResult']);
  }
  return row as IqmetrixInvoice;
}

function fastCustomer(value: unknown): IqmetrixCustomer {
  const input = asRecord(value);
  const row: Record<string, unknown> = { Id: asGuid(input['Id']) };
  if (input['AlternateName'] !== undefined) row['AlternateName'] = asNullableText(input['AlternateName']);
  if (input['BillingAddress'] !== undefined) row['BillingAddress'] = input['BillingAddress'] === null ? null : fastAddress(input['BillingAddress']);
  if (input['CustomerType'] !== undefined) row['CustomerType'] = asNullableText(input['CustomerType']);
  if (input['CustomerTypeId'] !== undefined) row['CustomerTypeId'] = asNullableInteger(input['CustomerTypeId']);
  if (input['DateOfBirth'] !== undefined) row['DateOfBirth'] = asNullableText(input['DateOfBirth']);
  if (input['DoNotContact'] !== undefined) row['DoNotContact'] = asNullableFlag(input['DoNotContact']);
  if (input['FamilyName'] !== undefined) row['FamilyName'] = asNullableText(input['FamilyName']);
  if (input['MiddleName'] !== undefined) row['MiddleName'] = asNullableText(input['MiddleName']);
  if (input['Notes'] !== undefined) row['Notes'] = asNullableText(input['Notes']);
  if (input['PrimaryName'] !== undefined) row['PrimaryName'] = asNullableText(input['PrimaryName']);
  if (input['ShippingAddress'] !== undefined) row['ShippingAddress'] = input['ShippingAddress'] === null ? null : fastAddress(input['ShippingAddress']);
  if (input['Title'] !== undefined) row['Title'] = asNullableText(input['Title']);
  return row as IqmetrixCustomer;
}

function fastAddress(value: unknown): IqmetrixAddress {
  const input = asRecord(value);
  const row: Record<string, unknown> = {};
  if (input['Id'] !== undefined) row['Id'] = asNullableGuid(input['Id']);
  if (input['CountryCode'] !== undefined) row['CountryCode'] = asNullableText(input['CountryCode']);
  if (input['DoNotContact'] !== undefined) row['DoNotContact'] = asNullableFlag(input['DoNotContact']);
  if (input['Locality'] !== undefined) row['Locality'] = asNullableText(input['Locality']);
  if (input['Notes'] !== undefined) row['Notes'] = asNullableText(input['Notes']);
  if (input['PostalCode'] !== undefined) row['PostalCode'] = asNullableText(input['PostalCode']);
  if (input['PostOfficeBoxNumber'] !== undefined) row['PostOfficeBoxNumber'] = asNullableText(input['PostOfficeBoxNumber']);
  if (input['StateCode'] !== undefined) row['StateCode'] = asNullableText(input['StateCode']);
  if (input['StreetAddress1'] !== undefined) row['StreetAddress1'] = asNullableText(input['StreetAddress1']);
  if (input['StreetAddress2'] !== undefined) row['StreetAddress2'] = asNullableText(input['StreetAddress2']);
  return row as IqmetrixAddress;
}

/** An Order's fields, in IqmetrixOrder's key order (a DropshipOrder adds its own after them). */
function fastOrderFields(input: Record<string, unknown>, item: (value: unknown) => IqmetrixOrderItem): Record<string, unknown> {
  const row: Record<string, unknown> = { Id: asGuid(input['Id']) };
  if (input['Items'] !== undefined) row['Items'] = asNullableList(input['Items'], item);
  if (input['PrintableId'] !== undefined) row['PrintableId'] = asNullableText(input['PrintableId']);
  if (input['ReferenceId'] !== undefined) row['ReferenceId'] = asNullableText(input['ReferenceId']);
  return row;
}

function fastOrder(value: unknown): IqmetrixOrder {
  return fastOrderFields(asRecord(value), fastOrderItem) as IqmetrixOrder;
}

function fastDropshipOrder(value: unknown): IqmetrixDropshipOrder {
  const input = asRecord(value);
  const row = fastOrderFields(input, fastOrderItem);
  if (input['ShippingEntityId'] !== undefined) row['ShippingEntityId'] = asNullableInteger(input['ShippingEntityId']);
  if (input['ShippingMethod'] !== undefined) row['ShippingMethod'] = asNullableText(input['ShippingMethod']);
  if (input['SupplierId'] !== undefined) row['SupplierId'] = asNullableInteger(input['SupplierId']);
  return row as IqmetrixDropshipOrder;
}

function fastOrderItem(value: unknown): IqmetrixOrderItem {
  const input = asRecord(value);
  const row: Record<string, unknown> = { Id: asGuid(input['Id']) };
  if (input['Description'] !== undefined) row['Description'] = asNullableText(input['Description']);
  if (input['ProductId'] !== undefined) row['ProductId'] = asNullableGuid(input['ProductId']);
  row['Quantity'] = asInteger(input['Quantity']);
  row['SellingPrice'] = asDecimal(input['SellingPrice']);
  if (input['SerialNumber'] !== undefined) row['SerialNumber'] = asNullableText(input['SerialNumber']);
  if (input['Sku'] !== undefined) row['Sku'] = asNullableText(input['Sku']);
  return row as IqmetrixOrderItem;
}

function fastPayment(value: unknown): IqmetrixPayment {
  const input = asRecord(value);
  const id = input['Id'];
  ensure(typeof id === 'string' || isNumber(id));
  const row: Record<string, unknown> = { Id: String(id), Amount: asDecimal(input['Amount']) };
  if (input['DrawerId'] !== undefined) row['DrawerId'] = asNullableGuid(input['DrawerId']);
  if (input['PaymentMethodId'] !== undefined) row['PaymentMethodId'] = asNullableInteger(input['PaymentMethodId']);
  if (input['ReferenceId'] !== undefined) row['ReferenceId'] = asNullableText(input['ReferenceId']);
  if (input['TransactionDate'] !== undefined) row['TransactionDate'] = asNullableText(input['TransactionDate']);
  if (input['TransactionType'] !== undefined) row['TransactionType'] = asNullableText(input['TransactionType']);
  return row as IqmetrixPayment;
}

function fastTaxCalculationResult(value: unknown): IqmetrixTaxCalculationResult {
  const input = asRecord(value);
  const row: Record<string, unknown> = {};
  if (input['Id'] !== undefined) row['Id'] = asNullableGuid(input['Id']);
  if (input['Lines'] !== undefined) row['Lines'] = asNullableList(input['Lines'], fastTaxLine);
  return row as IqmetrixTaxCalculationResult;
}

function fastTaxLine(value: unknown): IqmetrixTaxLine {
  const input = asRecord(value);
  const row: Record<string, unknown> = {};
  if (input['LineNumber'] !== undefined) row['LineNumber'] = asNullableText(input['LineNumber']);
  if (input['Discount'] !== undefined) row['Discount'] = asNullableDecimal(input['Discount']);
  if (input['Rate'] !== undefined) row['Rate'] = asNullableDecimal(input['Rate']);
  if (input['Tax'] !== undefined) row['Tax'] = asNullableDecimal(input['Tax']);
  if (input['Taxability'] !== undefined) row['Taxability'] = asNullableFlag(input['Taxability']);
  if (input['Taxable'] !== undefined) row['Taxable'] = asNullableDecimal(input['Taxable']);
  if (input['TaxDetails'] !== undefined) row['TaxDetails'] = asNullableList(input['TaxDetails'], fastTaxDetail);
  return row as IqmetrixTaxLine;
}

function fastTaxDetail(value: unknown): IqmetrixTaxDetail {
  const input = asRecord(value);
  const row: Record<string, unknown> = {};
  if (input['TaxId'] !== undefined) row['TaxId'] = asNullableGuid(input['TaxId']);
  if (input['TaxName'] !== undefined) row['TaxName'] = asNullableText(input['TaxName']);
  if (input['CountryCode'] !== undefined) row['CountryCode'] = asNullableText(input['CountryCode']);
  if (input['Rate'] !== undefined) row['Rate'] = asNullableDecimal(input['Rate']);
  if (input['RegionCode'] !== undefined) row['RegionCode'] = asNullableText(input['RegionCode']);
  if (input['Tax'] !== undefined) row['Tax'] = asNullableDecimal(input['Tax']);
  if (input['Taxable'] !== undefined) row['Taxable'] = asNullableDecimal(input['Taxable']);
  if (input['TaxAuthority'] !== undefined) row['TaxAuthority'] = asNullableText(input['TaxAuthority']);
  if (input['TaxAuthorityType'] !== undefined) row['TaxAuthorityType'] = asNullableText(input['TaxAuthorityType']);
  if (input['TaxCategory'] !== undefined) row['TaxCategory'] = asNullableText(input['TaxCategory']);
  if (input['TaxType'] !== undefined) row['TaxType'] = asNullableText(input['TaxType']);
  return row as IqmetrixTaxDetail;
}

// ---------------------------------------------------------------- D3 request

/**
 * D3's body: an Invoice without what the server assigns (the invoice's and its orders', items' and
 * payments' Ids, CreatedByUser, CreatedDateUtc). The doc's sample sends the whole Customer; only its
 * Id is needed, the server answers with its own customer record. Strict about types, so the
 * simulator can answer 400 for a malformed body.
 */
const createItem = z.object({
  Description: z.string().nullable().optional(),
  ProductId: z.string().nullable().optional(),
  Quantity: z.number().int(),
  SellingPrice: jsonNumber,
  SerialNumber: z.string().nullable().optional(),
  Sku: z.string().nullable().optional(),
});

const createOrder = z.object({
  Items: z.array(createItem),
  PrintableId: z.string().nullable().optional(),
  ReferenceId: z.string().nullable().optional(),
});

export const IqmetrixCreateInvoiceBody = z.object({
  Customer: IqmetrixCustomer.partial().extend({ Id: z.string() }),
  DropshipOrders: z
    .array(
      createOrder.extend({
        ShippingEntityId: z.number().int().nullable().optional(),
        ShippingMethod: z.string().nullable().optional(),
        SupplierId: z.number().int().nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
  EmployeeId: z.number().int(),
  IsRefund: z.boolean().nullable().optional(),
  LocationId: z.number().int(),
  Notes: z.string().nullable().optional(),
  Orders: z.array(createOrder).nullable().optional(),
  OriginalInvoiceId: z.string().nullable().optional(),
  Payments: z
    .array(
      z.object({
        Amount: jsonNumber,
        DrawerId: z.string().nullable().optional(),
        PaymentMethodId: z.number().int(),
        ReferenceId: z.string().nullable().optional(),
        TransactionDate: z.string().nullable().optional(),
        TransactionType: z.string().nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
  PrintableId: z.string().nullable().optional(),
  TaxCalculationResult: z
    .object({
      Lines: z.array(
        IqmetrixTaxLine.extend({
          Tax: jsonNumber,
          TaxDetails: z.array(IqmetrixTaxDetail).nullable().optional(),
        }),
      ),
    })
    .nullable()
    .optional(),
});
export type IqmetrixCreateInvoiceBody = z.infer<typeof IqmetrixCreateInvoiceBody>;
export type IqmetrixCreateInvoiceItem = z.infer<typeof createItem>;

// ---------------------------------------------------------------- errors

/**
 * The doc shows no error body. iQmetrix APIs answer `{ "Message": "…", "ErrorCode": "…" }` in the
 * ASP.NET Web API style; `Code` and the per-problem `Details` list are accepted too (the simulator
 * sends all four on a 400).
 */
export const IqmetrixErrorBody = z.object({
  Code: z.string().optional(),
  Message: z.string(),
  ErrorCode: z.string().optional(),
  Details: z.array(z.string()).optional(),
});
export type IqmetrixErrorBody = z.infer<typeof IqmetrixErrorBody>;

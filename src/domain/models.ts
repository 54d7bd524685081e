/**
 * The gateway's domain models: what mapping.ts of each upstream produces and what the GraphQL type
 * resolvers receive (codegen `mappers`). Natural upstream keys are kept so ids stay stable; global
 * ids are derived from them in the type resolvers.
 */
import type {
  CreditStatus,
  InvoiceStatus,
  LedgerItemType,
  MarkupType,
  PaymentMode,
  PaymentStatus,
  PaymentType,
  RefrensPaymentMethod,
  IqmetrixInvoiceType,
} from '../__generated__/resolvers-types.js';
import type { MoneyModel, Decimal } from './money.js';
import type { Connection } from './pagination.js';

export type SourceSystem = 'IQM' | 'INTACT' | 'REFRENS' | 'IQMETRIX';
export type {
  CreditStatus,
  InvoiceStatus,
  LedgerItemType,
  MarkupType,
  PaymentMode,
  PaymentStatus,
  PaymentType,
  RefrensPaymentMethod,
  IqmetrixInvoiceType,
};

// ---------------------------------------------------------------- customers

/** A Refrens invoice named in the directory; Refrens' API has no invoice read, only its payments. */
export interface RefrensInvoiceRef {
  readonly invoiceId: string;
  readonly number: string;
  readonly total: Decimal;
  readonly currencyCode: string;
  readonly issuedOn: string | null;
  readonly dueOn: string | null;
}

export interface CustomerIdentitiesModel {
  readonly iqmWorkspaceId: number | null;
  readonly intactAccountCode: string | null;
  readonly refrens: { readonly urlKey: string; readonly invoices: readonly RefrensInvoiceRef[] } | null;
  readonly iqmetrix: { readonly companyId: number; readonly customerId: string; readonly currencyCode: string } | null;
}

/**
 * A customer: a directory entry, or (key `iqm:<owId>`) an IQM workspace the directory does not name.
 */
export interface CustomerModel {
  readonly key: string;
  readonly displayName: string;
  readonly identities: CustomerIdentitiesModel;
}

// ---------------------------------------------------------------- invoices

interface InvoiceCommon {
  readonly number: string;
  readonly issuedOn: string | null;
  readonly dueOn: string | null;
}

export interface IqmInvoiceModel extends InvoiceCommon {
  readonly kind: 'IqmInvoice';
  readonly owId: number;
  readonly invoiceId: number;
  readonly name: string | null;
  readonly status: InvoiceStatus;
  readonly total: MoneyModel;
  readonly paid: MoneyModel;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly paymentTermDays: number | null;
  readonly paymentModes: readonly PaymentMode[];
  readonly actionNote: string | null;
  readonly statusUpdatedBy: string | null;
  readonly modifiedAt: Date | null;
}

export interface IntactInvoiceModel extends InvoiceCommon {
  readonly kind: 'IntactInvoice';
  readonly ledgerItem: LedgerItemModel;
}

export interface RefrensInvoiceModel extends InvoiceCommon {
  readonly kind: 'RefrensInvoice';
  readonly urlKey: string;
  readonly invoiceId: string;
  readonly total: MoneyModel;
  /** The customer directory key, so the invoice can name its customer. */
  readonly customerKey: string | null;
}

export interface IqmetrixInvoiceModel extends InvoiceCommon {
  readonly kind: 'IqmetrixInvoice';
  readonly companyId: number;
  readonly invoiceId: string;
  readonly customerId: string | null;
  readonly total: MoneyModel;
  readonly createdAt: Date | null;
  readonly invoiceType: IqmetrixInvoiceType;
  readonly locationId: number | null;
  readonly employeeId: number | null;
  readonly printableId: string | null;
}

export type InvoiceModel = IqmInvoiceModel | IntactInvoiceModel | RefrensInvoiceModel | IqmetrixInvoiceModel;

// ---------------------------------------------------------------- payments

export interface IqmPaymentModel {
  readonly kind: 'IqmPayment';
  readonly paymentId: number;
  /** The customer workspace; null when IQM's row does not say (organization lists). */
  readonly owId: number | null;
  readonly amount: MoneyModel;
  readonly status: PaymentStatus;
  readonly type: PaymentType | null;
  readonly mode: PaymentMode | null;
  readonly paidAt: Date | null;
  readonly invoiceId: number | null;
  readonly transactionId: string | null;
  readonly bankName: string | null;
  readonly refundReason: string | null;
  readonly createdAt: Date | null;
  readonly modifiedAt: Date | null;
  readonly createdByUserEmail: string | null;
  readonly modifiedByUserEmail: string | null;
  readonly initiatedByOrganization: boolean | null;
}

export interface RefrensPaymentModel {
  readonly kind: 'RefrensPayment';
  readonly paymentId: string;
  readonly urlKey: string;
  readonly invoiceId: string;
  readonly amount: MoneyModel;
  readonly tds: MoneyModel;
  readonly transactionCharge: MoneyModel;
  readonly method: RefrensPaymentMethod | null;
  readonly paidAt: Date | null;
  readonly notes: string | null;
  readonly reference: string | null;
  readonly approved: boolean;
  readonly removed: boolean;
}

export interface IqmetrixPaymentModel {
  readonly kind: 'IqmetrixPayment';
  readonly companyId: number;
  readonly invoiceId: string;
  readonly paymentId: string;
  readonly amount: MoneyModel;
  readonly paymentMethodId: number | null;
  readonly reference: string | null;
  readonly paidAt: Date | null;
  readonly transactionType: string | null;
  readonly drawerId: string | null;
}

export interface IntactReceiptModel {
  readonly kind: 'IntactReceipt';
  readonly accountCode: string;
  readonly number: string;
  readonly amount: MoneyModel;
  readonly unallocated: MoneyModel;
  readonly paidAt: Date | null;
  readonly reference: string | null;
}

export type PaymentModel = IqmPaymentModel | RefrensPaymentModel | IqmetrixPaymentModel | IntactReceiptModel;

// ---------------------------------------------------------------- credits and ledger

export interface CreditModel {
  readonly creditId: number;
  /** The customer workspace the credit was offered to; null for credits offered to the caller (A28). */
  readonly owId: number | null;
  readonly amount: MoneyModel;
  readonly status: CreditStatus;
  readonly modifiedAt: Date | null;
  readonly organizationName: string | null;
  readonly displayName: string | null;
}

export interface LedgerItemModel {
  readonly accountCode: string;
  readonly itemId: string;
  readonly number: string;
  readonly reference: string | null;
  readonly type: LedgerItemType;
  readonly typeCode: string;
  readonly date: string | null;
  readonly dueDate: string | null;
  readonly debit: MoneyModel;
  readonly credit: MoneyModel;
  readonly unallocated: MoneyModel;
}

/** A business rule the upstream (or the gateway before calling it) refused. */
export interface UserErrorModel {
  readonly field: readonly string[] | null;
  readonly message: string;
  readonly code:
    | 'INVALID_INPUT'
    | 'NOT_FOUND'
    | 'INVALID_TRANSITION'
    | 'OVER_ALLOCATION'
    | 'UPSTREAM_REJECTED'
    | 'FORBIDDEN'
    | 'INVALID_UPLOAD'
    | 'IDEMPOTENCY_KEY_REUSED'
    | 'IDEMPOTENCY_IN_PROGRESS'
    | 'IDEMPOTENCY_OUTCOME_UNKNOWN'
    | 'IDEMPOTENCY_STORE_FULL'
    | 'FOUR_EYES_REQUIRED';
}

export type { MarkupType as DataFeeMarkupType };

/**
 * IQM's reference lists as a parent: nothing yet, each list field loads its own list so one failing
 * list is one error at its own path.
 */
export type FinanceReferenceDataModel = Readonly<Record<string, never>>;

/** The caller's IQM organization workspace. */
export interface OrganizationModel {
  readonly workspaceId: number;
}

/** A system missing from a merged answer (GraphQL UnavailableSource). */
export interface UnavailableSourceModel {
  readonly system: SourceSystem;
  readonly code: string;
  readonly message: string;
}

/** Merged lists say which systems are missing; lists of one system leave it out (none is). */
export type InvoiceConnectionModel = Connection<InvoiceModel> & { readonly unavailableSources?: UnavailableSourceModel[] };
export type PaymentConnectionModel = Connection<PaymentModel> & { readonly unavailableSources?: UnavailableSourceModel[] };
export type CreditConnectionModel = Connection<CreditModel>;
export type LedgerItemConnectionModel = Connection<LedgerItemModel>;
export type CustomerConnectionModel = Connection<CustomerModel>;

// ---------------------------------------------------------------- iQmetrix invoice detail (D2)
// Field names follow the GraphQL types (IqmetrixCustomer, IqmetrixOrder, …) so the default resolvers serve them.

export interface IqmetrixAddressModel {
  readonly id: string | null;
  readonly streetAddress1: string | null;
  readonly streetAddress2: string | null;
  readonly postOfficeBoxNumber: string | null;
  readonly locality: string | null;
  readonly stateCode: string | null;
  readonly postalCode: string | null;
  readonly countryCode: string | null;
  readonly doNotContact: boolean | null;
  readonly notes: string | null;
}

export interface IqmetrixCustomerModel {
  readonly id: string;
  readonly title: string | null;
  readonly primaryName: string | null;
  readonly middleName: string | null;
  readonly familyName: string | null;
  readonly alternateName: string | null;
  readonly customerType: string | null;
  readonly customerTypeId: number | null;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string | null;
  readonly doNotContact: boolean | null;
  readonly notes: string | null;
  readonly billingAddress: IqmetrixAddressModel | null;
  readonly shippingAddress: IqmetrixAddressModel | null;
}

export interface IqmetrixOrderItemModel {
  readonly id: string;
  readonly description: string | null;
  readonly productId: string | null;
  readonly quantity: number;
  readonly sellingPrice: MoneyModel;
  readonly serialNumber: string | null;
  readonly sku: string | null;
}

export interface IqmetrixOrderModel {
  readonly id: string;
  readonly printableId: string | null;
  readonly referenceId: string | null;
  readonly items: readonly IqmetrixOrderItemModel[];
}

export interface IqmetrixDropshipOrderModel extends IqmetrixOrderModel {
  readonly shippingEntityId: number | null;
  readonly shippingMethod: string | null;
  readonly supplierId: number | null;
}

export interface IqmetrixTaxDetailModel {
  readonly taxId: string | null;
  readonly taxName: string | null;
  readonly countryCode: string | null;
  readonly regionCode: string | null;
  readonly rate: Decimal | null;
  readonly tax: MoneyModel | null;
  readonly taxable: MoneyModel | null;
  readonly taxAuthority: string | null;
  readonly taxAuthorityType: string | null;
  readonly taxCategory: string | null;
  readonly taxType: string | null;
}

export interface IqmetrixTaxLineModel {
  readonly lineNumber: string | null;
  readonly discount: MoneyModel | null;
  readonly rate: Decimal | null;
  readonly tax: MoneyModel | null;
  readonly taxable: MoneyModel | null;
  readonly taxability: boolean | null;
  readonly details: readonly IqmetrixTaxDetailModel[];
}

/** D2: the full invoice. `invoice` is the same invoice in summary form (total computed, see mapping). */
export interface IqmetrixInvoiceDetailModel {
  readonly invoice: IqmetrixInvoiceModel;
  readonly createdByUser: string | null;
  readonly notes: string | null;
  readonly isRefund: boolean | null;
  readonly originalInvoiceId: string | null;
  readonly customer: IqmetrixCustomerModel | null;
  readonly orders: readonly IqmetrixOrderModel[];
  readonly dropshipOrders: readonly IqmetrixDropshipOrderModel[];
  readonly payments: readonly IqmetrixPaymentModel[];
  readonly taxLines: readonly IqmetrixTaxLineModel[];
}

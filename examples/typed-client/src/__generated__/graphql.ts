/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type ApproveInvoiceInput = {
  actionNote?: string | null | undefined;
  /** Global id of an IqmInvoice. */
  invoiceId: string;
};

/**
 * Invoice statuses. IQM's ids map one to one (A50: 1 Pending … 8 Cancelled); for the other systems
 * the gateway derives PAID / PARTIALLY_PAID / UNPAID from the amounts, and OVERDUE past the due date.
 */
export type InvoiceStatus =
  | 'CANCELLED'
  | 'OVERDUE'
  | 'PAID'
  | 'PARTIALLY_PAID'
  | 'PENDING'
  | 'PROCESSING'
  | 'UNPAID';

export type PaymentFilter = {
  /** IQM free-text search (A34/A35 searchField). */
  search?: string | null | undefined;
  sources?: Array<SourceSystem> | null | undefined;
  status?: Array<PaymentStatus> | null | undefined;
  /** IQM payment type (A34/A35 paymentType). */
  type?: PaymentType | null | undefined;
};

/** IQM payment modes (A49; TO_FUNDS appears in IQM's payment lists and invoice modes as id 4). */
export type PaymentMode =
  | 'CHEQUE'
  | 'PAYPAL'
  | 'TO_FUNDS'
  | 'WIRE_TRANSFER';

/**
 * Payment statuses (IQM A48 one to one). Refrens: removed → CANCELLED, approved → PAID, else
 * PROCESSING. iQmetrix payments and Intact receipts are recorded facts: PAID.
 */
export type PaymentStatus =
  | 'CANCELLED'
  | 'PAID'
  | 'PROCESSING'
  | 'REJECTED';

/** IQM payment types (A47). */
export type PaymentType =
  | 'AGAINST_INVOICE'
  | 'AS_FUND'
  | 'REFUND';

/** The upstream system an object was read from. */
export type SourceSystem =
  /** Intact iQ customer ledger */
  | 'INTACT'
  /** IQM Finance API */
  | 'IQM'
  /** iQmetrix Invoice API */
  | 'IQMETRIX'
  /** Refrens business invoicing (invoice payments) */
  | 'REFRENS';

export type UserErrorCode =
  /** The upstream refused the caller. */
  | 'FORBIDDEN'
  /**
   * Four eyes: the caller created or changed this payment or refund, so someone else must approve it (the tenant
   * requires two people for every approval). Nothing was sent.
   */
  | 'FOUR_EYES_REQUIRED'
  /** A request with this idempotency key is still being processed; retry later for its answer. Nothing was sent. */
  | 'IDEMPOTENCY_IN_PROGRESS'
  /** The idempotency key was already used by this caller for this mutation with a different input; nothing was sent. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /**
   * An earlier request with this key reached the upstream but no usable answer came back (connection lost, timeout,
   * a 5xx or 409 from a proxy), so the money may have moved, and the gateway could not (yet) find the write at the
   * upstream. The key stays blocked: retry shortly with the same key, or check the payment before using a new key.
   */
  | 'IDEMPOTENCY_OUTCOME_UNKNOWN'
  /** The gateway holds as many idempotency keys as it may (in-memory store); nothing was sent. Retry later with the same key. */
  | 'IDEMPOTENCY_STORE_FULL'
  /** The input is well-formed but not acceptable (an amount of zero, an unknown id). */
  | 'INVALID_INPUT'
  /** The object is not in a state that allows the change (approving a cancelled invoice). */
  | 'INVALID_TRANSITION'
  /** The uploaded file is not acceptable (type, size, unknown upload id). */
  | 'INVALID_UPLOAD'
  /** The object named by the input does not exist (or the caller cannot see it). */
  | 'NOT_FOUND'
  /** An allocation exceeds the receipt or an invoice's outstanding amount. */
  | 'OVER_ALLOCATION'
  /** The upstream refused the change for a business reason; the message is the upstream's. */
  | 'UPSTREAM_REJECTED';

export type ApproveInvoiceMutationVariables = Exact<{
  input: ApproveInvoiceInput;
}>;


export type ApproveInvoiceMutation = { approveInvoice: { invoice: { id: string, status: InvoiceStatus, actionNote: string | null } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type CustomerInvoicesQueryVariables = Exact<{
  system: SourceSystem;
  sourceId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CustomerInvoicesQuery = { customer: { id: string, displayName: string, sources: Array<SourceSystem>, balances: Array<{ currencyCode: string, outstanding: { amount: string } }>, invoices: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
          | { __typename: 'IntactInvoice', id: string, source: SourceSystem, number: string, status: InvoiceStatus, issuedOn: string | null, dueOn: string | null, total: { amount: string, currencyCode: string }, outstanding: { amount: string, currencyCode: string } }
          | { __typename: 'IqmInvoice', invoiceId: number, actionNote: string | null, id: string, source: SourceSystem, number: string, status: InvoiceStatus, issuedOn: string | null, dueOn: string | null, total: { amount: string, currencyCode: string }, outstanding: { amount: string, currencyCode: string } }
          | { __typename: 'IqmetrixInvoice', id: string, source: SourceSystem, number: string, status: InvoiceStatus, issuedOn: string | null, dueOn: string | null, total: { amount: string, currencyCode: string }, outstanding: { amount: string, currencyCode: string } }
          | { __typename: 'RefrensInvoice', id: string, source: SourceSystem, number: string, status: InvoiceStatus, issuedOn: string | null, dueOn: string | null, total: { amount: string, currencyCode: string }, outstanding: { amount: string, currencyCode: string } }
         }> } } | null };

export type CustomerPaymentsQueryVariables = Exact<{
  customerId: string;
  first?: number | null | undefined;
  filter?: PaymentFilter | null | undefined;
}>;


export type CustomerPaymentsQuery = { customer: { id: string, payments: { totalCount: number | null, nodes: Array<
        | { __typename: 'IntactReceipt', id: string, source: SourceSystem, status: PaymentStatus, paidAt: string | null, reference: string | null, amount: { amount: string, currencyCode: string } }
        | { __typename: 'IqmPayment', paymentId: number, mode: PaymentMode | null, id: string, source: SourceSystem, status: PaymentStatus, paidAt: string | null, reference: string | null, amount: { amount: string, currencyCode: string } }
        | { __typename: 'IqmetrixPayment', id: string, source: SourceSystem, status: PaymentStatus, paidAt: string | null, reference: string | null, amount: { amount: string, currencyCode: string } }
        | { __typename: 'RefrensPayment', id: string, source: SourceSystem, status: PaymentStatus, paidAt: string | null, reference: string | null, amount: { amount: string, currencyCode: string } }
      > } } | null };


export const ApproveInvoiceDocument = {"__meta__":{"hash":"sha256:365911f538e3946f22c392520d91dea49fbfbbaaf14b0ec94961bf7105b8cce3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApproveInvoice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApproveInvoiceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"approveInvoice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"invoice"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"actionNote"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<ApproveInvoiceMutation, ApproveInvoiceMutationVariables>;
export const CustomerInvoicesDocument = {"__meta__":{"hash":"sha256:727a36bb851ecda79e5135ec4af7f7868c536aa88102b474f80d22c0ced74156"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CustomerInvoices"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"system"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SourceSystem"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sourceId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"10"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"customer"},"name":{"kind":"Name","value":"customerBySourceId"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"system"},"value":{"kind":"Variable","name":{"kind":"Name","value":"system"}}},{"kind":"Argument","name":{"kind":"Name","value":"sourceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sourceId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"sources"}},{"kind":"Field","name":{"kind":"Name","value":"balances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currencyCode"}},{"kind":"Field","name":{"kind":"Name","value":"outstanding"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"invoices"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currencyCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"outstanding"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currencyCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"issuedOn"}},{"kind":"Field","name":{"kind":"Name","value":"dueOn"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"IqmInvoice"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"invoiceId"}},{"kind":"Field","name":{"kind":"Name","value":"actionNote"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CustomerInvoicesQuery, CustomerInvoicesQueryVariables>;
export const CustomerPaymentsDocument = {"__meta__":{"hash":"sha256:3205f00ce70dd599d5495bc983be2122281a1e151325d8a3fe0bd8c66c9e8494"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CustomerPayments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PaymentFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"payments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currencyCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"paidAt"}},{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"IqmPayment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"paymentId"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CustomerPaymentsQuery, CustomerPaymentsQueryVariables>;
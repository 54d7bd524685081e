/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation ApproveInvoice($input: ApproveInvoiceInput!) {\n  approveInvoice(input: $input) {\n    invoice {\n      id\n      status\n      actionNote\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.ApproveInvoiceDocument,
    "query CustomerInvoices($system: SourceSystem!, $sourceId: String!, $first: Int = 10, $after: String) {\n  customer: customerBySourceId(system: $system, sourceId: $sourceId) {\n    id\n    displayName\n    sources\n    balances {\n      currencyCode\n      outstanding {\n        amount\n      }\n    }\n    invoices(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          __typename\n          id\n          source\n          number\n          status\n          total {\n            amount\n            currencyCode\n          }\n          outstanding {\n            amount\n            currencyCode\n          }\n          issuedOn\n          dueOn\n          ... on IqmInvoice {\n            invoiceId\n            actionNote\n          }\n        }\n      }\n    }\n  }\n}": typeof types.CustomerInvoicesDocument,
    "query CustomerPayments($customerId: ID!, $first: Int = 20, $filter: PaymentFilter) {\n  customer(id: $customerId) {\n    id\n    payments(first: $first, filter: $filter) {\n      totalCount\n      nodes {\n        __typename\n        id\n        source\n        status\n        amount {\n          amount\n          currencyCode\n        }\n        paidAt\n        reference\n        ... on IqmPayment {\n          paymentId\n          mode\n        }\n      }\n    }\n  }\n}": typeof types.CustomerPaymentsDocument,
};
const documents: Documents = {
    "mutation ApproveInvoice($input: ApproveInvoiceInput!) {\n  approveInvoice(input: $input) {\n    invoice {\n      id\n      status\n      actionNote\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.ApproveInvoiceDocument,
    "query CustomerInvoices($system: SourceSystem!, $sourceId: String!, $first: Int = 10, $after: String) {\n  customer: customerBySourceId(system: $system, sourceId: $sourceId) {\n    id\n    displayName\n    sources\n    balances {\n      currencyCode\n      outstanding {\n        amount\n      }\n    }\n    invoices(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          __typename\n          id\n          source\n          number\n          status\n          total {\n            amount\n            currencyCode\n          }\n          outstanding {\n            amount\n            currencyCode\n          }\n          issuedOn\n          dueOn\n          ... on IqmInvoice {\n            invoiceId\n            actionNote\n          }\n        }\n      }\n    }\n  }\n}": types.CustomerInvoicesDocument,
    "query CustomerPayments($customerId: ID!, $first: Int = 20, $filter: PaymentFilter) {\n  customer(id: $customerId) {\n    id\n    payments(first: $first, filter: $filter) {\n      totalCount\n      nodes {\n        __typename\n        id\n        source\n        status\n        amount {\n          amount\n          currencyCode\n        }\n        paidAt\n        reference\n        ... on IqmPayment {\n          paymentId\n          mode\n        }\n      }\n    }\n  }\n}": types.CustomerPaymentsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ApproveInvoice($input: ApproveInvoiceInput!) {\n  approveInvoice(input: $input) {\n    invoice {\n      id\n      status\n      actionNote\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): (typeof documents)["mutation ApproveInvoice($input: ApproveInvoiceInput!) {\n  approveInvoice(input: $input) {\n    invoice {\n      id\n      status\n      actionNote\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CustomerInvoices($system: SourceSystem!, $sourceId: String!, $first: Int = 10, $after: String) {\n  customer: customerBySourceId(system: $system, sourceId: $sourceId) {\n    id\n    displayName\n    sources\n    balances {\n      currencyCode\n      outstanding {\n        amount\n      }\n    }\n    invoices(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          __typename\n          id\n          source\n          number\n          status\n          total {\n            amount\n            currencyCode\n          }\n          outstanding {\n            amount\n            currencyCode\n          }\n          issuedOn\n          dueOn\n          ... on IqmInvoice {\n            invoiceId\n            actionNote\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query CustomerInvoices($system: SourceSystem!, $sourceId: String!, $first: Int = 10, $after: String) {\n  customer: customerBySourceId(system: $system, sourceId: $sourceId) {\n    id\n    displayName\n    sources\n    balances {\n      currencyCode\n      outstanding {\n        amount\n      }\n    }\n    invoices(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          __typename\n          id\n          source\n          number\n          status\n          total {\n            amount\n            currencyCode\n          }\n          outstanding {\n            amount\n            currencyCode\n          }\n          issuedOn\n          dueOn\n          ... on IqmInvoice {\n            invoiceId\n            actionNote\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CustomerPayments($customerId: ID!, $first: Int = 20, $filter: PaymentFilter) {\n  customer(id: $customerId) {\n    id\n    payments(first: $first, filter: $filter) {\n      totalCount\n      nodes {\n        __typename\n        id\n        source\n        status\n        amount {\n          amount\n          currencyCode\n        }\n        paidAt\n        reference\n        ... on IqmPayment {\n          paymentId\n          mode\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query CustomerPayments($customerId: ID!, $first: Int = 20, $filter: PaymentFilter) {\n  customer(id: $customerId) {\n    id\n    payments(first: $first, filter: $filter) {\n      totalCount\n      nodes {\n        __typename\n        id\n        source\n        status\n        amount {\n          amount\n          currencyCode\n        }\n        paidAt\n        reference\n        ... on IqmPayment {\n          paymentId\n          mode\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { buildSchema as buildSchemaFromSdl } from 'graphql';
import { AuthorizationPolicy, SCOPES, isSatisfied } from '../../src/auth/index.js';
import { buildSchema } from '../../src/schema.js';
import { startStack, type GraphQLResponse, type TestStack } from '../helpers/stack.js';

/**
 * The scope rules of the catalogue, tried as a caller with too few scopes would: what it may not see
 * answers null with one FORBIDDEN error at each path (aliases, fragments, interfaces, node/nodes
 * included), the rest of the operation still answers, and nothing it may not see reaches an upstream.
 */

const schema = buildSchema();
const NORTHWIND = Buffer.from('Customer:DIRECTORY:northwind').toString('base64url');
const IQM_INVOICE = Buffer.from('IqmInvoice:IQM:200101:5000').toString('base64url');

type Errors = GraphQLResponse<unknown>['errors'];
const forbiddenPaths = (errors: Errors) => (errors ?? []).filter((error) => error.extensions?.['code'] === 'FORBIDDEN').map((error) => (error.path ?? []).join('.'));
const codes = (errors: Errors) => (errors ?? []).map((error) => `${(error.path ?? []).join('.')} ${String(error.extensions?.['code'])}`);

describe('Authorization: the schema declares who may do what', () => {
  const policy = AuthorizationPolicy.of(schema);
  const ownField = (typeName: string, field: string) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(typeName);
    return (type.getFields()[field]!.astNode?.directives ?? []).filter((directive) => ['requiresScopes', 'authenticated'].includes(directive.name.value));
  };

  it('every field of Query and Mutation names its own scopes (default deny: a new root field without one fails here)', () => {
    const missing = [schema.getQueryType()!, schema.getMutationType()!].flatMap((root) =>
      Object.keys(root.getFields())
        // Federation's own _service and _entities (buildSubgraphSchema): entities are checked by their types' requirements.
        .filter((field) => !field.startsWith('_'))
        .filter((field) => !ownField(root.name, field).some((directive) => directive.name.value === 'requiresScopes'))
        .map((field) => `${root.name}.${field}`),
    );
    expect(missing).toEqual([]);
  });

  it('every type node/nodes can return carries a type-level requirement; interfaces carry none (composition forbids it) and require all of their implementations’', () => {
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('Node');
    const implementations = schema.getPossibleTypes(node);
    expect(implementations.length).toBeGreaterThanOrEqual(11);
    expect(implementations.filter((type) => policy.ownTypeRequirement(type).scopes.length === 0).map((type) => type.name)).toEqual([]);
    for (const name of ['Node', 'Invoice', 'Payment']) {
      const type = schema.getType(name)!;
      // Federation's @key is there (entity interfaces); no authorization directive is.
      expect((type.astNode?.directives ?? []).map((directive) => directive.name.value).filter((name) => name !== 'key')).toEqual([]);
      expect(policy.typeRequirement(type).scopes.length).toBeGreaterThan(0);
    }
    // A reader of finance data without the ledger may not read fields straight off Node: LedgerItem is one.
    expect(isSatisfied(policy.typeRequirement(node), { authenticated: true, scopes: new Set(['finance:read']) })).toBe(false);
    expect(isSatisfied(policy.typeRequirement(node), { authenticated: true, scopes: new Set(['finance:read', 'ledger:read']) })).toBe(true);
  });

  it('reads the directives by name from the AST, whatever built the schema and whether Federation prefixed them', () => {
    // The printed SDL built by graphql-js alone, with the names Federation gives directives it was not
    // asked to import (federation__requiresScopes): what buildSubgraphSchema would hand over.
    const sdl = readFileSync(new URL('../../src/__generated__/schema.graphql', import.meta.url), 'utf8')
      .replaceAll('@requiresScopes', '@federation__requiresScopes')
      .replaceAll('@authenticated', '@federation__authenticated');
    const other = buildSchemaFromSdl(sdl);
    const otherPolicy = AuthorizationPolicy.of(other);
    for (const rootName of ['Query', 'Mutation']) {
      const ours = schema.getType(rootName);
      const theirs = other.getType(rootName);
      if (!isObjectType(ours) || !isObjectType(theirs)) throw new Error(rootName);
      // _service and _entities are the subgraph's, not in the client schema.
      for (const field of Object.values(ours.getFields()).filter((candidate) => !candidate.name.startsWith('_'))) {
        expect(otherPolicy.fieldRequirement(theirs, theirs.getFields()[field.name]!), `${rootName}.${field.name}`).toEqual(policy.fieldRequirement(ours, field));
      }
    }
    for (const name of ['LedgerItem', 'Customer', 'Node']) expect(otherPolicy.typeRequirement(other.getType(name)!)).toEqual(policy.typeRequirement(schema.getType(name)!));
  });

  it('names only scopes of the catalogue', () => {
    const used = new Set<string>();
    for (const type of Object.values(schema.getTypeMap())) {
      for (const entry of policy.ownTypeRequirement(type).scopes) for (const set of entry) for (const scope of set) used.add(scope);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        for (const entry of policy.fieldRequirement(type, field).scopes) for (const set of entry) for (const scope of set) used.add(scope);
      }
    }
    expect([...used].filter((scope) => !(scope in SCOPES))).toEqual([]);
  });
});

describe('Authorization: enforced before execution', () => {
  let stack: TestStack;
  const simulators = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const callCount = () => simulators().reduce((sum, simulator) => sum + simulator.calls.length, 0);
  const as = (scopes: readonly string[]) => stack.as({ scopes, subject: `scopes-${scopes.join('+') || 'none'}` });

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    for (const simulator of simulators()) simulator.resetCalls();
  });

  it('every mutation without its scope: FORBIDDEN at its path, nothing executed; with only its scope it runs', async () => {
    const mutation = schema.getMutationType()!;
    const policy = AuthorizationPolicy.of(schema);
    for (const field of Object.values(mutation.getFields())) {
      const [scope] = policy.fieldRequirement(mutation, field).scopes.flat(2);
      expect(scope, field.name).toBeDefined();
      const others = Object.keys(SCOPES).filter((each) => each !== scope);
      const input = minimalInput(schema, field.args[0]!.type);
      const document = `mutation($input: ${String(field.args[0]!.type)}) { attempt: ${field.name}(input: $input) { __typename userErrors { code } } }`;
      for (const simulator of simulators()) simulator.resetCalls();

      const refused = await stack.gql(document, { input }, await as(others));
      expect(refused.data, field.name).toBeNull();
      expect(codes(refused.errors), field.name).toEqual(['attempt FORBIDDEN']);
      expect(refused.errors![0]!.message).toBe('Unauthorized field or type');
      expect(callCount(), `${field.name} called an upstream`).toBe(0);

      const allowed = await stack.gql(document, { input }, await as([scope!]));
      expect(forbiddenPaths(allowed.errors), field.name).toEqual([]);
      expect(allowed.data, field.name).not.toBeNull();
    }
  });

  it('every query field without its read scope: FORBIDDEN with no upstream call; with finance:read (audit:read for the audit trail) it answers', async () => {
    const query = schema.getQueryType()!;
    // _service and _entities: test/subgraph.test.ts (entities are checked by their types' requirements).
    for (const field of Object.values(query.getFields()).filter((candidate) => !candidate.name.startsWith('_'))) {
      const args = field.args.filter((arg) => isNonNullType(arg.type));
      const variables = Object.fromEntries(args.map((arg) => [arg.name, arg.name === 'id' || arg.name === 'ids' ? (isListType(getNullableType(arg.type)) ? [NORTHWIND] : NORTHWIND) : minimalInput(schema, arg.type)]));
      const signature = args.length ? `(${args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ')})` : '';
      const call = args.length ? `(${args.map((arg) => `${arg.name}: $${arg.name}`).join(', ')})` : '';
      const document = `query${signature} { answer: ${field.name}${call} { __typename } }`;
      for (const simulator of simulators()) simulator.resetCalls();

      // The audit trail is read with audit:read, everything else with finance:read.
      const readScope = field.name === 'auditTrail' ? 'audit:read' : 'finance:read';
      const refused = await stack.gql(document, variables, await as(['payments:write', 'invoices:write', 'settings:write', readScope === 'audit:read' ? 'finance:read' : 'audit:read']));
      expect(forbiddenPaths(refused.errors), field.name).toEqual(['answer']);
      expect(callCount(), field.name).toBe(0);

      const allowed = await stack.gql(document, variables, await as([readScope]));
      expect(forbiddenPaths(allowed.errors), field.name).toEqual([]);
    }
  });

  it('finance:read without ledger:read: the ledger (by alias, in a named fragment spread twice) is null with FORBIDDEN at each path, the rest answers, Intact is never asked', async () => {
    const response = await stack.gql<{ own: { displayName: string; availableBalance: { amount: string } }; books: null; again: null; organization: { workspaceId: number } }>(
      `query($id: ID!) {
        own: customer(id: $id) { displayName availableBalance { amount } }
        books: customer(id: $id) { ...Ledger }
        again: customer(id: $id) { displayName ...Ledger }
        organization { workspaceId }
      }
      fragment Ledger on Customer { statement: ledger(first: 2) { totalCount nodes { number } } }`,
      { id: NORTHWIND },
      await as(['finance:read']),
    );
    expect(response.data?.own.displayName).toBe('Northwind Traders');
    expect(response.data?.own.availableBalance.amount).toMatch(/^\d/);
    expect(response.data?.organization.workspaceId).toBe(200001);
    // Customer.ledger is non-null: its null reaches the nearest nullable field, the aliased customer.
    expect(response.data?.books).toBeNull();
    expect(response.data?.again).toBeNull();
    expect(codes(response.errors)).toEqual(['books.statement FORBIDDEN', 'again.statement FORBIDDEN']);
    expect(stack.embedded.intact!.calls).toEqual([]);
    expect(stack.embedded.iqm!.calls.length).toBeGreaterThan(0);
  });

  it('the same operation with ledger:read answers the ledger (control)', async () => {
    const response = await stack.gql<{ books: { statement: { totalCount: number } } }>(
      `query($id: ID!) { books: customer(id: $id) { ...Ledger } } fragment Ledger on Customer { statement: ledger(first: 2) { totalCount } }`,
      { id: NORTHWIND },
      await as(['finance:read', 'ledger:read']),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.books.statement.totalCount).toBeGreaterThan(0);
    expect(stack.embedded.intact!.calls.length).toBe(1);
  });

  it('ledger:read alone: node reads a ledger item, but an IQM invoice id is FORBIDDEN before IQM is asked, and Customer is out of reach', async () => {
    const ledger = await stack.gql<{ customer: { ledger: { nodes: { id: string }[] } } }>(
      `query($id: ID!) { customer(id: $id) { ledger(first: 1) { nodes { id } } } }`,
      { id: NORTHWIND },
      await as(['finance:read', 'ledger:read']),
    );
    const ledgerItemId = ledger.data!.customer.ledger.nodes[0]!.id;
    for (const simulator of simulators()) simulator.resetCalls();

    const response = await stack.gql<{ item: { __typename: string; number: string } | null; invoice: null; customer: null }>(
      `query($item: ID!, $invoice: ID!, $customer: ID!) {
        item: node(id: $item) { __typename ... on LedgerItem { number } ... on IqmInvoice { name } }
        invoice: node(id: $invoice) { __typename ... on IqmInvoice { name } }
        customer(id: $customer) { displayName }
      }`,
      { item: ledgerItemId, invoice: IQM_INVOICE, customer: NORTHWIND },
      await as(['ledger:read']),
    );
    expect(response.data?.item).toMatchObject({ __typename: 'LedgerItem', number: expect.any(String) });
    expect(response.data?.invoice).toBeNull();
    expect(response.data?.customer).toBeNull();
    // The fragment on IqmInvoice (a type this caller may not see) is left out with one error at its field.
    expect(codes(response.errors).sort()).toEqual(['customer FORBIDDEN', 'invoice FORBIDDEN', 'item FORBIDDEN', 'invoice FORBIDDEN'].sort());
    expect(stack.embedded.iqm!.calls).toEqual([]);
    expect(stack.embedded.intact!.calls.length).toBe(1);
  });

  it('nodes: fields straight off Node need every implementation’s scopes; through fragments each type is checked, and a refused id is FORBIDDEN at its index with no call', async () => {
    const ledger = await stack.gql<{ customer: { ledger: { nodes: { id: string }[] } } }>(
      `query($id: ID!) { customer(id: $id) { ledger(first: 1) { nodes { id } } } }`,
      { id: NORTHWIND },
      await as(['finance:read', 'ledger:read']),
    );
    const ledgerItemId = ledger.data!.customer.ledger.nodes[0]!.id;
    for (const simulator of simulators()) simulator.resetCalls();
    const finance = await as(['finance:read']);

    const direct = await stack.gql<{ one: null }>(`query($id: ID!) { one: node(id: $id) { id } }`, { id: IQM_INVOICE }, finance);
    expect(direct.data?.one).toBeNull();
    expect(codes(direct.errors)).toEqual(['one FORBIDDEN']);
    expect(callCount()).toBe(0);

    const typed = await stack.gql<{ list: ({ __typename: string; name?: string } | null)[] }>(
      `query($ids: [ID!]!) { list: nodes(ids: $ids) { __typename ... on IqmInvoice { name } ... on LedgerItem { number } } }`,
      { ids: [IQM_INVOICE, ledgerItemId] },
      finance,
    );
    expect(typed.data?.list[0]).toMatchObject({ __typename: 'IqmInvoice' });
    expect(typed.data?.list[1]).toBeNull();
    // The fragment on LedgerItem is left out of every item (@); the ledger item's id is refused at its index.
    expect(codes(typed.errors).sort()).toEqual(['list.@ FORBIDDEN', 'list.1 FORBIDDEN'].sort());
    expect(stack.embedded.intact!.calls).toEqual([]);
    expect(stack.embedded.iqm!.calls.length).toBeGreaterThan(0);
  });

  it('a type-level requirement applies to every field returning the type: a payer without finance:read pays, but reads no invoice back', async () => {
    const response = await stack.gql<{ payInvoice: { invoice: null; userErrors: { code: string }[] } }>(
      `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { invoice { number status } userErrors { code } } }`,
      { input: { idempotencyKey: 'authz-pay-0001', invoiceId: IQM_INVOICE, amount: '1.00' } },
      await as(['payments:write']),
    );
    expect(response.data?.payInvoice.invoice).toBeNull();
    expect(codes(response.errors)).toEqual(['payInvoice.invoice FORBIDDEN']);
    // The authorized rest ran: the payment reached IQM.
    expect(stack.embedded.iqm!.calls.some((call) => call.method !== 'GET')).toBe(true);
  });

  it('a list of objects: the field answers null in each item, one error with @ where the list is', async () => {
    const response = await stack.gql<{ customers: { nodes: { displayName: string; ledger: null }[] } | null }>(
      `{ customers(first: 2) { nodes { displayName ... on Customer { ledger(first: 1) { totalCount } } } } }`,
      {},
      await as(['finance:read']),
    );
    // Customer.ledger and the list items are non-null: the nulls reach customers.nodes, then customers (non-null), then data.
    expect(response.data).toBeNull();
    expect(codes(response.errors)).toEqual(['customers.nodes.@.ledger FORBIDDEN']);
    expect(stack.embedded.intact!.calls).toEqual([]);
  });

  it('a field skipped by @include(if: false) is not an error; included, it is', async () => {
    const document = `query($id: ID!, $withLedger: Boolean!) { customer(id: $id) { displayName ledger(first: 1) @include(if: $withLedger) { totalCount } } }`;
    const finance = await as(['finance:read']);
    const skipped = await stack.gql<{ customer: { displayName: string } }>(document, { id: NORTHWIND, withLedger: false }, finance);
    expect(skipped.errors).toBeUndefined();
    expect(skipped.data?.customer.displayName).toBe('Northwind Traders');
    const included = await stack.gql(document, { id: NORTHWIND, withLedger: true }, finance);
    expect(codes(included.errors)).toEqual(['customer.ledger FORBIDDEN']);
    expect(stack.embedded.intact!.calls).toEqual([]);
  });

  it('a selection set left empty keeps its parent: the object answers with the nulls alone, no helper field shows', async () => {
    const ledger = await stack.gql<{ customer: { ledger: { nodes: { id: string }[] } } }>(
      `query($id: ID!) { customer(id: $id) { ledger(first: 1) { nodes { id } } } }`,
      { id: NORTHWIND },
      await as(['finance:read', 'ledger:read']),
    );
    const ledgerItemId = ledger.data!.customer.ledger.nodes[0]!.id;
    // LedgerItem.customer returns a Customer, which needs finance:read: the only field of the fragment goes.
    const response = await stack.gql<{ item: Record<string, unknown> }>(
      `query($item: ID!) { item: node(id: $item) { ... on LedgerItem { owner: customer { displayName } } } }`,
      { item: ledgerItemId },
      await as(['ledger:read']),
    );
    expect(response.data?.item).toEqual({ owner: null });
    expect(codes(response.errors)).toEqual(['item.owner FORBIDDEN']);
    expect(JSON.stringify(response)).not.toContain('_authz_');
  });
});

/** A value of the input type with its required fields filled with the simplest valid values. */
function minimalInput(schema: GraphQLSchema, type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (isListType(getNullableType(type))) return [];
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(fields.map((field) => [field.name, minimalInput(schema, field.type)]));
  }
  const scalars: Record<string, unknown> = {
    ID: 'x',
    String: 'x',
    Int: 1,
    Boolean: true,
    Decimal: '1',
    DateTime: '2026-10-01T00:00:00Z',
    Date: '2026-10-01',
    CurrencyCode: 'USD',
    EmailAddress: 'someone@example.com',
    Guid: '00000000-0000-0000-0000-000000000001',
    IdempotencyKey: `authz-${Math.random().toString(36).slice(2, 12)}`,
  };
  if (!(named.name in scalars)) throw new Error(`no sample for ${named.name}`);
  return scalars[named.name];
}

import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OTHER_TEST_TENANT, TEST_TENANT } from './helpers/auth.js';
import { startStack, type TestStack } from './helpers/stack.js';

/**
 * The gateway as an Apollo Federation 2 subgraph (README, "Federation subgraph"): `_service.sdl` is
 * the committed file and composes; `_entities` resolves every entity through the same loaders,
 * ownership checks and requirements as `nodes(ids:)`.
 */

const COMMITTED_SDL = readFileSync(new URL('../src/__generated__/subgraph.graphql', import.meta.url), 'utf8');
const withoutHeader = (sdl: string) => sdl.replace(/^#.*\n/, '').trim();

const ENTITIES = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Invoice { id number total { amount currencyCode } }
      ... on Payment { id amount { amount } }
      ... on Customer { id displayName }
    }
  }
`;
const NODES = /* GraphQL */ `
  query($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Invoice { id number total { amount currencyCode } }
      ... on Payment { id amount { amount } }
      ... on Customer { id displayName }
    }
  }
`;

type Entity = { __typename: string; id: string } | null;
type Errors = readonly { path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
const codesAt = (errors: Errors) => (errors ?? []).map((error) => `${(error.path ?? []).join('.')} ${String(error.extensions?.['code'])}`);

describe('Federation subgraph: _service and _entities', () => {
  let stack: TestStack;
  /** [__typename, id] of objects of the test tenant, of every invoice and payment type. */
  let owned: { typename: string; id: string }[];
  const simulators = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const recordedCalls = () => simulators().flatMap((simulator) => simulator.calls.map((call) => `${call.method} ${call.url}`)).sort();
  const resetCalls = () => {
    for (const simulator of simulators()) simulator.resetCalls();
  };

  beforeAll(async () => {
    // nodes(ids:) is compared with 100 representations: it takes as many here.
    stack = await startStack({ env: { MAX_NODE_IDS: '100', MAX_UPSTREAM_CALLS: '100000' } });
    const response = await stack.gql<{ customers: { nodes: { id: string; invoices: { nodes: { __typename: string; id: string }[] }; payments: { nodes: { __typename: string; id: string }[] } }[] } }>(
      `{ customers(first: 10) { nodes { id invoices(first: 40) { nodes { __typename id } } payments(first: 40) { nodes { __typename id } } } } }`,
    );
    expect(response.errors).toBeUndefined();
    owned = response.data!.customers.nodes.flatMap((customer) => [
      { typename: 'Customer', id: customer.id },
      ...customer.invoices.nodes.map((invoice) => ({ typename: invoice.__typename, id: invoice.id })),
      ...customer.payments.nodes.map((payment) => ({ typename: payment.__typename, id: payment.id })),
    ]);
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(resetCalls);

  it('_service.sdl is the committed src/__generated__/subgraph.graphql: Federation 2 (@link), entities keyed by id, and it composes', async () => {
    const response = await stack.gql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(response.errors).toBeUndefined();
    const sdl = response.data!._service.sdl;
    expect(sdl.trim()).toBe(withoutHeader(COMMITTED_SDL));
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    for (const entity of ['Customer', 'Invoice', 'IqmInvoice', 'IntactInvoice', 'RefrensInvoice', 'IqmetrixInvoice', 'Payment', 'IqmPayment', 'IntactReceipt', 'RefrensPayment', 'IqmetrixPayment', 'Credit', 'LedgerItem']) {
      expect(sdl, entity).toMatch(new RegExp(`(type|interface) ${entity}\\b[^{]*@key\\(fields: "id"\\)`));
    }
    expect(sdl).toMatch(/type Money\s+@shareable/);
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
    // The authorization directives are Federation's, so composition carries them to the supergraph.
    const composed = composeServices([{ name: 'finance', url: 'http://finance.invalid/graphql', typeDefs: parse(sdl) }]);
    expect(composed.errors ?? []).toEqual([]);
    expect(composed.supergraphSdl).toContain('@requiresScopes(scopes: [["ledger:read"]])');
  });

  it('100 representations cost exactly the upstream calls of nodes(ids:) with the same ids, and answer the same objects', async () => {
    const sample = owned.slice(0, 100);
    expect(sample).toHaveLength(100);
    expect(new Set(sample.map((entry) => entry.typename)).size).toBeGreaterThanOrEqual(6);

    const debug = { 'x-gateway-debug': '1' };
    const byNodes = await stack.gql<{ nodes: Entity[] }>(NODES, { ids: sample.map((entry) => entry.id) }, debug);
    const nodesCalls = recordedCalls();
    resetCalls();
    const byEntities = await stack.gql<{ _entities: Entity[] }>(ENTITIES, { representations: sample.map((entry) => ({ __typename: entry.typename, id: entry.id })) }, debug);
    const entitiesCalls = recordedCalls();
    // The cost model (MAX_UPSTREAM_CALLS) prices a router's entity fetch as nodes(ids:) with those ids.
    const estimateOf = (response: { extensions?: Record<string, unknown> }) => response.extensions?.['upstreamCallEstimate'] as { estimated: number; actual: number };
    expect(estimateOf(byEntities).estimated).toBe(estimateOf(byNodes).estimated);
    expect(estimateOf(byEntities).estimated).toBeGreaterThanOrEqual(entitiesCalls.length);

    expect(byNodes.errors).toBeUndefined();
    expect(byEntities.errors).toBeUndefined();
    expect(byEntities.data!._entities).toEqual(byNodes.data!.nodes);
    expect(entitiesCalls).toEqual(nodesCalls);
    // Plan-minimal: the loaders never send one request twice.
    expect(new Set(entitiesCalls).size).toBe(entitiesCalls.length);
    expect(entitiesCalls.length).toBeLessThan(sample.length);
  });

  it('an interface entity (Invoice, Payment) resolves to its implementing type', async () => {
    const invoice = owned.find((entry) => entry.typename === 'IqmInvoice')!;
    const payment = owned.find((entry) => entry.typename === 'RefrensPayment')!;
    const response = await stack.gql<{ _entities: Entity[] }>(ENTITIES, {
      representations: [
        { __typename: 'Invoice', id: invoice.id },
        { __typename: 'Payment', id: payment.id },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities.map((entity) => [entity?.__typename, entity?.id])).toEqual([
      ['IqmInvoice', invoice.id],
      ['RefrensPayment', payment.id],
    ]);
  });

  it('another tenant’s ids, hand-built ids and an id under another type’s name: null with NOT_FOUND at each index, no upstream call', async () => {
    const theirs = await stack.gql<{ customers: { nodes: { id: string; invoices: { nodes: { __typename: string; id: string }[] } }[] } }>(
      '{ customers(first: 1) { nodes { id invoices(first: 1) { nodes { __typename id } } } } }',
      {},
      await stack.as({ tenant: OTHER_TEST_TENANT }),
    );
    const other = theirs.data!.customers.nodes[0]!;
    resetCalls();
    const mine = owned.find((entry) => entry.typename === 'IqmInvoice')!;
    const response = await stack.gql<{ _entities: Entity[] }>(
      ENTITIES,
      {
        representations: [
          { __typename: 'Customer', id: other.id },
          { __typename: other.invoices.nodes[0]!.__typename, id: other.invoices.nodes[0]!.id },
          { __typename: 'IqmInvoice', id: Buffer.from('IqmInvoice:IQM:999999:1').toString('base64url') },
          { __typename: 'IqmPayment', id: mine.id },
          { __typename: 'Payment', id: mine.id },
          { __typename: 'Customer' },
        ],
      },
      await stack.as({ tenant: TEST_TENANT }),
    );
    expect(response.data!._entities).toEqual([null, null, null, null, null, null]);
    expect(codesAt(response.errors).sort()).toEqual([0, 1, 2, 3, 4, 5].map((index) => `_entities.${index} NOT_FOUND`));
    expect(recordedCalls()).toEqual([]);
  });

  it('entity types keep their requirements: a caller without ledger:read gets FORBIDDEN for a LedgerItem, before Intact is asked', async () => {
    const ledger = await stack.gql<{ customers: { nodes: { ledger: { nodes: { id: string }[] } }[] } }>('{ customers(first: 10) { nodes { ledger(first: 1) { nodes { id } } } } }');
    const itemId = ledger.data!.customers.nodes.flatMap((customer) => customer.ledger.nodes)[0]!.id;
    resetCalls();
    const response = await stack.gql<{ _entities: unknown[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on LedgerItem { id number } } }',
      { r: [{ __typename: 'LedgerItem', id: itemId }] },
      await stack.as({ scopes: ['finance:read'] }),
    );
    expect(codesAt(response.errors)).toContain('_entities.0 FORBIDDEN');
    expect(stack.embedded.intact!.calls).toEqual([]);
  });

  it('malformed representations (not an object, no __typename, an unknown type, a type that is no entity): BAD_USER_INPUT naming the index, no upstream call', async () => {
    for (const [representation, index] of [
      ['200101', 0],
      [{ id: owned[0]!.id }, 1],
      [{ __typename: 'Nope', id: owned[0]!.id }, 1],
      [{ __typename: 'Money', amount: '1' }, 1],
    ] as const) {
      const response = await stack.gql(ENTITIES, { representations: index === 0 ? [representation] : [{ __typename: 'Customer', id: owned[0]!.id }, representation] });
      expect(response.data, JSON.stringify(representation)).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'representations', index });
    }
    expect(recordedCalls()).toEqual([]);
  });

  it('more representations than MAX_ENTITY_REPRESENTATIONS: refused before execution', async () => {
    const representations = Array.from({ length: 201 }, () => ({ __typename: 'Customer', id: owned[0]!.id }));
    const response = await stack.gql(ENTITIES, { representations });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'MAX_ENTITY_REPRESENTATIONS' });
    expect(recordedCalls()).toEqual([]);
  });
});

describe('Federation subgraph: _service with introspection off', () => {
  it('is refused like __schema (the committed file is the SDL); _entities still answers', async () => {
    const stack = await startStack({ env: { INTROSPECTION: 'false' } });
    try {
      const refused = await stack.gql('{ _service { sdl } }');
      expect(refused.status).toBe(400);
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      const customers = await stack.gql<{ customers: { nodes: { id: string }[] } }>('{ customers(first: 1) { nodes { id } } }');
      const id = customers.data!.customers.nodes[0]!.id;
      const entities = await stack.gql<{ _entities: Entity[] }>(ENTITIES, { representations: [{ __typename: 'Customer', id }] });
      expect(entities.errors).toBeUndefined();
      expect(entities.data!._entities[0]?.id).toBe(id);
    } finally {
      await stack.close();
    }
  });
});

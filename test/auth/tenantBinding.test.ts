import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getNamedType, getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';
import { buildSchema } from '../../src/schema.js';
import { OTHER_TEST_TENANT, TEST_TENANT } from '../helpers/auth.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * A caller is bound to its tenant. Another tenant's ids of every Node type, and ids built by hand
 * for records outside the tenant's directory entries, are NOT_FOUND exactly like ids that name
 * nothing, and no upstream is asked (no existence oracle). Mutations naming another tenant's
 * objects are refused the same way.
 */

const schema = buildSchema();
const id = (text: string) => Buffer.from(text).toString('base64url');

/** Hand-built ids of records no directory entry of either tenant holds. */
const HAND_BUILT = [
  id('Customer:DIRECTORY:nobody'),
  id('Customer:IQM:999999'),
  id('IqmInvoice:IQM:999999:1'),
  id('IqmPayment:IQM:999999:1'),
  id('Credit:IQM:999999:1'),
  id('IntactInvoice:INTACT:["CUS999999","SI1","1"]'),
  id('LedgerItem:INTACT:["CUS999999","SI1","1"]'),
  id('IntactReceipt:INTACT:["CUS999999","RCT1"]'),
  id('RefrensInvoice:REFRENS:["someone-else","64f1a2b3c4d5e6f708192a01"]'),
  id('RefrensPayment:REFRENS:["someone-else","64f1a2b3c4d5e6f708192a01","6a90cf805eed0f0ce5000004"]'),
  id('IqmetrixInvoice:IQMETRIX:[99999,"8bb4c26d-7338-44e9-ba39-ca857e6491a7"]'),
  id('IqmetrixPayment:IQMETRIX:[99999,"8bb4c26d-7338-44e9-ba39-ca857e6491a7","15215"]'),
];

interface Owned {
  readonly byType: Map<string, string>;
}

describe('Tenant binding: another tenant’s objects do not exist', () => {
  let stack: TestStack;
  let alchemist: Owned;
  let harbor: Owned;
  const simulators = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const callCount = () => simulators().reduce((sum, simulator) => sum + simulator.calls.length, 0);

  /** One id of every Node type the tenant's data holds, read through the graph as that tenant. */
  async function idsOf(tenant: string): Promise<Owned> {
    const response = await stack.gql<{ customers: { nodes: { id: string; invoices: { nodes: { __typename: string; id: string }[] }; payments: { nodes: { __typename: string; id: string }[] }; credits: { nodes: { id: string }[] }; ledger: { nodes: { id: string }[] } }[] }; organization: { offeredCredits: { nodes: { id: string }[] } } }>(
      `{ customers(first: 10) { nodes { id invoices(first: 100) { nodes { __typename id } } payments(first: 100) { nodes { __typename id } } credits(first: 5) { nodes { id } } ledger(first: 1) { nodes { id } } } }
         organization { offeredCredits(first: 5) { nodes { id } } } }`,
      {},
      await stack.as({ tenant }),
    );
    expect(response.errors).toBeUndefined();
    const byType = new Map<string, string>();
    for (const customer of response.data!.customers.nodes) {
      byType.set('Customer', byType.get('Customer') ?? customer.id);
      for (const item of [...customer.invoices.nodes, ...customer.payments.nodes]) if (!byType.has(item.__typename)) byType.set(item.__typename, item.id);
      for (const credit of customer.credits.nodes) byType.set('Credit', byType.get('Credit') ?? credit.id);
      for (const item of customer.ledger.nodes) byType.set('LedgerItem', byType.get('LedgerItem') ?? item.id);
    }
    return { byType };
  }

  beforeAll(async () => {
    // Every Node type's ids in one operation: far above the default upstream-call estimate, on purpose.
    stack = await startStack({ env: { MAX_UPSTREAM_CALLS: '100000', MAX_NODE_IDS: '1000' } });
    alchemist = await idsOf(TEST_TENANT);
    harbor = await idsOf(OTHER_TEST_TENANT);
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    for (const simulator of simulators()) simulator.resetCalls();
  });

  it('the first tenant holds an object of every Node type (so the next tests try them all)', () => {
    expect([...alchemist.byType.keys()].sort()).toEqual(
      ['Credit', 'Customer', 'IntactInvoice', 'IntactReceipt', 'IqmInvoice', 'IqmPayment', 'IqmetrixInvoice', 'IqmetrixPayment', 'LedgerItem', 'RefrensInvoice', 'RefrensPayment'].sort(),
    );
    expect(harbor.byType.has('Customer')).toBe(true);
  });

  it('node() of the tenant’s own ids, of every type, finds each object (the control: refusals below are not a broken refetch)', async () => {
    for (const [typeName, ownId] of alchemist.byType) {
      const response = await stack.gql<{ node: { __typename: string; id: string } | null }>('query($id: ID!) { node(id: $id) { __typename id } }', { id: ownId }, await stack.as({ tenant: TEST_TENANT }));
      expect(response.errors, typeName).toBeUndefined();
      expect(response.data?.node, typeName).toEqual({ __typename: typeName, id: ownId });
    }
  });

  it('node() and nodes() of the other tenant’s ids, of every type: null, NOT_FOUND, no upstream call — both ways', async () => {
    for (const [owner, caller] of [
      [alchemist, OTHER_TEST_TENANT],
      [harbor, TEST_TENANT],
    ] as const) {
      const ids = [...owner.byType.values()];
      const aliases = ids.map((_, index) => `n${index}: node(id: $id${index}) { __typename id }`).join(' ');
      const signature = ids.map((_, index) => `$id${index}: ID!`).join(', ');
      const response = await stack.gql<Record<string, unknown>>(
        `query(${signature}, $ids: [ID!]!) { ${aliases} list: nodes(ids: $ids) { __typename id } }`,
        { ...Object.fromEntries(ids.map((value, index) => [`id${index}`, value])), ids },
        await stack.as({ tenant: caller }),
      );
      for (let index = 0; index < ids.length; index += 1) expect(response.data?.[`n${index}`], [...owner.byType.keys()][index]).toBeNull();
      expect(response.data?.['list']).toEqual(ids.map(() => null));
      const errors = (response.errors ?? []).map((error) => `${error.path?.join('.')} ${String(error.extensions?.['code'])}`).sort();
      expect(errors).toEqual([...ids.map((_, index) => `n${index} NOT_FOUND`), ...ids.map((_, index) => `list.${index} NOT_FOUND`)].sort());
      expect(callCount(), `${caller} reading the other tenant's ids`).toBe(0);
    }
  });

  it('hand-built ids of records outside the directory: NOT_FOUND, no upstream call', async () => {
    const response = await stack.gql<{ list: unknown[] }>(`query($ids: [ID!]!) { list: nodes(ids: $ids) { __typename } }`, { ids: HAND_BUILT });
    expect(response.data?.list).toEqual(HAND_BUILT.map(() => null));
    expect(new Set(response.errors?.map((error) => error.extensions?.['code']))).toEqual(new Set(['NOT_FOUND']));
    expect(response.errors).toHaveLength(HAND_BUILT.length);
    expect(callCount()).toBe(0);
  });

  it('the other tenant’s customer by source id, customer(id), invoice(id) and payment(id): NOT_FOUND with no call', async () => {
    const response = await stack.gql<Record<string, null>>(
      `query($customer: ID!, $invoice: ID!, $payment: ID!) {
        bySource: customerBySourceId(system: IQM, sourceId: "300101") { displayName }
        ledger: customerBySourceId(system: INTACT, sourceId: "CUS000004") { displayName }
        customer(id: $customer) { displayName }
        invoice(id: $invoice) { number }
        payment(id: $payment) { amount { amount } }
      }`,
      { customer: harbor.byType.get('Customer'), invoice: alchemist.byType.get('IqmInvoice'), payment: alchemist.byType.get('IqmPayment') },
      await stack.as({ tenant: OTHER_TEST_TENANT }),
    );
    // Blue Harbor asks: its own harbor customer is found, Alchemist's invoice and payment are not.
    expect(response.data?.['customer']).not.toBeNull();
    expect(response.data?.['invoice']).toBeNull();
    expect(response.data?.['payment']).toBeNull();
    const alchemistAsks = await stack.gql<Record<string, null>>(
      `{ bySource: customerBySourceId(system: IQM, sourceId: "300101") { displayName } ledger: customerBySourceId(system: INTACT, sourceId: "CUS000004") { displayName }
         company: iqmetrixInvoices(companyId: 99999, first: 1) { totalCount } }`,
    );
    expect(alchemistAsks.data).toBeNull();
    expect(alchemistAsks.errors?.map((error) => `${error.path?.join('.')} ${String(error.extensions?.['code'])}`).sort()).toEqual(['bySource NOT_FOUND', 'company NOT_FOUND', 'ledger NOT_FOUND']);
    // Alchemist's iQmetrix company, asked for by Blue Harbor.
    const company = await stack.gql(`{ iqmetrixInvoices(companyId: 14146, first: 1) { totalCount } }`, {}, await stack.as({ tenant: OTHER_TEST_TENANT }));
    expect(company.errors?.map((error) => error.extensions?.['code'])).toEqual(['NOT_FOUND']);
    expect(callCount()).toBe(0);
  });

  it('every mutation naming the other tenant’s objects answers NOT_FOUND and sends nothing upstream', async () => {
    const mutation = schema.getMutationType()!;
    const references: Record<string, string> = {
      customerId: alchemist.byType.get('Customer')!,
      invoiceId: alchemist.byType.get('IqmInvoice')!,
      paymentId: alchemist.byType.get('IqmPayment')!,
      creditId: alchemist.byType.get('Credit')!,
    };
    const harborHeaders = await stack.as({ tenant: OTHER_TEST_TENANT, subject: 'omar' });
    const tried: string[] = [];
    for (const field of Object.values(mutation.getFields())) {
      const inputType = getNamedType(field.args[0]!.type);
      if (!isInputObjectType(inputType)) continue;
      const names = Object.keys(inputType.getFields()).filter((name) => name in references);
      const isIqmetrix = field.name === 'createIqmetrixInvoice';
      if (names.length === 0 && !isIqmetrix) continue;
      const input = minimalInput(field.args[0]!.type) as Record<string, unknown>;
      for (const name of names) if (String(getNamedType(inputType.getFields()[name]!.type)) === 'ID') input[name] = references[name];
      if (field.name === 'payRefrensInvoice') input['invoiceId'] = alchemist.byType.get('RefrensInvoice');
      // iQmetrix invoices are company-wide: Alchemist's company is not Blue Harbor's.
      if (isIqmetrix) input['companyId'] = 14146;
      for (const simulator of simulators()) simulator.resetCalls();
      const response = await stack.gql<Record<string, { userErrors: { code: string }[] }>>(
        `mutation($input: ${String(field.args[0]!.type)}) { attempt: ${field.name}(input: $input) { userErrors { code field } } }`,
        { input },
        harborHeaders,
      );
      expect(response.errors, field.name).toBeUndefined();
      expect(response.data?.['attempt']?.userErrors.map((error) => error.code), field.name).toContain('NOT_FOUND');
      expect(callCount(), `${field.name} reached an upstream`).toBe(0);
      tried.push(field.name);
    }
    expect(tried.length).toBeGreaterThanOrEqual(24);
  });
});

function minimalInput(type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (isListType(getNullableType(type))) return [];
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(fields.map((field) => [field.name, minimalInput(field.type)]));
  }
  const samples: Record<string, unknown> = {
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
    IdempotencyKey: `tenant-${Math.random().toString(36).slice(2, 12)}`,
  };
  return samples[named.name];
}

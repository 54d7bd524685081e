import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/** Calls that arrived at any of the four simulators. */
function upstreamCalls(stack: TestStack): number {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [iqm, intact, refrens, iqmetrix].reduce((sum, simulator) => sum + (simulator?.calls.length ?? 0), 0);
}

function resetCalls(stack: TestStack): void {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  for (const simulator of [iqm, intact, refrens, iqmetrix]) simulator?.resetCalls();
}

/** A field that reads IQM when it runs: a refused operation containing it proves nothing ran. */
const IQM_READ = 'customerBySourceId(system: IQM, sourceId: "200101") { availableBalance { amount } }';

/**
 * `customerBySourceId > payments > nodes > customer > …` nested `hops` times, then `leaf`.
 * Depth = 1 + 3 × hops + the depth of `leaf`.
 */
function nestedQuery(hops: number, leaf: string): string {
  let selection = leaf;
  for (let hop = 0; hop < hops; hop += 1) selection = `payments(first: 1) { nodes { customer { ${selection} } } }`;
  return `{ customerBySourceId(system: IQM, sourceId: "200101") { ${selection} } }`;
}

async function postRaw(stack: TestStack, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.auth, ...headers }, body });
  return { status: response.status, text: await response.text() };
}

describe('Security: operation limits (defaults)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => resetCalls(stack));

  it('has the documented defaults', () => {
    expect(stack.services.config.limits).toEqual({
      bodyLimitBytes: 256 * 1024,
      maxDepth: 12,
      maxAliases: 30,
      maxDirectives: 20,
      maxTokens: 2000,
      maxCost: 5000,
      maxPageSize: 100,
      maxUpstreamCalls: 500,
      maxNodeIds: 50,
      maxEntityRepresentations: 200,
    });
  });

  it('runs a query exactly at the depth limit (12)', async () => {
    const response = await stack.gql(nestedQuery(3, 'payments(first: 1) { totalCount }'));
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(upstreamCalls(stack)).toBeGreaterThan(0);
  });

  it('refuses depth 13 with one validation error naming the limit, and calls nothing', async () => {
    const response = await stack.gql(nestedQuery(3, 'payments(first: 1) { nodes { id } }'));
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      message: 'Query depth limit of 12 exceeded, found 13.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_QUERY_DEPTH' },
    });
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('counts depth through fragments as the fields nest, not per fragment', async () => {
    const query = `
      query { customerBySourceId(system: IQM, sourceId: "200101") { ...Hop } }
      fragment Hop on Customer { payments(first: 1) { nodes { ... on IqmPayment { customer { ...Hop2 } } } } }
      fragment Hop2 on Customer { payments(first: 1) { nodes { customer { payments(first: 1) { nodes { customer { payments(first: 1) { nodes { id } } } } } } } } }`;
    const response = await stack.gql(query);
    expect(response.status).toBe(400);
    expect(response.errors![0]).toMatchObject({ message: 'Query depth limit of 12 exceeded, found 13.', extensions: { limit: 'MAX_QUERY_DEPTH' } });
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('refuses 31 aliases (30 allowed) and calls nothing', async () => {
    const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: ${IQM_READ}`).join(' ')} }`;
    const refused = await stack.gql(aliased(31));
    expect(refused.status).toBe(400);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]).toMatchObject({
      message: 'Aliases limit of 30 exceeded, found 31.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_ALIASES' },
    });
    expect(upstreamCalls(stack)).toBe(0);

    const allowed = await stack.gql(aliased(30));
    expect(allowed.status).toBe(200);
    expect(allowed.errors).toBeUndefined();
    expect(Object.keys(allowed.data!)).toHaveLength(30);
  });

  it('refuses 21 directives (20 allowed) and calls nothing', async () => {
    // One per field: graphql-js itself refuses the same directive twice at one location.
    const fields = Array.from({ length: 21 }, () => 'availableBalance @include(if: true) { amount }').join(' ');
    const response = await stack.gql(`{ customerBySourceId(system: IQM, sourceId: "200101") { ${fields} } }`);
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      message: 'Directives limit of 20 exceeded, found 21.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_DIRECTIVES' },
    });
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('stops parsing a document of more than 2000 tokens and calls nothing', async () => {
    // A name is one token: 2001 of them are over the limit whatever surrounds them.
    const fields = Array.from({ length: 2001 }, () => 'displayName').join(' ');
    const response = await stack.gql(`{ ${IQM_READ} customers(first: 1) { nodes { ${fields} } } }`);
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.errors![0]!.message).toMatch(/Document contains more that 2000 tokens\. Parsing aborted\./);
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('refuses a query whose cost is over 5000 — also when the page size is a variable — and calls nothing', async () => {
    const query = `query($n: Int) { ${IQM_READ} customers(first: $n) { nodes { invoices(first: $n) { nodes { number total { amount } } } } } }`;
    const literal = await stack.gql(query.replace('query($n: Int)', 'query').replaceAll('$n', '100'));
    const viaVariables = await stack.gql(query, { n: 100 });
    for (const response of [literal, viaVariables]) {
      expect(response.status).toBe(400);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]).toMatchObject({
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_QUERY_COST', maxCost: 5000 },
      });
      // 1 (IQM_READ) + 2 (its selection) + customers: 1 + 100 × (nodes: 1 + invoices: 1 + 100 × (nodes: 1 + number 1 + total 1 + amount 1)).
      expect(response.errors![0]!.extensions?.['cost']).toBe(3 + 1 + 100 * (2 + 100 * 4));
      expect(response.errors![0]!.message).toBe(`Query cost limit of 5000 exceeded, found ${3 + 1 + 100 * (2 + 100 * 4)}: ask for smaller pages or fewer nested lists.`);
    }
    expect(upstreamCalls(stack)).toBe(0);

    const small = await stack.gql(query, { n: 3 });
    expect(small.status).toBe(200);
    expect(small.errors).toBeUndefined();
  });

  it('counts an absent `first` as the default page size (20)', async () => {
    // 1 + 20 × (1 + 1 + 20 × (1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1)) = 5241: over the limit only through the defaults.
    const fields = 'number status source issuedOn dueOn total { amount currencyCode } paid { amount } outstanding { amount }';
    const response = await stack.gql(`{ customers { nodes { invoices { nodes { ${fields} } } } } }`);
    expect(response.status).toBe(400);
    expect(response.errors![0]).toMatchObject({ extensions: { limit: 'MAX_QUERY_COST', cost: 1 + 20 * (2 + 20 * 13) } });
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('refuses `first` above 100 or below 0 with BAD_USER_INPUT naming the argument and field, and calls nothing', async () => {
    const cases = [
      { query: `{ ${IQM_READ} customers(first: 101) { totalCount } }`, variables: undefined, message: 'Argument "first" of "Query.customers" must be between 0 and 100, got 101.' },
      { query: `query($n: Int) { ${IQM_READ} customers(first: $n) { totalCount } }`, variables: { n: 1000 }, message: 'Argument "first" of "Query.customers" must be between 0 and 100, got 1000.' },
      { query: `{ ${IQM_READ} customers(first: -1) { totalCount } }`, variables: undefined, message: 'Argument "first" of "Query.customers" must be between 0 and 100, got -1.' },
      {
        query: `{ ${IQM_READ} customers(first: 1) { nodes { invoices(first: 500) { totalCount } } } }`,
        variables: undefined,
        message: 'Argument "first" of "Customer.invoices" must be between 0 and 100, got 500.',
      },
    ];
    for (const { query, variables, message } of cases) {
      const response = await stack.gql(query, variables);
      expect(response.status).toBe(400);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', limit: 'MAX_PAGE_SIZE', argument: 'first' } });
    }
    expect(upstreamCalls(stack)).toBe(0);

    const atTheCap = await stack.gql('{ customers(first: 100) { totalCount } }');
    expect(atTheCap.status).toBe(200);
    expect(atTheCap.errors).toBeUndefined();
  });

  it('refuses nodes(ids:) with more ids than MAX_NODE_IDS (50)', async () => {
    const ids = Array.from({ length: 51 }, (_, index) => Buffer.from(`IqmInvoice:IQM:200101:${5000 + index}`).toString('base64url'));
    const response = await stack.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(response.status).toBe(400);
    expect(response.errors![0]).toMatchObject({
      message: 'Argument "ids" of "Query.nodes" takes at most 50 ids, got 51.',
      extensions: { code: 'BAD_USER_INPUT', limit: 'MAX_NODE_IDS', argument: 'ids' },
    });
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('answers the introspection query Apollo Sandbox sends (every option on) within the limits', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const response = await stack.gql<{ __schema: { types: { name: string }[] } }>(query);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data!.__schema.types.map((type) => type.name)).toContain('Customer');
  });

  it('refuses a batched (array) request body, and calls nothing', async () => {
    const response = await postRaw(stack, JSON.stringify([{ query: `{ ${IQM_READ} }` }, { query: `{ ${IQM_READ} }` }]));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/batching/i);
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('refuses a body over 256 KiB with 413 and a clear message, and calls nothing', async () => {
    const padding = 'x'.repeat(256 * 1024);
    const response = await postRaw(stack, JSON.stringify({ query: `{ ${IQM_READ} }`, variables: { padding } }));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ message: 'Request body is too large' });
    expect(upstreamCalls(stack)).toBe(0);
  });
});

describe('Security: operation limits (configured)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      env: { MAX_QUERY_DEPTH: '4', MAX_ALIASES: '2', MAX_PAGE_SIZE: '10', MAX_QUERY_COST: '50', MAX_TOKENS: '60', BODY_LIMIT_BYTES: '2048' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('applies each configured limit instead of the default', async () => {
    const cases: [string, string][] = [
      [nestedQuery(1, 'id'), 'Query depth limit of 4 exceeded, found 5.'],
      ['{ a: customers(first: 1) { totalCount } b: customers(first: 1) { totalCount } c: customers(first: 1) { totalCount } }', 'Aliases limit of 2 exceeded, found 3.'],
      ['{ customers(first: 11) { totalCount } }', 'Argument "first" of "Query.customers" must be between 0 and 10, got 11.'],
      ['{ customers(first: 10) { nodes { invoices(first: 10) { totalCount } } } }', 'Query cost limit of 50 exceeded, found 121: ask for smaller pages or fewer nested lists.'],
    ];
    for (const [query, message] of cases) {
      const response = await stack.gql(query);
      expect(response.status).toBe(400);
      expect(response.errors?.map((error) => error.message)).toEqual([message]);
    }
    const tokens = await stack.gql(`{ customers(first: 1) { nodes { ${Array.from({ length: 60 }, () => 'id').join(' ')} } } }`);
    expect(tokens.errors?.[0]?.message).toMatch(/more that 60 tokens/);
    const body = await postRaw(stack, JSON.stringify({ query: '{ customers(first: 1) { totalCount } }', variables: { padding: 'x'.repeat(2048) } }));
    expect(body.status).toBe(413);
    const { iqm, intact, refrens, iqmetrix } = stack.embedded;
    expect([iqm, intact, refrens, iqmetrix].map((simulator) => simulator?.calls.length)).toEqual([0, 0, 0, 0]);
  });
});

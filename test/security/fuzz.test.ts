import fc from 'fast-check';
import { getIntrospectionQuery, type IntrospectionQuery, type IntrospectionType, type IntrospectionTypeRef } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Random operations, variables and documents thrown at the gateway in production mode: whatever
 * arrives, the answer is JSON with a status below 500, without a stack trace, and the server keeps
 * answering. Queries only: nothing here moves money. The seed is fixed, so a failure replays.
 */

const SEED = 20_261_015;
const RUNS = 200;

interface FuzzRequest {
  readonly contentType: string;
  readonly body: string;
}

type TypeMap = ReadonlyMap<string, IntrospectionType>;

function namedType(ref: IntrospectionTypeRef): string {
  return 'ofType' in ref && ref.ofType ? namedType(ref.ofType) : (ref as { name: string }).name;
}

function isListRef(ref: IntrospectionTypeRef): boolean {
  if (ref.kind === 'LIST') return true;
  return ref.kind === 'NON_NULL' ? isListRef(ref.ofType) : false;
}

/** A literal for an argument of `ref`: usually of the right type, sometimes deliberately not. */
function literalFor(types: TypeMap, ref: IntrospectionTypeRef, depth: number): fc.Arbitrary<string> {
  const wrong = fc.oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => (Number.isInteger(value) ? `${value}.5` : String(value))),
    fc.string({ maxLength: 20 }).map((text) => JSON.stringify(text)),
    fc.constantFrom('null', 'true', '[]', '{}', 'BOGUS_ENUM'),
  );
  const right = rightLiteral(types, ref, depth);
  return fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function rightLiteral(types: TypeMap, ref: IntrospectionTypeRef, depth: number): fc.Arbitrary<string> {
  if (isListRef(ref)) {
    const item = unwrapList(ref);
    return fc.array(literalFor(types, item, depth), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`);
  }
  const name = namedType(ref);
  const type = types.get(name);
  switch (name) {
    case 'Int':
      return fc.integer({ min: -3, max: 150 }).map(String);
    case 'Boolean':
      return fc.boolean().map(String);
    case 'Decimal':
      return fc.oneof(fc.constantFrom('"0"', '"12.50"', '"-1"', '"1e3"'), fc.integer({ min: -10, max: 1000 }).map(String));
    case 'Date':
      return fc.constantFrom('"2026-10-01"', '"2026-02-30"', '"not a date"');
    case 'DateTime':
      return fc.constantFrom('"2026-10-01T00:00:00Z"', '"2026-10-01T24:00:00Z"', '"yesterday"');
    case 'Guid':
      return fc.oneof(fc.uuid().map((value) => JSON.stringify(value)), fc.constant('"503d1d4a-c974-4286-b4a2-002699e60ad6"'));
    case 'SourceSystem':
      return fc.constantFrom('IQM', 'INTACT', 'REFRENS', 'IQMETRIX');
    default:
      break;
  }
  if (type?.kind === 'ENUM') return fc.constantFrom(...type.enumValues.map((value) => value.name));
  if (type?.kind === 'INPUT_OBJECT' && depth > 0) {
    return fc
      .subarray([...type.inputFields], { maxLength: Math.min(3, type.inputFields.length) })
      .chain((fields) => fc.tuple(...fields.map((field) => literalFor(types, field.type, depth - 1).map((value) => `${field.name}: ${value}`))))
      .map((pairs) => `{ ${pairs.join(', ')} }`);
  }
  // ID, String and anything else: known ids and sources, or noise.
  return fc.oneof(
    fc.constantFrom('"200101"', '"CUS000001"', '"northwind-traders"', JSON.stringify(Buffer.from('Customer:DIRECTORY:northwind').toString('base64url')), '"b2Zmc2V0OjA"'),
    fc.string({ maxLength: 30 }).map((text) => JSON.stringify(text)),
  );
}

function unwrapList(ref: IntrospectionTypeRef): IntrospectionTypeRef {
  if (ref.kind === 'NON_NULL') return unwrapList(ref.ofType);
  return ref.kind === 'LIST' ? ref.ofType : ref;
}

/** A selection set on `typeName`, `depth` levels deep at most. */
function selectionFor(types: TypeMap, typeName: string, depth: number): fc.Arbitrary<string> {
  const type = types.get(typeName);
  if (!type || (type.kind !== 'OBJECT' && type.kind !== 'INTERFACE' && type.kind !== 'UNION')) return fc.constant('');
  if (type.kind === 'UNION' || depth <= 0) return fc.constant('{ __typename }');
  const fields = type.fields.filter((field) => !field.name.startsWith('__'));
  return fc
    .subarray(fields, { minLength: Math.min(1, fields.length), maxLength: Math.min(3, fields.length) })
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((field, index) =>
          fc
            .tuple(
              fc.tuple(
                ...field.args.map((arg) => {
                  const given = literalFor(types, arg.type, 2).map((value) => `${arg.name}: ${value}`);
                  // Required arguments are always given (mostly well typed), so most operations get past validation.
                  return arg.type.kind === 'NON_NULL' ? given : fc.option(given, { freq: 2 });
                }),
              ),
              selectionFor(types, namedType(field.type), depth - 1),
              // An alias unique in its selection set: equal aliases on different fields would only test validation.
              fc.option(fc.constant(`a${index}`), { freq: 5 }),
            )
            .map(([args, selection, alias]) => {
              const given = args.filter((arg): arg is string => arg !== null);
              return `${alias ? `${alias}: ` : ''}${field.name}${given.length > 0 ? `(${given.join(', ')})` : ''} ${selection}`;
            }),
        ),
      ),
    )
    .map((parts) => `{ ${parts.join(' ')} }`);
}

const VARIABLE_TEMPLATES = [
  'query($n: Int, $after: String) { customers(first: $n, after: $after) { totalCount nodes { id displayName } } }',
  'query($id: ID!) { node(id: $id) { id __typename } }',
  'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
  'query($filter: IqmetrixInvoiceFilter, $n: Int) { iqmetrixInvoices(filter: $filter, first: $n) { totalCount nodes { number } } }',
  'query($id: ID!, $filter: LedgerFilter) { customer(id: $id) { ledger(first: 5, filter: $filter) { totalCount } } }',
  'query($system: SourceSystem!, $sourceId: String!) { customerBySourceId(system: $system, sourceId: $sourceId) { displayName invoices(first: 3) { nodes { number } } } }',
];

const TOKENS = ['{', '}', '(', ')', ':', '...', 'query', 'fragment', 'on', '@include', '@skip', '$v', 'customers', 'first', '"x"', '1', '-1', '[', ']', '=', 'nodes', 'id', '__schema', '__typename', 'Customer', '#', '"""', '\\u0000', 'subscription'];

function requests(types: TypeMap, queryType: string): fc.Arbitrary<FuzzRequest> {
  const json = (value: unknown): FuzzRequest => ({ contentType: 'application/json', body: JSON.stringify(value) });
  return fc.oneof(
    // Operations built from the schema, with random arguments.
    { weight: 5, arbitrary: selectionFor(types, queryType, 4).map((query) => json({ query })) },
    // Fixed operations with variables of random shapes and types.
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...VARIABLE_TEMPLATES), fc.oneof(fc.dictionary(fc.constantFrom('n', 'after', 'id', 'ids', 'filter', 'system', 'sourceId', 'x'), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue({ maxDepth: 2 })))
        .map(([query, variables]) => json({ query, variables })),
    },
    // Documents of GraphQL-ish tokens, and plain random text.
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((tokens) => json({ query: tokens.join(' ') })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((query) => json({ query })) },
    // Bodies that are not a GraphQL request at all.
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => json(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((body) => ({ contentType: 'application/json', body })) },
  );
}

describe('Security: fuzzing the gateway', () => {
  let stack: TestStack;
  let types: TypeMap;
  let queryType: string;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', INTROSPECTION: 'true' } });
    const schema = await stack.gql<IntrospectionQuery>(getIntrospectionQuery());
    types = new Map(schema.data!.__schema.types.map((type) => [type.name, type]));
    queryType = schema.data!.__schema.queryType.name;
  });
  afterAll(async () => {
    await stack.close();
  });

  it(`answers ${RUNS} random requests with JSON below 500, no stack trace, no unexpected error — and keeps answering`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests(types, queryType), async (request) => {
        const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': request.contentType, ...stack.auth }, body: request.body });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, text).toBeLessThan(500);
        const body: unknown = JSON.parse(text);
        expect(typeof body).toBe('object');
        expect(text).not.toContain('stacktrace');
        expect(text).not.toMatch(/\bat \/|node_modules|\.ts:\d+:\d+/);
        expect(text).not.toContain('INTERNAL_SERVER_ERROR');
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Both outcomes were exercised: operations that ran and requests that were refused.
    console.info(`fuzz statuses: ${JSON.stringify([...statuses])}`);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);

    const after = await stack.gql<{ __typename: string }>('{ __typename }');
    expect(after).toEqual({ status: 200, data: { __typename: 'Query' } });
  });
});

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { startStack, type TestStack } from './helpers/stack.js';

/**
 * `.ci/patches/graphql+16.15.0.patch` (applied by `npm ci`'s postinstall):
 * - a field whose definition has no arguments gets one shared, frozen, prototype-less `args` object
 *   instead of two new dictionaries per execution; fields with arguments are coerced as before;
 * - the result of a selection set is an ordinary object, not a dictionary, and a response name
 *   `__proto__` (a valid alias) is still an own property of it, never its prototype.
 */

const seen: Record<string, unknown>[] = [];
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      a: { type: GraphQLString, resolve: (_source, args: Record<string, unknown>) => (seen.push(args), 'a') },
      b: { type: GraphQLString, resolve: (_source, args: Record<string, unknown>) => (seen.push(args), 'b') },
      page: {
        type: GraphQLString,
        args: { first: { type: GraphQLInt, defaultValue: 10 }, after: { type: GraphQLString } },
        resolve: (_source, args: Record<string, unknown>) => (seen.push(args), JSON.stringify(args)),
      },
    },
  }),
});

describe('graphql-js patch: no dictionaries for fields without arguments', () => {
  it('gives argument-less fields one frozen, empty, prototype-less args object', async () => {
    seen.length = 0;
    const result = await graphql({ schema, source: '{ a b again: a }' });
    expect(result).toEqual({ data: { a: 'a', b: 'b', again: 'a' } });
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(Object.getPrototypeOf(seen[0])).toBeNull();
    expect(Object.keys(seen[0]!)).toEqual([]);
  });

  it('still coerces arguments, defaults and variables of fields that have them, one object per execution', async () => {
    seen.length = 0;
    const result = await graphql({ schema, source: 'query($after: String) { one: page two: page(first: 2, after: $after) }', variableValues: { after: 'x' } });
    expect(result).toEqual({ data: { one: '{"first":10}', two: '{"first":2,"after":"x"}' } });
    expect(seen[0]).not.toBe(seen[1]);
    expect(Object.isFrozen(seen[0])).toBe(false);
  });

  it('is the graphql-js Apollo Server executes with (one copy, patched on disk)', () => {
    const ours = createRequire(import.meta.url).resolve('graphql');
    const apollos = createRequire(createRequire(import.meta.url).resolve('@apollo/server')).resolve('graphql');
    expect(apollos).toBe(ours);
    const commonJs = createRequire(import.meta.url)('graphql/execution/values.js') as { getArgumentValues: (...args: unknown[]) => unknown };
    const definition = { args: [] };
    expect(commonJs.getArgumentValues(definition, { arguments: [] }, {})).toBe(commonJs.getArgumentValues(definition, { arguments: [] }, {}));
  });
});

describe('graphql-js patch: selection sets complete into ordinary objects', () => {
  it('keeps every response name as an own property, "__proto__" and "constructor" included', async () => {
    const result = await graphql({ schema, source: '{ __proto__: a constructor: b hasOwnProperty: a }' });
    const data = result.data!;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'constructor', 'hasOwnProperty']);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toBe('a');
    expect(JSON.stringify(data)).toBe('{"__proto__":"a","constructor":"b","hasOwnProperty":"a"}');
  });

  describe('through the gateway', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack.close();
    });

    it('answers an alias "__proto__" as a field of the response over HTTP', async () => {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.auth },
        body: JSON.stringify({ query: '{ __proto__: __typename organization { __proto__: __typename } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"data":{"__proto__":"Query","organization":{"__proto__":"Organization"}}}');
    });
  });
});

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { graphql, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';

/**
 * `.ci/patches/graphql+16.15.0.patch` (applied by `npm ci`'s postinstall): a field whose definition
 * has no arguments gets one shared, frozen, prototype-less `args` object instead of two new
 * dictionaries per execution; fields with arguments are coerced as before.
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

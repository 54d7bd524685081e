import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { addResolversToSchema } from '@graphql-tools/schema';
import { parse, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';
import { splitReferenceResolvers } from './subgraph/referenceResolvers.js';
import { assertRepresentations } from './subgraph/representations.js';

const SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

/** The SDL files of schema/, in name order (base.graphql declares the root types the others extend). */
export function loadTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)))
    .map((name) => readFileSync(SCHEMA_DIR + name, 'utf8'));
}

/**
 * The one schema, served stand-alone and as an Apollo Federation 2 subgraph (README, "Federation
 * subgraph"): `buildSubgraphSchema` reads the `@link` of schema/base.graphql, adds `_service` and
 * `_entities` and keeps each entity's `__resolveReference`; graphql-tools then attaches every other
 * resolver, with interface field resolvers inherited by the implementing types (which
 * `buildSubgraphSchema` cannot do).
 */
export function buildSchema(): GraphQLSchema {
  const { references, rest } = splitReferenceResolvers(resolvers);
  const subgraph = buildSubgraphSchema({ typeDefs: parse(loadTypeDefs().join('\n')), resolvers: references });
  // Printed once, from the schema buildSubgraphSchema made: its own `_service` prints the schema it is
  // asked from, and the copy graphql-tools makes no longer holds the definitions it knows to leave out.
  const sdl = printSubgraphSchema(subgraph);
  // Federation's _entities resolver, behind a check of its representations (subgraph/representations.ts).
  const resolveEntities = subgraph.getQueryType()?.getFields()['_entities']?.resolve;
  const entities: GraphQLFieldResolver<unknown, unknown, { representations?: unknown }> | undefined = resolveEntities
    ? (source, args, context, info) => {
        assertRepresentations(args.representations, info.schema);
        return resolveEntities(source, args, context, info);
      }
    : undefined;
  const withService = { ...rest, Query: { ...rest.Query, _service: () => ({ sdl }), ...(entities ? { _entities: entities } : {}) } };
  return addResolversToSchema({ schema: subgraph, resolvers: withService, inheritResolversFromInterfaces: true });
}

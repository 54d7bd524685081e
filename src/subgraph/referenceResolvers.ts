import type { GraphQLFieldResolver } from 'graphql';
import type { Resolvers } from '../__generated__/resolvers-types.js';

/**
 * What `buildSubgraphSchema` takes: its resolver map types `__resolveReference` as a field resolver,
 * although it is called as `(reference, context, info)` (the codegen'd types say so).
 */
type ReferenceResolvers = Record<string, { __resolveReference: GraphQLFieldResolver<unknown, unknown> }>;

/**
 * `buildSubgraphSchema` keeps `__resolveReference` (in the type's `extensions.apollo.subgraph`), but
 * not interface field inheritance; graphql-tools does the latter and would drop the former. The
 * resolver map is split so that each builder gets what it handles.
 */
export function splitReferenceResolvers(resolvers: Resolvers): { references: ReferenceResolvers; rest: Resolvers } {
  const references: ReferenceResolvers = {};
  const rest: Record<string, unknown> = {};
  for (const [typeName, typeResolvers] of Object.entries(resolvers)) {
    if (typeof typeResolvers === 'object' && typeResolvers !== null && '__resolveReference' in typeResolvers) {
      const { __resolveReference, ...fields } = typeResolvers as Record<string, unknown>;
      references[typeName] = { __resolveReference: __resolveReference as GraphQLFieldResolver<unknown, unknown> };
      rest[typeName] = fields;
    } else {
      rest[typeName] = typeResolvers;
    }
  }
  return { references, rest: rest as Resolvers };
}

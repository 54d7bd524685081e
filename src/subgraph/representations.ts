import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { BadUserInputError } from '../errors.js';

/**
 * Checks `_entities(representations:)` before Federation's resolver reads it: each representation
 * must be an object whose `__typename` names an entity of this subgraph (an object or interface type
 * with a reference resolver). A router only ever sends such; anything else is a malformed request,
 * answered BAD_USER_INPUT naming the index — where `@apollo/subgraph`'s resolver would throw a plain
 * error (or resolve a non-entity type from the raw object) that reaches the client as INTERNAL_SERVER_ERROR.
 */
export function assertRepresentations(representations: unknown, schema: GraphQLSchema): void {
  if (!Array.isArray(representations)) throw new BadUserInputError('representations must be a list of objects', { argument: 'representations' });
  representations.forEach((representation: unknown, index) => {
    const typename = typeof representation === 'object' && representation !== null ? (representation as { __typename?: unknown }).__typename : undefined;
    const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
    if (!type || !(isObjectType(type) || isInterfaceType(type)) || !hasReferenceResolver(type.extensions)) {
      throw new BadUserInputError(`representations[${index}] must be an object whose __typename names an entity of this subgraph`, { argument: 'representations', index });
    }
  });
}

/** Where `buildSubgraphSchema` keeps a type's `__resolveReference`. */
function hasReferenceResolver(extensions: unknown): boolean {
  const apollo = (extensions as { apollo?: { subgraph?: { resolveReference?: unknown } } } | undefined)?.apollo;
  return typeof apollo?.subgraph?.resolveReference === 'function';
}

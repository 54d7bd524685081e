import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.js';
import { fromGlobalId } from '../domain/globalId.js';
import { NotFoundError } from '../errors.js';
import { nodeById, type NodeModel } from './Node.js';

/**
 * Entities of the subgraph (README, "Federation subgraph"): every Node type, and the Invoice and
 * Payment interfaces, carry `@key(fields: "id")` with the global id as the key. A router's
 * `_entities` representation is resolved exactly as `node(id:)` resolves the id — the same
 * per-request loaders (so 100 representations cost the calls of `nodes(ids:)` with those ids), the
 * same ownership check before any upstream call, the same type requirement (FORBIDDEN at the
 * entity's index). Like `nodes(ids:)`, an entity that cannot be found — an id that names nothing, a
 * hand-built one, another tenant's, or an id of another type than the representation's `__typename`
 * (or, for an interface, one of its implementations) — is null with one NOT_FOUND at its index, the
 * same answer for each, so none tells which it was.
 */
export function entityReference<Model extends NodeModel>(typeName: string) {
  return async (reference: { readonly id?: unknown }, context: GatewayContext, info: GraphQLResolveInfo): Promise<Model> => {
    const id = reference.id;
    const parts = typeof id === 'string' ? fromGlobalId(id) : null;
    const found = parts && isEntityOf(info, typeName, parts.typeName) ? await nodeById(context, info.schema, id as string) : null;
    if (found === null) throw new NotFoundError('no object with this id');
    // The id's type is the entity's or one of its implementations: its model is the entity's.
    return found as Model;
  };
}

function isEntityOf(info: GraphQLResolveInfo, entityTypeName: string, idTypeName: string): boolean {
  if (entityTypeName === idTypeName) return true;
  const entityType = info.schema.getType(entityTypeName);
  const idType = info.schema.getType(idTypeName);
  if (!entityType || !idType || !('getInterfaces' in idType) || entityType === idType) return false;
  return idType.getInterfaces().some((implemented) => implemented.name === entityTypeName);
}

import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * With introspection off (production's default), `_service { sdl }` would hand out the whole schema
 * that `__schema` refuses: it is refused the same way. A router does not need it at run time
 * (composition reads the committed src/__generated__/subgraph.graphql, or asks a gateway that allows
 * introspection); `_entities` stays open, governed by each entity type's requirements.
 */
export const NoServiceSdlWithoutIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== '_service') return;
    if (context.getParentType() !== context.getSchema().getQueryType()) return;
    context.reportError(
      new GraphQLError('GraphQL introspection is not allowed, and _service.sdl is introspection: the subgraph SDL is src/__generated__/subgraph.graphql.', {
        nodes: node,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    );
  },
});

import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { astFromDirective, printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, parse, print, printType, visit, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Federation's directives that only a router reads: not part of the schema clients see. */
const ROUTER_ONLY_DIRECTIVES = new Set(['link', 'key', 'shareable']);
/** Federation's authorization directives, kept in the client schema: clients see what each field needs. */
const CLIENT_VISIBLE_DIRECTIVES = ['authenticated', 'requiresScopes'] as const;

/** The subgraph schema of the SDL files, without resolvers: what the printed files are made of. */
export function subgraphSchemaOf(typeDefs: readonly string[]): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(typeDefs.join('\n')) });
}

/**
 * The schema clients see (src/__generated__/schema.graphql: typed clients, the breaking-change
 * check): the SDL files without Federation's `@link`, `@key` and `@shareable`, with the definitions
 * of `@authenticated`, `@requiresScopes` and `federation__Scope` taken from Federation's own, and
 * without `_service` / `_entities`, which only a router calls.
 */
export function printClientSchema(typeDefs: readonly string[]): string {
  const subgraph = subgraphSchemaOf(typeDefs);
  const withoutRouterDirectives: DocumentNode = visit(parse(typeDefs.join('\n')), {
    Directive: (node) => (ROUTER_ONLY_DIRECTIVES.has(node.name.value) ? null : undefined),
    // `extend schema @link(…)` is left with no directive: nothing to extend.
    SchemaExtension: { leave: (node) => (node.directives?.length || node.operationTypes?.length ? undefined : null) },
  });
  const declarations = CLIENT_VISIBLE_DIRECTIVES.map((name) => {
    const directive = subgraph.getDirective(name);
    if (!directive) throw new Error(`the subgraph schema has no @${name}: is it imported in the @link of schema/base.graphql?`);
    return print(astFromDirective(directive));
  });
  const scope = subgraph.getType('federation__Scope');
  if (!scope) throw new Error('the subgraph schema has no federation__Scope');
  const clientSchema = makeExecutableSchema({ typeDefs: [...declarations, printType(scope), withoutRouterDirectives] });
  // Sorted, as graphql-codegen's schema-ast printed it before: diffs between versions stay small.
  return printSchemaWithDirectives(lexicographicSortSchema(clientSchema));
}

/** What `{ _service { sdl } }` answers (src/__generated__/subgraph.graphql): what composition reads. */
export function printServiceSdl(typeDefs: readonly string[]): string {
  return printSubgraphSchema(subgraphSchemaOf(typeDefs));
}


import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
// The CommonJS build, which Apollo Server and graphql-tools load: under vitest a bare 'graphql'
// import from src resolves to the ESM build, a second copy whose instanceof checks fail.
import { getArgumentValues, getNamedType, getVariableValues, GraphQLError, isInterfaceType, isObjectType, Kind } from 'graphql/index.js';
import type { DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLField, GraphQLNamedType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import type { GatewayConfig } from '../config.js';
import { DEFAULT_PAGE_SIZE } from '../domain/pagination.js';
import { OperationMemo, variablesKey } from './operationMemo.js';

/**
 * The limits on what one operation may ask for. Every limit is checked before anything executes:
 * depth, aliases and directives while the document is validated (graphql-armor's rules), tokens
 * while it is parsed (graphql-js `maxTokens`), page sizes and cost once the operation and its
 * variables are known (they depend on variable values, which validation never sees).
 */
export type OperationLimits = GatewayConfig['limits'];

/** The names a client sees in `extensions.limit`, after the environment variable that sets each. */
export type LimitName = 'MAX_QUERY_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_QUERY_COST' | 'MAX_PAGE_SIZE' | 'MAX_NODE_IDS' | 'MAX_ENTITY_REPRESENTATIONS' | 'MAX_UPSTREAM_CALLS';

/**
 * graphql-armor's depth, alias and directive rules with the gateway's limits. A document over a
 * limit gets one validation error (GRAPHQL_VALIDATION_FAILED, HTTP 400) naming the limit, e.g.
 * `Query depth limit of 12 exceeded, found 13.`, with `extensions.limit` set to the variable name.
 *
 * Armor's cost rule is off: it reads `first` only when written inline, so `first: $n` would cost
 * as 1 (operationLimitsPlugin measures cost with the variables instead). Its token plugin is off:
 * graphql-js counts tokens while parsing (`parseOptions.maxTokens`). Its suggestion masking is off:
 * Apollo's `hideSchemaDetailsFromClientErrors` and maskErrors do that in production only.
 */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  const { validationRules } = new ApolloArmor({
    // Inline fragments and spreads add no depth: depth is how deep the fields nest.
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...rejectAs('MAX_QUERY_DEPTH') },
    // Armor lets `__typename` aliases through by default; each one is still a field to resolve and
    // 500 of them were accepted, so every alias counts.
    maxAliases: { n: limits.maxAliases, allowList: [], ...rejectAs('MAX_ALIASES') },
    maxDirectives: { n: limits.maxDirectives, ...rejectAs('MAX_DIRECTIVES') },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return validationRules;
}

/**
 * Reports armor's rejection as a validation error of our own instead of letting armor throw or
 * report BAD_USER_INPUT: a thrown error would abort validation, and armor prefixes its messages
 * with "Syntax Error:", which this is not.
 */
function rejectAs(limit: LimitName) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { limit } }));
      },
    ],
  };
}

/** What the next check after the limits gets: the operation with its coerced variables. */
export interface MeasuredOperation<TContext> {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Record<string, unknown>;
  /** The variables as sent (variablesKey): with the operation, what the coerced ones derive from. */
  readonly variablesKey: string;
  readonly contextValue: TContext;
}

/** A measured operation's coerced variables and cost; null variables when they do not coerce. */
interface Measurement {
  readonly variables: Record<string, unknown> | null;
  readonly cost: number;
}

/**
 * Page sizes and query cost, checked when Apollo has resolved the operation and before it
 * executes. An over-limit request answers HTTP 400 with one error and nothing runs:
 * - `first` above `maxPageSize` or below 0, or `nodes(ids:)` with more ids than `maxNodeIds`:
 *   BAD_USER_INPUT naming the argument and the field;
 * - a cost above `maxCost`: GRAPHQL_VALIDATION_FAILED with the cost found.
 * `next` runs once all of these passed (the upstream-call estimate and budgets), so nothing is
 * charged for an operation the limits refuse.
 *
 * Cost: every field costs 1; the selection of a paged field (`first`, 20 when absent) or of
 * `nodes(ids:)` counts once per item it can return. Introspection and `__typename` cost nothing.
 * Variables are read, so `first: $n` costs what `$n` asks for.
 */
export function operationLimitsPlugin<TContext extends object>(
  limits: OperationLimits,
  next?: (measured: MeasuredOperation<TContext>) => Promise<void>,
): ApolloServerPlugin<TContext> {
  // The same operation with the same variables measures the same: walked once (a page size over the
  // limit throws and is not remembered, so it is refused every time).
  const measurements = new OperationMemo<Measurement>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          const key = variablesKey(request.variables);
          const { variables, cost } = measurements.get(operation, key, () => {
            const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
            // Variables that do not coerce are refused by execution with a precise message; nothing to measure.
            if (coercion.errors) return { variables: null, cost: 0 };
            return { variables: coercion.coerced, cost: new OperationMeter(schema, document, coercion.coerced, limits).measure(operation) };
          });
          if (variables === null) return;
          if (cost > limits.maxCost) {
            throw new GraphQLError(
              `Query cost limit of ${limits.maxCost} exceeded, found ${cost}: ask for smaller pages or fewer nested lists.`,
              { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_QUERY_COST', cost, maxCost: limits.maxCost, http: { status: 400 } } },
            );
          }
          await next?.({ schema, document, operation, variables, variablesKey: key, contextValue });
        },
      };
    },
  };
}

/** An argument value that is over the page-size limit, thrown out of the walk as it is found. */
function pageSizeError(message: string, field: string, argument: string, limit: LimitName = 'MAX_PAGE_SIZE'): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', limit, field, argument, http: { status: 400 } },
  });
}

/** Walks one operation with its variable values: checks page sizes and adds up the cost. */
class OperationMeter {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
    private readonly limits: Pick<OperationLimits, 'maxPageSize' | 'maxNodeIds' | 'maxEntityRepresentations'>,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  measure(operation: OperationDefinitionNode): number {
    const root = this.schema.getRootType(operation.operation);
    return root ? this.selectionCost(operation.selectionSet, root, new Set()) : 0;
  }

  /** `spreading` holds the fragments on the current path: validation refuses cycles, this guards anyway. */
  private selectionCost(selectionSet: SelectionSetNode, parentType: GraphQLNamedType, spreading: ReadonlySet<string>): number {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        // Meta fields: __typename is free, introspection is refused or allowed as a whole elsewhere.
        if (selection.name.value.startsWith('__')) continue;
        const field = fieldOf(parentType, selection.name.value);
        if (!field) continue;
        const items = this.itemsPerSelection(field, parentType, selection);
        const childCost = selection.selectionSet ? this.selectionCost(selection.selectionSet, getNamedType(field.type), spreading) : 0;
        cost += 1 + items * childCost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parentType;
        if (type) cost += this.selectionCost(selection.selectionSet, type, spreading);
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        const type = fragment ? this.schema.getType(fragment.typeCondition.name.value) : undefined;
        if (fragment && type && !spreading.has(name)) cost += this.selectionCost(fragment.selectionSet, type, new Set([...spreading, name]));
      }
    }
    return cost;
  }

  /** How many items the field's selection is resolved for; throws when a page-size argument is out of range. */
  private itemsPerSelection(field: GraphQLField<unknown, unknown>, parentType: GraphQLNamedType, node: FieldNode): number {
    const hasFirst = field.args.some((argument) => argument.name === 'first');
    const hasIds = field.args.some((argument) => argument.name === 'ids');
    // Federation's _entities(representations:): a router's entity fetch, one object per representation.
    const hasRepresentations = field.args.some((argument) => argument.name === 'representations');
    if (!hasFirst && !hasIds && !hasRepresentations) return 1;
    const coordinate = `${parentType.name}.${field.name}`;
    const args = getArgumentValues(field, node, this.variables);
    if (hasFirst) {
      const first = args['first'];
      if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
      if (typeof first === 'number' && (first < 0 || first > this.limits.maxPageSize)) {
        throw pageSizeError(`Argument "first" of "${coordinate}" must be between 0 and ${this.limits.maxPageSize}, got ${first}.`, coordinate, 'first');
      }
      return typeof first === 'number' ? first : DEFAULT_PAGE_SIZE;
    }
    if (hasRepresentations) {
      const representations = args['representations'];
      const count = Array.isArray(representations) ? representations.length : 1;
      if (count > this.limits.maxEntityRepresentations) {
        throw pageSizeError(
          `Argument "representations" of "${coordinate}" takes at most ${this.limits.maxEntityRepresentations} representations, got ${count}.`,
          coordinate,
          'representations',
          'MAX_ENTITY_REPRESENTATIONS',
        );
      }
      return count;
    }
    const ids = args['ids'];
    const count = Array.isArray(ids) ? ids.length : 1;
    if (count > this.limits.maxNodeIds) {
      throw pageSizeError(`Argument "ids" of "${coordinate}" takes at most ${this.limits.maxNodeIds} ids, got ${count}.`, coordinate, 'ids', 'MAX_NODE_IDS');
    }
    return count;
  }
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

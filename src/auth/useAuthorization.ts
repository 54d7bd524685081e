import type { ApolloServerPlugin } from '@apollo/server';
import { isAbstractType, isListType, isNonNullType, isObjectType, type GraphQLFormattedError, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import { UNAUTHORIZED_FIELD_MESSAGE } from '../errors.js';
import type { Caller } from './caller.js';
import { pruneOperation, type PrunedOperation, type RemovedSelection, type ResponseStep } from './pruneOperation.js';
import { AuthorizationPolicy, isSatisfied, type AuthorizationSubject } from './requirements.js';


/** What authorization looks at: the anonymous demo caller is not authenticated; AUTH_DISABLED's open caller is. */
export function authorizationSubjectOf(caller: Caller): AuthorizationSubject {
  return { authenticated: caller.kind !== 'demo', scopes: caller.scopes };
}

/**
 * Whether the caller may see objects of this type (its type-level requirement). `node`/`nodes` learn
 * an object's type only from the id, so they ask this before fetching anything.
 */
export function mayReadType(schema: GraphQLSchema, caller: Caller, typeName: string): boolean {
  const type = schema.getType(typeName);
  return type !== undefined && isSatisfied(AuthorizationPolicy.of(schema).typeRequirement(type), authorizationSubjectOf(caller));
}

/**
 * Enforces `@authenticated` and `@requiresScopes` before execution, as Apollo Router does: once the
 * operation is known, the fields the caller may not see are taken out of the document Apollo
 * executes (the validated original stays in Apollo's document cache), so they run no resolver and
 * cause no upstream call. Before the response is sent each removed field answers null at its path(s)
 * (a null in a non-null position propagates as GraphQL says) with one FORBIDDEN error per removed field.
 */
export function useAuthorization<TContext extends { readonly caller: Caller }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let pruned: PrunedOperation | null = null;
      return {
        async didResolveOperation(requestContext) {
          const { operation, document, schema, contextValue, request } = requestContext;
          if (!operation) return;
          pruned = pruneOperation(schema, document, operation, request.variables, authorizationSubjectOf(contextValue.caller));
          // Apollo types the document as read-only for plugins, but executes whatever requestContext.document
          // holds after this hook (requestPipeline: execute({ ...requestContext })); the cached original is untouched.
          if (pruned.document !== document) Object.assign(requestContext, { document: pruned.document });
        },
        async willSendResponse({ response, schema }) {
          if (!pruned || (pruned.removed.length === 0 && pruned.hiddenKey === null) || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const data = result.data;
          if (data) {
            const placement = new NullPlacement(schema, pruned.hiddenKey);
            let dataIsNull = false;
            for (const removed of pruned.removed) {
              if (removed.kind === 'field' && placement.nullAt(data, removed.steps, 0)) dataIsNull = true;
            }
            if (pruned.hiddenKey !== null) stripKey(data, pruned.hiddenKey);
            if (dataIsNull) result.data = null;
          }
          if (pruned.removed.length > 0) result.errors = [...pruned.removed.map(forbiddenError), ...(result.errors ?? [])];
        },
      };
    },
  };
}

function forbiddenError(removed: RemovedSelection): GraphQLFormattedError {
  return { message: UNAUTHORIZED_FIELD_MESSAGE, ...(removed.path.length > 0 ? { path: removed.path } : {}), extensions: { code: 'FORBIDDEN' } };
}

type JsonObject = Record<string, unknown>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Puts a removed field's null at every response path it stands for. */
class NullPlacement {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly hiddenKey: string | null,
  ) {}

  /**
   * Walks `steps` from `object`; returns true when `object` itself must become null (a null reached
   * a non-null position). A key already present was answered by another selection of the same
   * response key that the caller may make, and is kept.
   */
  nullAt(object: JsonObject, steps: readonly ResponseStep[], index: number): boolean {
    const step = steps[index]!;
    if (!this.applies(object, step)) return false;
    if (index === steps.length - 1) {
      if (step.key in object) return false;
      if (isNonNullType(step.type)) return true;
      object[step.key] = null;
      return false;
    }
    const value = object[step.key];
    if (value === null || value === undefined) return false;
    if (this.mustBeNull(value, step.type, steps, index + 1)) {
      if (isNonNullType(step.type)) return true;
      object[step.key] = null;
    }
    return false;
  }

  private mustBeNull(value: unknown, type: GraphQLOutputType, steps: readonly ResponseStep[], next: number): boolean {
    const nullable = isNonNullType(type) ? type.ofType : type;
    if (isListType(nullable)) {
      if (!Array.isArray(value)) return false;
      const itemType = nullable.ofType as GraphQLOutputType;
      for (let index = 0; index < value.length; index += 1) {
        const item: unknown = value[index];
        if (item === null || item === undefined || !this.mustBeNull(item, itemType, steps, next)) continue;
        if (isNonNullType(itemType)) return true;
        value[index] = null;
      }
      return false;
    }
    return isJsonObject(value) && this.nullAt(value, steps, next);
  }

  /** Whether the object is of a type the field's fragments apply to (told by the hidden __typename). */
  private applies(object: JsonObject, step: ResponseStep): boolean {
    if (step.conditions.length === 0) return true;
    const typeName = this.hiddenKey === null ? undefined : object[this.hiddenKey];
    const objectType = typeof typeName === 'string' ? this.schema.getType(typeName) : undefined;
    if (!isObjectType(objectType)) return false;
    return step.conditions.every((name) => {
      const condition = this.schema.getType(name);
      return condition === objectType || (isAbstractType(condition) && this.schema.isSubType(condition, objectType));
    });
  }
}

function stripKey(value: unknown, key: string): void {
  if (Array.isArray(value)) {
    for (const item of value) stripKey(item, key);
  } else if (isJsonObject(value)) {
    delete value[key];
    for (const child of Object.values(value)) stripKey(child, key);
  }
}

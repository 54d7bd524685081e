import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * What a schema element asks of a caller: a verified caller (`@authenticated`) and, for each
 * `@requiresScopes` that applies, one of its scope sets. Each entry of `scopes` is one directive's
 * argument: the outer list is OR, each inner list AND; every entry must be met.
 */
export interface Requirement {
  readonly authenticated: boolean;
  readonly scopes: readonly (readonly (readonly string[])[])[];
}

/** What authorization knows of a caller: whether a token vouches for it, and its scopes. */
export interface AuthorizationSubject {
  readonly authenticated: boolean;
  readonly scopes: ReadonlySet<string>;
}

export const NO_REQUIREMENT: Requirement = { authenticated: false, scopes: [] };

/**
 * The directives' names: as declared in schema/base.graphql, as `@link(import:)` keeps them, or as
 * Federation prefixes them when they are not imported. Read by name from each element's AST, so the
 * same code works whether the schema was built by makeExecutableSchema or buildSubgraphSchema.
 */
const AUTHENTICATED = new Set(['authenticated', 'federation__authenticated']);
const REQUIRES_SCOPES = new Set(['requiresScopes', 'federation__requiresScopes']);

export function isSatisfied(requirement: Requirement, subject: AuthorizationSubject): boolean {
  if (requirement.authenticated && !subject.authenticated) return false;
  // An empty outer list asks nothing, as Apollo Router reads it.
  return requirement.scopes.every((anyOf) => anyOf.length === 0 || anyOf.some((allOf) => allOf.every((scope) => subject.scopes.has(scope))));
}

export function both(a: Requirement, b: Requirement): Requirement {
  if (a === NO_REQUIREMENT) return b;
  if (b === NO_REQUIREMENT) return a;
  const seen = new Set(a.scopes.map((entry) => JSON.stringify(entry)));
  return {
    authenticated: a.authenticated || b.authenticated,
    scopes: [...a.scopes, ...b.scopes.filter((entry) => !seen.has(JSON.stringify(entry)))],
  };
}

export function isEmptyRequirement(requirement: Requirement): boolean {
  return !requirement.authenticated && requirement.scopes.every((anyOf) => anyOf.length === 0);
}

/** A requirement read from directive applications (an element's own, not inherited). */
function fromDirectives(directives: readonly (readonly ConstDirectiveNode[] | undefined)[]): Requirement {
  let authenticated = false;
  const scopes: string[][][] = [];
  for (const list of directives) {
    for (const directive of list ?? []) {
      const name = directive.name.value;
      if (AUTHENTICATED.has(name)) authenticated = true;
      if (!REQUIRES_SCOPES.has(name)) continue;
      const argument = directive.arguments?.find((candidate) => candidate.name.value === 'scopes');
      const value: unknown = argument ? valueFromASTUntyped(argument.value) : [];
      scopes.push(scopeSets(value));
    }
  }
  return !authenticated && scopes.length === 0 ? NO_REQUIREMENT : { authenticated, scopes };
}

/** `[[federation__Scope!]!]!`; a single string or list is coerced as GraphQL input coercion would. */
function scopeSets(value: unknown): string[][] {
  const outer = Array.isArray(value) ? value : [value];
  return outer.map((inner: unknown) => (Array.isArray(inner) ? inner : [inner]).filter((scope): scope is string => typeof scope === 'string'));
}

/**
 * The schema's authorization rules, read once per schema: the requirement of each type and field,
 * with Federation's inheritance applied (an interface, or a field of an interface, requires what
 * every implementation requires).
 */
export class AuthorizationPolicy {
  private static readonly bySchema = new WeakMap<GraphQLSchema, AuthorizationPolicy>();

  private readonly ownTypes = new Map<string, Requirement>();
  private readonly effectiveTypes = new Map<string, Requirement>();
  private readonly fields = new Map<string, Requirement>();

  private constructor(readonly schema: GraphQLSchema) {}

  static of(schema: GraphQLSchema): AuthorizationPolicy {
    let policy = AuthorizationPolicy.bySchema.get(schema);
    if (!policy) {
      policy = new AuthorizationPolicy(schema);
      AuthorizationPolicy.bySchema.set(schema, policy);
    }
    return policy;
  }

  /** What directive applications on one schema element ask, without anything inherited. */
  static requirementOf(directives: readonly ConstDirectiveNode[] | undefined): Requirement {
    return fromDirectives([directives]);
  }

  /** The type's own directives (type definition and its extensions). */
  ownTypeRequirement(type: GraphQLNamedType): Requirement {
    let requirement = this.ownTypes.get(type.name);
    if (!requirement) {
      requirement = fromDirectives([type.astNode?.directives, ...type.extensionASTNodes.map((node) => node.directives)]);
      this.ownTypes.set(type.name, requirement);
    }
    return requirement;
  }

  /**
   * What it takes to see an object of this type: its own requirement; for an interface or union,
   * also every possible type's (what Federation's composition puts on an interface in the supergraph).
   */
  typeRequirement(type: GraphQLNamedType): Requirement {
    let requirement = this.effectiveTypes.get(type.name);
    if (!requirement) {
      requirement = this.ownTypeRequirement(type);
      if (isAbstractType(type)) {
        for (const possible of this.schema.getPossibleTypes(type)) requirement = both(requirement, this.ownTypeRequirement(possible));
      }
      this.effectiveTypes.set(type.name, requirement);
    }
    return requirement;
  }

  /**
   * What selecting `parent.field` takes: the field's own directives (on an interface, those of the
   * field on every implementation too), the root type's when the parent is a root type, and the
   * returned type's own requirement. An abstract returned type's implementations are checked where
   * the selection shows which of them it reads (see pruneOperation).
   */
  fieldRequirement(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): Requirement {
    const key = `${parent.name}.${field.name}`;
    let requirement = this.fields.get(key);
    if (!requirement) {
      requirement = fromDirectives([field.astNode?.directives]);
      if (isInterfaceType(parent)) {
        for (const implementation of this.schema.getPossibleTypes(parent)) {
          const own = implementation.getFields()[field.name];
          if (own) requirement = both(requirement, fromDirectives([own.astNode?.directives]));
        }
      }
      if (isObjectType(parent) && this.isRootType(parent)) requirement = both(requirement, this.ownTypeRequirement(parent));
      requirement = both(requirement, this.ownTypeRequirement(namedTypeOf(field)));
      this.fields.set(key, requirement);
    }
    return requirement;
  }

  private isRootType(type: GraphQLNamedType): boolean {
    return type === this.schema.getQueryType() || type === this.schema.getMutationType() || type === this.schema.getSubscriptionType();
  }
}

function namedTypeOf(field: GraphQLField<unknown, unknown>): GraphQLNamedType {
  return getNamedType(field.type);
}

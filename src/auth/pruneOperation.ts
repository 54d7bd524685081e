import { randomBytes } from 'node:crypto';
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  isUnionType,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { AuthorizationPolicy, both, isSatisfied, type AuthorizationSubject } from './requirements.js';

/** One step from the response's root towards a removed field. */
export interface ResponseStep {
  /** The response key (alias or field name). */
  readonly key: string;
  /** The field's type, wrappers included: how nulls propagate and where lists are. */
  readonly type: GraphQLOutputType;
  /** Type conditions of the fragments the field sits in: objects of other types never had it. */
  readonly conditions: readonly string[];
}

/** A selection the caller may not make, taken out of the operation before it executes. */
export interface RemovedSelection {
  /**
   * `field`: the field answers null (propagating like any null of a non-null field);
   * `fragment`: a fragment on a type the caller may not see; its fields are simply absent.
   */
  readonly kind: 'field' | 'fragment';
  /** The response path, `@` where a list is flattened (Apollo Router's notation); a fragment has its enclosing field's. */
  readonly path: readonly string[];
  /** How to reach the field in the response; empty for a fragment. */
  readonly steps: readonly ResponseStep[];
}

export interface PrunedOperation {
  /** The operation to execute: the original document when nothing was removed. */
  readonly document: DocumentNode;
  readonly removed: readonly RemovedSelection[];
  /**
   * The response key of the `__typename` selections pruning added (to keep a selection set that
   * lost every field valid, and to tell which objects a fragment applied to); null when none was
   * added. They are taken out of the response before it is sent.
   */
  readonly hiddenKey: string | null;
}

/** Unguessable, so no client alias can collide with it. */
const HIDDEN_KEY = `_authz_typename_${randomBytes(6).toString('hex')}`;
const HIDDEN_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: HIDDEN_KEY },
  name: { kind: Kind.NAME, value: '__typename' },
};

/** Pruned operations are kept per document (Apollo keeps one parsed document per query text). */
const MAX_VARIANTS_PER_DOCUMENT = 64;
interface DocumentEntry {
  readonly schema: GraphQLSchema;
  /** Variables that decide an @skip/@include: they change what is selected, so they are part of the key. */
  readonly conditionVariables: readonly string[];
  readonly variants: Map<string, PrunedOperation>;
}
const documents = new WeakMap<DocumentNode, DocumentEntry>();
const scopeKeys = new WeakMap<ReadonlySet<string>, string>();

/**
 * Removes from an operation every field and fragment the caller may not see, as Apollo Router
 * does before planning: a field whose `@authenticated`/`@requiresScopes` (its own, its type's, an
 * interface's implementations') the caller does not meet; a fragment on such a type; and a field
 * returning an interface or union that selects fields outside type-conditioned fragments, unless the
 * caller may see every implementation. Skipped selections (@skip/@include) are left alone: they
 * never execute. The result is cached per document, operation, caller scopes and @skip/@include
 * variables, so a repeated operation costs a map look-up.
 */
export function pruneOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Readonly<Record<string, unknown>> | undefined,
  subject: AuthorizationSubject,
): PrunedOperation {
  let entry = documents.get(document);
  if (!entry || entry.schema !== schema) {
    entry = { schema, conditionVariables: conditionVariablesOf(document), variants: new Map() };
    documents.set(document, entry);
  }
  let variables: Record<string, unknown> = {};
  if (entry.conditionVariables.length > 0) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
    // Execution refuses these variables before anything runs; there is nothing to prune.
    if (coerced.errors) return { document, removed: [], hiddenKey: null };
    variables = coerced.coerced;
  }
  const key = `${operation.name?.value ?? ''}\u0000${subject.authenticated ? 1 : 0}\u0000${scopeKeyOf(subject.scopes)}\u0000${entry.conditionVariables.map((name) => String(variables[name])).join(',')}`;
  const cached = entry.variants.get(key);
  if (cached) return cached;
  const pruned = new Pruning(schema, document, variables, subject).run(operation);
  if (entry.variants.size >= MAX_VARIANTS_PER_DOCUMENT) entry.variants.clear();
  entry.variants.set(key, pruned);
  return pruned;
}

function scopeKeyOf(scopes: ReadonlySet<string>): string {
  let key = scopeKeys.get(scopes);
  if (key === undefined) {
    key = [...scopes].sort().join(' ');
    scopeKeys.set(scopes, key);
  }
  return key;
}

function conditionVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      for (const directive of selection.directives ?? []) {
        if (directive.name.value !== 'skip' && directive.name.value !== 'include') continue;
        for (const argument of directive.arguments ?? []) if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
      }
      if (selection.kind !== Kind.FRAGMENT_SPREAD) visit(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition.selectionSet);
  }
  return [...names].sort();
}

/** Removals found in a selection set, with paths and steps relative to the object it selects on. */
interface PrunedSelectionSet {
  /** Null when nothing is left. */
  readonly selectionSet: SelectionSetNode | null;
  readonly removed: RemovedSelection[];
  readonly changed: boolean;
}

class Pruning {
  private readonly policy: AuthorizationPolicy;
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly prunedFragments = new Map<string, PrunedSelectionSet>();
  private hidden = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly document: DocumentNode,
    private readonly variables: Readonly<Record<string, unknown>>,
    private readonly subject: AuthorizationSubject,
  ) {
    this.policy = AuthorizationPolicy.of(schema);
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
  }

  run(operation: OperationDefinitionNode): PrunedOperation {
    const root = this.schema.getRootType(operation.operation);
    if (!root) return { document: this.document, removed: [], hiddenKey: null };
    const pruned = this.selectionSet(operation.selectionSet, root);
    if (!pruned.changed && ![...this.prunedFragments.values()].some((fragment) => fragment.changed)) {
      return { document: this.document, removed: [], hiddenKey: null };
    }
    let selectionSet = pruned.selectionSet;
    if (!selectionSet) {
      // Every root field was removed: a lone __typename keeps the operation executable and resolves nothing.
      this.hidden = true;
      selectionSet = { kind: Kind.SELECTION_SET, selections: [HIDDEN_FIELD] };
    }
    const definitions: DefinitionNode[] = [{ ...operation, selectionSet }];
    for (const definition of this.document.definitions) {
      if (definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
      const fragment = this.prunedFragments.get(definition.name.value);
      // Fragments this operation does not reach stay as they are: only a skipped selection can name them.
      if (!fragment) definitions.push(definition);
      else if (fragment.selectionSet) definitions.push(fragment.changed ? { ...definition, selectionSet: fragment.selectionSet } : definition);
    }
    return { document: { kind: Kind.DOCUMENT, definitions }, removed: pruned.removed, hiddenKey: this.hidden ? HIDDEN_KEY : null };
  }

  private selectionSet(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): PrunedSelectionSet {
    const kept: SelectionNode[] = [];
    const removed: RemovedSelection[] = [];
    let changed = false;
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) {
        kept.push(selection);
        continue;
      }
      const result =
        selection.kind === Kind.FIELD
          ? this.field(selection, parentType)
          : selection.kind === Kind.INLINE_FRAGMENT
            ? this.inlineFragment(selection, parentType)
            : this.fragmentSpread(selection, parentType);
      removed.push(...result.removed);
      if (result.selection !== selection) changed = true;
      if (result.selection) kept.push(result.selection);
    }
    if (!changed) return { selectionSet, removed, changed };
    return { selectionSet: kept.length > 0 ? { ...selectionSet, selections: kept } : null, removed, changed };
  }

  private field(field: FieldNode, parentType: GraphQLCompositeType): { selection: FieldNode | null; removed: RemovedSelection[] } {
    const name = field.name.value;
    // __typename is free on every type; __schema and __type are governed by the introspection setting.
    if (name.startsWith('__') || isUnionType(parentType)) return { selection: field, removed: [] };
    const definition = parentType.getFields()[name];
    if (!definition) return { selection: field, removed: [] };
    const key = field.alias?.value ?? name;
    const namedType = getNamedType(definition.type);
    let requirement = this.policy.fieldRequirement(parentType, definition);
    // Fields read straight off an interface or union apply to every implementation, so the caller must
    // be allowed to see them all; type-conditioned fragments are checked one by one instead.
    if (isAbstractType(namedType) && field.selectionSet && this.selectsDirectly(field.selectionSet, namedType.name)) {
      requirement = both(requirement, this.policy.typeRequirement(namedType));
    }
    const step: ResponseStep = { key, type: definition.type, conditions: [] };
    if (!isSatisfied(requirement, this.subject)) return { selection: null, removed: [{ kind: 'field', path: [key], steps: [step] }] };
    if (!field.selectionSet || !isCompositeType(namedType)) return { selection: field, removed: [] };

    const child = this.selectionSet(field.selectionSet, namedType);
    const prefix = [key, ...listMarkers(definition.type)];
    const removed = child.removed.map((inner) => ({ kind: inner.kind, path: [...prefix, ...inner.path], steps: [step, ...inner.steps] }));
    // Objects of several types: the hidden __typename tells which fragment applied to which object.
    const needsHidden = child.selectionSet === null || child.removed.some((inner) => (inner.steps[0]?.conditions.length ?? 0) > 0);
    if (!child.changed && !needsHidden) return { selection: field, removed };
    if (needsHidden) this.hidden = true;
    const selections = [...(child.selectionSet?.selections ?? []), ...(needsHidden ? [HIDDEN_FIELD] : [])];
    return { selection: { ...field, selectionSet: { kind: Kind.SELECTION_SET, selections } }, removed };
  }

  private inlineFragment(fragment: InlineFragmentNode, parentType: GraphQLCompositeType): { selection: InlineFragmentNode | null; removed: RemovedSelection[] } {
    const condition = fragment.typeCondition ? this.compositeType(fragment.typeCondition.name.value) : parentType;
    if (!condition) return { selection: fragment, removed: [] };
    if (fragment.typeCondition && !isSatisfied(this.policy.typeRequirement(condition), this.subject)) {
      return { selection: null, removed: [{ kind: 'fragment', path: [], steps: [] }] };
    }
    const child = this.selectionSet(fragment.selectionSet, condition);
    const removed = this.underCondition(child.removed, condition, parentType);
    if (!child.changed) return { selection: fragment, removed };
    return { selection: child.selectionSet ? { ...fragment, selectionSet: child.selectionSet } : null, removed };
  }

  private fragmentSpread(spread: FragmentSpreadNode, parentType: GraphQLCompositeType): { selection: FragmentSpreadNode | null; removed: RemovedSelection[] } {
    const definition = this.fragments.get(spread.name.value);
    const condition = definition && this.compositeType(definition.typeCondition.name.value);
    if (!definition || !condition) return { selection: spread, removed: [] };
    if (!isSatisfied(this.policy.typeRequirement(condition), this.subject)) {
      return { selection: null, removed: [{ kind: 'fragment', path: [], steps: [] }] };
    }
    // What a fragment loses depends only on its own type and the caller: pruned once, however often spread.
    let pruned = this.prunedFragments.get(definition.name.value);
    if (!pruned) {
      pruned = this.selectionSet(definition.selectionSet, condition);
      this.prunedFragments.set(definition.name.value, pruned);
    }
    return { selection: pruned.selectionSet ? spread : null, removed: this.underCondition(pruned.removed, condition, parentType) };
  }

  /** Removals inside a fragment on `condition` apply only to objects of that type when the parent may hold others. */
  private underCondition(removed: readonly RemovedSelection[], condition: GraphQLCompositeType, parentType: GraphQLCompositeType): RemovedSelection[] {
    if (condition === parentType || isObjectType(parentType)) return [...removed];
    return removed.map((inner) => {
      const [first, ...rest] = inner.steps;
      return first ? { ...inner, steps: [{ ...first, conditions: [condition.name, ...first.conditions] }, ...rest] } : inner;
    });
  }

  /** Whether a selection on an abstract type reads any field other than __typename outside fragments on other types. */
  private selectsDirectly(selectionSet: SelectionSetNode, abstractTypeName: string): boolean {
    return selectionSet.selections.some((selection) => {
      if (!this.included(selection)) return false;
      if (selection.kind === Kind.FIELD) return selection.name.value !== '__typename';
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        return (condition === undefined || condition === abstractTypeName) && this.selectsDirectly(selection.selectionSet, abstractTypeName);
      }
      const definition = this.fragments.get(selection.name.value);
      return definition?.typeCondition.name.value === abstractTypeName && this.selectsDirectly(definition.selectionSet, abstractTypeName);
    });
  }

  private included(selection: SelectionNode): boolean {
    if (!selection.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, selection, this.variables)?.['if'] === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, selection, this.variables)?.['if'] !== false;
  }

  private compositeType(name: string): GraphQLCompositeType | null {
    const type = this.schema.getType(name);
    return isCompositeType(type) ? type : null;
  }
}

/** `@` for each list between a field and the objects it holds. */
function listMarkers(type: GraphQLOutputType): string[] {
  const markers: string[] = [];
  let current: GraphQLOutputType = getNullableType(type);
  while (isListType(current)) {
    markers.push('@');
    current = getNullableType(current.ofType);
  }
  return markers;
}

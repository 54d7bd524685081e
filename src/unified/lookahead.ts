import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  isAbstractType,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import type { InvoiceFilter } from '../__generated__/resolvers-types.js';
import type { GatewayContext } from '../context.js';
import type { CustomerModel } from '../domain/models.js';

/**
 * Look-ahead into an operation's selection, so a call that a nested field will need can start in
 * the same wave as the call its parent needs (rather than one upstream round trip later).
 */

/**
 * IqmInvoice.payments reads the customer's A35 list, which depends only on the workspace id, not
 * on A19's answer. When `Customer.invoices` is asked for IQM invoices with their payments, A35 is
 * started beside A19, so the operation waits for one round trip instead of two. The request's
 * grouping of it (IqmLoaders.paymentsByInvoice) keeps the answer for IqmInvoice.payments. Costs
 * one A35 that is not used when the filtered IQM list turns out to be empty.
 *
 * Returns a promise that settles (never rejects) once A35 is read and grouped, or null when nothing
 * was started: a page with IQM invoices that waits for it before answering lets every invoice's
 * payments resolve without a promise, at no extra round trip (A35 runs beside A19).
 */
export function prefetchIqmInvoicePayments(
  context: GatewayContext,
  customer: CustomerModel,
  filter: InvoiceFilter | null | undefined,
  info: GraphQLResolveInfo,
): Promise<void> | null {
  const owId = customer.identities.iqmWorkspaceId;
  const sources = filter?.sources;
  if (owId === null || (sources && sources.length > 0 && !sources.includes('IQM'))) return null;
  if (!connectionItemsSelect(info, 'IqmInvoice', 'payments')) return null;
  if (context.services.config.executionMode === 'naive') return null;
  const grouped = context.iqm.loaders.paymentsByInvoice.get(owId);
  // A failure is not reported here: IqmInvoice.payments asks again and gets the error at its field.
  return grouped instanceof Promise ? grouped.then(() => undefined, () => undefined) : null;
}

/**
 * Whether the connection this resolver returns selects `fieldName` (or one of `fieldName`'s names)
 * on items of type `typeName`, in `nodes { … }` or `edges { node { … } }`, through fragments,
 * honouring @skip and @include.
 */
export function connectionItemsSelect(info: GraphQLResolveInfo, typeName: string, fieldName: string | ReadonlySet<string>): boolean {
  const items = info.fieldNodes.flatMap((field) => [
    ...childFields(info, field.selectionSet, 'nodes', null),
    ...childFields(info, field.selectionSet, 'edges', null).flatMap((edge) => childFields(info, edge.selectionSet, 'node', null)),
  ]);
  return items.some((item) => childFields(info, item.selectionSet, fieldName, typeName).length > 0);
}

/** Fields named `name` (or one of its names) directly in a selection set (fragments flattened); `typeName` skips fragments on other types. */
function childFields(info: GraphQLResolveInfo, selectionSet: SelectionSetNode | undefined, name: string | ReadonlySet<string>, typeName: string | null): FieldNode[] {
  if (!selectionSet) return [];
  const found: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (!included(info, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      if (typeof name === 'string' ? selection.name.value === name : name.has(selection.name.value)) found.push(selection);
      continue;
    }
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : info.fragments[selection.name.value];
    if (!fragment) continue;
    const condition = fragment.typeCondition?.name.value;
    if (typeName !== null && condition !== undefined && !typeMatches(info, condition, typeName)) continue;
    found.push(...childFields(info, fragment.selectionSet, name, typeName));
  }
  return found;
}

/** Whether a fragment on `condition` applies to objects of type `typeName` (the type itself or an interface of it). */
function typeMatches(info: GraphQLResolveInfo, condition: string, typeName: string): boolean {
  if (condition === typeName) return true;
  const conditionType = info.schema.getType(condition);
  const objectType = info.schema.getType(typeName);
  return isAbstractType(conditionType) && objectType !== undefined && 'getInterfaces' in objectType && info.schema.isSubType(conditionType, objectType);
}

function included(info: GraphQLResolveInfo, node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.['if'] !== false;
}

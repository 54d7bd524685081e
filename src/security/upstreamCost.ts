// The CommonJS build, which Apollo Server and graphql-tools load (see limits.ts).
import { getArgumentValues, getNamedType, isAbstractType, isInterfaceType, isObjectType, Kind } from 'graphql/index.js';
import type { DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLField, GraphQLNamedType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { fromGlobalId } from '../domain/globalId.js';
import type { SourceSystem } from '../domain/models.js';
import { IQMETRIX_INVOICE_DETAIL_FIELDS, REFRENS_INVOICE_PAYMENT_FIELDS } from '../domain/ownReads.js';
import { DEFAULT_PAGE_SIZE } from '../domain/pagination.js';

/**
 * The cost model that counts upstream calls (README, "Limits"): before an operation executes, an
 * upper estimate of the HTTP calls it can make to the four upstreams, from the fields it selects,
 * the page sizes and ids it asks for, and the caller's tenant (how many customers its loaders can
 * be asked about).
 *
 * The model, field by field:
 * - a field that reads an upstream costs its reads (READS below) once per parent object, so list
 *   sizes multiply: `first` (20 when absent) of a connection, the ids of `nodes(ids:)`;
 * - reads that the per-request DataLoaders share are counted once per parent path: a customer's
 *   `invoices` and `payments` both reading the same iQmetrix invoice details count the larger;
 * - reads keyed by customer (a workspace's invoice list, its payments) are capped at the tenant's
 *   customers, reads of a Refrens invoice's payments at the directory's Refrens invoices, since the
 *   loaders never repeat a key within one operation;
 * - `filter.sources` and inline fragments on a concrete type drop the other systems' reads;
 * - `node`/`nodes` refetches cost one read per id whose type has to be fetched (a customer id costs
 *   nothing: the directory answers it), and a fragment under `nodes` counts only the ids of its type;
 *   a router's `_entities(representations:)` is `nodes` with the representations' ids (its entities
 *   resolve through the same loaders, src/resolvers/entities.ts);
 * - a field with no entry costs nothing: it is served from its parent's data.
 * Retries are not counted (they are the upstream's doing, bounded by UPSTREAM_RETRY_ATTEMPTS), nor
 * are reference lists served from the shared cache (counted as if cold). test/security/upstreamCost.test.ts
 * checks the model against the calls the simulators record for the benchmark suite.
 */

/** What the tenant bounds: distinct customers and Refrens invoices a loader can be asked about. */
export interface TenantBounds {
  readonly customers: number;
  /** The largest number of Refrens invoices one customer has. */
  readonly refrensInvoicesPerCustomer: number;
  readonly refrensInvoices: number;
}

type Count = number | 'page' | 'maxPage' | 'refrensInvoicesPerCustomer';

interface Read {
  readonly system: SourceSystem;
  /** Reads with the same loader under the same parent path are made once (DataLoader). */
  readonly loader: string;
  readonly calls: Count;
  /** Repeated over parents, the loader sees at most this many distinct keys. */
  readonly cap?: 'customers' | 'refrensInvoices';
}

const iqm = (loader: string, cap: Read['cap'] = 'customers'): Read => ({ system: 'IQM', loader, calls: 1, cap });
const refrensPayments: Read = { system: 'REFRENS', loader: 'refrens.invoicePayments', calls: 1, cap: 'refrensInvoices' };
const iqmetrixDetail: Read = { system: 'IQMETRIX', loader: 'iqmetrix.invoice', calls: 1 };

/** A customer's merged invoices read every system that holds it (src/unified/customerLists.ts). */
const CUSTOMER_INVOICE_LISTS: readonly Read[] = [
  iqm('iqm.invoiceList'),
  { system: 'INTACT', loader: 'intact.ledgerAll', calls: 1, cap: 'customers' },
  { system: 'IQMETRIX', loader: 'iqmetrix.summariesByCustomer', calls: 1, cap: 'customers' },
];

/** The reads each field makes per parent object, by concrete type and field. */
const READS: Readonly<Record<string, readonly Read[]>> = {
  'Query.iqmetrixInvoices': [{ system: 'IQMETRIX', loader: 'iqmetrix.summaries', calls: 1 }],
  'Query.financeReferenceData': [{ system: 'IQM', loader: 'iqm.referenceLists', calls: 6 }],
  'Organization.paypalFeePercentage': [iqm('iqm.basicDetails')],
  'Organization.availableBalance': [iqm('iqm.organizationBalance')],
  'Organization.creditSummary': [iqm('iqm.organizationCreditSummary')],
  'Organization.invoiceSettings': [iqm('iqm.invoiceSettings')],
  'Organization.payments': [iqm('iqm.organizationPayments')],
  'Organization.offeredCredits': [iqm('iqm.organizationCredits')],
  'Customer.invoices': CUSTOMER_INVOICE_LISTS,
  'Customer.balances': [...CUSTOMER_INVOICE_LISTS, { ...refrensPayments, calls: 'refrensInvoicesPerCustomer' }, { ...iqmetrixDetail, calls: 'maxPage' }],
  'Customer.payments': [
    iqm('iqm.customerPayments'),
    { system: 'INTACT', loader: 'intact.ledgerAll', calls: 1, cap: 'customers' },
    { ...refrensPayments, calls: 'refrensInvoicesPerCustomer' },
    { system: 'IQMETRIX', loader: 'iqmetrix.summariesByCustomer', calls: 1, cap: 'customers' },
    // A customer's iQmetrix payments live in each of its invoices (D2): bounded here by the page asked for.
    { ...iqmetrixDetail, calls: 'page' },
  ],
  'Customer.credits': [iqm('iqm.customerCredits')],
  'Customer.ledger': [{ system: 'INTACT', loader: 'intact.ledgerPage', calls: 1, cap: 'customers' }],
  'Customer.financeDetails': [iqm('iqm.financeDetails')],
  'Customer.availableBalance': [iqm('iqm.availableBalance')],
  'Customer.creditSummary': [iqm('iqm.creditSummary')],
  'Customer.margins': [iqm('iqm.margins')],
  'Customer.campaignMargins': [iqm('iqm.campaignMargins')],
  'Customer.pgFees': [iqm('iqm.pgFees')],
  'Customer.vldFees': [iqm('iqm.vldFees')],
  'Customer.pldFees': [iqm('iqm.pldFees')],
  'Customer.slsFees': [iqm('iqm.slsFees')],
  'Customer.dvIvtSegmentsEnabled': [iqm('iqm.dvIvt')],
  'IqmInvoice.payments': [iqm('iqm.customerPayments')],
  'IqmInvoice.paymentDetails': [{ system: 'IQM', loader: 'iqm.invoicePaymentDetails', calls: 1 }],
  'IqmPayment.invoice': [iqm('iqm.invoiceList')],
  'IqmetrixPayment.invoice': [iqmetrixDetail],
  'IqmetrixPayment.customer': [iqmetrixDetail],
  // `total` is stated with the invoice itself (D1, the directory): it reads nothing.
  ...Object.fromEntries([...REFRENS_INVOICE_PAYMENT_FIELDS].map((field) => [`RefrensInvoice.${field}`, [refrensPayments]])),
  ...Object.fromEntries([...IQMETRIX_INVOICE_DETAIL_FIELDS].map((field) => [`IqmetrixInvoice.${field}`, [iqmetrixDetail]])),
};

/** The system a concrete type's objects come from (customers and pages come from none or all). */
const SYSTEM_OF_TYPE: Readonly<Record<string, SourceSystem>> = {
  IqmInvoice: 'IQM',
  IqmPayment: 'IQM',
  Credit: 'IQM',
  IntactInvoice: 'INTACT',
  IntactReceipt: 'INTACT',
  LedgerItem: 'INTACT',
  RefrensInvoice: 'REFRENS',
  RefrensPayment: 'REFRENS',
  IqmetrixInvoice: 'IQMETRIX',
  IqmetrixPayment: 'IQMETRIX',
};

/** The read that refetches one object by global id (src/resolvers/Node.ts); none for customers and Refrens invoices. */
const REFETCH: Readonly<Record<string, Read | null>> = {
  Customer: null,
  RefrensInvoice: null,
  IqmInvoice: iqm('iqm.invoiceList'),
  IqmPayment: iqm('iqm.customerPayments'),
  Credit: { system: 'IQM', loader: 'iqm.credits', calls: 1 },
  IntactInvoice: { system: 'INTACT', loader: 'intact.ledgerByNumber', calls: 1 },
  LedgerItem: { system: 'INTACT', loader: 'intact.ledgerByNumber', calls: 1 },
  IntactReceipt: { system: 'INTACT', loader: 'intact.ledgerByNumber', calls: 1 },
  RefrensPayment: refrensPayments,
  IqmetrixInvoice: iqmetrixDetail,
  IqmetrixPayment: iqmetrixDetail,
};

/** Fields whose objects come from one system only, whatever their GraphQL type allows. */
const SYSTEM_OF_FIELD: Readonly<Record<string, SourceSystem>> = {
  'Organization.payments': 'IQM',
  'Organization.offeredCredits': 'IQM',
  'Query.iqmetrixInvoices': 'IQMETRIX',
};

function narrowedBy(typeName: string, fieldName: string, systems: ReadonlySet<SourceSystem>): ReadonlySet<SourceSystem> {
  const only = SYSTEM_OF_FIELD[`${typeName}.${fieldName}`];
  return only ? new Set([...systems].filter((system) => system === only)) : systems;
}

/** A mutation's own write and the reads around it, before its payload's selection. */
const MUTATION_CALLS = 3;

const ALL_SYSTEMS: ReadonlySet<SourceSystem> = new Set(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']);

/** The estimate and its split by system. */
export interface UpstreamCallEstimate {
  readonly total: number;
  readonly bySystem: Readonly<Record<SourceSystem, number>>;
}

interface Scope {
  /** Parent objects the selection is resolved for. */
  readonly multiplicity: number;
  /** Response path of the parent (aliases). */
  readonly path: string;
  /**
   * Path of the object whose keys the reads below share (the nearest customer, else the root
   * field): a customer's invoices and payments read the same iQmetrix invoices, counted once.
   */
  readonly owner: string;
  /** Systems whose objects can appear here. */
  readonly systems: ReadonlySet<SourceSystem>;
  /** Under `nodes(ids:)`: how many of the ids are of each type. */
  readonly idTypes: ReadonlyMap<string, number> | null;
  /** The page size of the enclosing connection (for reads counted per page). */
  readonly page: number;
}

/** Walks one operation with its variables and adds up its reads. */
export class UpstreamCallMeter {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  /** `path|loader` → calls: reads DataLoader shares are kept at their largest. */
  private readonly reads = new Map<string, { system: SourceSystem; calls: number }>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
    private readonly bounds: TenantBounds,
    private readonly maxPageSize: number,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  estimate(operation: OperationDefinitionNode): UpstreamCallEstimate {
    const root = this.schema.getRootType(operation.operation);
    if (root) {
      this.walk(operation.selectionSet, root, { multiplicity: 1, path: '', owner: '', systems: ALL_SYSTEMS, idTypes: null, page: DEFAULT_PAGE_SIZE }, new Set());
    }
    const bySystem: Record<SourceSystem, number> = { IQM: 0, INTACT: 0, REFRENS: 0, IQMETRIX: 0 };
    for (const { system, calls } of this.reads.values()) bySystem[system] += calls;
    return { total: Object.values(bySystem).reduce((sum, calls) => sum + calls, 0), bySystem };
  }

  private walk(selectionSet: SelectionSetNode, parentType: GraphQLNamedType, scope: Scope, spreading: ReadonlySet<string>): void {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        this.field(selection, parentType, scope, spreading);
        continue;
      }
      let typeName: string | undefined;
      let inner: SelectionSetNode;
      let nextSpreading = spreading;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        typeName = selection.typeCondition?.name.value;
        inner = selection.selectionSet;
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment || spreading.has(name)) continue;
        typeName = fragment.typeCondition.name.value;
        inner = fragment.selectionSet;
        nextSpreading = new Set([...spreading, name]);
      }
      const type = typeName ? this.schema.getType(typeName) : parentType;
      if (!type) continue;
      this.walk(inner, type, this.narrow(scope, type), nextSpreading);
    }
  }

  /** The scope inside a fragment on `type`: its system only, and under `nodes` its ids only. */
  private narrow(scope: Scope, type: GraphQLNamedType): Scope {
    if (!isObjectType(type)) return scope;
    const system = SYSTEM_OF_TYPE[type.name];
    const systems = system ? new Set([...scope.systems].filter((candidate) => candidate === system)) : scope.systems;
    const multiplicity = scope.idTypes ? (scope.idTypes.get(type.name) ?? 0) : scope.multiplicity;
    return { ...scope, systems, multiplicity };
  }

  private field(node: FieldNode, parentType: GraphQLNamedType, scope: Scope, spreading: ReadonlySet<string>): void {
    const name = node.name.value;
    if (name.startsWith('__')) return;
    const field = fieldOf(parentType, name);
    if (!field) return;
    const args = getArgumentValues(field, node, this.variables);
    const path = `${scope.path}.${node.alias?.value ?? name}`;
    const isRoot = parentType === this.schema.getQueryType() || parentType === this.schema.getMutationType();
    const returns = getNamedType(field.type);
    let child: Scope = { ...scope, path, owner: isRoot || returns.name === 'Customer' ? path : scope.owner, idTypes: null };

    if (parentType === this.schema.getMutationType()) {
      this.add(`${path}|mutation`, 'IQM', MUTATION_CALLS * scope.multiplicity);
    }
    if (isRoot && (name === 'node' || name === 'nodes' || name === '_entities' || name === 'invoice' || name === 'payment')) {
      const ids = refetchedIds(name, args);
      const idTypes = new Map<string, number>();
      for (const id of ids) {
        const parts = typeof id === 'string' ? fromGlobalId(id) : null;
        if (parts) idTypes.set(parts.typeName, (idTypes.get(parts.typeName) ?? 0) + 1);
      }
      for (const [typeName, count] of idTypes) {
        const refetch = REFETCH[typeName];
        if (refetch) this.add(`${path}|refetch:${typeName}`, refetch.system, refetch.cap ? Math.min(count, this.capOf(refetch.cap)) : count);
      }
      child = { ...child, multiplicity: ids.length, idTypes };
    }

    const systems = this.systemsOf(field, args, scope.systems);
    const items = this.itemsOf(field, args);
    for (const read of this.readsOf(parentType, name, scope.systems)) {
      if (!systems.has(read.system)) continue;
      const calls = this.callsOf(read, items ?? scope.page);
      const repeated = read.cap ? Math.min(scope.multiplicity, this.capOf(read.cap)) : scope.multiplicity;
      this.add(`${scope.owner}|${read.loader}`, read.system, calls * repeated);
    }
    if (!node.selectionSet) return;
    if (items !== null) child = { ...child, multiplicity: child.multiplicity * items, page: items };
    this.walk(node.selectionSet, returns, { ...child, systems: narrowedBy(parentType.name, name, systems) }, spreading);
  }

  /** The reads of `Type.field`; on an interface, those of every implementation whose system can be here. */
  private readsOf(parentType: GraphQLNamedType, name: string, systems: ReadonlySet<SourceSystem>): readonly Read[] {
    if (!isAbstractType(parentType)) return READS[`${parentType.name}.${name}`] ?? [];
    return this.schema.getPossibleTypes(parentType).flatMap((type) => {
      const system = SYSTEM_OF_TYPE[type.name];
      return system && !systems.has(system) ? [] : (READS[`${type.name}.${name}`] ?? []);
    });
  }

  /** `filter.sources`, when given, narrows the systems below the field. */
  private systemsOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, systems: ReadonlySet<SourceSystem>): ReadonlySet<SourceSystem> {
    if (!field.args.some((argument) => argument.name === 'filter')) return systems;
    const filter = args['filter'];
    const sources = typeof filter === 'object' && filter !== null ? (filter as { sources?: unknown }).sources : undefined;
    if (!Array.isArray(sources) || sources.length === 0) return systems;
    return new Set([...systems].filter((system) => sources.includes(system)));
  }

  /** Items a paged field returns per parent; null for fields that are not paged. */
  private itemsOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number | null {
    if (!field.args.some((argument) => argument.name === 'first')) return null;
    const first = args['first'];
    return typeof first === 'number' ? Math.max(0, first) : DEFAULT_PAGE_SIZE;
  }

  private callsOf(read: Read, page: number): number {
    if (read.calls === 'page') return page;
    if (read.calls === 'maxPage') return this.maxPageSize;
    if (read.calls === 'refrensInvoicesPerCustomer') return this.bounds.refrensInvoicesPerCustomer;
    return read.calls;
  }

  private capOf(cap: NonNullable<Read['cap']>): number {
    return cap === 'customers' ? Math.max(1, this.bounds.customers) : this.bounds.refrensInvoices;
  }

  private add(key: string, system: SourceSystem, calls: number): void {
    const known = this.reads.get(key);
    if (!known || known.calls < calls) this.reads.set(key, { system, calls });
  }
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

/** The global ids a root refetch field reads: `id`, `nodes`' `ids`, or the `id` of each `_entities` representation. */
function refetchedIds(name: string, args: Record<string, unknown>): unknown[] {
  if (name === 'nodes') return Array.isArray(args['ids']) ? (args['ids'] as unknown[]) : [];
  if (name === '_entities') {
    const representations = Array.isArray(args['representations']) ? (args['representations'] as unknown[]) : [];
    return representations.map((representation) => (typeof representation === 'object' && representation !== null ? (representation as { id?: unknown }).id : undefined));
  }
  return [args['id']];
}

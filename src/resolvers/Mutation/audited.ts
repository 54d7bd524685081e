import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { AuditUnavailableError, digestOf, type AuditEntry, type AuditOutcome } from '../../audit/index.js';
import type { GatewayContext } from '../../context.js';
import { Decimal } from 'decimal.js';
import {
  intactInvoiceId,
  intactReceiptId,
  iqmCreditId,
  iqmetrixInvoiceId,
  iqmetrixPaymentId,
  iqmInvoiceId,
  iqmPaymentId,
  refrensInvoiceId,
  refrensPaymentId,
} from '../../unified/ids.js';
import type { IdempotencyOutcome, IdempotencySettlement, SettledAttempt } from '../../idempotency/index.js';
import type { UserErrorModel } from '../../domain/models.js';

type MutationResolver = (root: unknown, args: { input?: unknown }, context: GatewayContext, info: GraphQLResolveInfo) => unknown;

/**
 * Wraps every Mutation resolver so that each call leaves two audit records: ATTEMPTED, written
 * before the resolver runs, and the outcome. When the ATTEMPTED record cannot be written the
 * mutation is refused with AUDIT_UNAVAILABLE and nothing is sent: no money moves without a trace.
 * An outcome record that cannot be written is logged at error level; its ATTEMPTED record stands.
 * A call that settled an earlier attempt's unknown outcome (see settlementEntry) appends that
 * settlement first, under the earlier attempt's id.
 */
export function audited(resolvers: MutationResolvers): MutationResolvers {
  const wrapped: Record<string, MutationResolver> = {};
  for (const [field, resolver] of Object.entries(resolvers)) {
    // Every Mutation resolver of this gateway is a plain function (no { resolve } objects).
    wrapped[field] = auditResolver(field, resolver as MutationResolver);
  }
  return wrapped as MutationResolvers;
}

function auditResolver(mutation: string, resolve: MutationResolver): MutationResolver {
  return async (root, args, context, info) => {
    const { audit, observability } = context.services;
    const attempt = attemptEntry(mutation, args.input ?? {}, context);
    try {
      await audit.append(attempt);
    } catch (error) {
      observability.logger.error({ err: error, mutation, requestId: context.requestId }, 'audit trail unavailable: mutation refused, nothing sent');
      throw new AuditUnavailableError();
    }

    const append = async (entry: AuditEntry) => {
      try {
        await audit.append(entry);
      } catch (error) {
        observability.logger.error(
          { err: error, ...entry, callAttemptId: attempt.attemptId },
          'audit outcome record could not be written; its ATTEMPTED record stands',
        );
      }
    };
    const finish = (outcome: AuditOutcome, code: string | null, upstreamIds: readonly string[]) => append({ ...attempt, at: new Date(), outcome, code, upstreamIds });
    // Mutation fields run one after another, so what the idempotency guard reports next is this call's.
    const report = context.idempotencyOutcome;
    report.attempt = attempt.attemptId;
    report.last = null;
    report.settled = null;
    let payload: unknown;
    try {
      payload = await resolve(root, args, context, info);
    } catch (error) {
      if (report.settled) await append(settlementEntry(attempt, report.settled, null));
      const outcome = report.last === 'outcome_unknown' ? 'OUTCOME_UNKNOWN' : 'FAILED';
      await finish(outcome, errorCode(error), []);
      throw error;
    }
    if (report.settled) await append(settlementEntry(attempt, report.settled, payload));
    const { outcome, code } = outcomeOf(payload, report.last);
    await finish(outcome, code, outcome === 'REFUSED' ? [] : upstreamIdsOf(payload));
    return payload;
  };
}

/** The ATTEMPTED record of one call of `mutation` with `input`, by the context's caller. */
function attemptEntry(mutation: string, input: unknown, context: GatewayContext): AuditEntry {
  const { caller, services } = context;
  return {
    attemptId: randomUUID(),
    // The wall clock, not services.now (which tests fix): the record says when the call happened.
    at: new Date(),
    tenant: caller.tenant.id,
    subject: caller.subject,
    issuer: caller.issuer,
    clientName: caller.client.name,
    clientVersion: caller.client.version,
    mutation,
    ...moneyOf(mutation, input, context),
    targetIds: targetIdsOf(input),
    inputDigest: digestOf(input),
    idempotencyKey: stringField(input, 'idempotencyKey'),
    outcome: 'ATTEMPTED',
    code: null,
    upstreamIds: [],
    requestId: context.requestId,
    traceId: services.observability.currentTraceId() ?? null,
  };
}

/**
 * Mutation fields the caller's scopes do not allow are taken out of the operation before execution
 * (useAuthorization), so no resolver of theirs runs. This plugin, registered right after that one,
 * appends their two records — ATTEMPTED, then REFUSED with code FORBIDDEN — so the trail also shows
 * who tried to move money without the right. The anonymous demo caller is not recorded (it has no
 * identity to record, and anyone could fill the trail with it). A trail that cannot be written is
 * logged at error level: nothing runs for these fields either way.
 */
export function useAuditedRefusals(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, request, contextValue: context }) {
          const mutationType = schema.getMutationType();
          if (operation?.operation !== OperationTypeNode.MUTATION || !mutationType || context.caller.kind === 'demo') return;
          // The document now holds the operation as it will run; the operation is still the one sent.
          const running = document.definitions.find(
            (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === operation.name?.value,
          );
          const { coerced } = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (!running || !coerced) return;
          const kept = new Set(rootFields(running.selectionSet, document, coerced).map(responseKey));
          for (const node of rootFields(operation.selectionSet, document, coerced)) {
            const field = mutationType.getFields()[node.name.value];
            if (!field || kept.has(responseKey(node))) continue;
            const attempt = attemptEntry(field.name, getArgumentValues(field, node, coerced)['input'] ?? {}, context);
            try {
              await context.services.audit.append(attempt);
              await context.services.audit.append({ ...attempt, at: new Date(), outcome: 'REFUSED', code: 'FORBIDDEN' });
            } catch (error) {
              context.services.observability.logger.error({ err: error, ...attempt, code: 'FORBIDDEN' }, 'audit record of a mutation refused by authorization could not be written');
            }
          }
        },
      };
    },
  };
}

/** The root fields a selection set runs: its fields and those of its fragments, @skip/@include applied. */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode, variables: Record<string, unknown>): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(selection.selectionSet, document, variables));
    else {
      const fragment = document.definitions.find(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      );
      if (fragment) fields.push(...rootFields(fragment.selectionSet, document, variables));
    }
  }
  return fields;
}

function included(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.['if'] !== false;
}

function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

/**
 * The record of an earlier attempt's settlement, reached by this call (`call`, whose input has the
 * same fingerprint): under the settled attempt's own id, so that attempt's ATTEMPTED record — even
 * one whose replica died before writing its outcome — has its outcome; a new id when the key's record
 * named no attempt. Applied: the payload's objects and the evidence's (the payment found by its marker).
 */
function settlementEntry(call: AuditEntry, settled: SettledAttempt, payload: unknown): AuditEntry {
  const applied = settled.outcome === 'reconciled_applied';
  return {
    ...call,
    attemptId: settled.attempt ?? randomUUID(),
    at: new Date(),
    outcome: applied ? 'RECONCILED_APPLIED' : 'RECONCILED_NOT_APPLIED',
    code: null,
    upstreamIds: applied ? foundIds(payload, settled.objects) : [],
  };
}

/**
 * Background reconciliations settle ambiguous outcomes after their request has answered; each one
 * appends its record too, under the ambiguous attempt's id, so the trail says how every ambiguous
 * money move ended even when the client never retried. Returns the unsubscribe function.
 */
export function auditSettlements(services: GatewayContext['services']): () => void {
  return services.reconciler.onSettled((settlement: IdempotencySettlement) => {
    const applied = settlement.outcome === 'reconciled_applied';
    const entry: AuditEntry = {
      attemptId: settlement.attempt ?? randomUUID(),
      at: settlement.at,
      tenant: settlement.tenantId,
      subject: settlement.subject,
      issuer: settlement.issuer,
      clientName: settlement.client.name,
      clientVersion: settlement.client.version,
      mutation: settlement.mutation,
      ...moneyOf(settlement.mutation, settlement.input, settlement.context),
      targetIds: targetIdsOf(settlement.input),
      inputDigest: digestOf(settlement.input),
      idempotencyKey: settlement.idempotencyKey,
      outcome: applied ? 'RECONCILED_APPLIED' : settlement.outcome === 'reconciled_not_applied' ? 'RECONCILED_NOT_APPLIED' : 'OUTCOME_UNKNOWN',
      code: null,
      upstreamIds: applied ? foundIds(settlement.payload, settlement.objects) : [],
      requestId: settlement.requestId,
      traceId: null,
    };
    services.audit.append(entry).catch((error: unknown) => {
      services.observability.logger.error({ err: error, ...entry }, 'audit record of a background reconciliation could not be written');
    });
  });
}

/** The call's own outcome as the guard reports it; a call answered from an earlier attempt's found write is a replay. */
const FROM_IDEMPOTENCY: Partial<Record<IdempotencyOutcome, AuditOutcome>> = {
  replayed: 'REPLAYED',
  reconciled_applied: 'REPLAYED',
  refused: 'REFUSED',
  outcome_unknown: 'OUTCOME_UNKNOWN',
};

function outcomeOf(payload: unknown, idempotency: IdempotencyOutcome | null): { outcome: AuditOutcome; code: string | null } {
  const userErrors = isRecord(payload) && Array.isArray(payload['userErrors']) ? (payload['userErrors'] as UserErrorModel[]) : [];
  const code = userErrors[0]?.code ?? null;
  const settled = idempotency === null ? undefined : FROM_IDEMPOTENCY[idempotency];
  if (settled) return { outcome: settled, code };
  return userErrors.length > 0 ? { outcome: 'REFUSED', code } : { outcome: 'ACCEPTED', code: null };
}

function errorCode(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** The upstream system a mutation's amount is in, where it is not the IQM default. */
const AMOUNT_SYSTEM: Readonly<Record<string, 'REFRENS' | 'INTACT'>> = { payRefrensInvoice: 'REFRENS', allocateReceipt: 'INTACT' };

/**
 * The input's top-level amount as exact text and its currency: the tenant's IQM currency for IQM
 * mutations, the Refrens one for Refrens payments; Intact amounts are in the customer account's
 * currency, which the input does not name, so theirs is null.
 */
function moneyOf(mutation: string, input: unknown, context: GatewayContext): { amount: string | null; currency: string | null } {
  const amount = isRecord(input) ? input['amount'] : undefined;
  if (!Decimal.isDecimal(amount)) return { amount: null, currency: null };
  const system = AMOUNT_SYSTEM[mutation];
  const currency = system === 'INTACT' ? null : system === 'REFRENS' ? context.refrens.currencyCode : context.iqm.currencyCode;
  return { amount: amount.toFixed(), currency };
}

/** Ids the input names: its top-level `…Id` fields, except references that name no object (transaction, staged upload). */
function targetIdsOf(input: unknown): string[] {
  if (!isRecord(input)) return [];
  return Object.entries(input)
    .filter(([name, value]) => /Id$/.test(name) && name !== 'transactionId' && !/UploadId$/.test(name) && (typeof value === 'string' || typeof value === 'number'))
    .map(([, value]) => String(value));
}

function stringField(input: unknown, name: string): string | null {
  const value = isRecord(input) ? input[name] : undefined;
  return typeof value === 'string' ? value : null;
}

/** Global ids of the upstream objects a payload returns (what the call created or changed). */
function upstreamIdsOf(payload: unknown): string[] {
  if (!isRecord(payload)) return [];
  const ids = new Set<string>();
  for (const [name, value] of Object.entries(payload)) {
    if (name === 'userErrors') continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const id = globalIdOf(item);
      if (id) ids.add(id);
    }
  }
  return [...ids];
}

/** Ids of what a reconciliation found: the payload's objects and the evidence's own. */
function foundIds(payload: unknown, objects: readonly object[]): string[] {
  return [...new Set([...upstreamIdsOf(payload), ...objects.flatMap((object) => globalIdOf(object) ?? [])])];
}

function globalIdOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  // The field holds the model the mutation's type resolvers would turn into that object's id.
  const model = value as never;
  switch (value['kind']) {
    case 'IqmPayment':
      return iqmPaymentId(model);
    case 'IqmInvoice':
      return iqmInvoiceId(model);
    case 'RefrensPayment':
      return refrensPaymentId(model);
    case 'RefrensInvoice':
      return refrensInvoiceId(model);
    case 'IqmetrixPayment':
      return iqmetrixPaymentId(model);
    case 'IqmetrixInvoice':
      return iqmetrixInvoiceId(model);
    case 'IntactReceipt':
      return intactReceiptId(model);
    case 'IntactInvoice':
      return isRecord(value['ledgerItem']) ? intactInvoiceId(value['ledgerItem'] as never) : null;
    default:
      // Credits are the one model without a kind.
      return 'creditId' in value ? iqmCreditId(model) : null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

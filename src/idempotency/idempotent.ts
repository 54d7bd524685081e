import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context.js';
import type { UserErrorModel } from '../domain/models.js';
import { GatewayError } from '../errors.js';
import type { UpstreamCallRecord } from '../upstreams/http.js';
import { decodePayload, encodePayload, fingerprintOf } from './codec.js';
import type { IdempotencySettlement } from './reconciler.js';
import { decodeRecovery, encodeRecovery, type Recovery } from './recovery.js';
import { holderOf, IdempotencyStoreFullError, type FinalRecord, type Holder, type IdempotencyRecord } from './store.js';

/**
 * How long a claim outlives the request's own timeout before it lapses. Upstream calls never run
 * past REQUEST_TIMEOUT_MS, so a claim older than this belongs to a replica that died mid-request;
 * its write may have left, so the key is then reconciled, never freed.
 */
const LEASE_MARGIN_MS = 5_000;

/**
 * What the idempotency guard did with one mutation call, for the audit trail (read by whoever wraps
 * the Mutation resolvers, right after the call; Mutation fields run one after another):
 * - `executed`: the mutation ran and its write reached the upstream (or was refused there);
 * - `released`: nothing was sent (the gateway refused the input, or the write provably never left);
 * - `replayed`: a stored answer was returned, nothing was sent;
 * - `refused`: the key was reused, in progress, blocked or the store full (IDEMPOTENCY_* user errors), nothing was sent;
 * - `outcome_unknown`: a write was sent and its outcome is not known (the key stays blocked);
 * - `reconciled_applied`: an earlier ambiguous attempt was found at the upstream; its object is the answer, nothing was sent.
 * An earlier attempt this call settled (found applied, or provably not applied and then sent again
 * by this call, whose own outcome `last` is then) is told in `settled`.
 * Background settlements (no request) go to `services.reconciler.onSettled` listeners.
 */
export type IdempotencyOutcome = 'executed' | 'released' | 'replayed' | 'refused' | 'outcome_unknown' | 'reconciled_applied';

/** An earlier attempt whose unknown outcome a call (or the background) settled from upstream evidence. */
export interface SettledAttempt {
  readonly outcome: 'reconciled_applied' | 'reconciled_not_applied';
  /** The settled attempt, as the key's record named it (IdempotencyRecord.attempt); null when it named none. */
  readonly attempt: string | null;
  /** The upstream objects the evidence showed (e.g. the payment carrying the marker), besides the payload's. */
  readonly objects: readonly object[];
}

/**
 * The guard's report channel in the request context. The caller sets `attempt` (its audit attemptId)
 * and clears the rest before each guarded call; the guard fills `last` and `settled`.
 */
export interface IdempotencyReport {
  attempt: string | null;
  last: IdempotencyOutcome | null;
  settled: SettledAttempt | null;
}

/** What the upstream shows about an earlier, ambiguous attempt. */
export type ReconciliationEvidence<TPayload> =
  /**
   * The write was found (marker matched with amount, date and target): the answer is built from it.
   * `objects`: upstream objects that show the write but are not in the payload (the audit trail names them).
   */
  | { readonly found: 'applied'; readonly payload: TPayload; readonly objects?: readonly object[] }
  /** The write is provably absent: the key may be used again. */
  | { readonly found: 'not_applied' }
  /** Nothing conclusive (the marker could not be written, or the evidence is contradictory). */
  | { readonly found: 'unknown' };

/** A money-moving mutation, as the idempotency guard needs to know it. */
export interface IdempotentMutation<TPayload> {
  /** The mutation's field name; part of the key's scope. */
  readonly mutation: string;
  /** The mutation's input, with the client's key (shape checked by the IdempotencyKey scalar). */
  readonly input: { readonly idempotencyKey: string };
  /** The mutation's payload for a refusal: nothing changed, these are the user errors. */
  readonly refuse: (errors: UserErrorModel[]) => TPayload;
  /**
   * Looks at the upstream for the write an ambiguous attempt may have made, by the marker `run` wrote
   * into it (reads only). Absent where the API gives no way to find a write again: such a key stays
   * blocked with IDEMPOTENCY_OUTCOME_UNKNOWN. `context` is the retry's, or a fork for the background.
   */
  readonly reconcile?: (context: GatewayContext, marker: string) => Promise<ReconciliationEvidence<NoInfer<TPayload>>>;
}

/** The store could not be asked; the mutation was not attempted, so a retry with the same key is safe. */
export class IdempotencyStoreUnavailableError extends GatewayError {
  constructor() {
    super('The idempotency store is unavailable; nothing was sent. Retry with the same idempotencyKey.', 'UPSTREAM_UNAVAILABLE');
  }
}

/** Where a key lives: the caller's scope (hash of tenant, issuer and subject), the mutation and the client's key. */
export function idempotencyStoreKey(callerScope: string, mutation: string, idempotencyKey: string): string {
  return `${callerScope}:${mutation}:${idempotencyKey}`;
}

/**
 * The marker a money mutation writes into the upstream's reference, notes or transaction field so an
 * ambiguous write can be found again: `idem-` and 22 characters of the store key's SHA-256. The same
 * for every retry and replica; it reveals neither the caller nor the client's key.
 */
export function idempotencyMarker(storeKey: string): string {
  return `idem-${createHash('sha256').update(storeKey).digest('base64url').slice(0, 22)}`;
}

/**
 * Runs a money-moving mutation at most once per (caller, mutation, key):
 *
 * - same key and input as an answered request → its stored payload, the upstream is not called;
 * - same key, different input → IDEMPOTENCY_KEY_REUSED; the same key while the first request runs →
 *   IDEMPOTENCY_IN_PROGRESS (all user errors, no upstream call);
 * - after an ambiguous outcome, the retry reconciles first (mutation.reconcile): found → the found
 *   object, nothing sent; provably absent → sent again under the same key; otherwise (or when the
 *   mutation cannot be reconciled) IDEMPOTENCY_OUTCOME_UNKNOWN;
 * - otherwise `run` executes with the key's marker, and its outcome decides the record: a payload
 *   after a write was sent (success or the upstream's business refusal) is stored and replayed; a
 *   payload or error without any write sent (the gateway's own validation, an open breaker, a full
 *   bulkhead, a connection never opened) frees the key; any other error after a write left the
 *   gateway (reset, timeout, any 5xx, 409, 429, an unreadable body) is ambiguous: the key is blocked
 *   and a background reconciliation is scheduled.
 *
 * Writes are told apart by the request's upstream call records (every attempt is recorded there,
 * `sent: false` when it never left); the Mutation type runs its fields one after another, so the
 * records added while `run` executes are this mutation's own.
 */
export async function idempotent<TPayload>(
  context: GatewayContext,
  mutation: IdempotentMutation<TPayload>,
  run: (marker: string) => Promise<TPayload>,
): Promise<TPayload> {
  const { config, idempotency: store, observability } = context.services;
  const key = idempotencyStoreKey(context.caller.partitionKey, mutation.mutation, mutation.input.idempotencyKey);
  const marker = idempotencyMarker(key);
  const fingerprint = fingerprintOf(mutation.input);
  const retentionMs = config.idempotency.ttlSeconds * 1000;
  const leaseMs = config.requestTimeoutMs + LEASE_MARGIN_MS;
  const log = observability.logger.child({ mutation: mutation.mutation, idempotencyKey: mutation.input.idempotencyKey });
  const outcome = context.idempotencyOutcome;

  const attempt = outcome.attempt;
  const holder: Holder = { ...(attempt === null ? {} : { attempt }), ...recoveryOf(context, mutation, log) };
  let token: string | null = null;
  try {
    // Twice at most: a record settled or freed between our claim and our takeover is read again once,
    // and a key reconciled as not applied is released and claimed again, under this call's attempt.
    for (let round = 0; round < 2 && token === null; round += 1) {
      const claim = await store.claim(key, fingerprint, leaseMs, retentionMs, holder);
      if (claim.claimed) {
        token = claim.token;
        break;
      }
      const existing = claim.existing;
      if (existing.fingerprint !== fingerprint || existing.state !== 'outcome_unknown' || !mutation.reconcile) {
        outcome.last = existing.state === 'completed' && existing.fingerprint === fingerprint ? 'replayed' : 'refused';
        return answerExisting(existing, fingerprint, mutation);
      }
      const takenOver = await store.takeOver(key, fingerprint, leaseMs, retentionMs);
      if (takenOver === null) continue;
      const settledAttempt = existing.attempt ?? null;
      const settled = await reconcileHeld(context, mutation, { key, token: takenOver, marker, fingerprint, sentAt: existing.sentAt, holder: holderOf(existing) });
      if (settled.kind === 'applied') {
        outcome.last = 'reconciled_applied';
        outcome.settled = { outcome: 'reconciled_applied', attempt: settledAttempt, objects: settled.objects };
        return settled.payload;
      }
      if (settled.kind === 'blocked') {
        outcome.last = 'refused';
        return mutation.refuse([outcomeUnknown(settled.reason)]);
      }
      outcome.settled = { outcome: 'reconciled_not_applied', attempt: settledAttempt, objects: [] };
      // Freed, then claimed again by this call: should it die sending, the record names this attempt.
      await store.release(key, takenOver);
    }
    if (token === null) {
      outcome.last = 'refused';
      return mutation.refuse([inProgress()]);
    }
  } catch (error) {
    if (error instanceof IdempotencyStoreFullError) {
      log.error({ maxKeys: error.maxKeys }, 'in-memory idempotency store full: money mutation refused, nothing sent');
      outcome.last = 'refused';
      return mutation.refuse([
        {
          field: ['input', 'idempotencyKey'],
          message: 'the gateway holds as many idempotency keys as it may (IDEMPOTENCY_MEMORY_MAX_KEYS); nothing was sent. Retry later with the same idempotencyKey',
          code: 'IDEMPOTENCY_STORE_FULL',
        },
      ]);
    }
    log.error({ err: error }, 'idempotency store unavailable');
    throw new IdempotencyStoreUnavailableError();
  }

  const held = token;
  const before = context.upstreamCalls.length;
  const writes = () => context.upstreamCalls.slice(before).filter((call) => call.method !== 'GET');
  const sentAt = Date.now();
  let payload: TPayload;
  try {
    payload = await run(marker);
  } catch (error) {
    const sent = writes();
    if (sent.every(neverLeft)) {
      outcome.last = 'released';
      await store.release(key, held).catch((cause: unknown) => log.error({ err: cause }, 'could not release an idempotency key'));
    } else {
      outcome.last = 'outcome_unknown';
      log.warn(
        { writes: sent.map(({ system, route, status }) => ({ system, route, status })), reconcilable: mutation.reconcile !== undefined },
        'write sent without a usable answer: key blocked until reconciled',
      );
      // Listed as an orphan should this replica die before its background reconciliation has run.
      const orphanAfterMs = mutation.reconcile ? config.idempotency.reconcileDelayMs + leaseMs : null;
      const written = await store
        .settle(key, held, { state: 'outcome_unknown', fingerprint, sentAt, ...(mutation.reconcile ? holder : attemptOnly(holder)) }, retentionMs, orphanAfterMs)
        .catch((cause: unknown) => {
          log.error({ err: cause }, 'could not record an unknown outcome');
          return false;
        });
      if (written && mutation.reconcile) scheduleReconciliation(context, mutation, { key, marker, fingerprint, sentAt, holder });
    }
    throw error;
  }

  if (writes().length === 0) {
    // The gateway refused the input before anything was sent: the client may correct it under the same key.
    outcome.last = 'released';
    await store.release(key, held).catch((cause: unknown) => log.error({ err: cause }, 'could not release an idempotency key'));
    return payload;
  }
  let stored: string | null = null;
  try {
    stored = encodePayload(payload);
  } catch (cause) {
    log.error({ err: cause }, 'payload cannot be stored for replay: key blocked, outcome unknown');
  }
  outcome.last = stored === null ? 'outcome_unknown' : 'executed';
  const record: FinalRecord = stored === null ? { state: 'outcome_unknown', fingerprint, sentAt, ...attemptOnly(holder) } : { state: 'completed', fingerprint, payload: stored };
  const written = await store.settle(key, held, record, retentionMs, null).catch((cause: unknown) => {
    log.error({ err: cause }, 'could not store the answer of an idempotent mutation');
    return false;
  });
  if (!written) log.warn('the idempotency claim lapsed and another request took the key before this answer was stored');
  return payload;
}

interface HeldRecord {
  readonly key: string;
  readonly token: string;
  readonly marker: string;
  readonly fingerprint: string;
  /** When the ambiguous attempt started (0: unknown, e.g. a lapsed claim). */
  readonly sentAt: number;
  /** Who held the key (kept when the key is given back). */
  readonly holder: Holder;
}

type Reconciled<TPayload> =
  | { readonly kind: 'applied'; readonly payload: TPayload; readonly objects: readonly object[] }
  /** Provably not applied; the key is still held by the token, for the caller to send again or release. */
  | { readonly kind: 'not_applied' }
  | { readonly kind: 'blocked'; readonly reason: string };

/**
 * Reconciles a record held under `held.token`: found → stored as the answer; absent (and the attempt
 * old enough that a late write cannot still land) → left held for the caller; otherwise given back
 * as `outcome_unknown`, its original attempt time kept.
 */
async function reconcileHeld<TPayload>(context: GatewayContext, mutation: IdempotentMutation<TPayload>, held: HeldRecord): Promise<Reconciled<TPayload>> {
  const { config, idempotency: store, observability } = context.services;
  const retentionMs = config.idempotency.ttlSeconds * 1000;
  const log = observability.logger.child({ mutation: mutation.mutation, idempotencyKey: mutation.input.idempotencyKey });
  // `retryable`: a later orphan sweep may learn more (the upstream was unreadable, or too little time
  // passed), so the key keeps its place in the orphan index; otherwise it leaves it.
  const giveBack = async (reason: string, retryable: boolean): Promise<Reconciled<TPayload>> => {
    await store
      .settle(held.key, held.token, { state: 'outcome_unknown', fingerprint: held.fingerprint, sentAt: held.sentAt, ...(retryable ? held.holder : attemptOnly(held.holder)) }, retentionMs, retryable ? undefined : null)
      .catch((cause: unknown) => log.error({ err: cause }, 'could not give back an unknown outcome'));
    return { kind: 'blocked', reason };
  };
  let evidence: ReconciliationEvidence<TPayload>;
  try {
    evidence = await mutation.reconcile!(context, held.marker);
  } catch (error) {
    log.warn({ err: error }, 'reconciliation could not read the upstream: key stays blocked');
    return giveBack('the gateway could not yet check the upstream for it; retry shortly with the same key', true);
  }
  if (evidence.found === 'applied') {
    let stored: string | null = null;
    try {
      stored = encodePayload(evidence.payload);
    } catch (cause) {
      log.error({ err: cause }, 'reconciled payload cannot be stored for replay');
    }
    if (stored !== null) await store.settle(held.key, held.token, { state: 'completed', fingerprint: held.fingerprint, payload: stored }, retentionMs);
    log.info('ambiguous outcome reconciled: the write was applied');
    return { kind: 'applied', payload: evidence.payload, objects: evidence.objects ?? [] };
  }
  if (evidence.found === 'not_applied') {
    if (Date.now() - held.sentAt >= config.idempotency.reconcileDelayMs) {
      log.info('ambiguous outcome reconciled: the write was not applied');
      return { kind: 'not_applied' };
    }
    return giveBack('the upstream shows no trace of it yet, but a late write may still land; retry shortly with the same key', true);
  }
  return giveBack('the upstream gives no way to find the write again; check the payment before retrying with a new key', false);
}

/** Reconciles the key in the background after the configured delay, in a fork of the request's context. */
function scheduleReconciliation<TPayload>(
  context: GatewayContext,
  mutation: IdempotentMutation<TPayload>,
  record: { readonly key: string; readonly marker: string; readonly fingerprint: string; readonly sentAt: number; readonly holder: Holder },
): void {
  const { config, idempotency: store, reconciler } = context.services;
  const { caller, requestId } = context;
  reconciler.schedule(async () => {
    const retentionMs = config.idempotency.ttlSeconds * 1000;
    const token = await store.takeOver(record.key, record.fingerprint, config.requestTimeoutMs + LEASE_MARGIN_MS, retentionMs);
    // Settled, freed or being reconciled elsewhere (a retry, another replica): nothing to do here.
    if (token === null) return null;
    const fork = context.fork();
    const settlement = settlementFor(fork, mutation, {
      tenantId: caller.tenant.id,
      subject: caller.subject,
      issuer: caller.issuer,
      client: caller.client,
      attempt: record.holder.attempt ?? null,
      requestId,
    });
    const settled = await reconcileHeld(fork, mutation, { ...record, token });
    if (settled.kind === 'applied') return settlement('reconciled_applied', settled.payload, settled.objects);
    if (settled.kind === 'not_applied') {
      await store.release(record.key, token);
      return settlement('reconciled_not_applied', null, []);
    }
    return settlement('outcome_unknown', null, []);
  });
}

/** Builds the settlements of one ambiguous call, reconciled in `context` (no request of its own). */
function settlementFor(
  context: GatewayContext,
  mutation: IdempotentMutation<unknown>,
  call: Pick<IdempotencySettlement, 'tenantId' | 'subject' | 'issuer' | 'client' | 'attempt' | 'requestId'>,
): (outcome: IdempotencySettlement['outcome'], payload: unknown, objects: readonly object[]) => IdempotencySettlement {
  return (outcome, payload, objects) => ({
    ...call,
    mutation: mutation.mutation,
    idempotencyKey: mutation.input.idempotencyKey,
    outcome,
    payload,
    objects,
    input: mutation.input,
    context,
    at: new Date(),
  });
}

/**
 * A holder without its recovery: for a key no sweep will reconcile, so the input does not stay in the
 * store for the retention period (a retry reconciles with its own input).
 */
function attemptOnly(holder: Holder): Holder {
  return holder.attempt === undefined ? {} : { attempt: holder.attempt };
}

/** The recovery a claim carries (Holder.recovery), or nothing when the input cannot be stored. */
function recoveryOf(context: GatewayContext, mutation: IdempotentMutation<unknown>, log: GatewayContext['services']['observability']['logger']): Holder {
  const { caller } = context;
  try {
    const recovery = encodeRecovery({
      mutation: mutation.mutation,
      input: mutation.input,
      tenantId: caller.tenant.id,
      subject: caller.subject,
      issuer: caller.issuer,
      client: caller.client,
      requestId: context.requestId,
    });
    return { recovery };
  } catch (error) {
    log.warn({ err: error }, 'the input cannot be kept with the key: should this replica die holding it, only a retry reconciles it');
    return {};
  }
}

/** How the orphan sweep reaches a dead holder's tenant and mutation (wired by the server, which knows the resolvers). */
export type OrphanRestorer = (recovery: Recovery) => {
  /** A context acting for the holder's caller (its tenant's credentials), with no request of its own. */
  readonly context: GatewayContext;
  /** The mutation's reconciliation for this input; undefined where the mutation gives no way to find a write again. */
  readonly reconcile: IdempotentMutation<unknown>['reconcile'];
} | null;

/**
 * The orphan sweep: settles up to `limit` keys whose holder is gone — its replica died holding the
 * claim, or before the background reconciliation of its unknown outcome ran — as that background
 * reconciliation would have, so a client that never retries still leaves a settled record. Keys
 * that cannot be reconciled become plain unknown outcomes (blocked, as after any ambiguous write),
 * so the holder's attempt is given an end too. Only one replica takes each key (takeOver). Returns
 * the settlements, for the reconciler's listeners.
 */
export async function reconcileOrphans(services: GatewayContext['services'], restore: OrphanRestorer, limit = 20): Promise<IdempotencySettlement[]> {
  const { config, idempotency: store, observability } = services;
  const retentionMs = config.idempotency.ttlSeconds * 1000;
  const leaseMs = config.requestTimeoutMs + LEASE_MARGIN_MS;
  const settlements: IdempotencySettlement[] = [];
  for (const key of await store.orphans(limit)) {
    const record = await store.peek(key);
    if (!record || record.state === 'completed' || record.recovery === undefined) continue;
    const token = await store.takeOver(key, record.fingerprint, leaseMs, retentionMs);
    if (token === null) continue;
    const holder = holderOf(record);
    const sentAt = record.state === 'outcome_unknown' ? record.sentAt : 0;
    const recovery = decodeRecovery(record.recovery);
    const restored = recovery && restore(recovery);
    const log = observability.logger.child({ mutation: recovery?.mutation, idempotencyKey: recovery?.input.idempotencyKey });
    const block = () => store.settle(key, token, { state: 'outcome_unknown', fingerprint: record.fingerprint, sentAt, ...attemptOnly(holder) }, retentionMs, null);
    if (!recovery || !restored) {
      log.error({ tenant: recovery?.tenantId }, 'an orphaned idempotency key cannot be restored (unreadable, or its tenant is gone): it stays blocked');
      await block();
      continue;
    }
    const mutation: IdempotentMutation<unknown> = { mutation: recovery.mutation, input: recovery.input, refuse: () => null, reconcile: restored.reconcile };
    const { tenantId, subject, issuer, client, requestId } = recovery;
    const settlement = settlementFor(restored.context, mutation, { tenantId, subject, issuer, client, requestId, attempt: holder.attempt ?? null });
    if (!restored.reconcile) {
      log.warn('a replica died holding this key and the write cannot be looked for: it stays blocked (IDEMPOTENCY_OUTCOME_UNKNOWN)');
      await block();
      settlements.push(settlement('outcome_unknown', null, []));
      continue;
    }
    const settled = await reconcileHeld(restored.context, mutation, { key, token, marker: idempotencyMarker(key), fingerprint: record.fingerprint, sentAt, holder });
    if (settled.kind === 'applied') settlements.push(settlement('reconciled_applied', settled.payload, settled.objects));
    else if (settled.kind === 'not_applied') {
      await store.release(key, token);
      settlements.push(settlement('reconciled_not_applied', null, []));
    } else settlements.push(settlement('outcome_unknown', null, []));
  }
  return settlements;
}

function inProgress(): UserErrorModel {
  return {
    field: ['input', 'idempotencyKey'],
    message: 'a request with this idempotencyKey is still in progress; retry shortly to receive its answer',
    code: 'IDEMPOTENCY_IN_PROGRESS',
  };
}

function outcomeUnknown(reason: string): UserErrorModel {
  return {
    field: ['input', 'idempotencyKey'],
    message: `an earlier request with this idempotencyKey reached the upstream but its answer was lost, so it may have been applied: ${reason}`,
    code: 'IDEMPOTENCY_OUTCOME_UNKNOWN',
  };
}

function answerExisting<TPayload>(existing: IdempotencyRecord, fingerprint: string, mutation: IdempotentMutation<TPayload>): TPayload {
  if (existing.fingerprint !== fingerprint) {
    return mutation.refuse([
      {
        field: ['input', 'idempotencyKey'],
        message: `this idempotencyKey was already used for ${mutation.mutation} with a different input; use a new key for a new request`,
        code: 'IDEMPOTENCY_KEY_REUSED',
      },
    ]);
  }
  if (existing.state === 'in_progress') return mutation.refuse([inProgress()]);
  if (existing.state === 'outcome_unknown') {
    return mutation.refuse([outcomeUnknown('the upstream gives no way to find the write again; check the payment before retrying with a new key')]);
  }
  // The record was encoded from this mutation's own payload (encodePayload), so it decodes to one.
  return decodePayload(existing.payload) as TPayload;
}

/**
 * An attempt that provably never left the gateway: refused by the breaker, the bulkhead or the
 * deadline, or no connection could be opened. Every other attempt may have been applied, whatever
 * its answer: a proxy in front of the upstream answers 503 or 409 after a write it forwarded.
 */
function neverLeft(call: UpstreamCallRecord): boolean {
  return !call.sent;
}

import type { GatewayContext } from '../context.js';
import type { UserErrorModel } from '../domain/models.js';
import { GatewayError } from '../errors.js';
import type { UpstreamCallRecord } from '../upstreams/http.js';
import { decodePayload, encodePayload, fingerprintOf } from './codec.js';
import type { IdempotencyRecord } from './store.js';

/**
 * How long a claim outlives the request's own timeout before it lapses. Upstream calls never run
 * past REQUEST_TIMEOUT_MS, so a claim older than this belongs to a replica that died mid-request.
 */
const LEASE_MARGIN_MS = 5_000;

/**
 * What the idempotency guard did with one mutation call, for the audit trail (read by whoever wraps
 * the Mutation resolvers, right after the call; Mutation fields run one after another):
 * - `executed`: the mutation ran and its write reached the upstream (or was refused there);
 * - `released`: nothing was sent (the gateway refused the input, or the write provably never left);
 * - `replayed`: a stored answer was returned, nothing was sent;
 * - `refused`: the key was reused, in progress or blocked (IDEMPOTENCY_* user errors), nothing was sent;
 * - `outcome_unknown`: a write was sent and its outcome is not known (the key stays blocked);
 * - `reconciled_applied` / `reconciled_not_applied`: an ambiguous earlier outcome was settled from upstream evidence.
 */
export type IdempotencyOutcome = 'executed' | 'released' | 'replayed' | 'refused' | 'outcome_unknown' | 'reconciled_applied' | 'reconciled_not_applied';

/** A money-moving mutation, as the idempotency guard needs to know it. */
export interface IdempotentMutation<TPayload> {
  /** The mutation's field name; part of the key's scope. */
  readonly mutation: string;
  /** The mutation's input, with the client's key (shape checked by the IdempotencyKey scalar). */
  readonly input: { readonly idempotencyKey: string };
  /** The mutation's payload for a refusal: nothing changed, these are the user errors. */
  readonly refuse: (errors: UserErrorModel[]) => TPayload;
}

/** The store could not be asked; the mutation was not attempted, so a retry with the same key is safe. */
export class IdempotencyStoreUnavailableError extends GatewayError {
  constructor() {
    super('The idempotency store is unavailable; nothing was sent. Retry with the same idempotencyKey.', 'UPSTREAM_UNAVAILABLE');
  }
}

/** Where a key lives: the caller's scope (hash of its forwarded credentials), the mutation and the client's key. */
export function idempotencyStoreKey(callerScope: string, mutation: string, idempotencyKey: string): string {
  return `${callerScope}:${mutation}:${idempotencyKey}`;
}

/**
 * Runs a money-moving mutation at most once per (caller, mutation, key):
 *
 * - same key and input as an answered request → its stored payload, the upstream is not called;
 * - same key, different input → IDEMPOTENCY_KEY_REUSED; the same key while the first request runs →
 *   IDEMPOTENCY_IN_PROGRESS; after an ambiguous failure → IDEMPOTENCY_OUTCOME_UNKNOWN (all user errors,
 *   no upstream call);
 * - otherwise `run` executes, and its outcome decides the record: a payload after a write was sent
 *   (success or the upstream's business refusal) is stored and replayed; a payload or error without any
 *   write sent (the gateway's own validation, an open breaker, a full bulkhead), or an error the upstream
 *   answered with a refusal (4xx, 503), frees the key; an error after a write got no answer (reset,
 *   timeout) or a failing answer (500, 502, 504) blocks the key, since the money may have moved.
 *
 * Writes are told apart by the request's upstream call records (every attempt is recorded there,
 * status 0 when no answer came); the Mutation type runs its fields one after another, so the
 * records added while `run` executes are this mutation's own.
 */
export async function idempotent<TPayload>(
  context: GatewayContext,
  mutation: IdempotentMutation<TPayload>,
  run: () => Promise<TPayload>,
): Promise<TPayload> {
  const { config, idempotency: store, observability } = context.services;
  const key = idempotencyStoreKey(context.caller.partitionKey, mutation.mutation, mutation.input.idempotencyKey);
  const fingerprint = fingerprintOf(mutation.input);
  const retentionMs = config.idempotency.ttlSeconds * 1000;

  let token: string;
  try {
    const claim = await store.claim(key, fingerprint, config.requestTimeoutMs + LEASE_MARGIN_MS);
    if (!claim.claimed) {
      const answer = answerExisting(claim.existing, fingerprint, mutation);
      context.idempotencyOutcome.last = claim.existing.state === 'completed' && claim.existing.fingerprint === fingerprint ? 'replayed' : 'refused';
      return answer;
    }
    token = claim.token;
  } catch (error) {
    observability.logger.error({ err: error, mutation: mutation.mutation }, 'idempotency store unavailable');
    throw new IdempotencyStoreUnavailableError();
  }

  const before = context.upstreamCalls.length;
  const writes = () => context.upstreamCalls.slice(before).filter((call) => call.method !== 'GET');
  const log = observability.logger.child({ mutation: mutation.mutation, idempotencyKey: mutation.input.idempotencyKey });
  let payload: TPayload;
  try {
    payload = await run();
  } catch (error) {
    const sent = writes();
    if (sent.every(provesNothingApplied)) {
      context.idempotencyOutcome.last = 'released';
      await store.release(key, token).catch((cause: unknown) => log.error({ err: cause }, 'could not release an idempotency key'));
    } else {
      context.idempotencyOutcome.last = 'outcome_unknown';
      log.warn({ writes: sent.map(({ system, route, status }) => ({ system, route, status })) }, 'write sent without a usable answer: key blocked, outcome unknown');
      await store
        .settle(key, token, { state: 'outcome_unknown', fingerprint }, retentionMs)
        .catch((cause: unknown) => log.error({ err: cause }, 'could not record an unknown outcome'));
    }
    throw error;
  }

  if (writes().length === 0) {
    // The gateway refused the input before anything was sent: the client may correct it under the same key.
    context.idempotencyOutcome.last = 'released';
    await store.release(key, token).catch((cause: unknown) => log.error({ err: cause }, 'could not release an idempotency key'));
    return payload;
  }
  let stored: string | null = null;
  try {
    stored = encodePayload(payload);
  } catch (cause) {
    log.error({ err: cause }, 'payload cannot be stored for replay: key blocked, outcome unknown');
  }
  context.idempotencyOutcome.last = stored === null ? 'outcome_unknown' : 'executed';
  const record = stored === null ? ({ state: 'outcome_unknown', fingerprint } as const) : ({ state: 'completed', fingerprint, payload: stored } as const);
  const written = await store.settle(key, token, record, retentionMs).catch((cause: unknown) => {
    log.error({ err: cause }, 'could not store the answer of an idempotent mutation');
    return false;
  });
  if (!written) log.warn('the idempotency claim lapsed and another request took the key before this answer was stored');
  return payload;
}

function answerExisting<TPayload>(existing: IdempotencyRecord, fingerprint: string, mutation: IdempotentMutation<TPayload>): TPayload {
  const field = ['input', 'idempotencyKey'];
  if (existing.fingerprint !== fingerprint) {
    return mutation.refuse([
      {
        field,
        message: `this idempotencyKey was already used for ${mutation.mutation} with a different input; use a new key for a new request`,
        code: 'IDEMPOTENCY_KEY_REUSED',
      },
    ]);
  }
  if (existing.state === 'in_progress') {
    return mutation.refuse([
      { field, message: 'a request with this idempotencyKey is still in progress; retry shortly to receive its answer', code: 'IDEMPOTENCY_IN_PROGRESS' },
    ]);
  }
  if (existing.state === 'outcome_unknown') {
    return mutation.refuse([
      {
        field,
        message:
          'an earlier request with this idempotencyKey reached the upstream but its answer was lost (connection reset or timeout), so it may have been applied; check the payment before retrying with a new key',
        code: 'IDEMPOTENCY_OUTCOME_UNKNOWN',
      },
    ]);
  }
  // The record was encoded from this mutation's own payload (encodePayload), so it decodes to one.
  return decodePayload(existing.payload) as TPayload;
}

/**
 * An attempt that cannot have been applied: it never left the gateway (breaker open, bulkhead full,
 * deadline spent, connection refused), or its answer says the upstream did not act on it: a client
 * error (4xx; the business refusals the clients decode never throw) or 503 Service Unavailable. No
 * answer after sending (reset, timeout) and other 5xx say nothing about whether the write was applied.
 */
function provesNothingApplied(call: UpstreamCallRecord): boolean {
  return !call.sent || (call.status >= 400 && call.status < 500) || call.status === 503;
}

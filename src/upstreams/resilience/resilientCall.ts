import type { Bulkhead, BulkheadRelease } from './bulkhead.js';
import type { CircuitBreaker } from './circuitBreaker.js';
import { sleep, type Clock } from './clock.js';
import { nextRetryDelay, type RetryPolicy } from './retry.js';

/** The policies one upstream's calls go through; built once per upstream. */
export interface ResiliencePolicies {
  readonly retry: RetryPolicy;
  /** Null: no breaker (every attempt goes out). */
  readonly breaker: CircuitBreaker | null;
  /** Null: no concurrency cap. */
  readonly bulkhead: Bulkhead | null;
  readonly clock: Clock;
  /** Uniform in [0, 1): the jitter source. */
  readonly random: () => number;
}

/** How one attempt ended. An attempt reports its failure here rather than throwing it. */
export type AttemptOutcome<T> =
  | {
      readonly ok: true;
      readonly value: T;
      /**
       * Set when the value still uses the connection after the attempt (a streamed body): the
       * bulkhead slot is handed over and must be released through it when the body is done.
       */
      readonly holdSlot?: (release: BulkheadRelease) => void;
    }
  | {
      readonly ok: false;
      readonly error: Error;
      /** The failure is of a kind worth retrying (connection error, 429, 502-504). */
      readonly retryable: boolean;
      /** The failure says the upstream is unhealthy (connection error, timeout, 5xx, 429). */
      readonly breakerFailure: boolean;
      /** The upstream's Retry-After in ms, when it sent one. */
      readonly retryAfterMs: number | null;
    };

/** Why an attempt was not made at all. */
export type Refusal =
  | { readonly kind: 'circuit-open'; readonly retryInMs: number }
  | { readonly kind: 'queue-full' }
  | { readonly kind: 'queue-timeout' }
  | { readonly kind: 'deadline' };

export interface ResilientCall<T> {
  /** Clock time at which the call's budget ends: no attempt, queue wait or backoff runs past it. */
  readonly deadline: number;
  /** The longest one attempt may take (shortened to what is left of the budget). */
  readonly attemptTimeoutMs: number;
  /** Whether the call may be repeated at all (reads yes, writes never). */
  readonly repeatable: boolean;
  /** Whose share of the bulkhead the call takes (the caller's tenant); unset: the shared remainder. */
  readonly owner?: string;
  /** Makes attempt `attempt` (1-based), giving up after `timeoutMs`. */
  attempt(attempt: number, timeoutMs: number): Promise<AttemptOutcome<T>>;
  /** The error to fail with when attempt `attempt` is refused before reaching the network. */
  refused(refusal: Refusal, attempt: number): Error;
}

/**
 * Runs one logical upstream call through the breaker, the bulkhead and the retry policy.
 *
 * Contract: each attempt first asks the breaker (an open circuit refuses at once, without
 * queueing), then waits for a bulkhead slot (at most until the deadline), then takes the breaker's
 * permit (refused, and the slot released, if the circuit opened during the wait), then runs with a timeout
 * of min(attemptTimeoutMs, what is left of the budget). Its outcome is told to the breaker; the
 * slot is released before any backoff. A failed attempt is retried only as `nextRetryDelay` allows
 * (repeatable call, retryable failure, attempts left, budget holds the wait and a whole attempt);
 * otherwise the call fails with that attempt's error. Resolves with the first successful value.
 */
export async function callWithResilience<T>(policies: ResiliencePolicies, call: ResilientCall<T>): Promise<T> {
  const { clock } = policies;
  for (let attempt = 1; ; attempt += 1) {
    if (call.deadline - clock.now() <= 0) throw call.refused({ kind: 'deadline' }, attempt);
    const { breaker } = policies;
    // An open circuit refuses before the queue, so a call never waits for a slot only to be refused.
    if (breaker?.refusing) throw call.refused({ kind: 'circuit-open', retryInMs: breaker.retryInMs }, attempt);
    let release: BulkheadRelease = () => undefined;
    if (policies.bulkhead) {
      const admission = await policies.bulkhead.acquire(call.deadline - clock.now(), call.owner);
      if (!admission.admitted) throw call.refused({ kind: admission.reason === 'queue-full' ? 'queue-full' : 'queue-timeout' }, attempt);
      release = admission.release;
    }
    // The permit is taken once the call holds its slot: the circuit may have opened while it waited
    // (the calls ahead of it failed), and then it must not reach the upstream either.
    const permit = breaker ? breaker.tryAcquire() : null;
    if (breaker && !permit) {
      release();
      throw call.refused({ kind: 'circuit-open', retryInMs: breaker.retryInMs }, attempt);
    }
    const timeoutMs = Math.min(call.attemptTimeoutMs, call.deadline - clock.now());
    if (timeoutMs <= 0) {
      release();
      permit?.abandon();
      throw call.refused({ kind: 'deadline' }, attempt);
    }

    let outcome: AttemptOutcome<T>;
    try {
      outcome = await call.attempt(attempt, timeoutMs);
    } catch (error) {
      // An attempt reports failures as outcomes; a throw is a bug in it and says nothing about the upstream.
      release();
      permit?.abandon();
      throw error;
    }
    if (outcome.ok) {
      permit?.success();
      if (outcome.holdSlot) outcome.holdSlot(release);
      else release();
      return outcome.value;
    }
    release();
    if (outcome.breakerFailure) permit?.failure();
    else permit?.success();
    const delay = nextRetryDelay(
      policies.retry,
      {
        attempt,
        retryable: call.repeatable && outcome.retryable,
        retryAfterMs: outcome.retryAfterMs,
        remainingMs: call.deadline - clock.now(),
        attemptTimeoutMs: call.attemptTimeoutMs,
      },
      policies.random,
    );
    if (delay === null) throw outcome.error;
    await sleep(clock, delay);
  }
}

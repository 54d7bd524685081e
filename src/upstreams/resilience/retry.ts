/**
 * When a failed upstream call is tried again, and after how long.
 *
 * Contract:
 * - Only reads are retried: GET is the one method whose repetition cannot change upstream state.
 *   POST, PATCH, PUT and DELETE are never retried, whatever went wrong (a reset after the upstream
 *   applied a write is indistinguishable from a reset before it).
 * - A read is retried after a connection error (no answer) and after 429, 502, 503 and 504. A timeout
 *   is not retried: a hanging upstream costs one attempt timeout, not three.
 * - `attempts` counts every attempt, the first included (3: the first and two retries).
 * - The wait before retry n (n = 1, 2, …) is full jitter over a doubling step:
 *   uniform in [0, baseDelayMs × 2^(n-1)). A `Retry-After` the upstream sent replaces it: the retry
 *   is never sent sooner than the upstream asked.
 * - A retry is only started when the remaining budget of the call holds the wait plus one whole
 *   attempt; otherwise the last failure stands. So Retry-After is honoured only as far as the budget
 *   allows, and no retry is started that the deadline would cut short.
 */

export interface RetryPolicy {
  /** Attempts of one read in all, the first included (1 = never retry). */
  readonly attempts: number;
  /** First backoff step in ms; each later step doubles. */
  readonly baseDelayMs: number;
}

/** HTTP statuses after which a read is worth trying again: the upstream said "not now". */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** True for the methods whose calls may be repeated automatically: GET only. */
export function isRetryableMethod(method: string): boolean {
  return method === 'GET';
}

/** True for 429, 502, 503 and 504. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The jittered wait before retry `retry` (1 for the first retry): `random()` × baseDelayMs × 2^(retry-1).
 * `random` returns a number in [0, 1), as Math.random does.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  return random() * policy.baseDelayMs * 2 ** Math.max(0, retry - 1);
}

/**
 * Reads a `Retry-After` header: delay-seconds (`"120"`) or an HTTP date, relative to `nowEpochMs`.
 * Returns the wait in ms (0 for a date in the past), or null when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowEpochMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday and GMT; a bare number with a sign or fraction is not valid either way.
  if (!/GMT$/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowEpochMs);
}

/** What is known when an attempt has failed. */
export interface FailedAttempt {
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  /** Whether this kind of failure may be retried (method and failure both allow it). */
  readonly retryable: boolean;
  /** The upstream's Retry-After in ms, when it sent one. */
  readonly retryAfterMs: number | null;
  /** Budget of the call still left, in ms. */
  readonly remainingMs: number;
  /** The longest one attempt may take. */
  readonly attemptTimeoutMs: number;
}

/**
 * Decides about the next attempt: the wait before it in ms, or null when the call should fail
 * with the attempt's error (not retryable, attempts used up, or the budget cannot hold a retry).
 */
export function nextRetryDelay(policy: RetryPolicy, failed: FailedAttempt, random: () => number): number | null {
  if (!failed.retryable || failed.attempt >= policy.attempts) return null;
  const delay = failed.retryAfterMs ?? backoffDelayMs(policy, failed.attempt, random);
  if (delay + failed.attemptTimeoutMs > failed.remainingMs) return null;
  return delay;
}

/**
 * Where idempotency records live. A record is keyed by caller scope, mutation and client key
 * (see idempotencyKey in once.ts) and is in one of three states:
 *
 * - `in_progress`: a request holds the key. Its lease expires on its own, so a replica that crashed
 *   mid-request does not block the key for longer than a request may last.
 * - `completed`: the request's answer (success or business refusal), replayed to every retry.
 * - `outcome_unknown`: the write reached the upstream but no answer came back; the key stays
 *   blocked so a retry cannot move the money a second time.
 *
 * Every operation is atomic per key, across replicas for a shared store.
 */
export type IdempotencyRecord =
  | { readonly state: 'in_progress'; readonly fingerprint: string; readonly token: string }
  | { readonly state: 'completed'; readonly fingerprint: string; readonly payload: string }
  | { readonly state: 'outcome_unknown'; readonly fingerprint: string };

/** The records a holder settles its claim with. */
export type FinalRecord = Extract<IdempotencyRecord, { state: 'completed' | 'outcome_unknown' }>;

export type ClaimResult = { readonly claimed: true; readonly token: string } | { readonly claimed: false; readonly existing: IdempotencyRecord };

export interface IdempotencyStore {
  /** `memory` (this process only) or `redis` (shared by every replica using the same URL). */
  readonly kind: 'memory' | 'redis';
  /**
   * Claims `key` for one request when no live record holds it, and returns the claim's token; otherwise
   * returns the record that holds it. The claim lapses after `leaseMs` unless settled or released.
   */
  claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimResult>;
  /**
   * Replaces the holder's claim with its final record, kept `ttlMs`. Also writes it when the lease has
   * lapsed and nobody else took the key; returns false (and writes nothing) when another request holds it.
   */
  settle(key: string, token: string, record: FinalRecord, ttlMs: number): Promise<boolean>;
  /** Drops the holder's claim (nothing was sent upstream), so the key can be used again; false when not held. */
  release(key: string, token: string): Promise<boolean>;
  /** The remaining lifetime of a record in ms, null when there is none (tests and operators). */
  ttlOf(key: string): Promise<number | null>;
  close(): Promise<void>;
}

/** Parses a stored record, refusing anything that is not one (a foreign value under our prefix). */
export function parseRecord(text: string): IdempotencyRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null && 'state' in value && 'fingerprint' in value && typeof value.fingerprint === 'string') {
    if (value.state === 'in_progress' && 'token' in value && typeof value.token === 'string') {
      return { state: 'in_progress', fingerprint: value.fingerprint, token: value.token };
    }
    if (value.state === 'completed' && 'payload' in value && typeof value.payload === 'string') {
      return { state: 'completed', fingerprint: value.fingerprint, payload: value.payload };
    }
    if (value.state === 'outcome_unknown') return { state: 'outcome_unknown', fingerprint: value.fingerprint };
  }
  throw new Error('not an idempotency record');
}

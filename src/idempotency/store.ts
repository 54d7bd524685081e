/**
 * Where idempotency records live. A record is keyed by caller scope, mutation and client key
 * (see idempotencyStoreKey in idempotent.ts) and is in one of three states:
 *
 * - `in_progress`: a request (or a reconciliation) holds the key under a lease. The record itself is
 *   kept for the retention period; only the lease lapses. A holder whose lease lapsed (a replica that
 *   died mid-request) may have sent its write, so such a record reads as `outcome_unknown`: it is
 *   reconciled, never silently freed.
 * - `completed`: the request's answer (success or business refusal), replayed to every retry.
 * - `outcome_unknown`: a write left the gateway and no usable answer came back; the key stays blocked
 *   until reconciliation finds evidence either way. `sentAt` (epoch ms) is when the attempt started.
 *
 * Every operation is atomic per key, across replicas for a shared store.
 *
 * A claim and an unknown outcome also say who holds (or held) the key (Holder), so that whoever
 * reconciles it later, on any replica, knows whose write it settles and how to look for it.
 */
export type IdempotencyRecord =
  | ({ readonly state: 'in_progress'; readonly fingerprint: string; readonly token: string } & Holder)
  | { readonly state: 'completed'; readonly fingerprint: string; readonly payload: string }
  | ({ readonly state: 'outcome_unknown'; readonly fingerprint: string; readonly sentAt: number } & Holder);

/** Who holds (or held) a key besides its token; kept from the claim until the key is completed or freed. */
export interface Holder {
  /** The call whose write may be out there (its audit attemptId). */
  readonly attempt?: string;
  /**
   * What a reconciler without the holder's request needs (the mutation, its input and its caller, as
   * idempotent() encodes them); opaque to the store. A key whose record carries it is an orphan
   * candidate: listed by `orphans()` once the holder's lease lapsed (its replica died), or once an
   * unknown outcome's reconciliation is overdue (the replica that should run it died).
   */
  readonly recovery?: string;
}

/** The records a holder settles its claim with. */
export type FinalRecord = Extract<IdempotencyRecord, { state: 'completed' | 'outcome_unknown' }>;

export type ClaimResult = { readonly claimed: true; readonly token: string } | { readonly claimed: false; readonly existing: IdempotencyRecord };

/** The in-memory store holds as many live keys as it may; nothing was claimed and nothing may be sent. */
export class IdempotencyStoreFullError extends Error {
  constructor(readonly maxKeys: number) {
    super(`the in-memory idempotency store holds its maximum of ${maxKeys} live keys`);
  }
}

export interface IdempotencyStore {
  /** `memory` (this process only) or `redis` (shared by every replica using the same URL). */
  readonly kind: 'memory' | 'redis';
  /**
   * Claims `key` for one request when no record holds it, and returns the claim's token; otherwise
   * returns the record that holds it (a lapsed claim as `outcome_unknown`, its holder kept). The claim's
   * lease lapses after `leaseMs`; the record is kept `ttlMs`. A full memory store throws IdempotencyStoreFullError.
   */
  claim(key: string, fingerprint: string, leaseMs: number, ttlMs: number, holder?: Holder): Promise<ClaimResult>;
  /**
   * Takes an `outcome_unknown` record with this fingerprint (or a claim whose lease lapsed) under a new
   * lease, to reconcile it, keeping its holder; returns the new token, or null when the record is in
   * another state, is held by a live lease (another replica is reconciling it) or is gone.
   */
  takeOver(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<string | null>;
  /**
   * Replaces the holder's claim with its final record, kept `ttlMs`. Also writes it when the lease has
   * lapsed and nobody else took the key; returns false (and writes nothing) when another request holds it.
   * `orphanAfterMs`, for an unknown outcome that carries `recovery`: `orphans()` lists the key after this
   * long unless it is settled before; null: not listed (nothing more to try without a retry); absent:
   * listed as it was. A completed record is never listed.
   */
  settle(key: string, token: string, record: FinalRecord, ttlMs: number, orphanAfterMs?: number | null): Promise<boolean>;
  /** Drops the holder's claim (nothing was applied upstream), so the key can be used again; false when not held. */
  release(key: string, token: string): Promise<boolean>;
  /** Up to `limit` keys whose holder is gone (see Holder.recovery) and that nobody is reconciling now. */
  orphans(limit: number): Promise<string[]>;
  /** The remaining lifetime of a record in ms, null when there is none (tests and operators). */
  ttlOf(key: string): Promise<number | null>;
  /** The record under `key` as stored (tests and operators). */
  peek(key: string): Promise<IdempotencyRecord | null>;
  close(): Promise<void>;
}

/** Parses a stored record, refusing anything that is not one (a foreign value under our prefix). */
export function parseRecord(text: string): IdempotencyRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null && 'state' in value && 'fingerprint' in value && typeof value.fingerprint === 'string') {
    const holder: Holder = {
      ...('attempt' in value && typeof value.attempt === 'string' ? { attempt: value.attempt } : {}),
      ...('recovery' in value && typeof value.recovery === 'string' ? { recovery: value.recovery } : {}),
    };
    if (value.state === 'in_progress' && 'token' in value && typeof value.token === 'string') {
      return { state: 'in_progress', fingerprint: value.fingerprint, token: value.token, ...holder };
    }
    if (value.state === 'completed' && 'payload' in value && typeof value.payload === 'string') {
      return { state: 'completed', fingerprint: value.fingerprint, payload: value.payload };
    }
    if (value.state === 'outcome_unknown') {
      const sentAt = 'sentAt' in value && typeof value.sentAt === 'number' ? value.sentAt : 0;
      return { state: 'outcome_unknown', fingerprint: value.fingerprint, sentAt, ...holder };
    }
  }
  throw new Error('not an idempotency record');
}

/** A record's holder, as a spreadable part (absent fields stay absent). */
export function holderOf(record: IdempotencyRecord | Holder): Holder {
  return {
    ...('attempt' in record && record.attempt !== undefined ? { attempt: record.attempt } : {}),
    ...('recovery' in record && record.recovery !== undefined ? { recovery: record.recovery } : {}),
  };
}

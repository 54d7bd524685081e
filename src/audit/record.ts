import { createHash } from 'node:crypto';

/**
 * One audit record: a fact about one mutation call, appended to its tenant's chain and never changed.
 * A mutation call appends two: `ATTEMPTED` before anything is sent, then its outcome.
 */

/**
 * What became of a mutation call:
 * - `ATTEMPTED`: written before the mutation ran (nothing was sent yet); the outcome record follows;
 * - `ACCEPTED`: the mutation did what was asked;
 * - `REFUSED`: nothing changed: a userError (input, business rule, four eyes, idempotency refusal), `code` names it;
 *   or the caller's scopes do not allow the mutation (`FORBIDDEN`, recorded though no resolver ran);
 * - `FAILED`: the mutation raised an error (`code` is its extensions.code); nothing was applied as far as is known;
 * - `REPLAYED`: the answer of an earlier call with the same idempotency key (stored, or its object found by
 *   reconciliation), nothing sent;
 * - `OUTCOME_UNKNOWN`: a write was sent and no usable answer came: the money may have moved;
 * - `RECONCILED_APPLIED` / `RECONCILED_NOT_APPLIED`: a settlement: the unknown outcome of the attempt whose
 *   `attemptId` the record carries was settled from upstream evidence (by a retry, the background or the orphan sweep).
 */
export type AuditOutcome =
  | 'ATTEMPTED'
  | 'ACCEPTED'
  | 'REFUSED'
  | 'FAILED'
  | 'REPLAYED'
  | 'OUTCOME_UNKNOWN'
  | 'RECONCILED_APPLIED'
  | 'RECONCILED_NOT_APPLIED';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  'ATTEMPTED',
  'ACCEPTED',
  'REFUSED',
  'FAILED',
  'REPLAYED',
  'OUTCOME_UNKNOWN',
  'RECONCILED_APPLIED',
  'RECONCILED_NOT_APPLIED',
];

/** What the gateway appends. No tokens, no file contents: ids, amounts and digests only. */
export interface AuditEntry {
  /** Shared by a call's ATTEMPTED record and its outcome record. */
  readonly attemptId: string;
  readonly at: Date;
  readonly tenant: string;
  readonly subject: string;
  readonly issuer: string;
  readonly clientName: string | null;
  readonly clientVersion: string | null;
  readonly mutation: string;
  /** The money-relevant input: the amount as written (exact decimal text) and its currency. */
  readonly amount: string | null;
  readonly currency: string | null;
  /** Global ids the input names (customer, invoice, payment, credit, receipt). */
  readonly targetIds: readonly string[];
  /** sha256 (hex) of the whole input in canonical JSON (keys sorted, decimals as text). */
  readonly inputDigest: string;
  readonly idempotencyKey: string | null;
  readonly outcome: AuditOutcome;
  /** The userError code (REFUSED) or error code (FAILED); null otherwise. */
  readonly code: string | null;
  /** Global ids of upstream objects the call created or changed. */
  readonly upstreamIds: readonly string[];
  readonly requestId: string;
  readonly traceId: string | null;
}

/** An appended record: its place in the tenant's chain and the hashes that link it. */
export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … per tenant, without gaps. */
  readonly sequence: number;
  /** The hash of the tenant's previous record; GENESIS_HASH for the first. */
  readonly previousHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The record's hash: sha256 over the previous hash and every field of the record (tenant and
 * sequence included) in a fixed order, so changing, removing or reordering any record breaks
 * every later link.
 */
export function chainHash(entry: AuditEntry, sequence: number, previousHash: string): string {
  const fields = [
    entry.tenant,
    sequence,
    entry.attemptId,
    entry.at.toISOString(),
    entry.subject,
    entry.issuer,
    entry.clientName,
    entry.clientVersion,
    entry.mutation,
    entry.amount,
    entry.currency,
    [...entry.targetIds],
    entry.inputDigest,
    entry.idempotencyKey,
    entry.outcome,
    entry.code,
    [...entry.upstreamIds],
    entry.requestId,
    entry.traceId,
  ];
  return createHash('sha256').update(previousHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/**
 * sha256 (hex) of a value in canonical JSON: object keys sorted, undefined dropped, Dates as ISO
 * text, anything with its own JSON form (Decimal) as that. Equal inputs give equal digests.
 */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    if ('toJSON' in value && typeof value.toJSON === 'function') return (value.toJSON as () => unknown)();
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, field]) => [key, canonical(field)]));
  }
  return value;
}

/** A page of the audit trail as the AuditRecordConnection type resolves it. */
export interface AuditRecordConnectionModel {
  readonly edges: readonly { readonly cursor: string; readonly node: AuditRecord }[];
  readonly nodes: readonly AuditRecord[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly hasPreviousPage: boolean; readonly startCursor: string | null; readonly endCursor: string | null };
}

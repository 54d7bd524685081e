import { GatewayError } from '../errors.js';
import type { SqlDatabase, SqlSession } from './database.js';
import { migrate } from './migrations.js';
import { verifyChains, type ChainReport } from './verifyChains.js';
import { chainHash, GENESIS_HASH, type AuditEntry, type AuditOutcome, type AuditRecord } from './record.js';

/** What `auditTrail` may ask for: all optional, combined with AND. */
export interface AuditQuery {
  readonly subject?: string | null;
  readonly mutation?: string | null;
  readonly outcome?: AuditOutcome | null;
  /** Matches a record that names the id in its input or created/changed it. */
  readonly targetId?: string | null;
  /** Inclusive lower and exclusive upper bound of the record's time. */
  readonly from?: Date | null;
  readonly to?: Date | null;
  /** Only records older than this sequence (the cursor of the page before). */
  readonly beforeSequence?: number | null;
  readonly limit: number;
}

/** Who made a record: subjects are unique per issuer. */
export interface AuditActor {
  readonly subject: string;
  readonly issuer: string;
}

/** The append-only audit trail: each tenant's records form one hash chain. */
export interface AuditStore {
  /** Where the records live, for the start-up log ("PostgreSQL", "PGlite at data/audit"). */
  readonly description: string;
  /** Opens the database and applies migrations (once; a failed attempt is retried by the next call). */
  ready(): Promise<void>;
  /** Appends one record at the end of its tenant's chain; throws when it cannot be written. */
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** A tenant's records, newest first. */
  list(tenant: string, query: AuditQuery): Promise<AuditRecord[]>;
  /** Who made records of these mutations that created or changed `upstreamId` with the given outcomes. */
  actorsOf(tenant: string, upstreamId: string, mutations: readonly string[], outcomes: readonly AuditOutcome[]): Promise<AuditActor[]>;
  close(): Promise<void>;
}

/** The audit store could not be written or read: the mutation was not attempted, nothing was sent. */
export class AuditUnavailableError extends GatewayError {
  constructor() {
    super('The audit trail cannot be written, so nothing was sent. Retry later (with the same idempotencyKey).', 'AUDIT_UNAVAILABLE');
  }
}

/** A row of audit_records as both drivers return it (bigint may come back as text). */
export interface AuditRow {
  readonly tenant: string;
  readonly sequence: number | string;
  readonly attempt_id: string;
  readonly recorded_at: Date | string;
  readonly subject: string;
  readonly issuer: string;
  readonly client_name: string | null;
  readonly client_version: string | null;
  readonly mutation: string;
  readonly amount: string | null;
  readonly currency: string | null;
  readonly target_ids: string[];
  readonly input_digest: string;
  readonly idempotency_key: string | null;
  readonly outcome: string;
  readonly code: string | null;
  readonly upstream_ids: string[];
  readonly request_id: string;
  readonly trace_id: string | null;
  readonly previous_hash: string;
  readonly hash: string;
}

export function recordFromRow(row: AuditRow): AuditRecord {
  return {
    tenant: row.tenant,
    sequence: Number(row.sequence),
    attemptId: row.attempt_id,
    at: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    subject: row.subject,
    issuer: row.issuer,
    clientName: row.client_name,
    clientVersion: row.client_version,
    mutation: row.mutation,
    amount: row.amount,
    currency: row.currency,
    targetIds: row.target_ids,
    inputDigest: row.input_digest,
    idempotencyKey: row.idempotency_key,
    // Written only by append(), from the AuditOutcome type; verify() recomputes the hash over it.
    outcome: row.outcome as AuditOutcome,
    code: row.code,
    upstreamIds: row.upstream_ids,
    requestId: row.request_id,
    traceId: row.trace_id,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** The audit trail over SQL: PostgreSQL shared by replicas, or the embedded PGlite. */
export class SqlAuditStore implements AuditStore {
  private database: Promise<SqlDatabase> | null = null;

  constructor(
    readonly description: string,
    private readonly open: () => Promise<SqlDatabase>,
  ) {}

  ready(): Promise<void> {
    return this.db().then(() => undefined);
  }

  private db(): Promise<SqlDatabase> {
    this.database ??= (async () => {
      const db = await this.open();
      try {
        await migrate(db);
      } catch (error) {
        await db.close().catch(() => undefined);
        throw error;
      }
      return db;
    })().catch((error: unknown) => {
      this.database = null;
      throw error;
    });
    return this.database;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const db = await this.db();
    return db.transaction((tx) => appendIn(tx, entry));
  }

  async list(tenant: string, query: AuditQuery): Promise<AuditRecord[]> {
    const db = await this.db();
    const { rows } = await db.query<AuditRow>(
      `SELECT * FROM audit_records
        WHERE tenant = $1
          AND ($2::text IS NULL OR subject = $2)
          AND ($3::text IS NULL OR mutation = $3)
          AND ($4::text IS NULL OR outcome = $4)
          AND ($5::text IS NULL OR $5 = ANY(target_ids) OR $5 = ANY(upstream_ids))
          AND ($6::timestamptz IS NULL OR recorded_at >= $6)
          AND ($7::timestamptz IS NULL OR recorded_at < $7)
          AND ($8::bigint IS NULL OR sequence < $8)
        ORDER BY sequence DESC
        LIMIT $9`,
      [
        tenant,
        query.subject ?? null,
        query.mutation ?? null,
        query.outcome ?? null,
        query.targetId ?? null,
        query.from ?? null,
        query.to ?? null,
        query.beforeSequence ?? null,
        query.limit,
      ],
    );
    return rows.map(recordFromRow);
  }

  async actorsOf(tenant: string, upstreamId: string, mutations: readonly string[], outcomes: readonly AuditOutcome[]): Promise<AuditActor[]> {
    const db = await this.db();
    const { rows } = await db.query<AuditActor>(
      `SELECT DISTINCT subject, issuer FROM audit_records
        WHERE tenant = $1 AND $2 = ANY(upstream_ids) AND mutation = ANY($3::text[]) AND outcome = ANY($4::text[])`,
      [tenant, upstreamId, [...mutations], [...outcomes]],
    );
    return rows.map(({ subject, issuer }) => ({ subject, issuer }));
  }

  /** Verifies every tenant's chain through this store's own connection (PGlite admits no second opener). */
  async verify(): Promise<ChainReport> {
    return verifyChains(await this.db());
  }

  async close(): Promise<void> {
    const database = this.database;
    this.database = null;
    if (database) await (await database.catch(() => null))?.close();
  }
}

/**
 * Appends under the tenant's head row, locked FOR UPDATE: appends of one tenant, from any replica,
 * take turns, so each links to the one before and no two share a sequence (the primary key would
 * refuse a second anyway).
 */
async function appendIn(tx: SqlSession, entry: AuditEntry): Promise<AuditRecord> {
  await tx.query('INSERT INTO audit_heads (tenant, sequence, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant) DO NOTHING', [entry.tenant, GENESIS_HASH]);
  const { rows } = await tx.query<{ sequence: number | string; hash: string }>('SELECT sequence, hash FROM audit_heads WHERE tenant = $1 FOR UPDATE', [entry.tenant]);
  const head = rows[0]!;
  const sequence = Number(head.sequence) + 1;
  const hash = chainHash(entry, sequence, head.hash);
  await tx.query(
    `INSERT INTO audit_records (tenant, sequence, attempt_id, recorded_at, subject, issuer, client_name, client_version, mutation, amount, currency,
       target_ids, input_digest, idempotency_key, outcome, code, upstream_ids, request_id, trace_id, previous_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
    [
      entry.tenant,
      sequence,
      entry.attemptId,
      entry.at,
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
      head.hash,
      hash,
    ],
  );
  await tx.query('UPDATE audit_heads SET sequence = $2, hash = $3 WHERE tenant = $1', [entry.tenant, sequence, hash]);
  return { ...entry, sequence, previousHash: head.hash, hash };
}

import type { SqlDatabase } from './database.js';

/**
 * The audit schema, one migration per entry, applied in order and recorded in `audit_migrations`.
 * Every replica runs them at start-up under one advisory lock, so two replicas starting together
 * apply each migration once and the second finds it done.
 */
const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE audit_records (
      tenant text NOT NULL,
      sequence bigint NOT NULL,
      attempt_id text NOT NULL,
      recorded_at timestamptz NOT NULL,
      subject text NOT NULL,
      issuer text NOT NULL,
      client_name text,
      client_version text,
      mutation text NOT NULL,
      amount text,
      currency text,
      target_ids text[] NOT NULL,
      input_digest text NOT NULL,
      idempotency_key text,
      outcome text NOT NULL,
      code text,
      upstream_ids text[] NOT NULL,
      request_id text NOT NULL,
      trace_id text,
      previous_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (tenant, sequence)
    )`,
    // The newest record of each tenant: appends lock this row, so a tenant's chain never forks.
    `CREATE TABLE audit_heads (tenant text PRIMARY KEY, sequence bigint NOT NULL, hash text NOT NULL)`,
    `CREATE INDEX audit_records_target_ids ON audit_records USING gin (target_ids)`,
    `CREATE INDEX audit_records_upstream_ids ON audit_records USING gin (upstream_ids)`,
    // Append-only in the database itself, whatever the connecting role may do: records are never
    // updated, deleted or truncated, and a head only ever moves one record forward.
    `CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
     END $$`,
    `CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
    `CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
    `CREATE FUNCTION audit_head_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP <> 'UPDATE' OR NEW.tenant <> OLD.tenant OR NEW.sequence <> OLD.sequence + 1 THEN
         RAISE EXCEPTION 'an audit head only moves one record forward: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END IF;
       RETURN NEW;
     END $$`,
    `CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE OR DELETE ON audit_heads FOR EACH ROW EXECUTE FUNCTION audit_head_moves_forward()`,
    `CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
  ],
];

/** An arbitrary constant naming the migration lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK = 7_312_026_120_001;

/** Applies the migrations this database lacks; safe when several replicas call it at once. */
export async function migrate(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS audit_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM audit_migrations')).rows.map((row) => Number(row.version)));
    for (const [index, statements] of MIGRATIONS.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      for (const statement of statements) await tx.query(statement);
      await tx.query('INSERT INTO audit_migrations (version) VALUES ($1)', [version]);
    }
  });
}

/** The audit trail: every mutation call, appended to a per-tenant hash chain (README, "Audit trail"). */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { SqlAuditStore, type AuditStore } from './auditStore.js';
import { pgliteDatabase, postgresDatabase } from './database.js';

export { AuditUnavailableError, SqlAuditStore, type AuditActor, type AuditQuery, type AuditStore } from './auditStore.js';
export { pgliteDatabase, postgresDatabase, type SqlDatabase, type SqlSession } from './database.js';
export { migrate } from './migrations.js';
export { AUDIT_OUTCOMES, chainHash, digestOf, GENESIS_HASH, type AuditEntry, type AuditOutcome, type AuditRecord, type AuditRecordConnectionModel } from './record.js';
export type { AuditRecord as AuditRecordModel } from './record.js';
export { verifyChains, type BrokenLink, type ChainReport } from './verifyChains.js';

/**
 * The store the configuration names. PostgreSQL (DATABASE_URL) is connected and migrated now, so a
 * database that cannot be reached stops the start; so is the embedded PGlite in production. Outside
 * production PGlite opens at its first use: creating its directory costs seconds and a few hundred
 * MB, which a development gateway that never sees a mutation should not pay.
 */
export async function createAuditStore(config: GatewayConfig, logger: Logger): Promise<AuditStore> {
  const { databaseUrl, dataDir } = config.audit;
  if (databaseUrl === null) {
    const embedded = new SqlAuditStore(`PGlite at ${dataDir}`, () => pgliteDatabase(dataDir));
    if (!config.production) return embedded;
    try {
      await embedded.ready();
    } catch (error) {
      throw new Error(`the audit trail's PGlite directory (AUDIT_DATA_DIR, ${dataDir}) cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
    }
    return embedded;
  }
  const store = new SqlAuditStore(`PostgreSQL at ${safeLocation(databaseUrl)}`, async () =>
    postgresDatabase(databaseUrl, (error) => logger.warn({ err: error }, 'audit database connection lost')),
  );
  try {
    await store.ready();
  } catch (error) {
    await store.close();
    throw new Error(`the audit database (DATABASE_URL, ${safeLocation(databaseUrl)}) cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  return store;
}

/** Host, port and database of a connection URL, never its user or password. */
export function safeLocation(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
}

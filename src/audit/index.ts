/** The audit trail: every mutation call, appended to a per-tenant hash chain (README, "Audit trail"). */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { SqlAuditStore, type AuditStore } from './auditStore.js';
import { pgliteDatabase, postgresDatabase } from './database.js';
import { prepareEmbeddedDirectory } from './embeddedDirectory.js';

export { AuditUnavailableError, SqlAuditStore, type AuditActor, type AuditQuery, type AuditStore } from './auditStore.js';
export { pgliteDatabase, postgresDatabase, type SqlDatabase, type SqlSession } from './database.js';
export { checkEmbeddedDirectory, createEmbeddedDirectory, PGLITE_SETTINGS } from './embeddedDirectory.js';
export { migrate } from './migrations.js';
export { AUDIT_OUTCOMES, chainHash, digestOf, GENESIS_HASH, type AuditEntry, type AuditOutcome, type AuditRecord, type AuditRecordConnectionModel } from './record.js';
export type { AuditRecord as AuditRecordModel } from './record.js';
export { verifyChains, type BrokenLink, type ChainReport } from './verifyChains.js';

/**
 * The store the configuration names. PostgreSQL (DATABASE_URL) is connected and migrated now, so a
 * database that cannot be reached stops the start. The embedded PGlite opens at its first use (the
 * first mutation or `auditTrail`), in production too: an open instance holds 100–300 MB of RSS
 * that a gateway serving reads should not carry. Its data directory is checked now (in production a
 * directory that is not usable stops the start) and created now when it does not exist yet, in a
 * child process, so initdb's memory never lands in the gateway's (bench/README.md, "The embedded
 * audit store"). Outside production the check and creation run in the background and a failure is
 * logged; the first use waits for them and retries them when they failed.
 */
export async function createAuditStore(config: GatewayConfig, logger: Logger): Promise<AuditStore> {
  const { databaseUrl, dataDir } = config.audit;
  if (databaseUrl === null) {
    if (dataDir.includes('://')) return new SqlAuditStore(`PGlite at ${dataDir}`, () => pgliteDatabase(dataDir));
    let prepared: Promise<void> | null = null;
    const prepare = () =>
      (prepared ??= prepareEmbeddedDirectory(dataDir).catch((error: unknown) => {
        prepared = null;
        throw new Error(`the audit trail's PGlite directory (AUDIT_DATA_DIR, ${dataDir}) cannot be used: ${error instanceof Error ? error.message : String(error)}`);
      }));
    const embedded = new SqlAuditStore(`PGlite at ${dataDir}`, async () => {
      await prepare();
      return pgliteDatabase(dataDir);
    });
    if (config.production) await prepare();
    else prepare().catch((error: unknown) => logger.error({ err: error }, 'audit store: mutations are refused until its directory can be used'));
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

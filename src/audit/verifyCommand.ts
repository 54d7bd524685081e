/**
 * `npm run audit:verify`: checks every tenant's audit chain in the configured store (DATABASE_URL,
 * else the PGlite data directory AUDIT_DATA_DIR, which no running gateway may hold open). Exits 0
 * when every chain holds, 1 naming the first broken record of each broken chain, 2 when the store
 * cannot be read.
 */
import { ConfigError, loadConfig } from '../config.js';
import { pgliteDatabase, postgresDatabase, type SqlDatabase } from './database.js';
import { safeLocation } from './index.js';
import { verifyChains } from './verifyChains.js';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { databaseUrl, dataDir } = config.audit;
  const where = databaseUrl ? `PostgreSQL at ${safeLocation(databaseUrl)}` : `PGlite at ${dataDir}`;
  let db: SqlDatabase | null = null;
  try {
    db = databaseUrl ? postgresDatabase(databaseUrl, () => undefined) : await pgliteDatabase(dataDir);
    const report = await verifyChains(db);
    for (const { tenant, records } of report.tenants) {
      const broken = report.broken.find((link) => link.tenant === tenant);
      process.stdout.write(broken ? `BROKEN ${tenant}: record ${broken.sequence}: ${broken.reason}\n` : `ok ${tenant}: ${records} records\n`);
    }
    if (report.broken.length > 0) {
      const first = report.broken[0]!;
      process.stderr.write(`audit trail BROKEN (${where}): tenant ${first.tenant}, record ${first.sequence}: ${first.reason}\n`);
      return 1;
    }
    process.stdout.write(`audit trail verified (${where}): ${report.tenants.length} tenant chain(s) intact\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`cannot verify the audit trail (${where}): ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  } finally {
    await db?.close().catch(() => undefined);
  }
}

process.exitCode = await main();

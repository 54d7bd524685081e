import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PGLITE_SETTINGS } from './embeddedDirectory.js';

/**
 * The little of SQL the audit trail needs, spoken alike by PostgreSQL (`pg`) and the embedded PGlite:
 * the same statements run on both.
 */
export interface SqlSession {
  query<TRow extends object>(text: string, params?: readonly unknown[]): Promise<{ rows: TRow[] }>;
}

export interface SqlDatabase extends SqlSession {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** How long a connection attempt or a statement may take before the audit store counts as down. */
const CONNECT_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 5_000;

/** A pool of PostgreSQL connections; `onError` hears of connections that broke while idle. */
export function postgresDatabase(url: string, onError: (error: Error) => void): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
    application_name: 'finance-graphql-gateway',
  });
  // Without a listener an idle connection dropped by the server (restart, failover) would crash the process.
  pool.on('error', onError);
  return {
    async query<TRow extends object>(text: string, params: readonly unknown[] = []) {
      const result = await pool.query<TRow>(text, [...params]);
      return { rows: result.rows };
    },
    async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const session: SqlSession = {
          async query<TRow extends object>(text: string, params: readonly unknown[] = []) {
            const result = await client.query<TRow>(text, [...params]);
            return { rows: result.rows };
          },
        };
        const value = await work(session);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: it is destroyed, not reused.
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** The embedded PGlite (PostgreSQL in WebAssembly, in this process); `memory://` keeps nothing on disk. */
export async function pgliteDatabase(dataDir: string): Promise<SqlDatabase> {
  const { PGlite: Embedded } = await import('@electric-sql/pglite');
  // PGlite creates its directory but not the parents (data/audit on a fresh clone).
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const db: PGlite = await Embedded.create(dataDir, { startParams: [...Embedded.defaultStartParams, ...PGLITE_SETTINGS] });
  const session = (target: Pick<PGlite, 'query'>): SqlSession => ({
    async query<TRow extends object>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<TRow>(text, [...params]);
      return { rows: result.rows };
    },
  });
  return {
    ...session(db),
    // PGlite has one connection; its transactions queue behind each other, which serializes appends.
    transaction: (work) => db.transaction((tx) => work(session(tx))),
    close: () => db.close(),
  };
}

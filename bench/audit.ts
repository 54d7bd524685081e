/**
 * `npm run bench:audit`: what the audit trail adds to one money mutation — its two appends (ATTEMPTED
 * before anything is sent, then the outcome), each one transaction that locks the tenant's head row —
 * with the embedded PGlite (on disk, as the default runs) and with PostgreSQL (a throwaway local
 * server with production durability: fsync and synchronous commit on). Prints p50/p99 per mutation
 * at one caller, and appends per second with 8 callers of one tenant; writes bench/results/audit.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteDatabase, postgresDatabase, SqlAuditStore, type AuditEntry, type AuditStore } from '../src/audit/index.js';
import { startPostgres } from '../test/helpers/postgres.js';

const MUTATIONS = Number(process.env['BENCH_AUDIT_MUTATIONS'] ?? 300);
const CONCURRENT_CALLERS = 8;

function entry(tenant: string): AuditEntry {
  return {
    attemptId: randomUUID(),
    at: new Date(),
    tenant,
    subject: 'bench-user',
    issuer: 'https://bench.issuer.example/',
    clientName: 'bench',
    clientVersion: '1.0.0',
    mutation: 'addPayment',
    amount: '125.50',
    currency: 'USD',
    targetIds: ['Q3VzdG9tZXI6SVFNOjIwMDEwMQ'],
    inputDigest: 'a'.repeat(64),
    idempotencyKey: randomUUID(),
    outcome: 'ATTEMPTED',
    code: null,
    upstreamIds: [],
    requestId: randomUUID(),
    traceId: null,
  };
}

/** One money mutation's audit cost: the ATTEMPTED append and the outcome append, one after the other. */
async function auditOneMutation(store: AuditStore, tenant: string): Promise<number> {
  const attempt = entry(tenant);
  const started = performance.now();
  await store.append(attempt);
  await store.append({ ...attempt, at: new Date(), outcome: 'ACCEPTED', upstreamIds: ['SXFtUGF5bWVudDpJUU06MjAwMTAxOjkwMDE'] });
  return performance.now() - started;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(name: string, store: AuditStore) {
  await store.ready();
  for (let index = 0; index < 20; index += 1) await auditOneMutation(store, 'warm-up');
  const times: number[] = [];
  for (let index = 0; index < MUTATIONS; index += 1) times.push(await auditOneMutation(store, 'bench-tenant'));
  times.sort((a, b) => a - b);
  const concurrentStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_CALLERS }, async () => {
      for (let index = 0; index < MUTATIONS / CONCURRENT_CALLERS; index += 1) await auditOneMutation(store, 'bench-concurrent');
    }),
  );
  const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
  const result = {
    store: name,
    mutations: MUTATIONS,
    p50MsPerMutation: Number(percentile(times, 50).toFixed(2)),
    p99MsPerMutation: Number(percentile(times, 99).toFixed(2)),
    mutationsPerSecondWith8CallersOneTenant: Math.round(MUTATIONS / concurrentSeconds),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}

const loadBefore = loadavg();
const results = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'));
try {
  const pglite = new SqlAuditStore('PGlite', () => pgliteDatabase(join(dir, 'pglite')));
  try {
    results.push(await measure('PGlite (on disk)', pglite));
  } finally {
    await pglite.close();
  }
  const server = await startPostgres({ durable: true });
  const postgres = new SqlAuditStore('PostgreSQL', async () => postgresDatabase(server.url, () => undefined));
  try {
    results.push(await measure('PostgreSQL (local, fsync on)', postgres));
  } finally {
    await postgres.close();
    await server.destroy();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const report = { results, machine: { loadAverageBefore: loadBefore, loadAverageAfter: loadavg() }, node: process.version };
writeFileSync(new URL('./results/audit.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);

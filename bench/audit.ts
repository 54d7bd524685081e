/**
 * `npm run bench:audit`: what the audit trail and the idempotency guard add to one money mutation,
 * besides the upstream call itself, in the order the gateway does it: the ATTEMPTED append, the key's
 * claim (fingerprint, claim), [the upstream call, not measured], the key's settlement (encode, settle)
 * and the outcome append. Each append is one transaction that locks the tenant's head row.
 *
 * Two set-ups: the embedded default (PGlite on disk for the trail, the in-memory key store) and what
 * replicas share (PostgreSQL, a throwaway local server with production durability — fsync and
 * synchronous commit on — and Redis, both over loopback). Prints p50/p99 per mutation of the audit
 * appends, of the idempotency claim and settle, and of both, at one caller; and mutations per second
 * with 8 callers of one tenant. Writes bench/results/audit.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteDatabase, postgresDatabase, SqlAuditStore, type AuditEntry, type AuditStore } from '../src/audit/index.js';
import { MemoryIdempotencyStore, RedisIdempotencyStore, type IdempotencyStore } from '../src/idempotency/index.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { startRedis } from '../test/helpers/redis.js';
import { claimKey, samplePayInvoice, settleKey } from './guardWork.js';

const MUTATIONS = Number(process.env['BENCH_AUDIT_MUTATIONS'] ?? 300);
const CONCURRENT_CALLERS = 8;

function entry(tenant: string, idempotencyKey: string): AuditEntry {
  return {
    attemptId: randomUUID(),
    at: new Date(),
    tenant,
    subject: 'bench-user',
    issuer: 'https://bench.issuer.example/',
    clientName: 'bench',
    clientVersion: '1.0.0',
    mutation: 'payInvoice',
    amount: '100.5',
    currency: 'USD',
    targetIds: ['SXFtSW52b2ljZTpJUU06MjAwMTAxOjEwMDE'],
    inputDigest: 'a'.repeat(64),
    idempotencyKey,
    outcome: 'ATTEMPTED',
    code: null,
    upstreamIds: [],
    requestId: randomUUID(),
    traceId: null,
  };
}

interface Costs {
  /** The two appends, ms. */
  readonly audit: number;
  /** Claim and settle of the key, ms. */
  readonly idempotency: number;
}

let sequence = 0;

/** One money mutation's audit and idempotency work, timed apart. */
async function oneMoneyMutation(audit: AuditStore, keys: IdempotencyStore, tenant: string): Promise<Costs> {
  const index = ++sequence;
  const { input, payload } = samplePayInvoice(index);
  const key = `${tenant}:payInvoice:bench-${index}`;
  const attempt = entry(tenant, `bench-${index}`);
  const t0 = performance.now();
  await audit.append(attempt);
  const t1 = performance.now();
  // The upstream call would run here, between the claim and the settlement.
  await settleKey(keys, key, await claimKey(keys, key, input, attempt.attemptId), payload);
  const t2 = performance.now();
  await audit.append({ ...attempt, at: new Date(), outcome: 'ACCEPTED', upstreamIds: ['SXFtSW52b2ljZTpJUU06MjAwMTAxOjEwMDE'] });
  const t3 = performance.now();
  return { audit: t1 - t0 + (t3 - t2), idempotency: t2 - t1 };
}

function percentiles(values: readonly number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2));
  return { p50: at(50), p99: at(99) };
}

async function measure(name: string, audit: AuditStore, keys: IdempotencyStore) {
  await audit.ready();
  for (let index = 0; index < 20; index += 1) await oneMoneyMutation(audit, keys, 'warm-up');
  const costs: Costs[] = [];
  for (let index = 0; index < MUTATIONS; index += 1) costs.push(await oneMoneyMutation(audit, keys, 'bench-tenant'));
  const concurrentStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_CALLERS }, async () => {
      for (let index = 0; index < MUTATIONS / CONCURRENT_CALLERS; index += 1) await oneMoneyMutation(audit, keys, 'bench-concurrent');
    }),
  );
  const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
  const result = {
    setup: name,
    mutations: MUTATIONS,
    auditAppendsMs: percentiles(costs.map((cost) => cost.audit)),
    idempotencyClaimAndSettleMs: percentiles(costs.map((cost) => cost.idempotency)),
    bothMs: percentiles(costs.map((cost) => cost.audit + cost.idempotency)),
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
  const memory = new MemoryIdempotencyStore(1_000_000);
  try {
    results.push(await measure('embedded default: PGlite on disk + in-memory keys', pglite, memory));
  } finally {
    await pglite.close();
    await memory.close();
  }
  const [server, redis] = await Promise.all([startPostgres({ durable: true }), startRedis()]);
  const postgres = new SqlAuditStore('PostgreSQL', async () => postgresDatabase(server.url, () => undefined));
  const shared = await RedisIdempotencyStore.connect(redis.url);
  try {
    results.push(await measure('replicas: PostgreSQL (local, fsync on) + Redis', postgres, shared));
  } finally {
    await postgres.close();
    await shared.close();
    await Promise.all([server.destroy(), redis.stop()]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const report = { results, machine: { loadAverageBefore: loadBefore, loadAverageAfter: loadavg() }, node: process.version };
writeFileSync(new URL('./results/audit.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);

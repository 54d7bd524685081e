/**
 * The cost of the idempotency guard's store work per money mutation: fingerprint the input, claim the
 * key (with its holder's recovery), encode the answer and settle it — what `idempotent()` adds to every payInvoice, addPayment, …
 * besides the upstream call itself. Measured on the in-memory store and on Redis (a local
 * redis-server over loopback TCP, as the tests start it), one call at a time and 16 at once.
 *
 *   npx tsx bench/idempotency.ts [--iterations 5000]
 *
 * Prints a JSON summary and writes it to bench/results/idempotency.json. Also reports the heap the
 * in-memory store holds per completed key (what IDEMPOTENCY_MEMORY_MAX_KEYS bounds).
 */
import { writeFileSync } from 'node:fs';
import { MemoryIdempotencyStore, RedisIdempotencyStore, type IdempotencyStore } from '../src/idempotency/index.js';
import { startRedis } from '../test/helpers/redis.js';
import { claimKey, samplePayInvoice, settleKey } from './guardWork.js';

const iterationsFlag = process.argv.indexOf('--iterations');
const ITERATIONS = iterationsFlag > 0 ? Number(process.argv[iterationsFlag + 1]) : 5_000;

/** One guarded call's store work; returns its duration in ms. */
async function guarded(store: IdempotencyStore, scope: string, index: number): Promise<number> {
  const { input, payload } = samplePayInvoice(index);
  const key = `${scope}:payInvoice:bench-${index}`;
  const started = performance.now();
  await settleKey(store, key, await claimKey(store, key, input), payload);
  return performance.now() - started;
}

function summary(durations: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(3));
  return { p50: at(0.5), p99: at(0.99), mean: Number((durations.reduce((a, b) => a + b, 0) / durations.length).toFixed(3)) };
}

async function measure(store: IdempotencyStore, label: string, concurrency: number): Promise<{ p50: number; p99: number; mean: number }> {
  const scope = `${label}-${concurrency}-${process.pid}`;
  for (let index = 0; index < 500; index += 1) await guarded(store, `${scope}-warm`, index);
  const durations: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ITERATIONS) durations.push(await guarded(store, scope, next++));
    }),
  );
  return summary(durations);
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { iterations: ITERATIONS, node: process.version };
  const memory = new MemoryIdempotencyStore(1_000_000);
  results['memory'] = { sequential: await measure(memory, 'memory', 1), concurrent16: await measure(memory, 'memory', 16) };
  await memory.close();

  const redis = await startRedis();
  const shared = await RedisIdempotencyStore.connect(redis.url);
  try {
    results['redis'] = { sequential: await measure(shared, 'redis', 1), concurrent16: await measure(shared, 'redis', 16) };
  } finally {
    await shared.close();
    await redis.stop();
  }

  // Heap per completed key in the in-memory store (run with --expose-gc for a steadier figure).
  const gc = (globalThis as { gc?: () => void }).gc;
  const store = new MemoryIdempotencyStore(1_000_000);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const keys = 20_000;
  for (let index = 0; index < keys; index += 1) await guarded(store, 'heap', index);
  gc?.();
  results['memoryStoreBytesPerKey'] = Math.round((process.memoryUsage().heapUsed - before) / keys);
  await store.close();

  const text = JSON.stringify(results, null, 2);
  process.stdout.write(`${text}\n`);
  writeFileSync(new URL('./results/idempotency.json', import.meta.url), `${text}\n`);
}

await main();

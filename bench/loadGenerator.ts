import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Client } from 'undici';

/**
 * The benchmark's load generator, run as its own process (bench/run.ts forks it, pinned to another
 * core) so generating load never shares the gateway's CPU. Takes jobs over the IPC channel, one at
 * a time, and answers each with its result.
 *
 * - `latency`: one client, one request at a time, each timed with performance.now() from send to
 *   the last body byte (sub-millisecond, unlike autocannon's whole-millisecond histogram).
 * - `throughput`: autocannon with `connections` concurrent clients, for saturation.
 *
 * Every response is checked: HTTP 200 and no `"errors"` in the body. A failing response is counted
 * and never measured as a success.
 */

export interface LoadJob {
  readonly mode: 'latency' | 'throughput';
  readonly url: string;
  /** The JSON request body (a GraphQL operation). */
  readonly body: string;
  /** The bearer token every request carries. */
  readonly authorization: string;
  readonly durationMs: number;
  /** Concurrent connections (throughput only). */
  readonly connections?: number;
  /** Latency only: also return every successful request's latency (bench/supergraph.ts merges rounds). */
  readonly keepSamples?: boolean;
}

export interface LoadResult {
  /** Answered with 200 and no GraphQL errors. */
  readonly ok: number;
  /** Anything else: non-200, GraphQL errors, transport errors, timeouts. */
  readonly failed: number;
  readonly durationMs: number;
  /** Successful operations per second. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** Each successful request's milliseconds, ascending; only when the job asked (`keepSamples`). */
  readonly samplesMs?: readonly number[];
}

const isAnswer = (body: string) => !body.includes('"errors"');

async function latencyRun(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < job.durationMs) {
      const sent = performance.now();
      try {
        const response = await client.request({
          method: 'POST',
          path: url.pathname,
          headers: { 'content-type': 'application/json', authorization: job.authorization },
          body: job.body,
        });
        const text = await response.body.text();
        const elapsed = performance.now() - sent;
        if (response.statusCode === 200 && isAnswer(text)) latencies.push(elapsed);
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  } finally {
    await client.close();
  }
  const durationMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    failed,
    durationMs,
    throughput: (latencies.length / durationMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: latencies.reduce((sum, value) => sum + value, 0) / Math.max(latencies.length, 1),
    ...(job.keepSamples ? { samplesMs: latencies } : {}),
  };
}

async function throughputRun(job: LoadJob): Promise<LoadResult> {
  const connections = job.connections ?? 8;
  const options = {
    url: job.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: job.authorization },
    body: job.body,
    connections,
    verifyBody: isAnswer,
    timeout: 30,
  };
  let result = await autocannon({ ...options, duration: job.durationMs / 1000 });
  // Requests still running when the time is up are not counted: an operation slower than the whole
  // run (naive mode, a short --quick run) is measured over a fixed number of requests instead.
  if (result['2xx'] < connections) result = await autocannon({ ...options, amount: connections * 2 });
  const answered = result['2xx'] - result.mismatches;
  const durationMs = result.duration * 1000;
  return {
    ok: answered,
    failed: result.non2xx + result.errors + result.timeouts + result.mismatches,
    durationMs,
    throughput: (answered / durationMs) * 1000,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
  };
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export interface LoadRequest {
  readonly id: number;
  readonly job: LoadJob;
}

export type LoadReply = { readonly id: number; readonly result: LoadResult } | { readonly id: number; readonly error: string };

process.on('message', (message: LoadRequest) => {
  const { id, job } = message;
  (job.mode === 'latency' ? latencyRun(job) : throughputRun(job)).then(
    (result) => process.send?.({ id, result } satisfies LoadReply),
    (error: unknown) => process.send?.({ id, error: String(error) } satisfies LoadReply),
  );
});
// The runner closing the channel is the signal to exit.
process.on('disconnect', () => process.exit(0));

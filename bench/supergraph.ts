import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { createBenchAuth } from './auth.js';
import { benchGatewayEnv, productionNodeFlags, startBenchUpstreams, writeTenantsFile } from './environment.js';
import type { LoadResult } from './loadGenerator.js';
import { BENCH_OPERATIONS } from './operations.js';
import { CAN_PIN, LOAD_CORE, freePort, pinSelf, processCpuMs, startGateway, startLoadGenerator, type GatewayProcess, type LoadGenerator } from './processes.js';

/**
 * `npm run bench:supergraph [-- --quick] [--no-build] [--latency 20] [--connections 4]`
 *
 * The supergraph scenario (issue 15): operation 4 of bench/operations.ts (one customer across all four
 * systems) sent straight to the gateway and through `@apollo/gateway` — the example router of
 * examples/supergraph (`routers/main.ts apollo`, the committed supergraph, the caller's headers
 * forwarded) — to the same gateway process, side by side in one run:
 *
 * 1. latency at one client, simulators answering after `--latency` ms: rounds alternate direct and
 *    routed (so drift on a shared machine falls on both), and the samples of each side are merged:
 *    p50/p99 of each, and the router's added latency (routed − direct);
 * 2. saturation with `--connections` clients, simulators answering at once, rounds alternating
 *    again: throughput, and CPU ms per operation of the gateway and of the router (from /proc).
 *
 * The gateway runs as `npm start` runs it (dist/main.js, production, authentication on) pinned to
 * core 0; the router runs compiled by tsx's loader on core 1 with the simulators (this process) and
 * the load generator. Writes bench/results/supergraph.json (--quick: supergraph-quick.json).
 */

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    latency: { type: 'string', default: '20' },
    // Not 8 as in `npm run bench`: eight concurrent unified customers ask iQmetrix for 8 × 21 invoices at
    // once, more than one tenant's share of its bulkhead (16 in flight + 128 queued), and the gateway
    // sheds the rest (UPSTREAM_UNAVAILABLE) — by design, and not what this scenario measures.
    connections: { type: 'string', default: '4' },
  },
});
const QUICK = options.quick === true;
const LATENCY_MS = Number(options.latency);
const CONNECTIONS = Number(options.connections);
/** Per side, after a warm-up: latency rounds × round length, then saturation rounds × round length. */
const DURATION = QUICK
  ? { rounds: 2, round: 1_000, warmup: 500, saturationRounds: 2, saturationRound: 1_000 }
  : { rounds: 10, round: 3_000, warmup: 1_500, saturationRounds: 3, saturationRound: 4_000 };
const OPERATION = BENCH_OPERATIONS.find((operation) => operation.name === 'unifiedCustomer')!;
const BODY = JSON.stringify({ query: OPERATION.query, variables: OPERATION.variables });
const auth = await createBenchAuth();

/** The example router in its own process, and its CPU time. */
interface RouterProcess {
  readonly pid: number;
  readonly url: string;
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts examples/supergraph/routers/main.ts (`apollo`) in front of `financeUrl` and waits until it answers. */
async function startRouter(financeUrl: string): Promise<RouterProcess> {
  const port = await freePort();
  const nodeArgs = ['--import', 'tsx', 'examples/supergraph/routers/main.ts', 'apollo'];
  const [command, args] = CAN_PIN ? ['taskset', ['-c', LOAD_CORE, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child: ChildProcess = spawn(command, args, {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'production', ROUTER_PORT: String(port), FINANCE_URL: financeUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the router exited with ${child.exitCode}:\n${output}`);
    try {
      // Answered by the router alone: no subgraph fetch.
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the router did not answer within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    cpuMs: () => processCpuMs(pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}


/** The node flags `npm start` runs dist/main.js with (package.json), so the gateway runs as in production. */

async function post(url: string): Promise<{ data?: unknown; errors?: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth.authorization }, body: BODY });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  const problem = body.errors ? JSON.stringify(body.errors) : OPERATION.check(body.data);
  if (response.status !== 200 || problem) throw new Error(`${url}: HTTP ${response.status}: ${problem ?? 'no data'}`);
  return body;
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly number[], fraction: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

interface Side {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly samples: number;
  readonly failed: number;
  /** CPU ms per operation at one client. */
  readonly gatewayCpuMsPerOp: number;
  readonly routerCpuMsPerOp: number | null;
}

interface Saturation {
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly gatewayCpuMsPerOp: number;
  readonly routerCpuMsPerOp: number | null;
}

async function latencyRounds(generator: LoadGenerator, gateway: GatewayProcess, router: RouterProcess): Promise<{ direct: Side; routed: Side }> {
  const sides = { direct: { url: gateway.url, samples: [] as number[], failed: 0, ok: 0, gatewayCpu: 0, routerCpu: 0 }, routed: { url: router.url, samples: [] as number[], failed: 0, ok: 0, gatewayCpu: 0, routerCpu: 0 } };
  for (const side of Object.values(sides)) await generator.run({ mode: 'latency', url: side.url, body: BODY, authorization: auth.authorization, durationMs: DURATION.warmup });
  for (let index = 0; index < DURATION.rounds; index += 1) {
    for (const side of Object.values(sides)) {
      const gatewayBefore = gateway.cpuMs();
      const routerBefore = router.cpuMs();
      const result: LoadResult = await generator.run({ mode: 'latency', url: side.url, body: BODY, authorization: auth.authorization, durationMs: DURATION.round, keepSamples: true });
      side.gatewayCpu += gateway.cpuMs() - gatewayBefore;
      side.routerCpu += router.cpuMs() - routerBefore;
      side.samples.push(...(result.samplesMs ?? []));
      side.failed += result.failed;
      side.ok += result.ok;
    }
  }
  const figures = (side: (typeof sides)['direct'], routed: boolean): Side => {
    const sorted = [...side.samples].sort((a, b) => a - b);
    return {
      p50Ms: round(percentile(sorted, 0.5)),
      p99Ms: round(percentile(sorted, 0.99)),
      samples: sorted.length,
      failed: side.failed,
      gatewayCpuMsPerOp: round(side.gatewayCpu / side.ok, 3),
      routerCpuMsPerOp: routed ? round(side.routerCpu / side.ok, 3) : null,
    };
  };
  return { direct: figures(sides.direct, false), routed: figures(sides.routed, true) };
}

/** Saturation in alternating rounds (direct, routed, direct, …), each side's figures summed over its rounds. */
async function saturationRounds(generator: LoadGenerator, gateway: GatewayProcess, router: RouterProcess): Promise<{ direct: Saturation; routed: Saturation }> {
  const sides = {
    direct: { url: gateway.url, ok: 0, durationMs: 0, gatewayCpu: 0, routerCpu: 0, p50: [] as number[], p99: [] as number[] },
    routed: { url: router.url, ok: 0, durationMs: 0, gatewayCpu: 0, routerCpu: 0, p50: [] as number[], p99: [] as number[] },
  };
  const job = (url: string) => ({ mode: 'throughput' as const, url, body: BODY, authorization: auth.authorization, connections: CONNECTIONS });
  for (const side of Object.values(sides)) await generator.run({ ...job(side.url), durationMs: DURATION.warmup });
  for (let index = 0; index < DURATION.saturationRounds; index += 1) {
    for (const [name, side] of Object.entries(sides)) {
      const gatewayBefore = gateway.cpuMs();
      const routerBefore = router.cpuMs();
      const result = await generator.run({ ...job(side.url), durationMs: DURATION.saturationRound });
      if (result.failed > 0 || result.ok === 0) throw new Error(`${name} saturation: ${result.failed} failed, ${result.ok} answered`);
      side.gatewayCpu += gateway.cpuMs() - gatewayBefore;
      side.routerCpu += router.cpuMs() - routerBefore;
      side.ok += result.ok;
      side.durationMs += result.durationMs;
      side.p50.push(result.p50Ms);
      side.p99.push(result.p99Ms);
    }
  }
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const figures = (side: (typeof sides)['direct'], routed: boolean): Saturation => ({
    throughput: round((side.ok / side.durationMs) * 1000, 1),
    p50Ms: median(side.p50),
    p99Ms: median(side.p99),
    gatewayCpuMsPerOp: round(side.gatewayCpu / side.ok, 3),
    routerCpuMsPerOp: routed ? round(side.routerCpu / side.ok, 3) : null,
  });
  return { direct: figures(sides.direct, false), routed: figures(sides.routed, true) };
}

/**
 * Waits until each process has used under 5 % of a core over half a second (at most 30 s): a
 * production gateway opens its embedded audit store in the background after it starts listening,
 * seconds of CPU that must not be counted against the first measurement.
 */
async function untilIdle(...processes: readonly { cpuMs(): number }[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const before = processes.map((process) => process.cpuMs());
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (processes.every((process, index) => process.cpuMs() - before[index]! < 25)) return;
  }
}

/** One gateway and its router over simulators answering after `latencyMs`. */
async function withStack<T>(latencyMs: number, run: (gateway: GatewayProcess, router: RouterProcess) => Promise<T>): Promise<T> {
  const embedded = await startBenchUpstreams(latencyMs);
  try {
    const gateway = await startGateway({ env: benchGatewayEnv({ auth, upstreams: embedded, tenantsFile: writeTenantsFile(embedded.demoTenants), auditDataDir: 'memory://', extra: { UPSTREAM_CONNECTIONS: '32' } }), nodeFlags: productionNodeFlags() });
    try {
      const router = await startRouter(gateway.url);
      try {
        // The same answer both ways, before anything is measured.
        const [direct, routed] = [await post(gateway.url), await post(router.url)];
        if (!isDeepStrictEqual(direct.data, routed.data)) throw new Error('the router answered other data than the gateway');
        await untilIdle(gateway, router);
        return await run(gateway, router);
      } finally {
        await router.stop();
      }
    } finally {
      await gateway.stop();
    }
  } finally {
    await embedded.stop();
  }
}

function log(message: string): void {
  console.log(`[bench:supergraph] ${message}`);
}

pinSelf();
if (options['no-build'] !== true) {
  log('npm run build');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
const loadBefore = os.loadavg()[0] ?? 0;
const generator = await startLoadGenerator();
try {
  log(`latency at one client, ${LATENCY_MS} ms per upstream call: ${DURATION.rounds} rounds of ${DURATION.round} ms per side, alternating`);
  const latency = await withStack(LATENCY_MS, (gateway, router) => latencyRounds(generator, gateway, router));
  log(`  direct p50 ${latency.direct.p50Ms} ms p99 ${latency.direct.p99Ms} ms; routed p50 ${latency.routed.p50Ms} ms p99 ${latency.routed.p99Ms} ms`);
  log(`saturation with ${CONNECTIONS} connections, simulators answering at once`);
  const saturated = await withStack(0, (gateway, router) => saturationRounds(generator, gateway, router));
  log(`  direct ${saturated.direct.throughput} ops/s, gateway ${saturated.direct.gatewayCpuMsPerOp} CPU ms/op; routed ${saturated.routed.throughput} ops/s, gateway ${saturated.routed.gatewayCpuMsPerOp} + router ${saturated.routed.routerCpuMsPerOp} CPU ms/op`);
  const loadAfter = os.loadavg()[0] ?? 0;
  const report = {
    generatedAt: new Date().toISOString(),
    quick: QUICK,
    node: process.version,
    machine: { cpuModel: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadAverageBefore: round(loadBefore), loadAverageAfter: round(loadAfter), pinned: CAN_PIN },
    operation: OPERATION.name,
    router: '@apollo/gateway ' + (JSON.parse(readFileSync(path.resolve('node_modules/@apollo/gateway/package.json'), 'utf8')) as { version: string }).version,
    latencyMsPerUpstreamCall: LATENCY_MS,
    latency: { ...latency, addedP50Ms: round(latency.routed.p50Ms - latency.direct.p50Ms), addedP99Ms: round(latency.routed.p99Ms - latency.direct.p99Ms) },
    saturation: { connections: CONNECTIONS, ...saturated },
  };
  console.log(`\n${markdown(report)}`);
  const file = path.resolve('bench/results', QUICK ? 'supergraph-quick.json' : 'supergraph.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await generator.stop();
}

function markdown(report: {
  latency: { direct: Side; routed: Side; addedP50Ms: number; addedP99Ms: number };
  saturation: { direct: Saturation; routed: Saturation };
  machine: { loadAverageBefore: number; loadAverageAfter: number };
}): string {
  const { latency, saturation: saturated } = report;
  const cpu = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  return [
    `| path | p50 ms | p99 ms | gateway CPU ms/op (1 client) | router CPU ms/op (1 client) | ops/s at ${CONNECTIONS} connections | gateway CPU ms/op (saturated) | router CPU ms/op (saturated) |`,
    '|---|---|---|---|---|---|---|---|',
    `| direct | ${latency.direct.p50Ms} | ${latency.direct.p99Ms} | ${cpu(latency.direct.gatewayCpuMsPerOp)} | – | ${saturated.direct.throughput} | ${cpu(saturated.direct.gatewayCpuMsPerOp)} | – |`,
    `| through @apollo/gateway | ${latency.routed.p50Ms} | ${latency.routed.p99Ms} | ${cpu(latency.routed.gatewayCpuMsPerOp)} | ${cpu(latency.routed.routerCpuMsPerOp)} | ${saturated.routed.throughput} | ${cpu(saturated.routed.gatewayCpuMsPerOp)} | ${cpu(saturated.routed.routerCpuMsPerOp)} |`,
    `| router adds | ${latency.addedP50Ms} | ${latency.addedP99Ms} | | | | | |`,
    '',
    `1-minute load average ${report.machine.loadAverageBefore} before / ${report.machine.loadAverageAfter} after.`,
  ].join('\n');
}

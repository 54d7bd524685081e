import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchAuth } from './auth.js';
import { benchGatewayEnv, productionNodeFlags, startBenchUpstreams, writeTenantsFile } from './environment.js';
import { BENCH_OPERATIONS, GROWTH_SEED, type BenchOperation } from './operations.js';
import { pinSelf, startGateway, startLoadGenerator, type GatewayProcess, type LoadGenerator } from './processes.js';
import { parseGcTrace, summarizeGcTrace } from './gcTrace.js';
import { summarizeProfile } from './profileSummary.js';

/**
 * `npm run bench:compare -- [--base <git ref>] [--operations a,b] [--rounds 4] [--seconds 3] [--profile]`
 *
 * Measures one lever: the working tree's gateway against the gateway built from `--base` (default
 * HEAD), started one after the other on the same simulators (no injected latency), each operation at
 * saturation, rounds interleaved (A B B A …) so that a machine whose load changes during the run
 * treats both alike. Per operation it prints the median and minimum CPU ms/op of each side, their
 * ratio, and each side's peak RSS. `--profile` instead runs the working tree's gateway alone under
 * `--cpu-prof` on the given operations and prints the top frames by self and by inclusive time.
 * `--gc` runs it alone under `--trace-gc-nvp` and prints, per operation at one client and at
 * saturation, what each scavenge promotes per megabyte allocated (bench/gcTrace.ts). `--work-env` and
 * `--work-node-options` give only the working tree's gateway extra variables or node flags, so with
 * `--base .` a switch or a V8 flag is measured against the same build. `--growth` seeds the
 * simulators with ten times the data per customer (the benchmark's growth scenario).
 *
 * The base is checked out in a temporary git worktree sharing this checkout's node_modules (its
 * package-lock.json must match), built with `npm run build`, and removed afterwards.
 */

const { values: options } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    operations: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    profile: { type: 'boolean', default: false },
    /** With --profile: V8's sampling heap profiler (--heap-prof) instead of the CPU profiler. */
    heap: { type: 'boolean', default: false },
    /** Variables only the working tree's gateway gets (`NAME=value,NAME=value`): with `--base .`, a switch measured against itself. */
    'work-env': { type: 'string', default: '' },
    /** Node or V8 flags only the working tree's gateway gets, after the production ones (V8 takes the last of a flag): with `--base .`, a flag measured against the default. */
    'work-node-options': { type: 'string', default: '' },
    /** What the young generation promotes per MB allocated, per operation (--trace-gc-nvp). */
    gc: { type: 'boolean', default: false },
    /** With --profile: keep the profile file and print where it is. */
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    /** The simulators seeded with GROWTH_SEED (ten times the data per customer) instead of BENCH_SEED. */
    growth: { type: 'boolean', default: false },
  },
});

const ROUNDS = Number(options.rounds);
const MEASURE_MS = Number(options.seconds) * 1000;
const WARMUP_MS = 1500;
const CONNECTIONS = Number(options.connections);
const operations: readonly BenchOperation[] = options.operations
  ? options.operations.split(',').map((name) => {
      const found = BENCH_OPERATIONS.find((operation) => operation.name === name || String(BENCH_OPERATIONS.indexOf(operation) + 1) === name);
      if (!found) throw new Error(`--operations: no operation "${name}" (${BENCH_OPERATIONS.map((operation) => operation.name).join(', ')})`);
      return found;
    })
  : BENCH_OPERATIONS;

pinSelf();
const auth = await createBenchAuth();
const upstreams = await startBenchUpstreams(0, options.growth ? GROWTH_SEED : undefined);
const tenantsFile = writeTenantsFile(upstreams.demoTenants);
const env = benchGatewayEnv({ auth, upstreams, tenantsFile, auditDataDir: 'memory://', extra: { UPSTREAM_MAX_QUEUED: '100000' } });
const generator = await startLoadGenerator();
const cleanups: (() => void)[] = [];

try {
  if (options['no-build'] !== true) build('.');
  if (options.profile) await profile();
  else if (options.gc) await gcReport();
  else await compare(options.base === '.' ? '.' : checkoutBase(options.base ?? 'HEAD'));
} finally {
  await generator.stop();
  await upstreams.stop();
  for (const cleanup of cleanups.reverse()) cleanup();
}

async function profile(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  if (options.keep) console.log(`profiles kept in ${directory}`);
  else cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  // Node's own --heap-prof keeps only what is still alive at exit; the sampler (bench/heapSampler.mjs)
  // asks V8 for what the collectors freed too: the allocation the garbage collector pays for.
  const profiler = options.heap ? ['--import', path.resolve('bench/heapSampler.mjs')] : ['--cpu-prof', `--cpu-prof-dir=${directory}`];
  const gateway = await startGateway({ env: { ...env, HEAP_SAMPLE_DIR: directory }, nodeFlags: [...productionNodeFlags(), ...profiler] });
  try {
    for (const operation of operations) {
      const cpuMs = await saturate(gateway, operation);
      console.log(`${operation.name}: ${cpuMs.toFixed(2)} CPU ms/op (profiled)`);
    }
  } finally {
    await gateway.stop();
  }
  if (options.heap) {
    printHeapProfile(directory);
    return;
  }
  const [summary] = readdirSync(directory)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => summarizeProfile(path.join(directory, file), 40))
    .sort((a, b) => b.totalMs - a.totalMs);
  if (!summary) throw new Error('no CPU profile was written');
  const print = (title: string, entries: readonly { name: string; percent: number }[]) => {
    console.log(`\n${title}`);
    for (const entry of entries) console.log(`  ${entry.percent.toFixed(1).padStart(5)} %  ${entry.name}`);
  };
  console.log(`\nsampled ${summary.totalMs} ms (start-up included)`);
  print('areas (self)', summary.topAreas);
  print('functions (self)', summary.topFunctions);
  print('functions (inclusive)', summary.topInclusive);
}

/**
 * The working tree's gateway under --trace-gc-nvp: per operation, one client (one request at a
 * time) and then saturation, each after a warm-up, reading only the collections of the measured
 * window.
 */
async function gcReport(): Promise<void> {
  const gateway = await startGateway({ env, nodeFlags: [...productionNodeFlags(), '--trace-gc-nvp'] });
  const rows: string[] = [];
  try {
    for (const operation of operations) {
      for (const mode of ['latency', 'throughput'] as const) {
        const job = { url: gateway.url, body: JSON.stringify({ query: operation.query, variables: operation.variables }), authorization: auth.authorization, mode, connections: CONNECTIONS };
        await run(generator, { ...job, durationMs: WARMUP_MS }, operation);
        const from = gateway.output().length;
        const load = await run(generator, { ...job, durationMs: MEASURE_MS }, operation);
        const gc = summarizeGcTrace(parseGcTrace(gateway.output().slice(from)));
        const clients = mode === 'latency' ? '1' : String(CONNECTIONS);
        rows.push(
          `| ${operation.name} | ${clients} | ${load.ok} | ${gc.allocatedMb.toFixed(0)} | ${gc.scavenges} | **${gc.promotedKbPerMb.toFixed(1)}** | ${gc.survivedKbPerMb.toFixed(1)} | ${gc.scavengeMsPerMb.toFixed(2)} | ${gc.markCompacts} (${gc.markCompactMs.toFixed(0)} ms) |`,
        );
      }
    }
  } finally {
    await gateway.stop();
  }
  console.log('\n| operation | clients | requests | MB allocated | scavenges | KB promoted per MB | KB survived per MB | scavenge ms per MB | mark-compacts |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

/**
 * Bytes allocated per function (self, and with the function anywhere on the stack) from the
 * sampling heap profile: allocations, not what stayed alive, since the gateway's garbage collector
 * is paid per byte allocated.
 */
function printHeapProfile(directory: string): void {
  interface HeapNode {
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly selfSize: number;
    readonly children: readonly HeapNode[];
  }
  const file = readdirSync(directory).find((name) => name.endsWith('.heapprofile'));
  if (!file) throw new Error('no heap profile was written');
  const { head } = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as { head: HeapNode };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode, stack: readonly string[]): number => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(dist|src)\//, 'src/')}:${lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    let size = node.selfSize;
    for (const child of node.children) size += walk(child, [...stack, name]);
    if (!stack.includes(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + size);
    return size;
  };
  walk(head, []);
  const print = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, bytes] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${((bytes / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  };
  console.log(`\nsampled ${(total / 1048576).toFixed(0)} MB allocated (start-up included)`);
  print('allocated by (self)', self);
  print('allocated under (inclusive)', inclusive);
}

async function compare(baseDirectory: string): Promise<void> {
  const sides = [
    { name: 'base', script: path.join(baseDirectory, 'dist/main.js'), flags: productionNodeFlags(path.join(baseDirectory, 'package.json')) },
    { name: 'work', script: 'dist/main.js', flags: [...productionNodeFlags(), ...(options['work-node-options'] ?? '').split(' ').filter(Boolean)] },
  ] as const;
  const workEnv = Object.fromEntries((options['work-env'] ?? '').split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
  const cpu = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const gateway = await startGateway({ env: side.name === 'work' ? { ...env, ...workEnv } : env, nodeFlags: side.flags, script: side.script });
      try {
        for (const operation of operations) {
          const cpuMs = await saturate(gateway, operation);
          const key = `${side.name} ${operation.name}`;
          cpu.set(key, [...(cpu.get(key) ?? []), cpuMs]);
        }
        rss.set(side.name, [...(rss.get(side.name) ?? []), gateway.peakRssMb()]);
      } finally {
        await gateway.stop();
      }
    }
    console.log(`round ${round + 1}/${ROUNDS} done, load average ${loadAverage()}`);
  }
  console.log(`\n| operation | base CPU ms/op (median / min) | work CPU ms/op (median / min) | work ÷ base (median) |`);
  console.log('|---|---|---|---|');
  for (const operation of operations) {
    const base = cpu.get(`base ${operation.name}`)!;
    const work = cpu.get(`work ${operation.name}`)!;
    console.log(`| ${operation.name} | ${median(base).toFixed(2)} / ${Math.min(...base).toFixed(2)} | ${median(work).toFixed(2)} / ${Math.min(...work).toFixed(2)} | ${(median(work) / median(base)).toFixed(3)} |`);
  }
  console.log(`\npeak RSS, MB: base ${rss.get('base')!.map((value) => value.toFixed(0)).join(' ')}; work ${rss.get('work')!.map((value) => value.toFixed(0)).join(' ')}`);
}

/** Warms up, then runs the operation at saturation; returns the gateway's CPU ms per answered operation. */
async function saturate(gateway: GatewayProcess, operation: BenchOperation): Promise<number> {
  const job = { url: gateway.url, body: JSON.stringify({ query: operation.query, variables: operation.variables }), authorization: auth.authorization, mode: 'throughput' as const, connections: CONNECTIONS };
  await run(generator, { ...job, durationMs: WARMUP_MS }, operation);
  const before = gateway.cpuMs();
  const load = await run(generator, { ...job, durationMs: MEASURE_MS }, operation);
  return (gateway.cpuMs() - before) / load.ok;
}

async function run(load: LoadGenerator, job: Parameters<LoadGenerator['run']>[0], operation: BenchOperation) {
  const result = await load.run(job);
  if (result.ok === 0 || result.failed > 0) throw new Error(`${operation.name}: ${result.failed} failed and ${result.ok} answered requests`);
  return result;
}

/** A worktree of `ref` with this checkout's node_modules, built; removed when the run ends. */
function checkoutBase(ref: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'bench-base-'));
  rmSync(directory, { recursive: true });
  execFileSync('git', ['worktree', 'add', '--detach', directory, ref], { stdio: 'ignore' });
  cleanups.push(() => execFileSync('git', ['worktree', 'remove', '--force', directory], { stdio: 'ignore' }));
  const lockDiffers = execFileSync('git', ['diff', '--name-only', ref, '--', 'package-lock.json']).toString().trim() !== '';
  if (lockDiffers) console.warn(`warning: package-lock.json differs from ${ref}; the base runs with this checkout's node_modules`);
  if (!existsSync(path.join(directory, 'node_modules'))) symlinkSync(path.resolve('node_modules'), path.join(directory, 'node_modules'));
  build(directory);
  return directory;
}

function build(directory: string): void {
  execFileSync('npm', ['run', 'build'], { cwd: directory, stdio: 'ignore' });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchAuth } from './auth.js';
import { benchGatewayEnv, productionNodeFlags, startBenchUpstreams, writeTenantsFile } from './environment.js';
import { BENCH_OPERATIONS, type BenchOperation } from './operations.js';
import { pinSelf, startGateway, startLoadGenerator, type GatewayProcess, type LoadGenerator } from './processes.js';
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
    'no-build': { type: 'boolean', default: false },
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
const upstreams = await startBenchUpstreams(0);
const tenantsFile = writeTenantsFile(upstreams.demoTenants);
const env = benchGatewayEnv({ auth, upstreams, tenantsFile, auditDataDir: 'memory://', extra: { UPSTREAM_MAX_QUEUED: '100000' } });
const generator = await startLoadGenerator();
const cleanups: (() => void)[] = [];

try {
  if (options['no-build'] !== true) build('.');
  if (options.profile) await profile();
  else await compare(checkoutBase(options.base ?? 'HEAD'));
} finally {
  await generator.stop();
  await upstreams.stop();
  for (const cleanup of cleanups.reverse()) cleanup();
}

async function profile(): Promise<void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const gateway = await startGateway({ env, nodeFlags: [...productionNodeFlags(), '--cpu-prof', `--cpu-prof-dir=${directory}`] });
  try {
    for (const operation of operations) {
      const cpuMs = await saturate(gateway, operation);
      console.log(`${operation.name}: ${cpuMs.toFixed(2)} CPU ms/op (profiled)`);
    }
  } finally {
    await gateway.stop();
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

async function compare(baseDirectory: string): Promise<void> {
  const sides = [
    { name: 'base', script: path.join(baseDirectory, 'dist/main.js'), flags: productionNodeFlags(path.join(baseDirectory, 'package.json')) },
    { name: 'work', script: 'dist/main.js', flags: productionNodeFlags() },
  ] as const;
  const cpu = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const gateway = await startGateway({ env, nodeFlags: side.flags, script: side.script });
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

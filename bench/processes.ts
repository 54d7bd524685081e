import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import type { LoadJob, LoadReply, LoadRequest, LoadResult } from './loadGenerator.js';

/**
 * The benchmark's child processes: the gateway (the real entry point as production runs it, the
 * compiled dist/main.js, pointed at the simulators through the environment), the floor
 * (bench/floor.ts) and the load generator, each pinned to its own core when
 * `taskset` exists, and what /proc says about the gateway's CPU time and memory.
 */

/** Whether processes can be pinned: `taskset` is installed and there are at least two cores. */
export const CAN_PIN = availableParallelism() >= 2 && hasTaskset();
/** The gateway's core; the runner (simulators) and the load generator share the other one. */
export const GATEWAY_CORE = '0';
export const LOAD_CORE = '1';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process (the runner and its simulators) to the load generator's core. */
export function pinSelf(): void {
  if (CAN_PIN) execFileSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
}


export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

export interface GatewayProcess {
  readonly pid: number;
  readonly url: string;
  /** CPU time (user + system) the process has used so far, in milliseconds. */
  cpuMs(): number;
  /** Peak resident set size (VmHWM) so far, in MiB. */
  peakRssMb(): number;
  /** VmHWM once the process first answered /healthz, in MiB: what starting alone touched. */
  readonly startRssMb: number;
  /** Everything the process has written to stdout and stderr so far (V8's --trace-gc-nvp lines, say). */
  output(): string;
  /** SIGTERM, then waits for the exit (a CPU profile is written on the way out). */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Variables on top of a minimal environment (PATH, HOME). */
  readonly env: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  /** The script node runs: the compiled gateway (`dist/main.js`, what `npm start` runs) unless given. */
  readonly script?: string;
}

/** Starts the gateway (or the floor) in its own process on the gateway core and waits until it answers /healthz. */
export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    ...options.env,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const nodeArgs = [...(options.nodeFlags ?? []), options.script ?? 'dist/main.js'];
  const [command, args] = CAN_PIN ? ['taskset', ['-c', GATEWAY_CORE, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}:\n${output}`);
    try {
      // Liveness, not an operation: operations need a token.
      const response = await fetch(url.replace(/\/graphql$/, '/healthz'));
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    startRssMb: processPeakRssMb(pid),
    cpuMs: () => processCpuMs(pid),
    peakRssMb: () => processPeakRssMb(pid),
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Starts the load generator in its own process on the load core; jobs go to it over IPC. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const nodeArgs = ['--import', 'tsx', 'bench/loadGenerator.ts'];
  const [command, args] = CAN_PIN ? ['taskset', ['-c', LOAD_CORE, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const pending = new Map<number, { resolve: (result: LoadResult) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  child.on('message', (reply: LoadReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if ('error' in reply) waiting?.reject(new Error(`load generator: ${reply.error}`));
    else waiting?.resolve(reply.result);
  });
  child.on('exit', (code) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`the load generator exited with ${code}`));
    pending.clear();
  });
  return {
    run(job) {
      nextId += 1;
      const id = nextId;
      return new Promise<LoadResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, job } satisfies LoadRequest);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.disconnect();
      await exited;
    },
  };
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process from /proc/<pid>/stat, in milliseconds. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** VmHWM (peak resident set) of a process from /proc/<pid>/status, in MiB. */
export function processPeakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

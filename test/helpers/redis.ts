import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from './net.js';

/** A throwaway redis-server on a free loopback port, with persistence off. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const MISSING = 'redis-server is not installed: run .ci/install-system-packages (installs the Debian redis-server package)';

/**
 * Starts `redis-server` (no RDB snapshots, no AOF) on a free 127.0.0.1 port and resolves once it
 * answers PING. Fails — never skips — when the binary is missing.
 */
export async function startRedis(): Promise<TestRedis> {
  let lastError: unknown = null;
  // A free port can be taken by someone else between probing and binding: try a few.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPong(child, port);
      return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopProcess(child) };
    } catch (error) {
      await stopProcess(child);
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') throw new Error(MISSING);
      lastError = new Error(`redis-server did not start on port ${port}: ${error instanceof Error ? error.message : String(error)}\n${output}`);
    }
  }
  throw lastError instanceof Error ? lastError : new Error('redis-server did not start');
}

/** Polls with PING until `+PONG` comes back, the process exits, or 10 s pass. */
async function waitForPong(child: ChildProcess, port: number): Promise<void> {
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with code ${code}`)));
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const answered = await Promise.race([ping(port), exited]);
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no PONG within 10 s');
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  // No pid: the binary never started (ENOENT).
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

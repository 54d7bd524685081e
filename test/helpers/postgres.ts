import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './net.js';

/** A throwaway PostgreSQL cluster on a free loopback port. */
export interface TestPostgres {
  /** The gateway's connection: role `gateway` (not a superuser), database `audit`. */
  readonly url: string;
  /** A superuser's connection to the same database: what someone behind the gateway's back could do. */
  readonly superuserUrl: string;
  /** Stops the server (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

const MISSING = 'PostgreSQL is not installed: run .ci/install-system-packages (installs the Debian postgresql package)';

/** The newest installed server binaries (/usr/lib/postgresql/<version>/bin). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(MISSING);
  return join(root, newest, 'bin');
}

/**
 * PostgreSQL refuses to run as root (CI runs as root): there the cluster belongs to the `postgres`
 * user and its programs run through setpriv, which execs them in place (the pid stays the server's).
 */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, [...args]];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', '--', command, ...args]];
}

/**
 * initdb's a cluster in a temp directory, starts it on a free 127.0.0.1 port with durability off
 * unless `durable` (the benchmark measures commits as production makes them), and creates the `gateway` role and its `audit` database. Fails — never skips —
 * when PostgreSQL is missing.
 */
export async function startPostgres(options: { readonly durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'audit-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const [initCommand, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  execFileSync(initCommand, initArgs, { stdio: 'pipe' });

  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const [command, args] = asServerUser(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ]);
    const server = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = server;
    try {
      await waitForConnections(server, `postgres://postgres@127.0.0.1:${port}/postgres`);
    } catch (error) {
      await stopProcess(server);
      throw new Error(`PostgreSQL did not start on port ${port}: ${error instanceof Error ? error.message : String(error)}\n${output}`);
    }
  };
  const stop = async () => {
    if (child) await stopProcess(child);
    child = null;
  };
  try {
    await start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE ROLE gateway LOGIN');
    await admin.query('CREATE DATABASE audit OWNER gateway');
    await admin.end();
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://gateway@127.0.0.1:${port}/audit`,
    superuserUrl: `postgres://postgres@127.0.0.1:${port}/audit`,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls with a connection until the server accepts one, the process exits, or 20 s pass. */
async function waitForConnections(child: ChildProcess, url: string): Promise<void> {
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with code ${code}`)));
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const accepted = await Promise.race([canConnect(url), exited]);
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no connection accepted within 20 s');
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
  child.kill('SIGINT');
  await exited;
}

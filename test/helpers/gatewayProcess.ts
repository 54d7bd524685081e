import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { IQM_DEMO_TENANTS, type IqmSimulator } from '../../src/upstreams/iqm/index.js';
import { TEST_TENANT, type TestIssuer } from './auth.js';
import { freePort } from './net.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One JSON log line of the gateway. */
export type LogLine = Record<string, unknown> & { msg: string };

/** A running `src/main.ts`, read through its JSON log lines. */
export interface GatewayProcess {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  readonly port: number;
  /** Every JSON line written to stdout so far. */
  readonly lines: LogLine[];
  readonly stderr: string[];
  /** The exit code; null when a signal ended the process. */
  readonly exited: Promise<number | null>;
  /** The first line, seen or still to come, that passes `test`. */
  waitForLine(test: (line: LogLine) => boolean): Promise<LogLine>;
  /** SIGKILL unless it has already ended (for afterAll). */
  kill(): void;
}

/**
 * Starts `src/main.ts` through tsx as production would (its own process, its own signal handling) on
 * a free loopback port, with a clean environment plus `env`; resolves once it logs "Gateway ready",
 * throws with its stderr when it exits first. Seconds on an idle machine, many more on a loaded one.
 */
export async function launchGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of waiters.filter((candidate) => candidate.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLine = (test: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve) => {
      const seen = lines.find(test);
      if (seen) resolve(seen);
      else waiters.push({ test, resolve });
    });
  const ready = await Promise.race([waitForLine((line) => line.msg.startsWith('Gateway ready')), exited.then(() => null)]);
  if (!ready) throw new Error(`the gateway did not start:\n${stderr.join('')}`);
  return {
    process: child,
    port,
    lines,
    stderr,
    exited,
    waitForLine,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * The environment of a gateway whose one real upstream is `iqm` (the first demo tenant's token and
 * workspace), trusting the test issuer; the tenant's one customer is Northwind (IQM workspace 200101),
 * from a directory file written to a temp directory.
 */
export async function iqmGatewayEnv(iqm: IqmSimulator, issuer: TestIssuer): Promise<Record<string, string>> {
  const tenant = IQM_DEMO_TENANTS[0]!;
  const directoryFile = join(await mkdtemp(join(tmpdir(), 'gateway-process-')), 'customers.json');
  await writeFile(directoryFile, JSON.stringify({ customers: [{ key: 'northwind', displayName: 'Northwind Traders', iqm: { workspaceId: 200101 } }] }));
  return {
    IQM_BASE_URL: iqm.baseUrl,
    IQM_TOKEN: tenant.token,
    IQM_OW_ID: String(tenant.organizationWorkspaceId),
    ...issuer.env,
    TENANT_ID: TEST_TENANT,
    CUSTOMER_DIRECTORY_FILE: directoryFile,
  };
}

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerDirectory } from '../src/directory/index.js';
import { freePort } from './helpers/net.js';
import { startStack, type TestStack } from './helpers/stack.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const customerId = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');

describe('Simulators: `npm run simulators` as a process of its own, used by a gateway', () => {
  let child: ChildProcessByStdio<null, Readable, Readable>;
  let exited: Promise<number | null>;
  let printed: string[];
  let env: Record<string, string>;
  let ports: number[];
  let envFile: string;
  let gateway: TestStack | null = null;

  beforeAll(async () => {
    ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    envFile = join(mkdtempSync(join(tmpdir(), 'simulators-test-')), 'simulators.env');
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/simulators.ts', '--intact-port', String(ports[1]), '--refrens-port', String(ports[2]), '--save-env', envFile, '--iqm-invoices-per-customer', '3'],
      {
        cwd: ROOT,
        // The IQM and iQmetrix ports come from the environment, the others from flags; a flag wins over its variable (Intact's).
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SIMULATOR_IQM_PORT: String(ports[0]), SIMULATOR_IQMETRIX_PORT: String(ports[3]), SIMULATOR_INTACT_PORT: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    printed = await new Promise<string[]>((resolve, reject) => {
      const lines: string[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line.startsWith('# Simulators ready')) resolve(lines);
      });
      void exited.then((code) => reject(new Error(`simulators exited (${code}) before they were ready:\n${stderr}`)));
    });
    env = Object.fromEntries(printed.filter((line) => !line.startsWith('#')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  });
  afterAll(async () => {
    await gateway?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dirname(envFile), { recursive: true, force: true });
  });

  it('prints, and writes to --save-env, the environment a gateway needs: the four URLs on the chosen ports, the demo tenants and directory', () => {
    expect(Object.keys(env)).toEqual(['IQM_BASE_URL', 'INTACT_BASE_URL', 'REFRENS_BASE_URL', 'IQMETRIX_BASE_URL', 'TENANTS_FILE', 'CUSTOMER_DIRECTORY_FILE']);
    expect(env['IQM_BASE_URL']).toBe(`http://127.0.0.1:${ports[0]}/api/v3/fa`);
    expect(env['INTACT_BASE_URL']).toBe(`http://127.0.0.1:${ports[1]}`);
    expect(env['REFRENS_BASE_URL']).toBe(`http://127.0.0.1:${ports[2]}`);
    expect(env['IQMETRIX_BASE_URL']).toBe(`http://127.0.0.1:${ports[3]}/v1`);
    const tenants = JSON.parse(readFileSync(env['TENANTS_FILE']!, 'utf8')) as { tenants: { id: string }[] };
    expect(tenants.tenants.map((tenant) => tenant.id)).toEqual(['alchemist-media', 'blue-harbor']);
    expect(readFileSync(envFile, 'utf8')).toBe(`${printed.slice(0, -1).join('\n')}\n`);
  });

  it('serves a gateway configured with exactly those lines: one customer across the four systems', async () => {
    // As main.ts reads CUSTOMER_DIRECTORY_FILE (with IQMETRIX_CURRENCY's default); the stack helper takes the directory itself.
    gateway = await startStack({ env, directory: CustomerDirectory.fromFile(env['CUSTOMER_DIRECTORY_FILE']!, { iqmetrixCurrencyCode: 'CAD' }) });
    expect(gateway.embedded.endpoints.simulated).toEqual([]);
    const answer = await gateway.gql<{ customer: { displayName: string; sources: string[]; invoices: { nodes: { source: string }[] } } }>(
      'query($id: ID!) { customer(id: $id) { displayName sources invoices(first: 100) { nodes { source } } } }',
      { id: customerId('northwind') },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.customer.displayName).toBe('Northwind Traders');
    expect(new Set(answer.data!.customer.invoices.nodes.map((invoice) => invoice.source))).toEqual(new Set(['IQM', 'INTACT', 'REFRENS', 'IQMETRIX']));
    // The seed option reached the IQM simulator: three invoices per workspace.
    expect(answer.data!.customer.invoices.nodes.filter((invoice) => invoice.source === 'IQM')).toHaveLength(3);
  });

  it('stops cleanly on SIGTERM: exit code 0, its temporary tenants file removed', async () => {
    const tenantsDirectory = dirname(env['TENANTS_FILE']!);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(tenantsDirectory)).toBe(false);
  });
});

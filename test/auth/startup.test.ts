import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * How the gateway starts: production refuses to run without an issuer; running open must be asked
 * for and is logged loudly; the embedded default runs in one command with a development issuer and
 * a read-only anonymous demo caller.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NORTHWIND = Buffer.from('Customer:DIRECTORY:northwind').toString('base64url');
/** A clean environment: nothing of the developer's shell leaks into the child. */
const baseEnv = () => ({ PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', HOST: '127.0.0.1' });

describe('Authentication: start-up', () => {
  it('production without an issuer exits 1 with one clear line naming AUTH_ISSUER, before listening', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...baseEnv(), NODE_ENV: 'production', UPSTREAM_SIMULATORS: 'true', PUBLIC_BASE_URL: 'https://finance.example.com', IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true' }, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: AUTH_ISSUER: required with NODE_ENV=production: .*AUTH_DISABLED=true/);
    expect(result.stdout).not.toMatch(/Gateway ready/);
  });

  it('real upstreams without an issuer are refused the same way', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...baseEnv(), NODE_ENV: 'development', IQM_BASE_URL: 'https://iqm.example.com', IQM_TOKEN: 't', IQM_OW_ID: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Invalid configuration: AUTH_ISSUER: required when an upstream URL/);
  });

  it('AUTH_DISABLED=true starts, and says at error level that authentication is off', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...baseEnv(), NODE_ENV: 'development', AUTH_DISABLED: 'true', AUTH_DISABLED_TENANT: 'alchemist-media', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = output.split('\n').find((each) => each.includes('AUTHENTICATION IS DISABLED'));
        if (found) resolve(found);
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(line).toMatch(/"level":50|ERROR/);
    expect(line).toMatch(/every request acts with every scope/);
  });
});

describe('Authentication: the embedded default (development issuer)', () => {
  let stack: TestStack;
  let keyDirectory: string;
  const simulators = () => [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!];
  const callCount = () => simulators().reduce((sum, simulator) => sum + simulator.calls.length, 0);

  beforeAll(async () => {
    keyDirectory = mkdtempSync(join(tmpdir(), 'dev-issuer-'));
    stack = await startStack({ issuer: 'none', env: { DEV_ISSUER_KEY_FILE: join(keyDirectory, 'key.json') } });
  });
  afterAll(async () => {
    await stack.close();
    rmSync(keyDirectory, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const simulator of simulators()) simulator.resetCalls();
  });

  it('without a token, the demo caller reads its tenant’s data, ledger included', async () => {
    const response = await stack.gql<{ customer: { displayName: string; ledger: { totalCount: number } } }>(
      `query($id: ID!) { customer(id: $id) { displayName ledger(first: 1) { totalCount } } }`,
      { id: NORTHWIND },
      { authorization: '' },
    );
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer.ledger.totalCount).toBeGreaterThan(0);
  });

  it('without a token, every mutation is FORBIDDEN and nothing reaches an upstream', async () => {
    const response = await stack.gql(
      `mutation { paypal: startPaypalPayment(input: { amount: "5" }) { paypalUrl } credit: offerCredit(input: { idempotencyKey: "anon-credit-1", customerId: "${NORTHWIND}", amount: "1000000" }) { userErrors { code } } }`,
      {},
      { authorization: '' },
    );
    expect(response.data).toBeNull();
    expect(response.errors?.map((error) => `${error.path?.join('.')} ${String(error.extensions?.['code'])}`)).toEqual(['paypal FORBIDDEN', 'credit FORBIDDEN']);
    expect(callCount()).toBe(0);
  });

  it('a token from `npm run token` is accepted and may write with the scopes it names', async () => {
    const minted = spawnSync(process.execPath, ['--import', 'tsx', 'src/auth/tokenCommand.ts', '--tenant', 'alchemist-media', '--scopes', 'finance:read payments:write', '--subject', 'dana'], {
      cwd: ROOT,
      env: { ...baseEnv(), NODE_ENV: 'development', DEV_ISSUER_KEY_FILE: join(keyDirectory, 'key.json') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(minted.status).toBe(0);
    const token = minted.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const response = await stack.gql<{ startPaypalPayment: { paypalUrl: string | null } }>(`mutation { startPaypalPayment(input: { amount: "5" }) { paypalUrl userErrors { code } } }`, {}, { authorization: `Bearer ${token}` });
    expect(response.errors).toBeUndefined();
    expect(callCount()).toBeGreaterThan(0);
    // Its scopes are the token's own: no credit without credits:write.
    const credit = await stack.gql(`mutation { offerCredit(input: { idempotencyKey: "dana-credit-1", customerId: "${NORTHWIND}", amount: "1" }) { userErrors { code } } }`, {}, { authorization: `Bearer ${token}` });
    expect(credit.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
  });

  it('a token minted by the gateway’s development issuer in-process is accepted too, and a garbage one is 401, not the demo caller', async () => {
    const token = await stack.services.authenticator.devIssuer!.mint({ tenant: 'blue-harbor', subject: 'omar', scopes: ['finance:read'], ttlSeconds: 600 });
    const response = await stack.gql<{ organization: { workspaceId: number } }>(`{ organization { workspaceId } }`, {}, { authorization: `Bearer ${token}` });
    expect(response.data?.organization.workspaceId).toBe(300001);
    const garbage = await stack.gql(`{ organization { workspaceId } }`, {}, { authorization: 'Bearer garbage' });
    expect(garbage.status).toBe(401);
  });
});

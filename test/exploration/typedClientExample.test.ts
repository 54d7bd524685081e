import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const MANIFEST = 'examples/typed-client/src/__generated__/persisted-documents.json';
/** Each run starts a Node process through tsx: seconds of CPU, many more on a loaded 2-core machine. */
const SPAWN_TIMEOUT_MS = 60_000;

/** `npm run example:typed-client`, as a person runs it: its own process, configured by GATEWAY_URL. */
function runExample(gatewayUrl: string, token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, GATEWAY_URL: gatewayUrl, ...(token ? { GATEWAY_TOKEN: token } : {}) };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'examples/typed-client/src/main.ts'], { env, timeout: SPAWN_TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('Typed client: the example program (examples/typed-client/src/main.ts)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The production set-up the example is written for: only its own trusted documents may run.
    stack = await startStack({ env: { TRUSTED_DOCUMENTS_MODE: 'enforce', TRUSTED_DOCUMENTS_FILES: MANIFEST } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('runs on trusted documents alone, approves the demo invoice once, and prints the same on a second run', async () => {
    const pendingBefore = [...stack.embedded.iqm!.state.invoices.values()].filter((invoice) => invoice.owId === 200101 && invoice.status === 1);
    expect(pendingBefore).toHaveLength(1);

    const token = await stack.token();
    const first = await runExample(stack.url, token);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Northwind Traders \(IQM, INTACT, REFRENS, IQMETRIX\): \d+ invoices\n/);
    expect(first.stdout).toContain(`  ${pendingBefore[0]!.invoiceName} approved from this client\n`);
    const approved = stack.embedded.iqm!.state.invoices.get(pendingBefore[0]!.invoiceId)!;
    expect(approved.status).toBe(3);

    const second = await runExample(stack.url, token);
    expect(second).toEqual(first);
  }, SPAWN_TIMEOUT_MS);

  it('says in one line that the gateway cannot be reached, and how to fix it, when nothing listens at GATEWAY_URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}/graphql`;
    const run = await runExample(url);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`typed-client: cannot reach the gateway at ${url} (ECONNREFUSED). Start it with \`npm start\`, or set GATEWAY_URL to its /graphql URL.\n`);
  }, SPAWN_TIMEOUT_MS);
});

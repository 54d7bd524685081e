import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionKeyOf } from '../src/auth/index.js';
import { toDecimal } from '../src/domain/money.js';
import { idempotencyStoreKey, parseIdempotencyRecord, REDIS_KEY_PREFIX } from '../src/idempotency/index.js';
import { IQM_DEMO_TENANTS, IqmSimulator } from '../src/upstreams/iqm/index.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { startTestIssuer, TEST_TENANT, type TestIssuer } from './helpers/auth.js';
import { invoiceGid } from './helpers/iqm.js';
import { freePort } from './helpers/net.js';
import { startRedis, type TestRedis } from './helpers/redis.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) { invoice { id paid { amount } } userErrors { code message } }
  }
`;
type PayAnswer = { data?: { payInvoice: { invoice: { paid: { amount: string } } | null; userErrors: { code: string; message: string }[] } }; errors?: unknown[] };

interface Replica {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  readonly port: number;
  readonly exited: Promise<number | null>;
}

describe('Money moves once: two gateway processes sharing Redis, one killed mid-payment', () => {
  const iqm = new IqmSimulator();
  let redis: TestRedis;
  let issuer: TestIssuer;
  let directoryFile: string;
  const replicas: Replica[] = [];
  /** The first /pay-invoice answer is held at IQM after the payment is applied, until the test lets it go. */
  let held: { arrived: () => void; released: Promise<void> } | null = null;
  /** The held answer's status and body, for the assertion messages. */
  let heldAnswer = '';

  async function launch(): Promise<Replica> {
    const port = await freePort();
    const tenant = IQM_DEMO_TENANTS[0]!;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(port),
        IQM_BASE_URL: iqm.baseUrl,
        IQM_TOKEN: tenant.token,
        IQM_OW_ID: String(tenant.organizationWorkspaceId),
        REDIS_URL: redis.url,
        // A small lease (REQUEST_TIMEOUT_MS plus the 5 s margin), long enough for the held payment not to time out first.
        REQUEST_TIMEOUT_MS: '5000',
        UPSTREAM_TIMEOUT_MS: '4500',
        ...issuer.env,
        TENANT_ID: TEST_TENANT,
        CUSTOMER_DIRECTORY_FILE: directoryFile,
        // An embedded PGlite directory belongs to one process: each replica keeps its audit trail in memory here.
        AUDIT_DATA_DIR: 'memory://',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (text) => {
        if (text.includes('"Gateway ready')) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    if (!(await ready)) throw new Error(`the gateway did not start:\n${stderr.join('')}`);
    const replica = { process: child, port, exited };
    replicas.push(replica);
    return replica;
  }

  async function pay(replica: Replica, input: Record<string, unknown>, token: string): Promise<PayAnswer | 'connection lost'> {
    try {
      const response = await fetch(`http://127.0.0.1:${replica.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: PAY, variables: { input } }),
      });
      return (await response.json()) as PayAnswer;
    } catch {
      return 'connection lost';
    }
  }

  beforeAll(async () => {
    iqm.app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'POST' || !request.url.includes('/pay-invoice') || !held) return payload;
      heldAnswer = `${reply.statusCode} ${String(payload)}`;
      const gate = held;
      held = null;
      gate.arrived();
      await gate.released;
      return payload;
    });
    await iqm.start();
    redis = await startRedis();
    issuer = await startTestIssuer();
    directoryFile = join(await mkdtemp(join(tmpdir(), 'replicas-test-')), 'customers.json');
    await writeFile(directoryFile, JSON.stringify({ customers: [{ key: 'northwind', displayName: 'Northwind Traders', iqm: { workspaceId: 200101 } }] }));
  });
  afterAll(async () => {
    for (const { process: child } of replicas) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await issuer?.close();
    await redis?.stop();
    await iqm.stop();
  });

  it('50 same-key payments across both, the claim holder SIGKILLed after IQM applied: one payment, one settled key', async () => {
    const [one, two] = await Promise.all([launch(), launch()]);
    const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
    const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
    const invoice: SimInvoice = { ...template, invoiceId, invoiceName: `Replica kill ${invoiceId}`, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
    iqm.state.invoices.set(invoiceId, invoice);
    const input = { invoiceId: invoiceGid(200101, invoiceId), amount: '42.00', idempotencyKey: `replica-kill-${process.pid}` };
    const token = await issuer.mint();
    // Each replica opens its embedded audit store at its first mutation: a refused one (amount 0, nothing
    // sent) opens it now, so the held payment's time budget is not spent waiting for it.
    for (const replica of [one!, two!]) await pay(replica, { ...input, amount: '0', idempotencyKey: `warm-up-${replica.port}` }, token);
    const paymentsOn = () => [...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoiceId);

    let arrived = () => {};
    let release = () => {};
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    held = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };

    // The first request takes the claim on replica one; its payment reaches IQM and is applied, the answer held.
    const first = pay(one!, input, token);
    // Fails at once, with the answer, if the payment is answered without ever reaching IQM.
    await Promise.race([arrival, first.then((answer) => Promise.reject(new Error(`answered before reaching IQM: ${JSON.stringify(answer)}`)))]);
    // 49 more with the same key, on both replicas, while the first is in flight.
    const others = Array.from({ length: 49 }, (_, index) => pay(index % 2 === 0 ? two! : one!, input, token));
    // Replica two's share answers first (IN_PROGRESS); then replica one dies without a word.
    const fromTwo = await Promise.all(others.filter((_, index) => index % 2 === 0));
    one!.process.kill('SIGKILL');
    expect(await one!.exited).toBeNull();
    release();
    const fromOne = await Promise.all([first, ...others.filter((_, index) => index % 2 === 1)]);
    const fromOneCodes = fromOne.map((answer) => (answer === 'connection lost' ? answer : (answer.data?.payInvoice.userErrors[0]?.code ?? JSON.stringify(answer))));
    expect(fromOneCodes.filter((code) => code !== 'connection lost' && code !== 'IDEMPOTENCY_IN_PROGRESS')).toEqual([]);
    expect(fromOne[0]).toBe('connection lost');
    expect(fromTwo.map((answer) => (answer === 'connection lost' ? answer : answer.data?.payInvoice.userErrors[0]?.code))).toEqual(Array(25).fill('IDEMPOTENCY_IN_PROGRESS'));
    expect(paymentsOn(), `IQM answered ${heldAnswer}`).toHaveLength(1);

    // The dead replica's lease lapses on its own; polled (never timed), replica two then reconciles the key
    // from the marker the payment carries, and answers the payment that was made.
    let answer = await pay(two!, input, token);
    for (let tries = 0; answer !== 'connection lost' && answer.data?.payInvoice.userErrors[0]?.code === 'IDEMPOTENCY_IN_PROGRESS' && tries < 200; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await pay(two!, input, token);
    }
    expect(answer).toMatchObject({ data: { payInvoice: { invoice: { paid: { amount: '42' } }, userErrors: [] } } });
    expect(await pay(two!, input, token)).toEqual(answer);
    // Counted in IQM's state: the simulator's call log misses the call whose connection died with replica one.
    expect(paymentsOn()).toHaveLength(1);
    expect(paymentsOn()[0]!.paymentAmount.toFixed()).toBe('42');

    const client = new Redis(redis.url);
    try {
      const key = REDIS_KEY_PREFIX + idempotencyStoreKey(partitionKeyOf(TEST_TENANT, issuer.issuer, 'test-user'), 'payInvoice', input.idempotencyKey);
      expect(parseIdempotencyRecord((await client.get(key))!).state).toBe('completed');
      expect(await client.keys(`${REDIS_KEY_PREFIX}*`)).toEqual([key]);
    } finally {
      client.disconnect();
    }
  }, 90_000);
});

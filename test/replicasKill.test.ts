import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDatabase, SqlAuditStore } from '../src/audit/index.js';
import { partitionKeyOf } from '../src/auth/index.js';
import { toDecimal } from '../src/domain/money.js';
import { idempotencyStoreKey, parseIdempotencyRecord, REDIS_KEY_PREFIX } from '../src/idempotency/index.js';
import { IqmSimulator } from '../src/upstreams/iqm/index.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { startTestIssuer, TEST_TENANT, type TestIssuer } from './helpers/auth.js';
import { iqmGatewayEnv, launchGateway, type GatewayProcess } from './helpers/gatewayProcess.js';
import { invoiceGid, paymentGid } from './helpers/iqm.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { startRedis, type TestRedis } from './helpers/redis.js';

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) { invoice { id paid { amount } } userErrors { code message } }
  }
`;
type PayAnswer = { data?: { payInvoice: { invoice: { paid: { amount: string } } | null; userErrors: { code: string; message: string }[] } }; errors?: unknown[] };

describe('Money moves once: two gateway processes sharing Redis and PostgreSQL, one killed mid-payment', () => {
  const iqm = new IqmSimulator();
  let redis: TestRedis;
  let postgres: TestPostgres;
  let issuer: TestIssuer;
  const replicas: GatewayProcess[] = [];
  /** The first /pay-invoice answer is held at IQM after the payment is applied, until the test lets it go. */
  let held: { arrived: () => void; released: Promise<void> } | null = null;
  /** The held answer's status and body, for the assertion messages. */
  let heldAnswer = '';

  /** One payment request; `requestId` (x-request-id) tells in the audit trail which replica and call made a record. */
  async function pay(replica: GatewayProcess, input: Record<string, unknown>, token: string, requestId: string): Promise<PayAnswer | 'connection lost'> {
    try {
      const response = await fetch(`http://127.0.0.1:${replica.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
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
    [redis, postgres, issuer] = await Promise.all([startRedis(), startPostgres(), startTestIssuer(), iqm.start()]);
  });
  afterAll(async () => {
    for (const replica of replicas) replica.kill();
    await issuer?.close();
    await redis?.stop();
    await postgres?.destroy();
    await iqm.stop();
  });

  it('50 same-key payments across both, the claim holder SIGKILLed after IQM applied: one payment, the key settled without a retry, a verified and complete audit trail', async () => {
    const env = {
      ...(await iqmGatewayEnv(iqm, issuer)),
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.url,
      // A small lease (REQUEST_TIMEOUT_MS plus the 5 s margin, 13 s), with room for the held payment not to
      // time out before its replica is killed, also on a loaded machine.
      REQUEST_TIMEOUT_MS: '8000',
      UPSTREAM_TIMEOUT_MS: '7500',
      // The orphan sweep runs every second (it follows the reconcile delay, at least 1 s).
      IDEMPOTENCY_RECONCILE_DELAY_MS: '1000',
    };
    // Both start together: each migrates the shared database at start-up, under one advisory lock.
    const [one, two] = await Promise.all([launchGateway(env), launchGateway(env)]);
    replicas.push(one, two);
    const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
    const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
    const invoice: SimInvoice = { ...template, invoiceId, invoiceName: `Replica kill ${invoiceId}`, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
    iqm.state.invoices.set(invoiceId, invoice);
    const input = { invoiceId: invoiceGid(200101, invoiceId), amount: '42.00', idempotencyKey: `replica-kill-${process.pid}` };
    const token = await issuer.mint();
    const paymentsOn = () => [...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoiceId);
    // A refused payment (amount 0, nothing sent, key freed) first runs each fresh process's cold paths
    // (authentication, execution, the audit pool's first connections), so the held payment's time
    // budget is not spent on them.
    for (const [name, replica] of [['one', one], ['two', two]] as const) {
      expect(await pay(replica, { ...input, amount: '0' }, token, `${name}-warm-up`)).toMatchObject({ data: { payInvoice: { userErrors: [{ code: 'INVALID_INPUT' }] } } });
    }

    let arrived = () => {};
    let release = () => {};
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    held = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };

    // The first request takes the claim on replica one; its payment reaches IQM and is applied, the answer held.
    const first = pay(one, input, token, 'one-holder');
    // Fails at once, with the answer, if the payment is answered without ever reaching IQM.
    await Promise.race([arrival, first.then((answer) => Promise.reject(new Error(`answered before reaching IQM: ${JSON.stringify(answer)}`)))]);
    // 49 more with the same key, on both replicas, while the first is in flight.
    const others = Array.from({ length: 49 }, (_, index) => (index % 2 === 0 ? pay(two, input, token, `two-${index}`) : pay(one, input, token, `one-${index}`)));
    // Both shares answer while the claim is held (IN_PROGRESS); then replica one dies without a
    // word. Waiting for its own share too means every one of those requests has reached a resolver
    // and written its audit records before the kill: the trail's count below does not race the kill.
    const fromTwo = await Promise.all(others.filter((_, index) => index % 2 === 0));
    const fromOneShare = await Promise.all(others.filter((_, index) => index % 2 === 1));
    one.process.kill('SIGKILL');
    expect(await one.exited).toBeNull();
    release();
    const fromOne = [await first, ...fromOneShare];
    const fromOneCodes = fromOne.map((answer) => (answer === 'connection lost' ? answer : (answer.data?.payInvoice.userErrors[0]?.code ?? JSON.stringify(answer))));
    expect(fromOneCodes.filter((code) => code !== 'connection lost' && code !== 'IDEMPOTENCY_IN_PROGRESS')).toEqual([]);
    expect(fromOne[0]).toBe('connection lost');
    expect(fromTwo.map((answer) => (answer === 'connection lost' ? answer : answer.data?.payInvoice.userErrors[0]?.code))).toEqual(Array(25).fill('IDEMPOTENCY_IN_PROGRESS'));
    expect(paymentsOn(), `IQM answered ${heldAnswer}`).toHaveLength(1);

    // Nobody retries. The dead replica's lease lapses on its own; replica two's orphan sweep then
    // reconciles the key from the marker the payment carries (polled in Redis, never timed).
    const client = new Redis(redis.url);
    const key = REDIS_KEY_PREFIX + idempotencyStoreKey(partitionKeyOf(TEST_TENANT, issuer.issuer, 'test-user'), 'payInvoice', input.idempotencyKey);
    const state = async () => parseIdempotencyRecord((await client.get(key))!).state;
    for (let polls = 0; (await state()) !== 'completed' && polls < 150; polls += 1) await new Promise((resolve) => setTimeout(resolve, 200));
    // A client that comes back after all gets the payment that was made; nothing is sent.
    const answer = await pay(two, input, token, 'two-late-retry');
    expect(answer).toMatchObject({ data: { payInvoice: { invoice: { paid: { amount: '42' } }, userErrors: [] } } });
    // Counted in IQM's state: the simulator's call log misses the call whose connection died with replica one.
    expect(paymentsOn()).toHaveLength(1);
    const [payment] = paymentsOn();
    expect(payment!.paymentAmount.toFixed()).toBe('42');

    try {
      expect(await state()).toBe('completed');
      // No lease, no orphan left listed: the one record.
      expect(await client.keys(`${REDIS_KEY_PREFIX}*`)).toEqual([key]);
    } finally {
      client.disconnect();
    }

    // The shared audit trail, read the way `npm run audit:verify` reads it (verifyChains).
    const audit = new SqlAuditStore('test', async () => postgresDatabase(postgres.url, () => undefined));
    try {
      const report = await audit.verify();
      const trail = (await audit.list(TEST_TENANT, { limit: 1_000 })).reverse();
      expect(report).toEqual({ tenants: [{ tenant: TEST_TENANT, records: trail.length }], broken: [] });
      const outcomesOf = (attemptId: string) => trail.filter((record) => record.attemptId === attemptId && record.outcome !== 'ATTEMPTED');
      const attempts = trail.filter((record) => record.outcome === 'ATTEMPTED');
      // One per request that reached a resolver: the 2 warm-ups, the 50 and the late retry.
      expect(attempts).toHaveLength(53);

      // Every call of the surviving replica has its outcome record.
      const survivors = attempts.filter((record) => record.requestId.startsWith('two-'));
      expect(survivors).toHaveLength(27);
      for (const attempt of survivors) expect(outcomesOf(attempt.attemptId), attempt.requestId).toHaveLength(1);

      // The attempt that sent the payment died with its replica before writing its outcome; the survivor's
      // orphan sweep wrote it, under that attempt's id and request: applied, the invoice and the payment named.
      const holder = attempts.find((record) => record.requestId === 'one-holder')!;
      const holderOutcomes = outcomesOf(holder.attemptId);
      expect(holderOutcomes.map(({ outcome, requestId }) => `${outcome} ${requestId}`)).toEqual(['RECONCILED_APPLIED one-holder']);
      const settled = holderOutcomes[0];
      expect(settled).toMatchObject({ subject: 'test-user', amount: '42', currency: 'USD', targetIds: [input.invoiceId] });
      expect(new Set(settled!.upstreamIds)).toEqual(new Set([input.invoiceId, paymentGid(200101, payment!.paymentId)]));
      // The payment is in the trail once, as applied; the late retry is a replay.
      expect(trail.filter((record) => record.upstreamIds.includes(paymentGid(200101, payment!.paymentId)))).toEqual([settled]);
      expect(trail.filter((record) => record.outcome === 'ACCEPTED')).toEqual([]);
      expect(outcomesOf(attempts.find((record) => record.requestId === 'two-late-retry')!.attemptId).map(({ outcome }) => outcome)).toEqual(['REPLAYED']);

      // What the kill left without an outcome: only replica one's duplicates, which never held the key (the
      // holder is settled above), so sent nothing.
      const unanswered = attempts.filter((record) => outcomesOf(record.attemptId).length === 0).map(({ requestId }) => requestId);
      expect(unanswered.filter((requestId) => !/^one-\d+$/.test(requestId))).toEqual([]);
    } finally {
      await audit.close();
    }
  }, 90_000);
});

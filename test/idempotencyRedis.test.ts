import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionKeyOf } from '../src/auth/index.js';
import { TEST_TENANT } from './helpers/auth.js';
import { toDecimal } from '../src/domain/money.js';
import { idempotencyStoreKey, parseIdempotencyRecord, REDIS_KEY_PREFIX, RedisIdempotencyStore } from '../src/idempotency/index.js';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { invoiceGid } from './helpers/iqm.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { startStack, type TestStack } from './helpers/stack.js';

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) {
      invoice { id invoiceId status modifiedAt total { amount currencyCode } paid { amount currencyCode } outstanding { amount currencyCode } }
      userErrors { field message code }
    }
  }
`;
type PayAnswer = { payInvoice: { invoice: Record<string, unknown> | null; userErrors: { field: string[] | null; message: string; code: string }[] } };

/** The stacks' default caller (one issuer shared by every replica): the test tenant's `test-user`. */
const CALLER_A: Record<string, string> = {};
const HOUR_MS = 3600 * 1000;

let keys = 0;
const newKey = (label: string) => `redis-${label}-${++keys}-${process.pid}`;

describe('Idempotency: Redis store shared by gateway replicas', () => {
  let redis: TestRedis;
  /** Owns the simulators; the gateways under test are started and stopped against them. */
  let simulators: TestStack;
  let iqm: IqmSimulator;
  let client: Redis;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis();
    env = { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: '3000', UPSTREAM_TIMEOUT_MS: '2000' };
    simulators = await startStack({ env });
    iqm = simulators.embedded.iqm!;
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await simulators?.close();
    await redis?.stop();
  });

  const gateway = (extra: Record<string, string> = {}) => startStack({ env: { ...env, ...extra }, reuseEmbedded: simulators.embedded, issuer: simulators.issuer! });
  const paymentsOn = (invoice: SimInvoice) => [...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoice.invoiceId);
  const payPosts = () => iqm.callsTo('/pay-invoice', 'POST').length;
  const redisKey = (_headers: Record<string, string>, idempotencyKey: string) =>
    REDIS_KEY_PREFIX + idempotencyStoreKey(partitionKeyOf(TEST_TENANT, simulators.issuer!.issuer, 'test-user'), 'payInvoice', idempotencyKey);

  /** A new unpaid invoice copied from the customer's seeded one, so each test pays its own. */
  const freshInvoice = (owId: number): SimInvoice => {
    const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === owId && candidate.status === 3)!;
    const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
    const invoice: SimInvoice = { ...template, invoiceId, invoiceName: `Redis test ${invoiceId}`, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
    iqm.state.invoices.set(invoiceId, invoice);
    return invoice;
  };

  it('a restarted gateway replays the payment its predecessor made, without a second write', async () => {
    const invoice = freshInvoice(200101);
    const input = { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '321.09', paymentMode: 'CHEQUE', bankName: 'First National Bank', idempotencyKey: newKey('restart') };
    const posts = payPosts();
    const first = await gateway();
    const answered = await first.gql<PayAnswer>(PAY, { input }, CALLER_A);
    await first.close();
    expect(answered.errors).toBeUndefined();
    expect(answered.data!.payInvoice.userErrors).toEqual([]);
    expect(answered.data!.payInvoice.invoice).toMatchObject({ status: 'PARTIALLY_PAID', paid: { amount: '321.09', currencyCode: 'USD' } });

    const second = await gateway();
    try {
      const replayed = await second.gql<PayAnswer>(PAY, { input }, CALLER_A);
      expect(replayed).toEqual(answered);
      const reused = await second.gql<PayAnswer>(PAY, { input: { ...input, amount: '321.1' } }, CALLER_A);
      expect(reused.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    } finally {
      await second.close();
    }
    expect(payPosts() - posts).toBe(1);
    expect(paymentsOn(invoice).map((payment) => payment.paymentAmount.toFixed())).toEqual(['321.09']);
  });

  it('keeps the record at least 24 hours in Redis (PTTL), longer when IDEMPOTENCY_TTL_HOURS says so', async () => {
    const stack = await gateway({ IDEMPOTENCY_TTL_HOURS: '48' });
    try {
      const defaultKey = newKey('ttl-24');
      const longKey = newKey('ttl-48');
      const invoice = freshInvoice(200102);
      const input = { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '1.00' };
      expect((await simulators.gql<PayAnswer>(PAY, { input: { ...input, idempotencyKey: defaultKey } })).data!.payInvoice.userErrors).toEqual([]);
      expect((await stack.gql<PayAnswer>(PAY, { input: { ...input, idempotencyKey: longKey } })).data!.payInvoice.userErrors).toEqual([]);
      const defaultTtl = await client.pttl(redisKey({}, defaultKey));
      expect(defaultTtl).toBeGreaterThan(24 * HOUR_MS - 60_000);
      expect(defaultTtl).toBeLessThanOrEqual(24 * HOUR_MS);
      expect(await client.pttl(redisKey({}, longKey))).toBeGreaterThan(48 * HOUR_MS - 60_000);
      const record = parseIdempotencyRecord((await client.get(redisKey({}, defaultKey)))!);
      expect(record.state).toBe('completed');
    } finally {
      await stack.close();
    }
  });

  it('50 identical payments spread over two replicas: exactly one reaches IQM', async () => {
    const invoice = freshInvoice(200103);
    const input = { invoiceId: invoiceGid(200103, invoice.invoiceId), amount: '45.67', idempotencyKey: newKey('replicas') };
    const [one, two] = await Promise.all([gateway(), gateway()]);
    try {
      const posts = payPosts();
      const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? one : two).gql<PayAnswer>(PAY, { input }, CALLER_A)));
      expect(payPosts() - posts).toBe(1);
      expect(paymentsOn(invoice).map((payment) => payment.paymentAmount.toFixed())).toEqual(['45.67']);
      const succeeded = answers.filter((answer) => answer.data?.payInvoice.userErrors.length === 0);
      const inProgress = answers.filter((answer) => answer.data?.payInvoice.userErrors[0]?.code === 'IDEMPOTENCY_IN_PROGRESS');
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      expect(succeeded.length + inProgress.length).toBe(50);
      for (const answer of succeeded) expect(answer).toEqual(succeeded[0]);
      expect(await two.gql<PayAnswer>(PAY, { input }, CALLER_A)).toEqual(succeeded[0]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('holds an in-flight key with a lease of the request timeout plus a margin; the other replica answers IN_PROGRESS', async () => {
    const invoice = freshInvoice(200101);
    const idempotencyKey = newKey('lease');
    const input = { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '2.50', idempotencyKey };
    const [one, two] = await Promise.all([gateway(), gateway()]);
    try {
      iqm.injectFault({ route: '/pay-invoice', method: 'POST', times: 1, fault: { kind: 'latency', ms: 500 } });
      const slow = one.gql<PayAnswer>(PAY, { input });
      const key = redisKey({}, idempotencyKey);
      for (let attempt = 0; attempt < 200 && (await client.exists(key)) === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const claim = parseIdempotencyRecord((await client.get(key))!);
      expect(claim.state).toBe('in_progress');
      // The lease lives beside the record (which is kept for the retention period): it lapses on its own.
      const lease = await client.pttl(key.replace(REDIS_KEY_PREFIX, `${REDIS_KEY_PREFIX}lease:`));
      expect(lease).toBeGreaterThan(0);
      expect(lease).toBeLessThanOrEqual(3000 + 5000);
      expect(await client.pttl(key)).toBeGreaterThan(24 * HOUR_MS - 60_000);
      const duplicate = await two.gql<PayAnswer>(PAY, { input });
      expect(duplicate.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['IDEMPOTENCY_IN_PROGRESS']);
      const done = await slow;
      expect(done.data!.payInvoice.userErrors).toEqual([]);
      expect(parseIdempotencyRecord((await client.get(key))!).state).toBe('completed');
      expect(await client.pttl(key)).toBeGreaterThan(24 * HOUR_MS - 60_000);
      expect(paymentsOn(invoice)).toHaveLength(1);
    } finally {
      iqm.clearFaults();
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('settles and releases only for the holder of the claim', async () => {
    const store = await RedisIdempotencyStore.connect(redis.url);
    try {
      const first = await store.claim('store-test:a', 'fp', 10_000, 60_000);
      if (!first.claimed) throw new Error('expected the claim');
      expect(await store.claim('store-test:a', 'fp', 10_000, 60_000)).toEqual({ claimed: false, existing: { state: 'in_progress', fingerprint: 'fp', token: first.token } });
      expect(await store.takeOver('store-test:a', 'fp', 10_000, 60_000)).toBeNull();
      expect(await store.release('store-test:a', 'someone-else')).toBe(false);
      expect(await store.settle('store-test:a', 'someone-else', { state: 'outcome_unknown', fingerprint: 'fp', sentAt: 1 }, 60_000)).toBe(false);
      expect(await store.settle('store-test:a', first.token, { state: 'completed', fingerprint: 'fp', payload: '{"ok":true}' }, 60_000)).toBe(true);
      expect(await store.claim('store-test:a', 'fp', 10_000, 60_000)).toEqual({ claimed: false, existing: { state: 'completed', fingerprint: 'fp', payload: '{"ok":true}' } });
      expect(await store.release('store-test:a', first.token)).toBe(false);
      const second = await store.claim('store-test:b', 'fp', 10_000, 60_000);
      if (!second.claimed) throw new Error('expected the claim');
      expect(await store.release('store-test:b', second.token)).toBe(true);
      expect(await client.exists(REDIS_KEY_PREFIX + 'store-test:b')).toBe(0);

      // A claim whose lease lapsed (its replica died) reads as an unknown outcome, and one reconciler takes it over.
      // It names the dead holder (its attempt and recovery), and so does the reconciler's claim.
      const holder = { attempt: 'attempt-of-the-dead', recovery: '{"opaque":"to the store"}' };
      const dead = await store.claim('store-test:c', 'fp', 1, 60_000, holder);
      if (!dead.claimed) throw new Error('expected the claim');
      await client.del(`${REDIS_KEY_PREFIX}lease:store-test:c`);
      expect(await store.claim('store-test:c', 'fp', 10_000, 60_000)).toEqual({ claimed: false, existing: { state: 'outcome_unknown', fingerprint: 'fp', sentAt: 0, ...holder } });
      expect(await store.takeOver('store-test:c', 'other', 10_000, 60_000)).toBeNull();
      const reconciler = await store.takeOver('store-test:c', 'fp', 10_000, 60_000);
      expect(reconciler).toEqual(expect.any(String));
      expect(await store.peek('store-test:c')).toEqual({ state: 'in_progress', fingerprint: 'fp', token: reconciler, ...holder });
      // Held under a live lease: not an orphan until that lapses too.
      expect(await store.orphans(10)).toEqual([]);
      expect(await store.takeOver('store-test:c', 'fp', 10_000, 60_000)).toBeNull();
      expect(await store.settle('store-test:c', dead.token, { state: 'completed', fingerprint: 'fp', payload: '{}' }, 60_000)).toBe(false);
      // An unknown outcome whose reconciliation is overdue at once is listed; a release unlists it, and the index goes.
      expect(await store.settle('store-test:c', reconciler!, { state: 'outcome_unknown', fingerprint: 'fp', sentAt: 5, ...holder }, 60_000, 0)).toBe(true);
      expect(await store.orphans(10)).toEqual(['store-test:c']);
      const sweeper = await store.takeOver('store-test:c', 'fp', 10_000, 60_000);
      expect(await store.release('store-test:c', sweeper!)).toBe(true);
      expect(await client.exists(REDIS_KEY_PREFIX + 'store-test:c', `${REDIS_KEY_PREFIX}lease:store-test:c`, `${REDIS_KEY_PREFIX}orphans`)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses to move money while Redis is unreachable (nothing sent), and refuses to start without it', async () => {
    const doomed = await startRedis();
    const stack = await startStack({ env: { ...env, REDIS_URL: doomed.url }, reuseEmbedded: simulators.embedded });
    try {
      await doomed.stop();
      const invoice = freshInvoice(200102);
      const posts = payPosts();
      const refused = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '1.00', idempotencyKey: newKey('down') } });
      expect(refused.data).toBeNull();
      expect(refused.errors![0]).toMatchObject({
        message: 'The idempotency store is unavailable; nothing was sent. Retry with the same idempotencyKey.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE' },
      });
      expect(payPosts()).toBe(posts);
      expect(paymentsOn(invoice)).toHaveLength(0);
    } finally {
      await stack.close();
    }
    await expect(startStack({ env: { ...env, REDIS_URL: doomed.url }, reuseEmbedded: simulators.embedded })).rejects.toThrow(
      `REDIS_URL: cannot reach Redis at redis://127.0.0.1:${doomed.port}`,
    );
  });
});

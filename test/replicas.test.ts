import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDecimal } from '../src/domain/money.js';
import { FILE_LINK_SECRET_REDIS_KEY } from '../src/http/fileLinks.js';
import { documentHash } from '../src/trustedDocuments/index.js';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { SHARED_CACHE_REDIS_PREFIX } from '../src/upstreams/sharedCache.js';
import { OTHER_TEST_TENANT, TEST_TENANT } from './helpers/auth.js';
import { fakeFile, invoiceGid, paymentGid } from './helpers/iqm.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { REPLICA_HEADER, RoundRobinProxy } from './helpers/roundRobinProxy.js';
import { startStack, type TestStack } from './helpers/stack.js';

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) { invoice { id status paid { amount currencyCode } } userErrors { field message code } }
  }
`;
type PayAnswer = { payInvoice: { invoice: { id: string; status: string; paid: { amount: string } } | null; userErrors: { code: string; message: string }[] } };

const REFERENCE_LISTS = /* GraphQL */ `
  {
    financeReferenceData {
      paymentTypes { id name label order }
      paymentStatuses { id name label order }
      invoicePaymentModes { id name label order }
      invoiceStatuses { id name label order }
      invoicePaymentTerms { id name label order }
      pgPaymentTypes { id name label order }
    }
  }
`;

interface Answer<TData = unknown> {
  readonly status: number;
  /** Which replica answered (the proxy's REPLICA_HEADER). */
  readonly replica: number;
  readonly body: { data?: TData | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('Replicas: two gateways behind a round-robin proxy, sharing one Redis and one set of simulators', () => {
  let redis: TestRedis;
  let client: Redis;
  let first: TestStack;
  let second: TestStack;
  let proxy: RoundRobinProxy;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    // No FILE_LINK_SECRET: the replicas must agree on one through Redis by themselves.
    const env = { REDIS_URL: redis.url };
    first = await startStack({ env });
    second = await startStack({ env, issuer: first.issuer!, reuseEmbedded: first.embedded });
    proxy = await RoundRobinProxy.start([first.origin, second.origin]);
    iqm = first.embedded.iqm!;
  });
  afterAll(async () => {
    await proxy?.close();
    await second?.close();
    await first?.close();
    client?.disconnect();
    await redis?.stop();
  });

  /** One GraphQL request through the proxy, as the test tenant's default caller unless `headers` say otherwise. */
  async function graphql<TData>(body: Record<string, unknown>, headers: Record<string, string> = first.auth): Promise<Answer<TData>> {
    const response = await fetch(`${proxy.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, replica: Number(response.headers.get(REPLICA_HEADER)), body: (await response.json()) as Answer<TData>['body'] };
  }

  /** A new unpaid invoice copied from a seeded one, so each test pays its own. */
  function freshInvoice(): SimInvoice {
    const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
    const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
    const invoice: SimInvoice = { ...template, invoiceId, invoiceName: `Replica test ${invoiceId}`, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
    iqm.state.invoices.set(invoiceId, invoice);
    return invoice;
  }

  it('stages an upload on one replica and pays with it on the other; the receipt link then opens on either', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(fakeFile('png', 3000))], { type: 'image/png' }), 'proof.png');
    const staged = await fetch(`${proxy.origin}/uploads`, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true', ...first.auth } });
    expect(staged.status).toBe(201);
    const uploadId = ((await staged.json()) as { id: string }).id;
    const uploadReplica = Number(staged.headers.get(REPLICA_HEADER));

    const invoice = freshInvoice();
    const paid = await graphql<PayAnswer>({
      query: PAY,
      variables: { input: { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '12.34', paymentMode: 'CHEQUE', bankName: 'First National Bank', paymentProofUploadId: uploadId, idempotencyKey: 'replica-upload-1' } },
    });
    expect(paid.replica).not.toBe(uploadReplica);
    expect(paid.body.errors).toBeUndefined();
    expect(paid.body.data!.payInvoice.userErrors).toEqual([]);
    const payment = [...iqm.state.payments.values()].find((candidate) => candidate.invoiceId === invoice.invoiceId)!;
    expect(payment.paymentProof).toEqual({ fileName: 'proof.png', mimeType: 'image/png', bytes: 3000 });

    // A link signed by one replica (neither was given FILE_LINK_SECRET) is honoured by both.
    const linked = await graphql<{ node: { receiptUrl: string } }>({ query: 'query($id: ID!) { node(id: $id) { ... on IqmPayment { receiptUrl } } }', variables: { id: paymentGid(200101, payment.paymentId) } });
    const receiptUrl = linked.body.data!.node.receiptUrl;
    expect(receiptUrl).toMatch(/^\/files\/receipts\/200101\/\d+\.pdf\?tenant=alchemist-media&expires=\d+&signature=/);
    const downloads = await Promise.all([0, 1].map(async () => {
      const response = await fetch(`${proxy.origin}${receiptUrl}`);
      return { status: response.status, replica: Number(response.headers.get(REPLICA_HEADER)), type: response.headers.get('content-type'), head: Buffer.from(await response.arrayBuffer()).subarray(0, 5).toString() };
    }));
    expect(downloads.map((download) => download.replica).sort()).toEqual([0, 1]);
    for (const download of downloads) expect(download).toMatchObject({ status: 200, type: 'application/pdf', head: '%PDF-' });
    expect(await client.get(FILE_LINK_SECRET_REDIS_KEY)).toMatch(/^[\w-]{43}$/);
  });

  it('an APQ registered on one replica is used by hash on the other; another tenant cannot use (or see) that hash', async () => {
    const query = '{ customers(first: 1) { nodes { displayName } } }';
    const hash = documentHash(query);
    const persistedQuery = { version: 1, sha256Hash: hash };
    const registered = await graphql({ query, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const byHash = await graphql({ extensions: { persistedQuery } });
    expect(byHash.replica).not.toBe(registered.replica);
    expect(byHash.body).toEqual(registered.body);
    expect(await client.keys(`gateway:apq:*${hash}`)).toEqual([`gateway:apq:${TEST_TENANT}:${hash}`]);

    // Another tenant's caller, on both replicas: the hash is unknown to it.
    const other = await first.as({ tenant: OTHER_TEST_TENANT, subject: 'omar' });
    const probes = [await graphql({ extensions: { persistedQuery } }, other), await graphql({ extensions: { persistedQuery } }, other)];
    expect(probes.map((probe) => probe.replica).sort()).toEqual([0, 1]);
    for (const probe of probes) expect(probe.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    // It registers the same text for itself, then uses it by hash; the first tenant's entry is untouched.
    expect((await graphql({ query, extensions: { persistedQuery } }, other)).body.errors).toBeUndefined();
    const ownHash = await graphql<{ customers: { nodes: { displayName: string }[] } }>({ extensions: { persistedQuery } }, other);
    expect(ownHash.body.data!.customers.nodes).toEqual([{ displayName: 'Harbor Marker Co' }]);
    expect((await client.keys(`gateway:apq:*${hash}`)).sort()).toEqual([`gateway:apq:${TEST_TENANT}:${hash}`, `gateway:apq:${OTHER_TEST_TENANT}:${hash}`].sort());
  });

  it('retries of one idempotency key across both replicas move the money once and answer the same', async () => {
    const invoice = freshInvoice();
    const posts = iqm.callsTo('/pay-invoice', 'POST').length;
    const input = { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '321.09', paymentMode: 'CHEQUE', bankName: 'First National Bank', idempotencyKey: 'replica-retry-1' };
    const answers = [];
    for (let attempt = 0; attempt < 4; attempt += 1) answers.push(await graphql<PayAnswer>({ query: PAY, variables: { input } }));
    expect(answers.map((answer) => answer.replica)).toEqual([answers[0]!.replica, 1 - answers[0]!.replica, answers[0]!.replica, 1 - answers[0]!.replica]);
    expect(answers[0]!.body.data!.payInvoice).toMatchObject({ userErrors: [], invoice: { status: 'PARTIALLY_PAID', paid: { amount: '321.09' } } });
    for (const answer of answers.slice(1)) expect(answer.body).toEqual(answers[0]!.body);
    expect(iqm.callsTo('/pay-invoice', 'POST').length - posts).toBe(1);
    expect([...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoice.invoiceId)).toHaveLength(1);
  });

  it('loads the reference lists once for both replicas: the second replica reads them from Redis, equal to the last digit', async () => {
    iqm.resetCalls();
    const missesBefore = [first.services.sharedCache.misses, second.services.sharedCache.misses];
    const loaded = await graphql({ query: REFERENCE_LISTS });
    expect(loaded.body.errors).toBeUndefined();
    expect(iqm.calls).toHaveLength(6);
    const loader = [first, second][loaded.replica]!;
    const reader = [first, second][1 - loaded.replica]!;
    const readerHits = reader.services.sharedCache.hits;
    const shared = await graphql({ query: REFERENCE_LISTS });
    expect(shared.replica).toBe(1 - loaded.replica);
    expect(shared.body).toEqual(loaded.body);
    expect(iqm.calls).toHaveLength(6);
    expect(reader.services.sharedCache.hits - readerHits).toBe(6);
    expect(loader.services.sharedCache.misses - missesBefore[loaded.replica]!).toBe(6);
    expect(reader.services.sharedCache.misses - missesBefore[1 - loaded.replica]!).toBe(0);
    // Kept in Redis with the cache's TTL (an hour), under the tenant's keys.
    const ttl = await client.pttl(`${SHARED_CACHE_REDIS_PREFIX}${TEST_TENANT}:iqm:reference:paymentTypes`);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('a garbled shared entry, then Redis gone: reference lists load from upstream and APQ falls back to the full text, never an error', async () => {
    const key = `${SHARED_CACHE_REDIS_PREFIX}${TEST_TENANT}:iqm:reference:paymentTypes`;
    await client.set(key, JSON.stringify([{ id: '1', label: 'not the shape' }]), 'PX', 60_000);
    for (const stack of [first, second]) stack.services.sharedCache.clear();
    iqm.resetCalls();
    const reloaded = await graphql<{ financeReferenceData: { paymentTypes: unknown[] } }>({ query: '{ financeReferenceData { paymentTypes { id name label order } } }' });
    expect(reloaded.body.errors).toBeUndefined();
    expect(reloaded.body.data!.financeReferenceData.paymentTypes).toHaveLength(3);
    expect(iqm.calls).toHaveLength(1);
    // The garbled entry was replaced by the good one.
    expect(JSON.parse((await client.get(key))!)).toEqual(reloaded.body.data!.financeReferenceData.paymentTypes);

    client.disconnect();
    await redis.stop();
    for (const stack of [first, second]) stack.services.sharedCache.clear();
    iqm.resetCalls();
    const answers = [await graphql<{ financeReferenceData: object }>({ query: REFERENCE_LISTS }), await graphql<{ financeReferenceData: object }>({ query: REFERENCE_LISTS })];
    expect(answers.map((answer) => answer.replica).sort()).toEqual([0, 1]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(Object.keys(answer.body.data!.financeReferenceData)).toHaveLength(6);
    }
    // Without the shared layer each replica loads for itself.
    expect(iqm.calls).toHaveLength(12);

    // APQ without Redis: an unknown hash asks for the text (the protocol's retry), and the text runs.
    const query = '{ customers(first: 2) { nodes { displayName } } }';
    const persistedQuery = { version: 1, sha256Hash: documentHash(query) };
    const unknown = await graphql({ extensions: { persistedQuery } });
    expect(unknown.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const resent = await graphql<{ customers: { nodes: unknown[] } }>({ query, extensions: { persistedQuery } });
    expect(resent.body.errors).toBeUndefined();
    expect(resent.body.data!.customers.nodes).toHaveLength(2);
  });
});

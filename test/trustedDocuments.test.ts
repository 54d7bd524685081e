import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerInvoicesDocument, CustomerPaymentsDocument } from '../examples/typed-client/src/__generated__/graphql.js';
import { createClient, documentId, GraphQLRequestError } from '../examples/typed-client/src/request.js';
import { documentHash, readManifests, TrustedDocumentsError } from '../src/trustedDocuments/index.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { startStack, type TestStack } from './helpers/stack.js';

/** The manifest `npm run codegen` writes for the typed-client example (client preset, persistedDocuments). */
const MANIFEST = 'examples/typed-client/src/__generated__/persisted-documents.json';
const AD_HOC = '{ customers(first: 2) { nodes { displayName } } }';

interface Answer {
  readonly status: number;
  readonly body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(stack: TestStack, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.auth }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** Every request any simulator has received so far. */
function upstreamCalls(stack: TestStack): number {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [iqm, intact, refrens, iqmetrix].reduce((sum, simulator) => sum + (simulator?.calls.length ?? 0), 0);
}

const codes = (answer: Answer) => answer.body.errors?.map((error) => error.extensions?.code);

describe('Trusted documents: TRUSTED_DOCUMENTS_MODE=enforce with the typed client’s manifest', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_DOCUMENTS_MODE: 'enforce', TRUSTED_DOCUMENTS_FILES: MANIFEST } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses an ad-hoc query with PERSISTED_QUERY_NOT_IN_LIST, 400, and nothing executed: no data, no upstream call', async () => {
    const callsBefore = upstreamCalls(stack);
    const refused = await post(stack, { query: AD_HOC });
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    expect(codes(refused)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // The same text registered as an automatic persisted query is refused too, and not stored.
    const registered = await post(stack, { query: AD_HOC, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(AD_HOC) } } });
    expect(codes(registered)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const byHash = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(AD_HOC) } } });
    expect(codes(byHash)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(upstreamCalls(stack)).toBe(callsBefore);
  });

  it('runs the client’s own operations, sent by id alone', async () => {
    const sent: { hasQuery: boolean; id: unknown }[] = [];
    const client = createClient({
      url: stack.url,
      headers: stack.auth,
      trustedDocuments: true,
      fetch: async (input, init) => {
        const body = JSON.parse(String(init?.body)) as { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
        sent.push({ hasQuery: typeof body.query === 'string', id: body.extensions?.persistedQuery?.sha256Hash });
        return fetch(input, init);
      },
    });
    const invoices = await client.request(CustomerInvoicesDocument, { system: 'IQM', sourceId: '200101', first: 3 });
    expect(invoices.errors).toEqual([]);
    expect(invoices.data.customer?.displayName).toBe('Northwind Traders');
    const payments = await client.request(CustomerPaymentsDocument, { customerId: invoices.data.customer!.id, first: 2 });
    expect(payments.errors).toEqual([]);
    expect(payments.data.customer?.payments.nodes).toHaveLength(2);
    expect(sent).toEqual([
      { hasQuery: false, id: documentId(CustomerInvoicesDocument) },
      { hasQuery: false, id: documentId(CustomerPaymentsDocument) },
    ]);
    expect(Object.keys(JSON.parse(readFileSync(MANIFEST, 'utf8')) as object)).toContain(`sha256:${documentId(CustomerInvoicesDocument)}`);
  });

  it('runs a trusted document sent as its exact text, and refuses the same operation printed differently', async () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    const text = manifest[`sha256:${documentId(CustomerInvoicesDocument)}`]!;
    const exact = await post(stack, { query: text, variables: { system: 'INTACT', sourceId: 'CUS000002' } });
    expect(exact.body.errors).toBeUndefined();
    expect(exact.body.data).toMatchObject({ customer: { displayName: 'Contoso Media' } });
    const reformatted = await post(stack, { query: `${text}\n`, variables: { system: 'INTACT', sourceId: 'CUS000002' } });
    expect(codes(reformatted)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  it('leaves the client one clear error when its operation is not trusted', async () => {
    const client = createClient({ url: stack.url, headers: stack.auth });
    const error = await client.request(CustomerInvoicesDocument, { system: 'IQM', sourceId: '200101' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({ status: 400, errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] });
  });
});

describe('Trusted documents: open mode (the default)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_DOCUMENTS_FILES: MANIFEST } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('resolves the manifest’s ids and still runs ad-hoc operations', async () => {
    const byId = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: documentId(CustomerInvoicesDocument) } }, variables: { system: 'IQM', sourceId: '200101' } });
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data).toMatchObject({ customer: { displayName: 'Northwind Traders' } });
    const adHoc = await post(stack, { query: AD_HOC });
    expect(adHoc.body.errors).toBeUndefined();
  });
});

describe('Trusted documents: published to Redis (REDIS_URL)', () => {
  let redis: TestRedis;
  let client: Redis;
  let stack: TestStack;
  const KEY = 'gateway:trusted-documents';
  const TRUSTED = 'query TrustedFromRedis { customers(first: 1) { nodes { displayName } } }';

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    stack = await startStack({ env: { TRUSTED_DOCUMENTS_MODE: 'enforce', REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await stack?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('runs a document once a deployment publishes it, without a restart; ignores an entry whose text does not hash to its id', async () => {
    // Nothing published yet: Redis is asked, and says no. (Its answers are reused for 10 s, so this
    // test asks about other ids before publishing.)
    expect(codes(await post(stack, { query: AD_HOC }))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const forged = 'query Forged { customers(first: 5) { nodes { displayName } } }';
    await client.hset(KEY, documentHash(TRUSTED), TRUSTED, documentHash(forged), AD_HOC);
    expect((await post(stack, { query: TRUSTED })).body.errors).toBeUndefined();
    const byId = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(TRUSTED) } } });
    expect(byId.body).toEqual({ data: { customers: { nodes: [{ displayName: 'Northwind Traders' }] } } });
    expect(codes(await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(forged) } } }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('Trusted documents: manifest files', () => {
  it('names every bad entry of every file in one error', () => {
    const folder = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
    const good = 'query A { __typename }';
    writeFileSync(join(folder, 'a.json'), JSON.stringify({ [`sha256:${documentHash(good)}`]: good, [`sha256:${documentHash('other')}`]: good, md5: good }));
    writeFileSync(join(folder, 'b.json'), '[1, 2]');
    let error: unknown;
    try {
      readManifests([join(folder, 'a.json'), join(folder, 'b.json'), join(folder, 'missing.json')]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TrustedDocumentsError);
    const problems = (error as TrustedDocumentsError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/a\.json: sha256:[0-9a-f]{64}: is not the SHA-256 of its document/);
    expect(problems[1]).toMatch(/a\.json: md5: the key must be a SHA-256/);
    expect(problems[2]).toMatch(/b\.json: must be a JSON object/);
    expect(problems[3]).toMatch(/missing\.json: ENOENT/);
    expect(readManifests([MANIFEST]).size).toBe(3);
  });
});

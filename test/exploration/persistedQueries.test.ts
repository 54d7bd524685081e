import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

const QUERY = 'query CustomerNames { customers(first: 2) { nodes { displayName sources } } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const EXPECTED = { customers: { nodes: [{ displayName: 'Northwind Traders', sources: ['IQM', 'INTACT', 'REFRENS', 'IQMETRIX'] }, { displayName: 'Contoso Media', sources: ['IQM', 'INTACT', 'IQMETRIX'] }] } };

interface Answer {
  readonly status: number;
  readonly body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('Exploration: automatic persisted queries', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  async function post(body: Record<string, unknown>): Promise<Answer> {
    const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.auth }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }
  const extensions = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

  it('follows the protocol: unknown hash → PERSISTED_QUERY_NOT_FOUND; hash with query → data; hash alone → data', async () => {
    const miss = await post({ extensions: extensions(HASH) });
    expect(miss.body.data).toBeUndefined();
    expect(miss.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    const register = await post({ query: QUERY, extensions: extensions(HASH) });
    expect(register.status).toBe(200);
    expect(register.body).toEqual({ data: EXPECTED });

    const hit = await post({ extensions: extensions(HASH) });
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual({ data: EXPECTED });
  });

  it('answers a known hash over GET too (cacheable by a CDN), with a header that satisfies CSRF prevention', async () => {
    await post({ query: QUERY, extensions: extensions(HASH) });
    const url = `${stack.url}?extensions=${encodeURIComponent(JSON.stringify(extensions(HASH)))}`;
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true', ...stack.auth } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: EXPECTED });
  });

  it('refuses a hash that is not the query’s SHA-256, and does not store it', async () => {
    const wrong = createHash('sha256').update('something else').digest('hex');
    const refused = await post({ query: QUERY, extensions: extensions(wrong) });
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    // Apollo Server raises this one without a code, so it is formatted as INTERNAL_SERVER_ERROR; the status says 400.
    expect(refused.body.errors?.map((error) => error.message)).toEqual(['provided sha does not match query']);

    const after = await post({ extensions: extensions(wrong) });
    expect(after.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

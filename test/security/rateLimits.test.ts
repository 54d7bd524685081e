import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_OPERATIONS } from '../../bench/operations.js';
import { fakeFile, upload } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const operation = (name: string) => BENCH_OPERATIONS.find((candidate) => candidate.name === name)!;
/** Three IQM calls, estimated at three. */
const OVERVIEW = operation('customerOverview');
/** Two IQM calls, estimated at five: three are given back once it has run. */
const INVOICES = operation('customerInvoicesWithPayments');

function upstreamCalls(stack: TestStack): number {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [iqm, intact, refrens, iqmetrix].reduce((sum, simulator) => sum + (simulator?.calls.length ?? 0), 0);
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(stack: TestStack, query: string, variables: Readonly<Record<string, unknown>>, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] };
}

describe('Security: per-subject and per-tenant request budgets', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_SUBJECT_REQUESTS: '5', RATE_LIMIT_TENANT_REQUESTS: '8', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers 429 with Retry-After and RATE_LIMITED past a subject’s and then its tenant’s budget, executing nothing; other tenants are untouched', async () => {
    const alice = await stack.as({ subject: 'alice' });
    const bob = await stack.as({ subject: 'bob' });
    const harbor = await stack.as({ tenant: 'blue-harbor', subject: 'carol' });
    for (let index = 0; index < 5; index += 1) expect((await post(stack, OVERVIEW.query, OVERVIEW.variables, alice)).status).toBe(200);

    stack.embedded.iqm!.resetCalls();
    const refused = await post(stack, OVERVIEW.query, OVERVIEW.variables, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'RATE_LIMIT_SUBJECT_REQUESTS' });
    expect(upstreamCalls(stack)).toBe(0);

    // Bob shares the tenant's 8: three more are his, the fourth is the tenant's ninth.
    for (let index = 0; index < 3; index += 1) expect((await post(stack, OVERVIEW.query, OVERVIEW.variables, bob)).status).toBe(200);
    const tenantRefused = await post(stack, OVERVIEW.query, OVERVIEW.variables, bob);
    expect(tenantRefused.status).toBe(429);
    expect(tenantRefused.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'RATE_LIMIT_TENANT_REQUESTS' });

    // Uploads are requests too.
    const staged = await upload(stack, fakeFile('png', 100), 'a.png', 'image/png', { 'apollo-require-preflight': 'true', ...bob });
    expect(staged).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });

    const other = await post(stack, '{ __typename }', {}, harbor);
    expect(other.status).toBe(200);
  });
});

describe('Security: per-subject upstream-call budgets', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_SUBJECT_UPSTREAM_CALLS: '10', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('charges the estimate before execution and gives back what was not used', async () => {
    const dave = await stack.as({ subject: 'dave' });
    stack.embedded.iqm!.resetCalls();
    // Estimated 5, made 2: without the refund the third would find 0 left.
    for (let index = 0; index < 3; index += 1) {
      const answer = await post(stack, INVOICES.query, INVOICES.variables, dave);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
    }
    expect(upstreamCalls(stack)).toBe(6);
    // 6 used, 5 asked: over 10, refused before any call, with Retry-After.
    const refused = await post(stack, INVOICES.query, INVOICES.variables, dave);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'RATE_LIMIT_SUBJECT_UPSTREAM_CALLS' });
    expect(refused.body.errors![0]!.message).toContain('needs up to 5, 4 left');
    expect(upstreamCalls(stack)).toBe(6);
    // An operation that needs no upstream call still runs.
    expect((await post(stack, '{ __typename }', {}, dave)).status).toBe(200);
    // Another subject has its own budget.
    expect((await post(stack, OVERVIEW.query, OVERVIEW.variables, await stack.as({ subject: 'erin' }))).status).toBe(200);
  });
});

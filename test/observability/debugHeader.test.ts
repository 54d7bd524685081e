import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

const CUSTOMER = /* GraphQL */ `
  query CustomerCost {
    customerBySourceId(system: IQM, sourceId: "200101") {
      invoices(first: 5) { totalCount nodes { number } }
    }
  }
`;

interface DebugCall {
  system: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  attempt: number;
}

function resetAll(stack: TestStack): void {
  for (const simulator of [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();
}

describe('Observability: x-gateway-debug outside production', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('lists every upstream call of the operation in extensions.upstreamCalls', async () => {
    resetAll(stack);
    const response = await stack.gql<{ customerBySourceId: { invoices: { totalCount: number } } }>(CUSTOMER, undefined, { 'x-gateway-debug': '1' });
    expect(response.errors).toBeUndefined();
    expect(response.data!.customerBySourceId.invoices.totalCount).toBeGreaterThan(0);

    const calls = response.extensions?.['upstreamCalls'] as DebugCall[];
    const { iqm, intact, refrens, iqmetrix } = stack.embedded;
    const arrived = { IQM: iqm!.calls.length, INTACT: intact!.calls.length, REFRENS: refrens!.calls.length, IQMETRIX: iqmetrix!.calls.length };
    // One entry per call that reached a simulator, per system (the customer's invoices live in three).
    expect(calls).toHaveLength(Object.values(arrived).reduce((sum, count) => sum + count, 0));
    expect(Object.values(arrived).filter((count) => count > 0).length).toBeGreaterThan(1);
    for (const [system, count] of Object.entries(arrived)) expect(calls.filter((call) => call.system === system)).toHaveLength(count);
    for (const call of calls) {
      expect(call).toEqual({ system: expect.any(String), method: 'GET', route: expect.stringMatching(/^\//), status: 200, durationMs: expect.any(Number), attempt: 1 });
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(calls).toContainEqual(expect.objectContaining({ system: 'IQM', route: '/invoice/list/{owId}' }));
  });

  it('adds nothing without the header, or with another value', async () => {
    for (const headers of [{}, { 'x-gateway-debug': 'true' }] as Record<string, string>[]) {
      const response = await stack.gql(CUSTOMER, undefined, headers);
      expect(response.errors).toBeUndefined();
      expect(response.extensions?.['upstreamCalls']).toBeUndefined();
    }
  });
});

describe('Observability: x-gateway-debug in production', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production', LOG_LEVEL: 'silent' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('ignores the header: the response carries data but no upstream calls', async () => {
    resetAll(stack);
    const response = await stack.gql<{ customerBySourceId: { invoices: { totalCount: number } } }>(CUSTOMER, undefined, { 'x-gateway-debug': '1' });
    expect(response.errors).toBeUndefined();
    expect(response.data!.customerBySourceId.invoices.totalCount).toBeGreaterThan(0);
    expect(stack.embedded.iqm!.calls.length).toBeGreaterThan(0);
    expect(response.extensions?.['upstreamCalls']).toBeUndefined();
  });
});

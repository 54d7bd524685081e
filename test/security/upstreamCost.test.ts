import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_OPERATIONS, BENCH_SEED, tallyCalls } from '../../bench/operations.js';
import type { SourceSystem } from '../../src/domain/models.js';
import type { SimulatorServer } from '../../src/upstreams/simulatorServer.js';
import { customerGid, invoiceGid } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * The cost model that counts upstream calls (src/security/upstreamCost.ts), checked against what the
 * simulators record. The bound the README states: estimate ≥ actual, and estimate ≤ 4 × actual + 10
 * (the slack is the page size asked of iQmetrix, whose invoice count the gateway cannot know before
 * reading, and the six reference lists counted cold).
 */

function simulators(stack: TestStack): [SourceSystem, SimulatorServer][] {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [
    ['IQM', iqm!],
    ['INTACT', intact!],
    ['REFRENS', refrens!],
    ['IQMETRIX', iqmetrix!],
  ];
}

function resetCalls(stack: TestStack): void {
  for (const [, simulator] of simulators(stack)) simulator.resetCalls();
}

interface Estimate {
  estimated: number;
  bySystem: Record<SourceSystem, number>;
  actual: number;
}

const DEBUG = { 'x-gateway-debug': '1' };

describe('Security: the upstream-call cost model', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ ...BENCH_SEED, env: { MAX_UPSTREAM_CALLS: '150' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  for (const operation of BENCH_OPERATIONS) {
    it(`estimates ${operation.name} at or above its real upstream calls, within 4 × actual + 10`, async () => {
      // Cold shared cache: the reference lists are read (and counted) too.
      stack.services.sharedCache.clear();
      resetCalls(stack);
      const response = await stack.gql(operation.query, { ...operation.variables }, DEBUG);
      expect(response.errors).toBeUndefined();
      const actual = tallyCalls(simulators(stack)).total;
      const estimate = response.extensions!['upstreamCallEstimate'] as Estimate;
      // The debug extension's own count is what the simulators saw.
      expect(estimate.actual).toBe(actual);
      expect(actual).toBeGreaterThan(0);
      expect(estimate.estimated).toBeGreaterThanOrEqual(actual);
      expect(estimate.estimated).toBeLessThanOrEqual(4 * actual + 10);
    });
  }

  it('estimates an invoice total as no read of its own: it comes with the list (iQmetrix D1), not from D2', async () => {
    resetCalls(stack);
    const totals = await stack.gql('{ iqmetrixInvoices(first: 20) { nodes { total { amount } } } }', {}, DEBUG);
    expect(totals.errors).toBeUndefined();
    expect(tallyCalls(simulators(stack)).total).toBe(1);
    expect((totals.extensions!['upstreamCallEstimate'] as Estimate).estimated).toBe(1);
    // The same page with a field D2 answers: one D2 per invoice on top, estimated as such.
    const statuses = await stack.gql('{ iqmetrixInvoices(first: 20) { nodes { total { amount } status } } }', {}, DEBUG);
    expect((statuses.extensions!['upstreamCallEstimate'] as Estimate).estimated).toBe(21);
  });

  it('counts nodes(ids:) per id and per field that needs a call, and refuses it over MAX_UPSTREAM_CALLS with the estimate, calling nothing', async () => {
    const invoicesOf = (owId: number) =>
      [...stack.embedded.iqm!.state.invoices.values()].filter((invoice) => invoice.owId === owId).slice(0, 50).map((invoice) => invoiceGid(owId, invoice.invoiceId));
    // One read of the workspace's invoice list serves all 50 refetches; each invoice's payment details is its own call.
    const selection = '{ id ... on IqmInvoice { number paymentDetails { __typename } payments(first: 5) { totalCount } } }';
    resetCalls(stack);
    const one = await stack.gql(`query($a: [ID!]!) { nodes(ids: $a) ${selection} }`, { a: invoicesOf(200101) }, DEBUG);
    expect(one.errors).toBeUndefined();
    const estimate = one.extensions!['upstreamCallEstimate'] as Estimate;
    expect(estimate.actual).toBe(tallyCalls(simulators(stack)).total);
    expect(estimate.actual).toBe(52);
    expect(estimate.estimated).toBeGreaterThanOrEqual(estimate.actual);
    expect(estimate.estimated).toBeLessThanOrEqual(4 * estimate.actual + 10);

    // Three workspaces' worth: over 150, refused before anything runs.
    resetCalls(stack);
    const response = await stack.gql(
      `query($a: [ID!]!, $b: [ID!]!, $c: [ID!]!) { a: nodes(ids: $a) ${selection} b: nodes(ids: $b) ${selection} c: nodes(ids: $c) ${selection} }`,
      { a: invoicesOf(200101), b: invoicesOf(200102), c: invoicesOf(200103) },
    );
    expect(response.status).toBe(400);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_UPSTREAM_CALLS', maxUpstreamCalls: 150 });
    const estimated = response.errors![0]!.extensions!['estimatedUpstreamCalls'] as number;
    expect(estimated).toBeGreaterThanOrEqual(3 * 52);
    expect(response.errors![0]!.message).toContain(`up to ${estimated} upstream calls`);
    expect(tallyCalls(simulators(stack)).total).toBe(0);
  });

  it('caps customer reads at the tenant’s customers: 40 customer ids with 10 IQM fields cost what 4 customers cost', async () => {
    const fields = 'financeDetails { balance { amount } } availableBalance { amount } creditSummary { available { amount } } pgFees { __typename } vldFees { __typename } pldFees { __typename } slsFees { __typename } dvIvtSegmentsEnabled margins { __typename } credits(first: 5) { totalCount }';
    // 40 workspace ids, only three of them the tenant's: the others resolve to null without a call.
    const ids = Array.from({ length: 40 }, (_, index) => customerGid(200101 + index));
    resetCalls(stack);
    const response = await stack.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { id ${fields} } } }`, { ids }, DEBUG);
    expect(response.status).toBe(200);
    const estimate = response.extensions!['upstreamCallEstimate'] as Estimate;
    const actual = tallyCalls(simulators(stack)).total;
    expect(estimate.actual).toBe(actual);
    expect(estimate.estimated).toBeGreaterThanOrEqual(actual);
    // 10 reads × at most 4 customers of the tenant.
    expect(estimate.estimated).toBeLessThanOrEqual(40);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceGid } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Fair upstream shares over HTTP: three heavy operations of one tenant (50 IQM payment-detail reads
 * each, IQM answering after 100 ms) and one ordinary operation of another tenant. The heavy tenant
 * never holds more than its share (50 % of UPSTREAM_MAX_IN_FLIGHT=8), and the other tenant's
 * operation is answered in full while the heavy ones are still running: it did not queue behind
 * their 150 calls. (The benchmark measures the latency: bench/README.md, "Fairness".)
 */
describe('Security: fair upstream shares between tenants', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      iqm: { latencyMs: 100 },
      env: { UPSTREAM_MAX_IN_FLIGHT: '8', UPSTREAM_MAX_QUEUED: '400', UPSTREAM_TENANT_SHARE_PERCENT: '50', REQUEST_TIMEOUT_MS: '30000', UPSTREAM_TIMEOUT_MS: '5000' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('keeps a heavy tenant to 4 of 8 IQM slots and answers another tenant while it runs', async () => {
    const invoices = [...stack.embedded.iqm!.state.invoices.values()].filter((invoice) => invoice.owId === 200101).slice(0, 50);
    const ids = invoices.map((invoice) => invoiceGid(200101, invoice.invoiceId));
    const heavyQuery = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on IqmInvoice { number paymentDetails { __typename } } } }';
    let heavyDone = 0;
    const heavy = Array.from({ length: 3 }, async (_, index) => {
      const response = await stack.gql(heavyQuery, { ids }, await stack.as({ subject: `heavy-${index}` }));
      heavyDone += 1;
      return response;
    });
    const iqm = stack.pools.iqm;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, iqm.inFlightOf('alchemist-media'))), 5);
    // Wait (bounded) until the heavy tenant has taken its share.
    for (let waited = 0; iqm.inFlightOf('alchemist-media') < 4 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const victim = await stack.gql<{ customer: { availableBalance: { amount: string } | null; financeDetails: unknown } }>(
      'query($id: ID!) { customer(id: $id) { availableBalance { amount } financeDetails { balance { amount } } creditSummary { available { amount } } } }',
      { id: Buffer.from('Customer:DIRECTORY:harbor-marker').toString('base64url') },
      await stack.as({ tenant: 'blue-harbor', subject: 'victim' }),
    );
    const heavyDoneWhenVictimAnswered = heavyDone;
    const answers = await Promise.all(heavy);
    clearInterval(sampler);
    expect(victim.errors).toBeUndefined();
    expect(victim.data!.customer.availableBalance).not.toBeNull();
    expect(heavyDoneWhenVictimAnswered).toBe(0);
    expect(peak).toBe(4);
    // The heavy operations still complete: their calls waited for their share, none was refused.
    for (const answer of answers) expect(answer.errors).toBeUndefined();
  });
});

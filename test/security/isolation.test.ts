import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INTACT_DEMO_TOKEN } from '../../src/upstreams/intact/index.js';
import { IQMETRIX_DEMO_TOKEN } from '../../src/upstreams/iqmetrix/index.js';
import { REFRENS_DEMO_TOKEN } from '../../src/upstreams/refrens/index.js';
import { startStack, type GraphQLResponse, type TestStack } from '../helpers/stack.js';

/**
 * Two IQM tenants call the gateway at the same time with their own credentials. Each must only ever
 * see its own organization's records, and each credential must only ever reach IQM.
 */

interface Tenant {
  readonly name: string;
  readonly token: string;
  readonly organizationWorkspaceId: number;
  /** Its own customer workspace, and the other tenant's. */
  readonly ownWorkspace: string;
  readonly otherWorkspace: string;
  /** Text that only this tenant's IQM records contain (organization name, user e-mail domain). */
  readonly markers: readonly RegExp[];
}

const TENANT_A: Tenant = {
  name: 'A',
  token: 'demo-iqm-token',
  organizationWorkspaceId: 200001,
  ownWorkspace: '200101',
  otherWorkspace: '300101',
  markers: [/Alchemist/, /@alchemist\.example/],
};
const TENANT_B: Tenant = {
  name: 'B',
  token: 'demo-iqm-token-b',
  organizationWorkspaceId: 300001,
  ownWorkspace: '300101',
  otherWorkspace: '200101',
  markers: [/Blue Harbor/, /@blueharbor\.example/],
};

const tailspin = Buffer.from('Customer:DIRECTORY:tailspin').toString('base64url');
const refrensInvoice = Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02'])}`).toString('base64url');

/** One text for both tenants: anything keyed on the operation alone would serve one tenant's answer to the other. */
const QUERY = `query($own: String!, $other: String!) {
  organization {
    workspaceId
    invoiceSettings { title companyName email footer }
    payments(first: 50) { totalCount nodes { ... on IqmPayment { paymentId createdByUserEmail modifiedByUserEmail } } }
    offeredCredits(first: 20) { nodes { creditId displayName } }
  }
  own: customerBySourceId(system: IQM, sourceId: $own) { availableBalance { amount } credits(first: 10) { nodes { creditId displayName } } }
  other: customerBySourceId(system: IQM, sourceId: $other) { availableBalance { amount } }
  financeReferenceData { paymentTypes { name } invoiceStatuses { name } }
  intact: customer(id: "${tailspin}") { ledger(first: 2) { totalCount } }
  refrens: node(id: "${refrensInvoice}") { ... on RefrensInvoice { paid { amount } } }
  iqmetrixInvoices(first: 2) { totalCount }
}`;

interface Answer {
  organization: {
    workspaceId: number;
    invoiceSettings: { title: string; companyName: string; email: string; footer: string };
    payments: { totalCount: number; nodes: { paymentId: number; createdByUserEmail: string; modifiedByUserEmail: string }[] };
    offeredCredits: { nodes: { creditId: number; displayName: string }[] };
  };
  own: { availableBalance: { amount: string }; credits: { nodes: { creditId: number; displayName: string }[] } };
  other: { availableBalance: null };
}

describe('Security: no leaks between callers', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('100 interleaved operations of two tenants: each sees only its own records; credentials reach only IQM', async () => {
    const iqm = stack.embedded.iqm!;
    const cacheKeys: string[] = [];
    const getOrLoad = stack.services.sharedCache.getOrLoad.bind(stack.services.sharedCache);
    const spy = vi.spyOn(stack.services.sharedCache, 'getOrLoad').mockImplementation((key, ttlMs, load) => {
      cacheKeys.push(key);
      return getOrLoad(key, ttlMs, load);
    });
    for (const simulator of [iqm, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();

    const operations = Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? TENANT_A : TENANT_B));
    const answers = await Promise.all(
      operations.map(async (tenant) => ({
        tenant,
        response: await stack.gql<Answer>(
          QUERY,
          { own: tenant.ownWorkspace, other: tenant.otherWorkspace },
          { authorization: `Bearer ${tenant.token}`, 'x-iaa-ow-id': String(tenant.organizationWorkspaceId) },
        ),
      })),
    );
    spy.mockRestore();

    for (const { tenant, response } of answers) {
      expectOnlyOwnRecords(stack, tenant, response);
    }

    // Every IQM call carried one tenant's token with that tenant's workspace, never a mix, and as many calls
    // for one tenant as for the other (same operations): nothing was served from the other's loader.
    const pairs = iqm.calls.map((call) => `${call.headers['authorization']} ${call.headers['x-iaa-ow-id']}`);
    const byTenant = (tenant: Tenant) => pairs.filter((pair) => pair === `Bearer ${tenant.token} ${tenant.organizationWorkspaceId}`).length;
    expect(byTenant(TENANT_A) + byTenant(TENANT_B)).toBe(iqm.calls.length);
    const referenceCalls = iqm.calls.filter((call) => call.route.includes('/static/')).length;
    const tenantCalls = (tenant: Tenant) =>
      iqm.calls.filter((call) => !call.route.includes('/static/') && call.headers['authorization'] === `Bearer ${tenant.token}`).length;
    expect(tenantCalls(TENANT_A)).toBeGreaterThanOrEqual(50 * 4);
    expect(tenantCalls(TENANT_A)).toBe(tenantCalls(TENANT_B));

    // The only process-wide cache holds caller-independent reference lists, loaded once for both tenants.
    const keys = new Set(cacheKeys);
    expect(keys.size).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^iqm:reference:[A-Za-z]+$/);
    expect(referenceCalls).toBe(keys.size);

    // Other systems got their own credentials only, and nothing of IQM's.
    for (const [simulator, token] of [
      [stack.embedded.intact!, INTACT_DEMO_TOKEN],
      [stack.embedded.refrens!, REFRENS_DEMO_TOKEN],
      [stack.embedded.iqmetrix!, IQMETRIX_DEMO_TOKEN],
    ] as const) {
      expect(simulator.calls.length).toBeGreaterThanOrEqual(100);
      for (const call of simulator.calls) {
        expect(call.headers['authorization']).toBe(`Bearer ${token}`);
        expect(call.headers['x-iaa-ow-id']).toBeUndefined();
        expect(JSON.stringify(call.headers)).not.toContain('demo-iqm-token');
      }
    }
  });
});

function expectOnlyOwnRecords(stack: TestStack, tenant: Tenant, response: GraphQLResponse<Answer>): void {
  const other = tenant === TENANT_A ? TENANT_B : TENANT_A;
  const state = stack.embedded.iqm!.state;
  const text = JSON.stringify(response);
  for (const marker of tenant.markers) expect(text, `tenant ${tenant.name}`).toMatch(marker);
  for (const marker of other.markers) expect(text, `tenant ${tenant.name}`).not.toMatch(marker);

  const data = response.data!;
  expect(data.organization.workspaceId).toBe(tenant.organizationWorkspaceId);
  const ownPayments = new Set([...state.payments.values()].filter((payment) => payment.organizationWorkspaceId === tenant.organizationWorkspaceId).map((payment) => payment.paymentId));
  expect(data.organization.payments.nodes.length).toBeGreaterThan(0);
  for (const payment of data.organization.payments.nodes) expect(ownPayments.has(payment.paymentId), `payment ${payment.paymentId} for ${tenant.name}`).toBe(true);
  expect(data.own.availableBalance.amount).toBe(state.customers.get(Number(tenant.ownWorkspace))!.balance.toFixed());
  const ownCredits = new Set([...state.credits.values()].filter((credit) => credit.organizationWorkspaceId === tenant.organizationWorkspaceId).map((credit) => credit.creditId));
  for (const credit of data.own.credits.nodes) expect(ownCredits.has(credit.creditId)).toBe(true);

  // The other tenant's workspace is refused by IQM for this caller: no balance, one FORBIDDEN naming IQM.
  expect(data.other.availableBalance).toBeNull();
  expect(response.errors?.map((error) => [error.path?.join('.'), error.extensions?.['code']])).toEqual([['other.availableBalance', 'FORBIDDEN']]);
}

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INTACT_DEMO_TOKEN, INTACT_DEMO_TOKEN_B } from '../../src/upstreams/intact/index.js';
import { startStack, type GraphQLResponse, type TestStack } from '../helpers/stack.js';

/**
 * Two tenants call the gateway at the same time, each with its own bearer token. Each must only ever
 * see its own organization's records, the gateway must use each tenant's own upstream credentials
 * and no other, and the other tenant's ids must be answered NOT_FOUND without any upstream call.
 */

interface Tenant {
  readonly id: string;
  readonly iqmToken: string;
  readonly intactToken: string;
  readonly organizationWorkspaceId: number;
  /** Its own customer: IQM workspace and directory key. */
  readonly ownWorkspace: string;
  readonly ownCustomer: string;
  /** The other tenant's customer workspace and directory key. */
  readonly otherWorkspace: string;
  readonly otherCustomer: string;
  /** Text that only this tenant's IQM records contain (organization name, user e-mail domain). */
  readonly markers: readonly RegExp[];
}

const customerId = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');

const TENANT_A: Tenant = {
  id: 'alchemist-media',
  iqmToken: 'demo-iqm-token',
  intactToken: INTACT_DEMO_TOKEN,
  organizationWorkspaceId: 200001,
  ownWorkspace: '200101',
  ownCustomer: 'northwind',
  otherWorkspace: '300101',
  otherCustomer: 'harbor-marker',
  markers: [/Alchemist/, /@alchemist\.example/],
};
const TENANT_B: Tenant = {
  id: 'blue-harbor',
  iqmToken: 'demo-iqm-token-b',
  intactToken: INTACT_DEMO_TOKEN_B,
  organizationWorkspaceId: 300001,
  ownWorkspace: '300101',
  ownCustomer: 'harbor-marker',
  otherWorkspace: '200101',
  otherCustomer: 'northwind',
  markers: [/Blue Harbor/, /@blueharbor\.example/],
};

/** One text for both tenants: anything keyed on the operation alone would serve one tenant's answer to the other. */
const QUERY = `query($own: String!, $other: String!, $otherCustomer: ID!) {
  organization {
    workspaceId
    invoiceSettings { title companyName email footer }
    payments(first: 50) { totalCount nodes { ... on IqmPayment { paymentId createdByUserEmail modifiedByUserEmail } } }
    offeredCredits(first: 20) { nodes { creditId displayName } }
  }
  own: customerBySourceId(system: IQM, sourceId: $own) {
    availableBalance { amount }
    credits(first: 10) { nodes { creditId displayName } }
    ledger(first: 2) { totalCount }
  }
  other: customerBySourceId(system: IQM, sourceId: $other) { availableBalance { amount } }
  foreign: customer(id: $otherCustomer) { displayName ledger(first: 1) { totalCount } }
  financeReferenceData { paymentTypes { name } invoiceStatuses { name } }
}`;

interface Answer {
  organization: {
    workspaceId: number;
    invoiceSettings: { title: string; companyName: string; email: string; footer: string };
    payments: { totalCount: number; nodes: { paymentId: number; createdByUserEmail: string; modifiedByUserEmail: string }[] };
    offeredCredits: { nodes: { creditId: number; displayName: string }[] };
  };
  own: { availableBalance: { amount: string }; credits: { nodes: { creditId: number; displayName: string }[] }; ledger: { totalCount: number } };
  other: null;
  foreign: null;
}

describe('Security: no leaks between tenants', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('100 interleaved operations of two tenants: own records only, own credentials only, the other’s ids NOT_FOUND with no call', async () => {
    const iqm = stack.embedded.iqm!;
    const intact = stack.embedded.intact!;
    const cacheKeys: string[] = [];
    const getOrLoad = stack.services.sharedCache.getOrLoad.bind(stack.services.sharedCache);
    const spy = vi.spyOn(stack.services.sharedCache, 'getOrLoad').mockImplementation((key, ttlMs, load, codec) => {
      cacheKeys.push(key);
      return getOrLoad(key, ttlMs, load, codec);
    });
    for (const simulator of [iqm, intact, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();
    const headers = new Map([
      [TENANT_A, await stack.as({ tenant: TENANT_A.id, subject: 'dana' })],
      [TENANT_B, await stack.as({ tenant: TENANT_B.id, subject: 'omar' })],
    ]);

    const operations = Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? TENANT_A : TENANT_B));
    const answers = await Promise.all(
      operations.map(async (tenant) => ({
        tenant,
        response: await stack.gql<Answer>(
          QUERY,
          { own: tenant.ownWorkspace, other: tenant.otherWorkspace, otherCustomer: customerId(tenant.otherCustomer) },
          headers.get(tenant),
        ),
      })),
    );
    spy.mockRestore();

    for (const { tenant, response } of answers) expectOnlyOwnRecords(stack, tenant, response);

    // Every IQM call carried one tenant's own token with that tenant's organization, never a mix, and as
    // many calls for one tenant as for the other (same operations): nothing came from the other's loaders.
    const pairs = iqm.calls.map((call) => `${call.headers['authorization']} ${call.headers['x-iaa-ow-id']}`);
    const byTenant = (tenant: Tenant) => pairs.filter((pair) => pair === `Bearer ${tenant.iqmToken} ${tenant.organizationWorkspaceId}`).length;
    expect(byTenant(TENANT_A) + byTenant(TENANT_B)).toBe(iqm.calls.length);
    const tenantCalls = (tenant: Tenant) => iqm.calls.filter((call) => !call.route.includes('/static/') && call.headers['authorization'] === `Bearer ${tenant.iqmToken}`).length;
    expect(tenantCalls(TENANT_A)).toBeGreaterThanOrEqual(50 * 4);
    expect(tenantCalls(TENANT_A)).toBe(tenantCalls(TENANT_B));
    // The other tenant's workspace and account never reached an upstream.
    for (const tenant of [TENANT_A, TENANT_B]) {
      const theirs = iqm.calls.filter((call) => call.headers['authorization'] === `Bearer ${tenant.iqmToken}` && call.url.includes(tenant.otherWorkspace));
      expect(theirs).toEqual([]);
    }
    expect(intact.calls.filter((call) => call.headers['authorization'] === `Bearer ${TENANT_A.intactToken}` && call.url.includes('CUS000004'))).toEqual([]);
    expect(intact.calls.filter((call) => call.headers['authorization'] === `Bearer ${TENANT_B.intactToken}` && !call.url.includes('CUS000004'))).toEqual([]);
    expect(intact.calls.filter((call) => call.headers['authorization'] === `Bearer ${TENANT_A.intactToken}`)).toHaveLength(50);
    expect(intact.calls.filter((call) => call.headers['authorization'] === `Bearer ${TENANT_B.intactToken}`)).toHaveLength(50);

    // The process-wide cache holds reference lists only, each keyed by its tenant and read once per tenant.
    const keys = new Set(cacheKeys);
    expect(keys.size).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^(alchemist-media|blue-harbor):iqm:reference:[A-Za-z]+$/);
    expect(iqm.calls.filter((call) => call.route.includes('/static/')).length).toBe(keys.size);

    // No system got a credential of another: Intact only its tokens, nothing of IQM's anywhere else.
    for (const call of intact.calls) {
      expect([`Bearer ${INTACT_DEMO_TOKEN}`, `Bearer ${INTACT_DEMO_TOKEN_B}`]).toContain(call.headers['authorization']);
      expect(call.headers['x-iaa-ow-id']).toBeUndefined();
    }
    for (const simulator of [stack.embedded.refrens!, stack.embedded.iqmetrix!]) {
      for (const call of simulator.calls) expect(JSON.stringify(call.headers)).not.toContain('demo-iqm-token');
    }
  });
});

function expectOnlyOwnRecords(stack: TestStack, tenant: Tenant, response: GraphQLResponse<Answer>): void {
  const other = tenant === TENANT_A ? TENANT_B : TENANT_A;
  const state = stack.embedded.iqm!.state;
  const text = JSON.stringify(response);
  for (const marker of tenant.markers) expect(text, `tenant ${tenant.id}`).toMatch(marker);
  for (const marker of other.markers) expect(text, `tenant ${tenant.id}`).not.toMatch(marker);

  const data = response.data!;
  expect(data.organization.workspaceId).toBe(tenant.organizationWorkspaceId);
  const ownPayments = new Set([...state.payments.values()].filter((payment) => payment.organizationWorkspaceId === tenant.organizationWorkspaceId).map((payment) => payment.paymentId));
  expect(data.organization.payments.nodes.length).toBeGreaterThan(0);
  for (const payment of data.organization.payments.nodes) expect(ownPayments.has(payment.paymentId), `payment ${payment.paymentId} for ${tenant.id}`).toBe(true);
  expect(data.own.availableBalance.amount).toBe(state.customers.get(Number(tenant.ownWorkspace))!.balance.toFixed());
  const ownCredits = new Set([...state.credits.values()].filter((credit) => credit.organizationWorkspaceId === tenant.organizationWorkspaceId).map((credit) => credit.creditId));
  for (const credit of data.own.credits.nodes) expect(ownCredits.has(credit.creditId)).toBe(true);
  expect(data.own.ledger.totalCount).toBeGreaterThan(0);

  // The other tenant's workspace and customer: null with NOT_FOUND, exactly as for an id that names nothing.
  expect(data.other).toBeNull();
  expect(data.foreign).toBeNull();
  expect(response.errors?.map((error) => [error.path?.join('.'), error.extensions?.['code']])).toEqual([
    ['other', 'NOT_FOUND'],
    ['foreign', 'NOT_FOUND'],
  ]);
}

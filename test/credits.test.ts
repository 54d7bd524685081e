import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { creditGid, customerGid } from './helpers/iqm.js';
import { startStack, type TestStack } from './helpers/stack.js';

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}
interface CreditNode {
  id: string;
  creditId: number;
  status: string;
  amount: { amount: string };
}
const CLAIM_FORM = 'customerName: "Northwind", businessName: "Northwind Traders", taxId: "123456", contactPersonName: "Ana", contactPersonEmail: "ana@northwind.example", incorporationPlace: "Delaware", address: "1 Main St"';

describe('Credits: IQM credit summaries, offers and claims', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  const creditsOf = (owId: number) => [...iqm.state.credits.values()].filter((credit) => credit.owId === owId);

  it('summarises a customer’s and the organization’s credit (A27)', async () => {
    const response = await stack.gql<{ customer: { creditSummary: Record<string, { amount: string }> }; organization: { creditSummary: Record<string, { amount: string }> } }>(
      `query($c: ID!) { customer(id: $c) { creditSummary { used { amount } total { amount } available { amount } } } organization { creditSummary { used { amount } total { amount } available { amount } } } }`,
      { c: customerGid(200101) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.customer.creditSummary).toEqual({ used: { amount: '750.25' }, total: { amount: '2000' }, available: { amount: '1249.75' } });
    expect(response.data!.organization.creditSummary).toEqual({ used: { amount: '400' }, total: { amount: '3000' }, available: { amount: '2600' } });
  });

  it('lists credits offered to the organization with paging and sorting (A28)', async () => {
    iqm.resetCalls();
    const response = await stack.gql<{ organization: { offeredCredits: { totalCount: number; nodes: (CreditNode & { organizationName: string; customer: null })[] } } }>(
      `{ organization { offeredCredits(first: 2, orderBy: { field: CREDIT_AMOUNT, direction: ASC }) { totalCount nodes { id creditId status amount { amount } organizationName customer { id } } } } }`,
    );
    const expected = creditsOf(200001).sort((a, b) => a.creditAmount.comparedTo(b.creditAmount));
    expect(response.data!.organization.offeredCredits.totalCount).toBe(expected.length);
    expect(response.data!.organization.offeredCredits.nodes.map((node) => node.creditId)).toEqual(expected.slice(0, 2).map((credit) => credit.creditId));
    expect(response.data!.organization.offeredCredits.nodes[0]).toMatchObject({ status: 'UNCLAIMED', amount: { amount: '1000' }, organizationName: 'IQM Platform', customer: null });
    expect(iqm.callsTo('/credits/list')[0]!.url).toBe('/api/v3/fa/credits/list?limit=2&pageNo=1&sortBy=%2BcreditAmount');
  });

  it('lists a customer’s credits (A29) as Credit nodes that node(id:) refetches', async () => {
    const response = await stack.gql<{ customer: { credits: { nodes: CreditNode[] } } }>(
      `query($c: ID!) { customer(id: $c) { credits { nodes { id creditId status amount { amount } } } } }`,
      { c: customerGid(200102) },
    );
    const nodes = response.data!.customer.credits.nodes;
    expect(nodes.map((node) => node.creditId)).toEqual(creditsOf(200102).map((credit) => credit.creditId).sort((a, b) => b - a));
    const refetched = await stack.gql<{ node: CreditNode }>(`query($id: ID!) { node(id: $id) { ... on Credit { id creditId status amount { amount } } } }`, { id: nodes[0]!.id });
    expect(refetched.data!.node).toEqual(nodes[0]);
  });

  it('offers (A30), changes (A31) and revokes (A32) credit; a revoked credit cannot be claimed (A33)', async () => {
    const offered = await stack.gql<{ offerCredit: { credit: CreditNode; userErrors: UserError[] } }>(
      `mutation($c: ID!) { offerCredit(input: { customerId: $c, amount: "2500.00", idempotencyKey: "offer-credit-2500" }) { credit { id creditId status amount { amount } } userErrors { code } } }`,
      { c: customerGid(200103) },
    );
    const credit = offered.data!.offerCredit.credit;
    expect(credit).toMatchObject({ status: 'UNCLAIMED', amount: { amount: '2500' } });
    expect(iqm.state.credits.get(credit.creditId)!.owId).toBe(200103);

    const updated = await stack.gql<{ updateCredit: { credit: CreditNode } }>(
      `mutation($id: ID!) { updateCredit(input: { creditId: $id, amount: "2750.50" }) { credit { amount { amount } } } }`,
      { id: credit.id },
    );
    expect(updated.data!.updateCredit.credit.amount.amount).toBe('2750.5');

    const revoked = await stack.gql<{ revokeCredit: { credit: CreditNode; userErrors: UserError[] } }>(
      `mutation($id: ID!) { revokeCredit(input: { creditId: $id }) { credit { status } userErrors { code } } }`,
      { id: credit.id },
    );
    expect(revoked.data!.revokeCredit).toEqual({ credit: { status: 'REVOKED' }, userErrors: [] });

    const balance = iqm.state.customers.get(200103)!.balance;
    const claim = await stack.gql<{ claimCredit: { credit: null; userErrors: UserError[] } }>(
      `mutation($id: ID!) { claimCredit(input: { creditId: $id, ${CLAIM_FORM}, idempotencyKey: "claim-revoked-credit" }) { credit { status } userErrors { field message code } } }`,
      { id: credit.id },
    );
    expect(claim.data!.claimCredit).toEqual({ credit: null, userErrors: [{ field: null, message: 'Credit has been revoked and cannot be claimed', code: 'INVALID_TRANSITION' }] });
    expect(iqm.state.credits.get(credit.creditId)!.status).toBe('Revoked');
    expect(iqm.state.customers.get(200103)!.balance.equals(balance)).toBe(true);

    const again = await stack.gql<{ updateCredit: { userErrors: UserError[] } }>(
      `mutation($id: ID!) { updateCredit(input: { creditId: $id, amount: "10" }) { userErrors { code } } }`,
      { id: credit.id },
    );
    expect(again.data!.updateCredit.userErrors).toEqual([{ code: 'INVALID_TRANSITION' }]);
  });

  it('claiming moves the credit into the customer’s balance and credits', async () => {
    const unclaimed = creditsOf(200101).find((credit) => credit.status === 'Unclaimed')!;
    const before = iqm.state.customers.get(200101)!.balance;
    const claimed = await stack.gql<{ claimCredit: { credit: CreditNode; userErrors: UserError[] } }>(
      `mutation($id: ID!) { claimCredit(input: { creditId: $id, ${CLAIM_FORM}, idempotencyKey: "claim-customer-credit" }) { credit { status amount { amount } } userErrors { code } } }`,
      { id: creditGid(200101, unclaimed.creditId) },
    );
    expect(claimed.data!.claimCredit).toEqual({ credit: { status: 'CLAIMED', amount: { amount: unclaimed.creditAmount.toFixed() } }, userErrors: [] });
    const after = await stack.gql<{ customer: { availableBalance: { amount: string }; financeDetails: { credits: { amount: string } }; creditSummary: { total: { amount: string } } } }>(
      `query($c: ID!) { customer(id: $c) { availableBalance { amount } financeDetails { credits { amount } } creditSummary { total { amount } } } }`,
      { c: customerGid(200101) },
    );
    expect(after.data!.customer.availableBalance.amount).toBe(before.plus(unclaimed.creditAmount).toFixed());
    expect(after.data!.customer.financeDetails.credits.amount).toBe(unclaimed.creditAmount.plus(2000).toFixed());
    expect(after.data!.customer.creditSummary.total.amount).toBe(unclaimed.creditAmount.plus(2000).toFixed());
  });

  it('claims a credit offered to the organization itself', async () => {
    const offered = creditsOf(200001).find((credit) => credit.status === 'Unclaimed')!;
    const claimed = await stack.gql<{ claimCredit: { credit: CreditNode & { customer: null }; userErrors: UserError[] } }>(
      `mutation($id: ID!) { claimCredit(input: { creditId: $id, ${CLAIM_FORM}, idempotencyKey: "claim-organization-credit" }) { credit { status customer { id } } userErrors { code } } }`,
      { id: creditGid(0, offered.creditId) },
    );
    expect(claimed.data!.claimCredit).toEqual({ credit: { status: 'CLAIMED', customer: null }, userErrors: [] });
  });
});

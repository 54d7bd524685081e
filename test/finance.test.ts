import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { customerGid } from './helpers/iqm.js';
import { startStack, type TestStack } from './helpers/stack.js';

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

describe('Finance: IQM customer finance fields and settings', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('reads every finance field of a customer from its own IQM endpoint (A1, A2, A4, A5, A7, A9, A11, A13, A15, A16)', async () => {
    iqm.resetCalls();
    const response = await stack.gql<{ customer: Record<string, unknown>; organization: Record<string, unknown> }>(
      `query($c: ID!) {
        customer(id: $c) {
          financeDetails(year: 2026) { totalCampaigns runningCampaigns balance { amount currencyCode } spent { amount } }
          availableBalance { amount }
          margins { bidShadingEnabled margins { marginTypeId marginType value } }
          campaignMargins(editableOnly: true) { campaignId campaignName status creativeTypeId margin isDefault }
          pgFees { campaignFees workspaceShare }
          vldFees { rate enabled markupType markupValue }
          pldFees { rate enabled markupType markupValue }
          slsFees { rate enabled markupType markupValue }
          dvIvtSegmentsEnabled
        }
        organization { workspaceId paypalFeePercentage availableBalance { amount } }
      }`,
      { c: customerGid(200101) },
    );
    expect(response.errors).toBeUndefined();
    const customer = iqm.state.customers.get(200101)!;
    expect(response.data!.customer).toEqual({
      financeDetails: {
        totalCampaigns: customer.totalCampaigns,
        runningCampaigns: customer.runningCampaigns,
        balance: { amount: customer.balance.toFixed(), currencyCode: 'USD' },
        spent: { amount: customer.spent.toFixed() },
      },
      availableBalance: { amount: customer.balance.toFixed() },
      margins: { bidShadingEnabled: false, margins: [{ marginTypeId: 1, marginType: 'Gross Margin', value: '15' }] },
      campaignMargins: customer.campaigns
        .filter((campaign) => campaign.status !== 'expired')
        .map((campaign) => ({ campaignId: campaign.campaignId, campaignName: campaign.campaignName, status: campaign.status, creativeTypeId: 13, margin: campaign.campaignMargin.toFixed(), isDefault: campaign.isDefault })),
      pgFees: { campaignFees: '10', workspaceShare: '15' },
      vldFees: { rate: '3', enabled: true, markupType: 'PERCENTAGE', markupValue: '10' },
      pldFees: { rate: '2.5', enabled: false, markupType: 'ABSOLUTE', markupValue: '0' },
      slsFees: { rate: '4', enabled: true, markupType: 'PERCENTAGE', markupValue: '5' },
      dvIvtSegmentsEnabled: true,
    });
    expect(response.data!.organization).toEqual({ workspaceId: 200001, paypalFeePercentage: '3.5', availableBalance: { amount: iqm.state.organizationBalances.get(200001)!.toFixed() } });
    expect(iqm.callsTo('/customer/financial-details')[0]!.url).toBe('/api/v3/fa/customer/financial-details?owId=200101&isFinanceRequest=true&year=2026');
    expect(iqm.callsTo('/customer/view-campaign-margin')[0]!.url).toBe('/api/v3/fa/customer/view-campaign-margin?owId=200101&isEdit=true');
    expect(iqm.calls).toHaveLength(11);
  });

  it('fetches only what is selected', async () => {
    iqm.resetCalls();
    const response = await stack.gql(`query($c: ID!) { customer(id: $c) { pgFees { campaignFees } } }`, { c: customerGid(200102) });
    expect(response.errors).toBeUndefined();
    expect(iqm.calls.map((call) => call.route)).toEqual(['/api/v3/fa/customer/:owId/pg-fees']);
  });

  it('updates margins (A3), PG fees (A6) and the DoubleVerify flag (A14), and answers the new values', async () => {
    const response = await stack.gql<Record<string, { customer: Record<string, unknown>; message: string; userErrors: UserError[] }>>(
      `mutation($c: ID!) {
        updateMargin(input: { customerId: $c, value: "18.5" }) { customer { margins { margins { value } } } message userErrors { code } }
        updatePgFees(input: { customerId: $c, campaignFees: "12", workspaceShare: "20" }) { customer { pgFees { campaignFees workspaceShare } } message userErrors { code } }
        setDvIvtSegments(input: { customerId: $c, enabled: false }) { customer { dvIvtSegmentsEnabled } message userErrors { code } }
      }`,
      { c: customerGid(200102) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!['updateMargin']).toEqual({ customer: { margins: { margins: [{ value: '18.5' }] } }, message: 'Customer margin updated successfully', userErrors: [] });
    expect(response.data!['updatePgFees']).toEqual({ customer: { pgFees: { campaignFees: '12', workspaceShare: '20' } }, message: 'PG Fees details updated Successfully.', userErrors: [] });
    expect(response.data!['setDvIvtSegments']).toEqual({ customer: { dvIvtSegmentsEnabled: false }, message: 'DV Fraud & IVT segments disabled successfully', userErrors: [] });
    const customer = iqm.state.customers.get(200102)!;
    expect(customer.margins[0]!.marginValue.toFixed()).toBe('18.5');
    expect(customer.isDvIvtSegmentsEnabled).toBe(false);
  });

  it('updates VLD (A8), PLD (A10) and SLS (A12) fees', async () => {
    const response = await stack.gql<Record<string, { customer: Record<string, unknown>; userErrors: UserError[] }>>(
      `mutation($c: ID!) {
        updateVldFees(input: { customerId: $c, rate: "3.25", markupType: ABSOLUTE, markupValue: "1" }) { customer { vldFees { rate markupType markupValue } } userErrors { code } }
        updatePldFees(input: { customerId: $c, enabled: true }) { customer { pldFees { enabled } } userErrors { code } }
        updateSlsFees(input: { customerId: $c, rate: "6" }) { customer { slsFees { rate } } userErrors { code } }
      }`,
      { c: customerGid(200103) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!['updateVldFees']).toEqual({ customer: { vldFees: { rate: '3.25', markupType: 'ABSOLUTE', markupValue: '1' } }, userErrors: [] });
    expect(response.data!['updatePldFees']).toEqual({ customer: { pldFees: { enabled: true } }, userErrors: [] });
    expect(response.data!['updateSlsFees']).toEqual({ customer: { slsFees: { rate: '6' } }, userErrors: [] });
    expect(iqm.state.customers.get(200103)!.vldFees.markupTypeId).toBe(1);
  });

  it('refuses out-of-range settings before calling IQM, and a customer of another organization at IQM', async () => {
    iqm.resetCalls();
    const local = await stack.gql<{ updateMargin: { userErrors: UserError[] } }>(
      `mutation($c: ID!) { updateMargin(input: { customerId: $c, value: "150" }) { userErrors { field message code } } }`,
      { c: customerGid(200101) },
    );
    expect(local.data!.updateMargin.userErrors).toEqual([{ field: ['input', 'value'], message: 'must be at most 100', code: 'INVALID_INPUT' }]);
    expect(iqm.calls).toEqual([]);
    const foreign = await stack.gql<{ setDvIvtSegments: { customer: null; userErrors: UserError[] } }>(
      `mutation($c: ID!) { setDvIvtSegments(input: { customerId: $c, enabled: true }) { customer { id } userErrors { field message code } } }`,
      { c: customerGid(300101) },
    );
    // Another tenant's customer: NOT_FOUND before anything reaches IQM.
    expect(foreign.data!.setDvIvtSegments).toEqual({ customer: null, userErrors: [{ field: ['input', 'customerId'], message: 'not the id of a customer', code: 'NOT_FOUND' }] });
    expect(iqm.calls).toEqual([]);
  });
});

import { Decimal } from 'decimal.js';
import type { IqmSimulatorState, SimDataFees } from '../simulatorState.js';
import { customerById, customerFromQuery, jsonBody, ok, parseAmount, parseId, refuse, tenantOf, type Query, type SimRoutes } from './support.js';

const MARKUP_TYPE_NAME: Record<number, string> = { 1: 'Absolute', 2: 'Percentage' };

/** Finance details of customer workspaces: A1–A16. */
export function registerFinanceRoutes(routes: SimRoutes, state: IqmSimulatorState): void {
  // A1
  routes.get('/customer/financial-details', async (request, reply) => {
    const customer = customerFromQuery(state, request, reply, 'owId');
    if (!customer) return reply;
    const credits = [...state.credits.values()]
      .filter((credit) => credit.owId === customer.owId && credit.status === 'Claimed')
      .reduce((total, credit) => total.plus(credit.creditAmount), new Decimal(0));
    return ok({
      pendingCampaigns: customer.pendingCampaigns,
      runningCampaigns: customer.runningCampaigns,
      totalCampaigns: customer.totalCampaigns,
      dataCost: customer.dataCost,
      actualSpent: customer.actualSpent,
      credits: credits,
      balance: customer.balance,
      spent: customer.spent,
      earning: customer.earning,
    });
  });

  // A2
  routes.get('/customer/view-margin', async (request, reply) => {
    const customer = customerFromQuery(state, request, reply, 'owId');
    if (!customer) return reply;
    const raw = (request.query as Query)['marginTypeIds'];
    const wanted = raw ? raw.split(',').map(Number) : null;
    const rows = customer.margins
      .filter((margin) => !wanted || wanted.includes(margin.marginTypeId))
      .map((margin) => ({ marginTypeId: margin.marginTypeId, marginType: margin.marginType, marginValue: margin.marginValue }));
    return ok(
      state.answerVariants.A2 === 'table'
        ? { data: rows, isBidShadingEnabled: customer.isBidShadingEnabled }
        : { totalRecords: rows.length, data: rows, filteredRecords: rows.length, isBidShadingEnabled: customer.isBidShadingEnabled },
    );
  });

  // A3
  routes.post('/customer/edit-margin', async (request, reply) => {
    const body = jsonBody(request);
    const customer = customerById(state, request, reply, body['owId']);
    if (!customer) return reply;
    const marginTypeId = parseId(body['marginTypeId'] ?? 1);
    const value = parseAmount(body['marginValue']);
    if (marginTypeId !== 1) return refuse(reply, 'Invalid margin type ID');
    if (!value || value.greaterThan(100)) return refuse(reply, 'Margin value must be between 0 and 100');
    const margin = customer.margins.find((item) => item.marginTypeId === marginTypeId);
    if (margin) margin.marginValue = value;
    else customer.margins.push({ marginTypeId, marginType: 'Gross Margin', marginValue: value });
    return ok('Customer margin updated successfully');
  });

  // A4: the doc gives no path; this one sits beside A2 (see README).
  routes.get('/customer/view-campaign-margin', async (request, reply) => {
    const customer = customerFromQuery(state, request, reply, 'owId');
    if (!customer) return reply;
    const query = request.query as Query;
    const search = query['searchField']?.trim().toLowerCase();
    const editableOnly = query['isEdit'] === 'true';
    const rows = customer.campaigns
      .filter((campaign) => (!search || campaign.campaignName.toLowerCase().includes(search) || String(campaign.campaignId) === search) && (!editableOnly || campaign.status !== 'expired'))
      .map((campaign) => ({
        // The table types both `string`; the JSON sample has a boolean and a number.
        default: state.answerVariants.A4 === 'table' ? String(campaign.isDefault) : campaign.isDefault,
        campaignId: campaign.campaignId,
        campaignName: campaign.campaignName,
        status: campaign.status,
        creativeTypeId: state.answerVariants.A4 === 'table' ? String(campaign.creativeTypeId) : campaign.creativeTypeId,
        campaignMargin: campaign.campaignMargin,
        isDefault: campaign.isDefault,
      }));
    return ok({ data: rows, totalRecords: rows.length, filteredRecords: rows.length });
  });

  // A5
  routes.get('/customer/:owId/pg-fees', async (request, reply) => {
    const customer = customerById(state, request, reply, (request.params as { owId: string }).owId);
    if (!customer) return reply;
    const details = { pgCampaignFees: customer.pgFees.pgCampaignFees, pgWorkspaceShare: customer.pgFees.pgWorkspaceShare };
    return ok(state.answerVariants.A5 === 'typescript' ? { organizationPGFeesDetails: details } : { organizationPgFeesDetails: details });
  });

  // A6
  routes.patch('/customer/:owId/pg-fees', async (request, reply) => {
    const customer = customerById(state, request, reply, (request.params as { owId: string }).owId, 'customerOwId');
    if (!customer) return reply;
    const body = jsonBody(request);
    const fees = parseAmount(body['pgCampaignFees']);
    const share = parseAmount(body['pgWorkspaceShare']);
    if (!fees || !share) return refuse(reply, 'pgCampaignFees and pgWorkspaceShare are required');
    if (share.greaterThan(100)) return refuse(reply, 'PG workspace share must be between 0 and 100');
    customer.pgFees = { pgCampaignFees: fees, pgWorkspaceShare: share };
    return ok('PG Fees details updated Successfully.');
  });

  for (const kind of ['vld', 'pld', 'sls'] as const) {
    const upper = kind.toUpperCase();
    const feesOf = (customer: { vldFees: SimDataFees; pldFees: SimDataFees; slsFees: SimDataFees }) =>
      kind === 'vld' ? customer.vldFees : kind === 'pld' ? customer.pldFees : customer.slsFees;

    // A7, A9, A11
    routes.get(`/customer/:owId/${kind}-fees`, async (request, reply) => {
      const customer = customerById(state, request, reply, (request.params as { owId: string }).owId, 'customerOwId');
      if (!customer) return reply;
      const fees = feesOf(customer);
      return ok({
        id: fees.id,
        owId: customer.owId,
        [`${kind}Rate`]: fees.rate,
        [`${kind}Enabled`]: fees.enabled,
        [`${kind}MarkupTypeId`]: fees.markupTypeId,
        [`${kind}MarkupType`]: MARKUP_TYPE_NAME[fees.markupTypeId] ?? null,
        [`${kind}MarkupValue`]: fees.markupValue,
      });
    });

    // A8, A10, A12
    routes.patch(`/customer/${kind}-fees`, async (request, reply) => {
      const body = jsonBody(request);
      const customer = customerById(state, request, reply, body['owId']);
      if (!customer) return reply;
      const fees = feesOf(customer);
      const rate = body[`${kind}Rate`];
      const markupValue = body[`${kind}MarkupValue`];
      const markupTypeId = body[`${kind}MarkupTypeId`];
      const enabled = body[`${kind}Enabled`];
      const parsedRate = rate === undefined ? null : parseAmount(rate);
      const parsedMarkup = markupValue === undefined ? null : parseAmount(markupValue);
      if (rate !== undefined && !parsedRate) return refuse(reply, `${upper} rate must be a non-negative number`);
      if (markupValue !== undefined && !parsedMarkup) return refuse(reply, `${upper} markup value must be a non-negative number`);
      if (markupTypeId !== undefined && markupTypeId !== 1 && markupTypeId !== 2) return refuse(reply, `${upper} markup type ID must be 1 (Absolute) or 2 (Percentage)`);
      if (enabled !== undefined && typeof enabled !== 'boolean') return refuse(reply, `${kind}Enabled must be a boolean`);
      if (parsedRate) fees.rate = parsedRate;
      if (parsedMarkup) fees.markupValue = parsedMarkup;
      if (markupTypeId === 1 || markupTypeId === 2) fees.markupTypeId = markupTypeId;
      if (typeof enabled === 'boolean') fees.enabled = enabled;
      return ok({ id: fees.id, message: `${upper} Rate updated successfully. The new rate applies only to newly created VLDs` });
    });
  }

  // A13: refusals come back as 200 with success:false nested in data, as the doc shows.
  routes.get('/customer/dv-ivt', async (request) => {
    const owId = parseId((request.query as Query)['customerOwId']);
    const customer = owId === null ? undefined : state.customerOf(tenantOf(request).organizationWorkspaceId, owId);
    if (!customer) return ok({ success: false, errorObjects: [{ error: 'User is not allowed to access provided customer details' }] });
    return ok({ customerOwId: customer.owId, isDvIvtSegmentsEnabled: customer.isDvIvtSegmentsEnabled });
  });

  // A14
  routes.patch('/customer/dv-ivt', async (request) => {
    const query = request.query as Query;
    const owId = parseId(query['customerOwId']);
    const customer = owId === null ? undefined : state.customerOf(tenantOf(request).organizationWorkspaceId, owId);
    if (!customer) return ok({ success: false, errorObjects: [{ error: 'User is not allowed to access provided customer details' }] });
    const flag = query['isDvIvtSegmentsEnabled'];
    if (flag !== 'true' && flag !== 'false') return ok({ success: false, errorObjects: [{ error: 'isDvIvtSegmentsEnabled must be true or false' }] });
    customer.isDvIvtSegmentsEnabled = flag === 'true';
    return ok({
      customerOwId: customer.owId,
      isDvIvtSegmentsEnabled: customer.isDvIvtSegmentsEnabled,
      message: customer.isDvIvtSegmentsEnabled ? 'DV Fraud & IVT segments enabled for free successfully' : 'DV Fraud & IVT segments disabled successfully',
    });
  });

  // A15
  routes.get('/basic/details', async (request) => {
    const organization = state.organizations.get(tenantOf(request).organizationWorkspaceId);
    return ok({ paypalFeesPercentage: organization?.paypalFeesPercentage ?? null });
  });

  // A16
  routes.get('/available-balance', async (request, reply) => {
    const query = request.query as Query;
    const tenant = tenantOf(request);
    if (query['isCustomerRequest'] === 'false') {
      return ok(state.organizationBalances.get(tenant.organizationWorkspaceId) ?? 0);
    }
    const customer = customerFromQuery(state, request, reply, 'owId');
    if (!customer) return reply;
    return ok(customer.balance);
  });
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INTACT_ANSWER_VARIANTS } from '../../src/upstreams/intact/index.js';
import { IQM_ANSWER_VARIANTS, type IqmSimulator } from '../../src/upstreams/iqm/index.js';
import { IQMETRIX_ANSWER_VARIANTS } from '../../src/upstreams/iqmetrix/index.js';
import { customerGid, invoiceGid } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Where the IQM doc's table, JSON sample and TypeScript block disagree, the simulator answers in
 * each documented shape in turn and the gateway must read every one to the same GraphQL answer
 * (README, "Readings of the documentation").
 */
describe('Contracts: every documented answer variant, end to end', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    // The reference lists live in the process-wide cache; each variant must reach the simulator.
    stack.services.sharedCache.clear();
    iqm.clearFaults();
    iqm.resetCalls();
  });

  it.each(IQM_ANSWER_VARIANTS.A52)('reads A52 in its %s shape, and the other five lists beside it', async (variant) => {
    iqm.state.answerVariants.A52 = variant;
    const response = await stack.gql<{ financeReferenceData: Record<string, { id: number; name: string; label: string; order: number }[]> }>(
      `{ financeReferenceData { paymentTypes { id } paymentStatuses { id } invoicePaymentModes { id } invoiceStatuses { id } invoicePaymentTerms { id } pgPaymentTypes { id name label order } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.financeReferenceData['pgPaymentTypes']).toEqual([
      { id: 1, name: 'publisher', label: 'Publisher', order: 1 },
      { id: 2, name: 'platform', label: 'Platform', order: 2 },
    ]);
    expect(response.data!.financeReferenceData['paymentTypes']).toHaveLength(3);
    expect(iqm.callsTo('/static/pg/payment-type')).toHaveLength(1);
  });

  it('fails one unreadable reference list at its own path while the other five answer', async () => {
    iqm.injectFault({ route: '/static/pg/payment-type', fault: { kind: 'respond', status: 200, body: { success: true, data: { pgPaymentTypes: 'none' } } } });
    const response = await stack.gql<{ financeReferenceData: Record<string, { id: number }[] | null> }>(
      `{ financeReferenceData { paymentTypes { id } paymentStatuses { id } invoicePaymentModes { id } invoiceStatuses { id } invoicePaymentTerms { id } pgPaymentTypes { id } } }`,
    );
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.path).toEqual(['financeReferenceData', 'pgPaymentTypes']);
    expect(response.errors![0]!.extensions!['code']).toBe('UPSTREAM_BAD_RESPONSE');
    const lists = response.data!.financeReferenceData;
    expect(lists['pgPaymentTypes']).toBeNull();
    expect(lists['paymentTypes']!.map((item) => item.id)).toEqual([1, 2, 3]);
    expect(lists['invoiceStatuses']!.map((item) => item.id)).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(lists['paymentStatuses']).toHaveLength(4);
    expect(lists['invoicePaymentModes']).toHaveLength(3);
    expect(lists['invoicePaymentTerms']).toHaveLength(8);
    // Six lists, six calls: the failure did not make the gateway re-read the others.
    expect(iqm.calls.filter((call) => call.route.includes('/static/'))).toHaveLength(6);
  });

  it('reads A2 margins with and without the sample’s record counts, to the same answer', async () => {
    const query = `query($c: ID!) { customer(id: $c) { margins { margins { marginTypeId marginType value } bidShadingEnabled } } }`;
    const answers: unknown[] = [];
    for (const variant of IQM_ANSWER_VARIANTS.A2) {
      iqm.state.answerVariants.A2 = variant;
      const response = await stack.gql(query, { c: customerGid(200101) });
      expect(response.errors).toBeUndefined();
      answers.push(response.data);
      const body = await (await fetch(`${iqm.baseUrl}/customer/view-margin?owId=200101`, { headers: iqmHeaders() })).text();
      expect(body.includes('"totalRecords"')).toBe(variant === 'sample');
    }
    iqm.state.answerVariants.A2 = 'sample';
    const customer = iqm.state.customers.get(200101)!;
    expect(answers[0]).toEqual({
      customer: {
        margins: {
          margins: customer.margins.map((margin) => ({ marginTypeId: margin.marginTypeId, marginType: margin.marginType, value: margin.marginValue.toFixed() })),
          bidShadingEnabled: customer.isBidShadingEnabled,
        },
      },
    });
    expect(answers[1]).toEqual(answers[0]);
  });

  it('reads A4’s creativeTypeId and default as the sample’s number and boolean or the table’s strings, to the same answer', async () => {
    const query = `query($c: ID!) { customer(id: $c) { campaignMargins { campaignId creativeTypeId isDefault margin } } }`;
    const answers: unknown[] = [];
    for (const variant of IQM_ANSWER_VARIANTS.A4) {
      iqm.state.answerVariants.A4 = variant;
      const response = await stack.gql(query, { c: customerGid(200101) });
      expect(response.errors).toBeUndefined();
      answers.push(response.data);
      const body = await (await fetch(`${iqm.baseUrl}/customer/view-campaign-margin?owId=200101`, { headers: iqmHeaders() })).text();
      expect(body).toMatch(variant === 'table' ? /"creativeTypeId":"\d+"/ : /"creativeTypeId":\d+/);
    }
    iqm.state.answerVariants.A4 = 'sample';
    const campaigns = iqm.state.customers.get(200101)!.campaigns;
    expect(campaigns.length).toBeGreaterThan(0);
    expect((answers[0] as { customer: { campaignMargins: unknown[] } }).customer.campaignMargins).toEqual(
      campaigns.map((campaign) => ({ campaignId: campaign.campaignId, creativeTypeId: campaign.creativeTypeId, isDefault: campaign.isDefault, margin: campaign.campaignMargin.toFixed() })),
    );
    expect(answers[1]).toEqual(answers[0]);
  });

  it.each(IQM_ANSWER_VARIANTS.A5)('reads A5 PG fees in its %s spelling', async (variant) => {
    iqm.state.answerVariants.A5 = variant;
    const customer = iqm.state.customers.get(200102)!;
    const response = await stack.gql<{ customer: { pgFees: { campaignFees: string; workspaceShare: string } } }>(
      `query($c: ID!) { customer(id: $c) { pgFees { campaignFees workspaceShare } } }`,
      { c: customerGid(200102) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.customer.pgFees).toEqual({
      campaignFees: customer.pgFees.pgCampaignFees.toFixed(),
      workspaceShare: customer.pgFees.pgWorkspaceShare.toFixed(),
    });
    const body = await (await fetch(`${iqm.baseUrl}/customer/200102/pg-fees`, { headers: iqmHeaders() })).text();
    expect(body).toContain(variant === 'sample' ? '"organizationPgFeesDetails"' : '"organizationPGFeesDetails"');
  });

  it.each(IQM_ANSWER_VARIANTS.A18)('reads A18 PayPal details in its %s spelling', async (variant) => {
    iqm.state.answerVariants.A18 = variant;
    const invoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101)!;
    const settings = iqm.state.organizations.get(200001)!.invoiceSettings;
    const response = await stack.gql<{ node: { paymentDetails: { paypalId: number; paypalAccountId: string } } }>(
      `query($id: ID!) { node(id: $id) { ... on IqmInvoice { paymentDetails { paypalId paypalAccountId } } } }`,
      { id: invoiceGid(200101, invoice.invoiceId) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.node.paymentDetails).toEqual({ paypalId: settings.paypalId, paypalAccountId: settings.paypalAccountId });
    const body = await (
      await fetch(`${iqm.baseUrl}/invoice-settings-payment-details?invoiceId=${invoice.invoiceId}`, { headers: iqmHeaders() })
    ).text();
    expect(body).toContain(variant === 'sample' ? '"paypalId"' : '"payPalId"');
  });

  it('reads A19’s dates in epoch milliseconds (table) and seconds (sample) to the same answer', async () => {
    const query = `query($c: ID!) { customer(id: $c) { invoices(first: 100, filter: { sources: [IQM] }) { nodes { id ... on IqmInvoice { issuedOn modifiedAt periodStart periodEnd } } } } }`;
    const answers: unknown[] = [];
    const bodies: string[] = [];
    for (const variant of IQM_ANSWER_VARIANTS.A19) {
      iqm.state.answerVariants.A19 = variant;
      const response = await stack.gql<{ customer: { invoices: { nodes: { id: string; issuedOn: string; modifiedAt: string }[] } } }>(query, { c: customerGid(200101) });
      expect(response.errors).toBeUndefined();
      answers.push(response.data);
      bodies.push(await (await fetch(`${iqm.baseUrl}/invoice/list/200101?isCustomerRequest=true`, { headers: iqmHeaders() })).text());
    }
    iqm.state.answerVariants.A19 = 'table';
    expect(answers[1]).toEqual(answers[0]);
    const invoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101)!;
    expect(bodies[0]).toContain(`"issuedOn":${invoice.issuedOn}`);
    expect(bodies[1]).toContain(`"issuedOn":${Math.floor(invoice.issuedOn / 1000)},`);
    const node = (answers[0] as { customer: { invoices: { nodes: { id: string; issuedOn: string }[] } } }).customer.invoices.nodes.find((candidate) => candidate.id === invoiceGid(200101, invoice.invoiceId))!;
    expect(node.issuedOn).toBe(new Date(invoice.issuedOn).toISOString().slice(0, 10));
  });

  it.each(IQM_ANSWER_VARIANTS.A34)('reads A34’s organization payments %s', async (variant) => {
    iqm.state.answerVariants.A34 = variant;
    const response = await stack.gql<{ organization: { payments: { nodes: { paymentId: number; amount: { amount: string }; customer: { id: string } | null }[] } } }>(
      `{ organization { payments(first: 5) { nodes { ... on IqmPayment { paymentId amount { amount } customer { id } } } } } }`,
    );
    iqm.state.answerVariants.A34 = 'withOwId';
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.organization.payments.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      const payment = iqm.state.payments.get(node.paymentId)!;
      expect(node.amount.amount).toBe(payment.paymentAmount.toFixed());
      // Without the owId the doc's sample lacks, an organization payment cannot name its customer
      // (with it, the customer is the directory's or the IQM workspace's).
      if (variant === 'sample') expect(node.customer).toBeNull();
      else expect(node.customer?.id).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });
});

describe('Contracts: Intact and iQmetrix answer variants, end to end', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  const LEDGER = `query($id: ID!) { customer(id: $id) { ledger(first: 50) { nodes { itemId number typeCode debit { amount } credit { amount } unallocated { amount } } } } }`;
  const northwind = Buffer.from('Customer:DIRECTORY:northwind').toString('base64url');

  it('reads B1 amounts and ids as JSON numbers or as strings, to the same answer', async () => {
    const intact = stack.embedded.intact!;
    const answers: unknown[] = [];
    for (const variant of INTACT_ANSWER_VARIANTS.B1) {
      intact.answerVariants.B1 = variant;
      intact.resetCalls();
      const response = await stack.gql(LEDGER, { id: northwind });
      expect(response.errors).toBeUndefined();
      expect(intact.calls).toHaveLength(1);
      answers.push(response.data);
    }
    intact.answerVariants.B1 = 'numbers';
    const items = (answers[0] as { customer: { ledger: { nodes: { debit: { amount: string } }[] } } }).customer.ledger.nodes;
    expect(items.length).toBeGreaterThan(0);
    expect(items.some((item) => item.debit.amount !== '0')).toBe(true);
    expect(answers[1]).toEqual(answers[0]);
  });

  const IQMETRIX = `{ iqmetrixInvoices(first: 5) { nodes { ... on IqmetrixInvoice { id number total { amount currencyCode } createdAt } } } }`;
  // `paid` is read from D2 (the full invoice, with its payments): each D2 answer is decoded in the variant's form.
  const IQMETRIX_D2 = `{ iqmetrixInvoices(first: 5) { nodes { ... on IqmetrixInvoice { number createdAt paid { amount } } } } }`;

  it.each(IQMETRIX_ANSWER_VARIANTS.D1)('reads D1 InvoiceTotal in its %s form', async (variant) => {
    const iqmetrix = stack.embedded.iqmetrix!;
    iqmetrix.answerVariants.D1 = 'sample';
    const reference = await stack.gql(IQMETRIX);
    iqmetrix.answerVariants.D1 = variant;
    const response = await stack.gql(IQMETRIX);
    iqmetrix.answerVariants.D1 = 'sample';
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual(reference.data);
  });

  it.each(IQMETRIX_ANSWER_VARIANTS.D2)('reads D2 CreatedDateUtc in its %s form as the same instant', async (variant) => {
    const iqmetrix = stack.embedded.iqmetrix!;
    iqmetrix.answerVariants.D2 = variant;
    iqmetrix.resetCalls();
    const response = await stack.gql<{ iqmetrixInvoices: { nodes: { number: string; createdAt: string }[] } }>(IQMETRIX_D2);
    iqmetrix.answerVariants.D2 = 'sample';
    expect(response.errors).toBeUndefined();
    // One D2 call per invoice, each answered (and decoded) in the variant's form.
    expect(iqmetrix.calls.filter((call) => call.route.includes('/Invoices(')).length).toBeGreaterThan(0);
    const state = [...iqmetrix.state.companies.values()].flatMap((company) => [...company.invoices.values()]);
    for (const node of response.data!.iqmetrixInvoices.nodes) {
      const invoice = state.find((candidate) => candidate.printableId === node.number)!;
      expect(node.createdAt).toBe(new Date(invoice.created.ms).toISOString());
    }
  });
});

function iqmHeaders(): Record<string, string> {
  return { authorization: 'Bearer demo-iqm-token', 'x-iaa-ow-id': '200001' };
}

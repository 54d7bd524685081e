import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toDecimal } from '../../src/domain/money.js';
import { GatewayError } from '../../src/errors.js';
import { parseExactJson } from '../../src/upstreams/exactJson.js';
import { UpstreamHttpClient } from '../../src/upstreams/http.js';
import type { SimulatorServer } from '../../src/upstreams/simulatorServer.js';
import {
  INTACT_DEMO_TOKEN,
  IntactClient,
  IntactSimulator,
} from '../../src/upstreams/intact/index.js';
import { IqmClient, IqmSimulator, type IqmWriteResult } from '../../src/upstreams/iqm/index.js';
import {
  campaignMarginsFromWire,
  creditSummaryFromWire,
  customerCreditFromWire,
  dataFeesFromWire,
  invoiceFromWire,
  invoicePaymentDetailsFromWire,
  invoiceSettingsFromWire,
  marginsFromWire,
  organizationCreditFromWire,
  paymentFromWire as iqmPaymentFromWire,
  pgFeesFromWire,
  referenceItemFromWire,
} from '../../src/upstreams/iqm/mapping.js';
import {
  IQMETRIX_DEMO_COMPANY_ID,
  IQMETRIX_DEMO_CUSTOMERS,
  IQMETRIX_DEMO_TOKEN,
  IqmetrixClient,
  IqmetrixSimulator,
  createInvoiceToWire,
  invoiceDetailFromWire,
  invoiceFromSummary,
} from '../../src/upstreams/iqmetrix/index.js';
import { REFRENS_DEMO_INVOICES, REFRENS_DEMO_TOKEN, RefrensClient, RefrensSimulator, paymentFromWire as refrensPaymentFromWire } from '../../src/upstreams/refrens/index.js';
import { DEFAULT_SEEDS_DIR, PARAMETERS_FILE, SAMPLES_DIR, committedSamples, extractSamples, renderSamples, type DocumentedOperation, type DocumentedParameter } from './extract.js';

/**
 * The upstream documentation is the contract. Every JSON sample in the seed documents (extracted by
 * ./extract.ts into ./samples) is held against the gateway:
 * - each response sample is answered by the upstream's simulator, verbatim, and goes through the
 *   real client (undici over HTTP, the wire schemas) and the mapping, whose result is asserted;
 * - each request sample is compared with what the client really sends (recorded by the simulator):
 *   every field the client writes is a documented field with the documented JSON type.
 * A sample this table does not name fails the suite, so a new sample in the documents cannot slip by.
 */

interface Manifest {
  readonly samples: readonly { file: string; op: string; kind: 'request' | 'response'; status: number | null }[];
}

const manifest = JSON.parse(readFileSync(join(SAMPLES_DIR, 'manifest.json'), 'utf8')) as Manifest;
const sampleText = (file: string): string => readFileSync(join(SAMPLES_DIR, file), 'utf8');
const sampleJson = (file: string): unknown => parseExactJson(sampleText(file));

describe('Contracts: the committed samples are the documents’ samples', () => {
  it.skipIf(!existsSync(DEFAULT_SEEDS_DIR))('matches a fresh extraction from ../shared/seeds (run `npx tsx test/contracts/extract.ts` after a doc change)', () => {
    const fresh = renderSamples(extractSamples());
    const committed = committedSamples();
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [name, text] of fresh) expect(committed.get(name), name).toBe(text);
  });

  it('names every sample by a documented operation', () => {
    const ops = new Set(manifest.samples.map((sample) => sample.op.replace(/^D:.*/, 'D:resource')));
    for (const op of ops) expect(op).toMatch(/^(A([1-9]|[1-4]\d|5[0-2])|B[12]|C[12]|D[123]|D:resource)$/);
    expect(manifest.samples.length).toBeGreaterThanOrEqual(89);
  });
});

type Check = () => Promise<void>;

/** A client call that must succeed with IQM's message. */
const accepted = async (result: Promise<IqmWriteResult>, message: string) => expect(await result).toEqual({ ok: true, message });
/** A client call that must come back as a business refusal carrying the sample's error text. */
const refused = async (result: Promise<IqmWriteResult>, error: string) => expect(await result).toMatchObject({ ok: false, errors: [error] });

describe('Contracts: every documented response decodes and maps', () => {
  let iqm: IqmSimulator;
  let intact: IntactSimulator;
  let refrens: RefrensSimulator;
  let iqmetrix: IqmetrixSimulator;
  const pools: UpstreamHttpClient[] = [];
  let iqmClient: IqmClient;
  let refrensClient: RefrensClient;
  let iqmetrixClient: IqmetrixClient;
  let intactClient: IntactClient;

  const pool = (system: 'IQM' | 'INTACT' | 'REFRENS' | 'IQMETRIX', baseUrl: string) => {
    const http = new UpstreamHttpClient({ system, baseUrl, connections: 2, connectTimeoutMs: 1000, requestTimeoutMs: 3000 });
    pools.push(http);
    return http;
  };

  beforeAll(async () => {
    iqm = new IqmSimulator();
    intact = new IntactSimulator();
    refrens = new RefrensSimulator();
    iqmetrix = new IqmetrixSimulator();
    await Promise.all([iqm.start(), intact.start(), refrens.start(), iqmetrix.start()]);
    iqmClient = new IqmClient(pool('IQM', iqm.baseUrl), { token: 'demo-iqm-token', organizationWorkspaceId: '200001' });
    intactClient = new IntactClient(pool('INTACT', intact.baseUrl), INTACT_DEMO_TOKEN);
    refrensClient = new RefrensClient(pool('REFRENS', refrens.baseUrl), REFRENS_DEMO_TOKEN);
    iqmetrixClient = new IqmetrixClient(pool('IQMETRIX', iqmetrix.baseUrl), IQMETRIX_DEMO_TOKEN);
  });
  afterAll(async () => {
    for (const http of pools) await http.close();
    await Promise.all([iqm.stop(), intact.stop(), refrens.stop(), iqmetrix.stop()]);
  });
  beforeEach(() => {
    for (const sim of [iqm, intact, refrens, iqmetrix]) {
      sim.clearFaults();
      sim.resetCalls();
    }
  });

  /** The simulator answers the next matching request with the sample, verbatim, and a status. */
  const answer = (sim: SimulatorServer, route: string, method: string, file: string, status = 200) =>
    sim.injectFault({ route, method, times: 1, fault: { kind: 'respond', status, body: sampleText(file), headers: { 'content-type': 'application/json' } } });
  const viaIqm = (route: string, method: string, file: string, check: Check, status = 200): Check => async () => {
    answer(iqm, route, method, file, status);
    await check();
    expect(iqm.calls).toHaveLength(1);
  };

  const USD = 'USD';
  const responses: Record<string, Check> = {
    'A1.response.1.json': viaIqm('/customer/financial-details', 'GET', 'A1.response.1.json', async () => {
      const details = await iqmClient.financeDetails(1, null);
      expect(toDecimal(details.balance).toFixed()).toBe('30430.75');
      expect(details.totalCampaigns).toBe(48);
    }),
    'A2.response.1.json': viaIqm('/customer/view-margin', 'GET', 'A2.response.1.json', async () => {
      const margins = marginsFromWire(await iqmClient.margins(1, [1]));
      expect(margins.bidShadingEnabled).toBe(false);
      expect(margins.margins.map((margin) => [margin.marginTypeId, String(margin.value)])).toEqual([[1, '15']]);
    }),
    'A4.response.1.json': viaIqm('/customer/view-campaign-margin', 'GET', 'A4.response.1.json', async () => {
      const [campaign] = campaignMarginsFromWire(await iqmClient.campaignMargins(1, null, null));
      expect(campaign).toMatchObject({ campaignId: 192476, campaignName: 'Start_Track_Reach2' });
    }),
    'A5.response.1.json': viaIqm('/pg-fees', 'GET', 'A5.response.1.json', async () => {
      const fees = pgFeesFromWire(await iqmClient.pgFees(1));
      expect([fees.campaignFees.toFixed(), fees.workspaceShare.toFixed()]).toEqual(['10', '15']);
    }),
    'A6.response.1.json': viaIqm('/pg-fees', 'PATCH', 'A6.response.1.json', () => accepted(iqmClient.updatePgFees(1, 10, 15), 'PG Fees details updated Successfully.')),
    'A7.response.1.json': viaIqm('/vld-fees', 'GET', 'A7.response.1.json', async () => {
      expect(dataFeesFromWire('vld', await iqmClient.vldFees(1)).rate?.toFixed()).toBe('3');
    }),
    'A8.response.1.json': viaIqm('/customer/vld-fees', 'PATCH', 'A8.response.1.json', () =>
      accepted(iqmClient.updateDataFees('vld', { owId: 1, rate: 3 }), 'VLD Rate updated successfully. The new rate applies only to newly created VLDs'),
    ),
    'A9.response.1.json': viaIqm('/pld-fees', 'GET', 'A9.response.1.json', async () => {
      expect(dataFeesFromWire('pld', await iqmClient.pldFees(1)).rate?.toFixed()).toBe('3');
    }),
    'A10.response.1.json': viaIqm('/customer/pld-fees', 'PATCH', 'A10.response.1.json', () =>
      accepted(iqmClient.updateDataFees('pld', { owId: 1, rate: 3 }), 'PLD Rate updated successfully. The new rate applies only to newly created VLDs'),
    ),
    'A11.response.1.json': viaIqm('/sls-fees', 'GET', 'A11.response.1.json', async () => {
      expect(dataFeesFromWire('sls', await iqmClient.slsFees(1)).rate?.toFixed()).toBe('3');
    }),
    'A12.response.1.json': viaIqm('/customer/sls-fees', 'PATCH', 'A12.response.1.json', () =>
      accepted(iqmClient.updateDataFees('sls', { owId: 1, rate: 3 }), 'SLS Rate updated successfully. The new rate applies only to newly created VLDs'),
    ),
    'A13.response.1.json': viaIqm('/customer/dv-ivt', 'GET', 'A13.response.1.json', async () => {
      expect(await iqmClient.dvIvt(1)).toMatchObject({ customerOwId: 1, isDvIvtSegmentsEnabled: true });
    }),
    'A13.response.2.json': viaIqm('/customer/dv-ivt', 'GET', 'A13.response.2.json', async () => {
      const error = await iqmClient.dvIvt(1).then(() => null, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('FORBIDDEN');
    }),
    'A14.response.1.json': viaIqm('/customer/dv-ivt', 'PATCH', 'A14.response.1.json', () =>
      accepted(iqmClient.setDvIvt(1, true), 'DV Fraud & IVT segments enabled for free successfully'),
    ),
    'A14.response.2.json': viaIqm('/customer/dv-ivt', 'PATCH', 'A14.response.2.json', () =>
      refused(iqmClient.setDvIvt(1, true), 'User is not allowed to access provided customer details'),
    ),
    'A15.response.1.json': viaIqm('/basic/details', 'GET', 'A15.response.1.json', async () => {
      expect((await iqmClient.basicDetails()).paypalFeesPercentage).toBe(3.5);
    }),
    'A16.response.1.json': viaIqm('/available-balance', 'GET', 'A16.response.1.json', async () => {
      expect(toDecimal(await iqmClient.availableBalance(1, true)).toFixed()).toBe('5855904.72');
    }),
    'A17.response.1.json': viaIqm('/invoice-settings', 'GET', 'A17.response.1.json', async () => {
      expect(invoiceSettingsFromWire(await iqmClient.invoiceSettings())).toMatchObject({ invoiceId: 1, owId: 334, title: 'The Alchemist' });
    }),
    'A18.response.1.json': viaIqm('/invoice-settings-payment-details', 'GET', 'A18.response.1.json', async () => {
      expect(invoicePaymentDetailsFromWire(await iqmClient.invoicePaymentDetails(1))).toMatchObject({ paypalId: 1, paypalAccountId: 'thealchemistfinance@paypal' });
    }),
    'A19.response.1.json': viaIqm('/invoice/list/', 'GET', 'A19.response.1.json', async () => {
      const list = await iqmClient.invoices({ owId: 1, isCustomerRequest: true });
      const invoice = invoiceFromWire(list.data[0]!, 1, USD);
      expect(invoice.invoiceId).toBe(79);
      // The sample's three-decimal amount arrives with all its digits.
      expect(invoice.total.amount.toFixed()).toBe('553611.718');
    }),
    'A20.response.1.json': viaIqm('/invoice-settings/', 'PATCH', 'A20.response.1.json', () =>
      accepted(iqmClient.updateInvoiceSettings(1, true, { invoiceTitle: 'T' }), 'Invoice details updated successfully'),
    ),
    'A20.response.2.json': viaIqm('/invoice-settings/', 'PATCH', 'A20.response.2.json', () =>
      refused(iqmClient.updateInvoiceSettings(1, true, { invoiceTitle: 'T' }), 'Invoice does not belong to the logged in organization workspace'), 403,
    ),
    'A20.response.3.json': viaIqm('/invoice-settings/', 'PATCH', 'A20.response.3.json', () =>
      refused(iqmClient.updateInvoiceSettings(1, true, { invoiceTitle: 'T' }), 'Invoice with the provided ID does not exists'), 422,
    ),
    'A21.response.1.json': viaIqm('/invoice-settings-tax-data', 'DELETE', 'A21.response.1.json', () => accepted(iqmClient.deleteInvoiceTaxData(1), 'Tax data deleted successfully')),
    'A21.response.2.json': viaIqm('/invoice-settings-tax-data', 'DELETE', 'A21.response.2.json', () => refused(iqmClient.deleteInvoiceTaxData(1), 'Tax ID is invalid'), 422),
    'A22.response.1.json': viaIqm('/invoice-approve/', 'PATCH', 'A22.response.1.json', () => accepted(iqmClient.approveInvoice(1, null), 'Invoice with the provided ID approved successfully')),
    'A23.response.1.json': viaIqm('/invoice-cancel/', 'PATCH', 'A23.response.1.json', () => accepted(iqmClient.cancelInvoice(1, null), 'Invoice with the provided ID rejected successfully')),
    'A24.response.1.json': viaIqm('/pay-invoice', 'POST', 'A24.response.1.json', () =>
      accepted(
        iqmClient.payInvoice({ invoiceId: 1, owId: 1, paymentAmount: '10', paymentType: 2, paymentDate: 0, isCustomerRequest: true }, null),
        'Payment added Successfully.',
      ),
    ),
    'A25.response.1.json': viaIqm('/email-invoice/', 'POST', 'A25.response.1.json', () => accepted(iqmClient.emailInvoice(1, 1, 'a@b.example'), 'Invoice e-mail sent successfully.')),
    'A27.response.1.json': viaIqm('/credit-summary/', 'GET', 'A27.response.1.json', async () => {
      const summary = creditSummaryFromWire(await iqmClient.creditSummary(1, true), USD);
      expect([summary.used.amount.toFixed(), summary.total.amount.toFixed()]).toEqual(['21875.37', '50000']);
    }),
    'A28.response.1.json': viaIqm('/credits/list', 'GET', 'A28.response.1.json', async () => {
      const list = await iqmClient.organizationCredits({ limit: 10, pageNo: 1 });
      expect(organizationCreditFromWire(list.data[0]!, USD)).toMatchObject({ creditId: 2, status: 'UNCLAIMED' });
      expect(organizationCreditFromWire(list.data[0]!, USD).amount.amount.toFixed()).toBe('1000');
    }),
    'A29.response.1.json': viaIqm('/customer/credit/list', 'GET', 'A29.response.1.json', async () => {
      const [first] = await iqmClient.customerCredits(54);
      expect(customerCreditFromWire(first!, USD)).toMatchObject({ creditId: 3, status: 'REVOKED' });
    }),
    'A30.response.1.json': viaIqm('/customer/credit/add', 'POST', 'A30.response.1.json', () => accepted(iqmClient.offerCredit(1, 5000), 'Credits offered Successfully.')),
    'A31.response.1.json': viaIqm('/customer/credit/edit', 'PATCH', 'A31.response.1.json', () => accepted(iqmClient.updateCredit(1, 3, 4000), 'Credits updated Successfully.')),
    'A32.response.1.json': viaIqm('/customer/credit/revoke', 'POST', 'A32.response.1.json', () => accepted(iqmClient.revokeCredit(1, 2), 'Credits revoked Successfully.')),
    'A33.response.1.json': viaIqm('/credit/claim', 'POST', 'A33.response.1.json', () =>
      accepted(iqmClient.claimCredit(sampleJson('A33.request.1.json') as Parameters<IqmClient['claimCredit']>[0]), 'Credits claimed.'),
    ),
    'A34.response.1.json': viaIqm('/payments/list', 'GET', 'A34.response.1.json', async () => {
      const list = await iqmClient.organizationPayments({ limit: 10, pageNo: 1 });
      const payment = iqmPaymentFromWire(list.data[0]!, null, USD);
      expect(payment).toMatchObject({ paymentId: 19, status: 'REJECTED', type: 'AS_FUND', mode: 'PAYPAL' });
      expect(payment.amount.amount.toFixed()).toBe('10000');
    }),
    'A35.response.1.json': viaIqm('/customer/payments/list', 'GET', 'A35.response.1.json', async () => {
      const list = await iqmClient.customerPayments(1, { limit: 10, pageNo: 1 });
      expect(list.data.length).toBeGreaterThan(0);
      expect(iqmPaymentFromWire(list.data[0]!, 1, USD)).toMatchObject({ paymentId: 19 });
    }),
    'A36.response.1.json': viaIqm('/customer/payment/add', 'POST', 'A36.response.1.json', () =>
      accepted(iqmClient.addPayment({ owId: 1, paymentAmount: '1', paymentDate: '2026-01-01', paymentMode: 2, transactionId: 't', paymentType: 1 }, null), 'Payment added Successfully.'),
    ),
    'A37.response.1.json': viaIqm('/customer/payment/:paymentId', 'PUT', 'A37.response.1.json', () =>
      accepted(iqmClient.updatePayment(1, { owId: 1, paymentAmount: '1', paymentDate: '2026-01-01', paymentMode: 2, transactionId: 't', paymentType: 1 }, null), 'Payment updated Successfully.'),
    ),
    'A38.response.1.json': viaIqm('/customer/payment/approve/', 'POST', 'A38.response.1.json', () => accepted(iqmClient.paymentAction('approve', 1, 1, null), 'Payment approved Successfully.')),
    'A39.response.1.json': viaIqm('/customer/payment/cancel/', 'POST', 'A39.response.1.json', () => accepted(iqmClient.paymentAction('cancel', 1, 1, null), 'Payment cancelled Successfully.')),
    'A40.response.1.json': viaIqm('/customer/payment/reject/', 'POST', 'A40.response.1.json', () => accepted(iqmClient.paymentAction('reject', 1, 1, null), 'Payment rejected Successfully.')),
    'A41.response.1.json': viaIqm('/customer/payment/add-fund', 'POST', 'A41.response.1.json', () =>
      accepted(iqmClient.addFunds({ paymentAmount: '1', paymentDate: '2026-01-01', paymentMode: 2 }, null), 'Payment added Successfully.'),
    ),
    'A42.response.1.json': viaIqm('/paypal/payment', 'POST', 'A42.response.1.json', () =>
      accepted(iqmClient.startPaypalPayment(10), 'https://www.sandbox.paypal.com/cgi-bin/webscr?cmd=_express-checkout&token=EC-3YM2956846765604B'),
    ),
    'A44.response.1.json': viaIqm('/customer/payment/approve-refund/', 'POST', 'A44.response.1.json', () => accepted(iqmClient.approveRefund(1, 1, null, null), 'Refund successful.')),
    'A45.response.1.json': viaIqm('/payment/email-receipt/', 'POST', 'A45.response.1.json', () =>
      accepted(iqmClient.emailPaymentReceipt(1, 1, 'a@b.example'), 'Payment receipt e-mail sent successfully.'),
    ),
    ...Object.fromEntries(
      (
        [
          ['A47', '/static/payment-type', 'paymentTypes', [1, 2, 3]],
          ['A48', '/static/payment-status', 'paymentStatuses', [1, 2, 3, 4]],
          ['A49', '/static/invoice-payment-modes', 'invoicePaymentModes', [1, 2, 3]],
          ['A50', '/static/invoice-status', 'invoiceStatuses', [1, 2, 3, 4, 5, 7, 8]],
          ['A51', '/static/invoice-payment-terms', 'invoicePaymentTerms', [1, 2, 3, 4, 5, 6, 7, 8]],
          ['A52', '/static/pg/payment-type', 'pgPaymentTypes', [1, 2]],
        ] as const
      ).map(([op, route, name, ids]) => [
        `${op}.response.1.json`,
        viaIqm(`${route}`, 'GET', `${op}.response.1.json`, async () => {
          expect((await iqmClient.referenceList(name)).map(referenceItemFromWire).map((item) => item.id)).toEqual(ids);
        }),
      ]),
    ),
    'C1.response.1.json': async () => {
      const invoice = REFRENS_DEMO_INVOICES[0]!;
      answer(refrens, '/payments', 'POST', 'C1.response.1.json', 201);
      const result = await refrensClient.addPayment(invoice.urlKey, invoice.invoiceId, { amount: toDecimal(3000), method: 'CHEQUE' });
      if (!result.ok) throw new Error('C1 sample refused');
      const payment = refrensPaymentFromWire(result.payment, invoice.urlKey, invoice.invoiceId, 'INR');
      expect(payment.amount.amount.toFixed()).toBe('3000');
      expect(payment.method).toBe('CHEQUE');
    },
    'C1.response.2.json': async () => {
      answer(refrens, '/payments', 'POST', 'C1.response.2.json', 401);
      const error = await refrensClient.addPayment('b', 'i', { amount: toDecimal(1), method: 'CASH' }).then(() => null, (reason: unknown) => reason);
      expect((error as GatewayError).code).toBe('UNAUTHENTICATED');
    },
    'C2.response.1.json': async () => {
      answer(refrens, '/payments', 'GET', 'C2.response.1.json');
      const [wire] = await refrensClient.invoicePayments('b', 'i');
      const payment = refrensPaymentFromWire(wire!, 'b', 'i', 'INR');
      expect(payment.amount.amount.toFixed()).toBe('1000');
      expect(payment.method).toBe('CREDIT_CARD');
    },
    'C2.response.2.json': async () => {
      answer(refrens, '/payments', 'GET', 'C2.response.2.json', 401);
      const error = await refrensClient.invoicePayments('b', 'i').then(() => null, (reason: unknown) => reason);
      expect((error as GatewayError).code).toBe('UNAUTHENTICATED');
    },
    'D1.response.1.json': async () => {
      answer(iqmetrix, '/InvoiceSummaries', 'GET', 'D1.response.1.json');
      const [summary] = await iqmetrixClient.invoiceSummaries(14146);
      expect(invoiceFromSummary(summary!, 14146, 'CAD').total?.amount.toFixed()).toBe('59.99');
    },
    'D-InvoiceSummary.response.1.json': async () => {
      const text = sampleText('D-InvoiceSummary.response.1.json');
      iqmetrix.injectFault({ route: '/InvoiceSummaries', method: 'GET', times: 1, fault: { kind: 'respond', status: 200, body: `[${text}]` } });
      const [summary] = await iqmetrixClient.invoiceSummaries(14146);
      expect(summary!.PrintableId).toBeTruthy();
    },
    ...Object.fromEntries(
      (['D2.response.1.json', 'D-Invoice.response.1.json'] as const).map((file) => [
        file,
        async () => {
          answer(iqmetrix, '/Invoices(', 'GET', file);
          const invoice = await iqmetrixClient.invoice(14146, '418938fe-e3e2-4f66-af01-a485a02a6b09');
          const detail = invoiceDetailFromWire(invoice!, 14146, 'CAD');
          expect(detail.invoice.invoiceId).toBe('418938fe-e3e2-4f66-af01-a485a02a6b09');
          expect(detail.orders.length).toBeGreaterThan(0);
          expect(detail.orders[0]!.items[0]!.sellingPrice.amount.toFixed()).toBe('499');
        },
      ]),
    ),
    'D3.response.1.json': async () => {
      answer(iqmetrix, '/Invoices', 'POST', 'D3.response.1.json', 201);
      const result = await iqmetrixClient.createInvoice(14146, sampleJson('D3.request.1.json') as Parameters<IqmetrixClient['createInvoice']>[1]);
      expect(result).toMatchObject({ ok: true });
    },
  };
  /**
   * iQmetrix's resource models that are parts of the Invoice sample, by the key they sit under there:
   * they are decoded as part of D-Invoice and D2.
   */
  const invoiceParts: Record<string, string> = {
    Address: 'BillingAddress',
    Customer: 'Customer',
    DropshipOrder: 'DropshipOrders',
    DropshipOrderItem: 'Items',
    Order: 'Orders',
    OrderItem: 'Items',
    Payment: 'Payments',
    TaxCalculationResult: 'TaxCalculationResult',
    TaxDetail: 'TaxDetails',
    TaxLineItem: 'Lines',
  };

  it('has a check for every response sample', () => {
    const files = manifest.samples.filter((sample) => sample.kind === 'response').map((sample) => sample.file);
    const parts = new Set(Object.keys(invoiceParts).map((part) => `D-${part}.response.1.json`));
    expect(files.filter((file) => !(file in responses) && !parts.has(file))).toEqual([]);
    const invoice = sampleText('D-Invoice.response.1.json');
    for (const key of Object.values(invoiceParts)) expect(invoice).toContain(`"${key}":`);
  });

  it.each(Object.keys(responses))('%s', async (file) => {
    await responses[file]!();
  });

  // ---------------------------------------------------------------- requests

  /** The JSON type of a value as a request sample shows it. */
  const jsonType = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value);
  /** `field: type` of an object's top level, names folded to lower case where the reading says so. */
  const shape = (value: unknown, fold = false): Record<string, string> =>
    Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, field]) => [fold ? key.toLowerCase() : key, jsonType(parseLoose(field))]));
  /** LosslessNumber is a JSON number too. */
  const parseLoose = (value: unknown): unknown => (value !== null && typeof value === 'object' && 'isLosslessNumber' in value ? 0 : value);
  const lastBody = (sim: SimulatorServer): unknown => {
    const body = sim.calls.at(-1)?.body;
    if (!body) throw new Error(`${sim.name}: no JSON body arrived`);
    return parseExactJson(body);
  };
  /** Every field the client sent is a documented field of the documented type; `all` also wants every documented field sent. */
  const matches = (sent: unknown, file: string, options: { all?: boolean; fold?: boolean } = {}) => {
    const sentShape = shape(sent, options.fold);
    const documented = shape(sampleJson(file), options.fold);
    for (const [key, type] of Object.entries(sentShape)) expect({ key, type }).toEqual({ key, type: documented[key] });
    if (options.all) expect(Object.keys(sentShape).sort()).toEqual(Object.keys(documented).sort());
  };

  const customerOwId = 200101;
  const requests: Record<string, Check> = {
    'A3.request.1.json': async () => {
      await iqmClient.updateMargin(customerOwId, 1, 15);
      matches(lastBody(iqm), 'A3.request.1.json', { all: true });
    },
    'A6.request.1.json': async () => {
      await iqmClient.updatePgFees(customerOwId, 10, 15);
      matches(lastBody(iqm), 'A6.request.1.json', { all: true });
    },
    ...Object.fromEntries(
      (['vld', 'pld', 'sls'] as const).map((kind, index) => [
        `A${8 + 2 * index}.request.1.json`,
        async () => {
          await iqmClient.updateDataFees(kind, { owId: customerOwId, rate: 3, enabled: true, markupTypeId: 1, markupType: 'Absolute', markupValue: 2 });
          // The sample's `id` is the fee record's id, which the gateway never holds; everything else is sent.
          const sent = lastBody(iqm);
          matches(sent, `A${8 + 2 * index}.request.1.json`);
          expect(Object.keys(sent as object).sort()).toEqual(Object.keys(sampleJson(`A${8 + 2 * index}.request.1.json`) as object).filter((key) => key !== 'id').sort());
        },
      ]),
    ),
    'A20.request.1.json': async () => {
      const documented = sampleJson('A20.request.1.json') as Record<string, string>;
      const settings = iqm.state.organizations.get(200001)!.invoiceSettings;
      await iqmClient.updateInvoiceSettings(settings.invoiceId, true, documented);
      matches(lastBody(iqm), 'A20.request.1.json', { all: true });
    },
    'A22.request.1.json': async () => {
      await iqmClient.approveInvoice(1, 'Approved for payment');
      matches(lastBody(iqm), 'A22.request.1.json', { all: true });
    },
    'A23.request.1.json': async () => {
      await iqmClient.cancelInvoice(1, 'duplicate');
      matches(lastBody(iqm), 'A23.request.1.json', { all: true });
    },
    'A25.request.1.json': async () => {
      await iqmClient.emailInvoice(customerOwId, 1, 'user@company.example');
      matches(lastBody(iqm), 'A25.request.1.json', { all: true });
    },
    'A30.request.1.json': async () => {
      await iqmClient.offerCredit(customerOwId, 5000);
      matches(lastBody(iqm), 'A30.request.1.json', { all: true });
    },
    'A31.request.1.json': async () => {
      await iqmClient.updateCredit(customerOwId, 1, 4000);
      matches(lastBody(iqm), 'A31.request.1.json', { all: true });
    },
    'A32.request.1.json': async () => {
      await iqmClient.revokeCredit(customerOwId, 1);
      matches(lastBody(iqm), 'A32.request.1.json', { all: true });
    },
    'A33.request.1.json': async () => {
      await iqmClient.claimCredit(sampleJson('A33.request.1.json') as Parameters<IqmClient['claimCredit']>[0]);
      matches(lastBody(iqm), 'A33.request.1.json', { all: true });
    },
    'A38.request.1.json': async () => {
      await iqmClient.paymentAction('approve', 1, customerOwId, 'Payment paid partially');
      matches(lastBody(iqm), 'A38.request.1.json', { all: true });
    },
    'A45.request.1.json': async () => {
      await iqmClient.emailPaymentReceipt(customerOwId, 1, 'example@business.example');
      matches(lastBody(iqm), 'A45.request.1.json', { all: true });
    },
    'B2.request.1.json': async () => {
      await intactClient.postReceipt({
        accountCode: 'CUS000001',
        amountPaid: toDecimal(56),
        datePaid: new Date('2024-03-04T11:54:22Z'),
        paymentBranchCode: 'LON',
        receiptTypeCode: 'CC',
        items: [{ number: 'SI6760981', amountPaid: toDecimal(15) }],
      });
      // The gateway's reading: the key table's lower-case names (the sample mixes cases).
      const sent = lastBody(intact) as { items: unknown[] };
      matches(sent, 'B2.request.1.json', { all: true, fold: true });
      const documentedItem = (sampleJson('B2.request.1.json') as { items: unknown[] }).items[0];
      expect(shape(sent.items[0], true)).toEqual(shape(documentedItem, true));
    },
    'D3.request.1.json': async () => {
      await iqmetrixClient.createInvoice(
        IQMETRIX_DEMO_COMPANY_ID,
        createInvoiceToWire({
          customerId: IQMETRIX_DEMO_CUSTOMERS.robertSmith,
          locationId: 4,
          employeeId: 15,
          printableId: 'P-1',
          orders: [{ items: [{ description: 'Phone', quantity: 1, sellingPrice: toDecimal('499') }] }],
          payments: [{ amount: toDecimal('499'), paymentMethodId: 1 }],
        }),
      );
      const sent = lastBody(iqmetrix) as Record<string, unknown> & { Orders: { Items: unknown[] }[]; Payments: unknown[] };
      const documented = sampleJson('D3.request.1.json') as { Orders: { Items: unknown[] }[]; Payments: unknown[] };
      matches(sent, 'D3.request.1.json');
      expect(Object.keys(shape(sent.Orders[0]!.Items[0])).every((key) => key in shape(documented.Orders[0]!.Items[0]))).toBe(true);
      for (const [key, type] of Object.entries(shape(sent.Payments[0]))) expect({ key, type }).toEqual({ key, type: shape(documented.Payments[0])[key] });
    },
  };

  it('has a check for every request sample', () => {
    const files = manifest.samples.filter((sample) => sample.kind === 'request').map((sample) => sample.file);
    expect(files.filter((file) => !(file in requests))).toEqual([]);
  });

  it.each(Object.keys(requests))('the client sends %s’s fields with their documented types', async (file) => {
    await requests[file]!();
  });
});

/**
 * The writes that have no JSON request sample (multipart, form-urlencoded, query-only, and Refrens'
 * C1, whose body the document gives as a table): what the client sends is held against the
 * operation's documented parameter tables (./samples/parameters.json, extracted from the documents).
 * Every parameter sent is a documented one, of its documented type, and every required one is sent.
 */
describe('Contracts: writes without a JSON request sample send their documented parameters', () => {
  const operations = JSON.parse(sampleText(PARAMETERS_FILE)) as Record<string, DocumentedOperation>;

  /** What arrived: the query string and the body's fields (JSON values as parsed; form and multipart fields as text). */
  interface Received {
    readonly method: string;
    readonly path: string;
    readonly contentType: string;
    readonly fields: Record<string, unknown>;
    readonly files: string[];
  }
  let received: Received[] = [];
  let server: Server;
  const pools: UpstreamHttpClient[] = [];
  let iqmClient: IqmClient;
  let refrensClient: RefrensClient;

  beforeAll(async () => {
    // A bare HTTP server, so the request is read as it was written (the simulators parse it their own way).
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void (async () => {
          const url = new URL(request.url ?? '/', 'http://capture');
          const contentType = request.headers['content-type'] ?? '';
          const body = Buffer.concat(chunks);
          const fields: Record<string, unknown> = Object.fromEntries(url.searchParams);
          const files: string[] = [];
          if (contentType.startsWith('application/json')) Object.assign(fields, parseExactJson(body.toString('utf8')));
          else if (contentType.startsWith('application/x-www-form-urlencoded')) Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
          else if (contentType.startsWith('multipart/form-data')) {
            for (const [name, value] of await new Response(body, { headers: { 'content-type': contentType } }).formData()) {
              if (typeof value === 'string') fields[name] = value;
              else files.push(name);
            }
          }
          received.push({ method: request.method ?? '', path: url.pathname, contentType, fields, files });
          // IQM's success envelope; Refrens' 201 answer is its documented sample.
          const refrens = url.pathname.includes('/businesses/');
          response.writeHead(refrens ? 201 : 200, { 'content-type': 'application/json' });
          response.end(refrens ? sampleText('C1.response.1.json') : '{"success":true,"data":"ok"}');
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pool = (system: 'IQM' | 'REFRENS') => {
      const http = new UpstreamHttpClient({ system, baseUrl, connections: 2, connectTimeoutMs: 1000, requestTimeoutMs: 3000 });
      pools.push(http);
      return http;
    };
    iqmClient = new IqmClient(pool('IQM'), { token: 'demo-iqm-token', organizationWorkspaceId: '200001' });
    refrensClient = new RefrensClient(pool('REFRENS'), REFRENS_DEMO_TOKEN);
  });
  afterAll(async () => {
    for (const http of pools) await http.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received = [];
  });

  /**
   * A value of a documented type. Query, form and multipart values are text; JSON values keep theirs.
   * Where the document's own curl samples contradict its table, the reading in the README holds and is
   * named here: amounts travel as decimal text ("1250.50" in every curl sample, `integer` in the
   * tables), and A36/A37/A43's `transactionId` is any text ("TXN-987654321" in the curl samples).
   */
  const typed = (parameter: DocumentedParameter, value: unknown): boolean => {
    if (parameter.name === 'paymentAmount' && typeof value === 'string') return /^\d+(\.\d+)?$/.test(value);
    if (parameter.name === 'transactionId' && typeof value === 'string') return value.length > 0;
    if (parameter.type === 'integer') return typeof value === 'string' ? /^-?\d+$/.test(value) : Number.isSafeInteger(value);
    if (parameter.type === 'boolean') return typeof value === 'string' ? value === 'true' || value === 'false' : typeof value === 'boolean';
    if (parameter.type === 'number') return typeof value === 'number' || (value !== null && typeof value === 'object' && 'isLosslessNumber' in value);
    if (parameter.type.startsWith('string')) return typeof value === 'string';
    return false;
  };

  /** Checks the one request that arrived against `op`'s table; `exempt` names required parameters the case leaves out, with the reason in the caller. */
  const sentAsDocumented = (op: string, options: { table?: string; exempt?: readonly string[] } = {}) => {
    expect(received).toHaveLength(1);
    const request = received[0]!;
    const documented = new Map((operations[options.table ?? op]?.parameters ?? []).filter((parameter) => parameter.in !== 'path').map((parameter) => [parameter.name, parameter]));
    for (const [name, value] of Object.entries(request.fields)) {
      const parameter = documented.get(name);
      expect(parameter, `${op}: ${name} is not a documented parameter`).toBeDefined();
      expect(typed(parameter!, value), `${op}: ${name}=${JSON.stringify(value)} is not a documented ${parameter!.type}`).toBe(true);
    }
    const required = [...documented.values()].filter((parameter) => parameter.required && parameter.type !== 'multipart/form-data').map((parameter) => parameter.name);
    expect(required.filter((name) => !(name in request.fields) && !options.exempt?.includes(name)), `${op}: required parameters not sent`).toEqual([]);
    return request;
  };

  const owId = 200101;
  const writes: Record<string, () => Promise<void>> = {
    A14: async () => {
      await iqmClient.setDvIvt(owId, true);
      sentAsDocumented('A14');
    },
    A21: async () => {
      await iqmClient.deleteInvoiceTaxData(7);
      sentAsDocumented('A21');
    },
    A24: async () => {
      await iqmClient.payInvoice(
        { invoiceId: 5, owId, paymentAmount: '1250.50', paymentType: 2, paymentDate: Date.UTC(2025, 9, 7, 12), paymentMode: 2, transactionId: 'TXN-987654321', bankName: 'First National Bank', isCustomerRequest: true },
        null,
      );
      expect(sentAsDocumented('A24').contentType).toMatch(/^multipart\/form-data; boundary=/);
    },
    A36: async () => {
      await iqmClient.addPayment({ owId, paymentAmount: '1250.50', paymentDate: '2025-10-07', paymentMode: 2, transactionId: 'TXN-987654321', paymentType: 1 }, null);
      // `invoiceId` is "required" but "provide only if paymentType is Against Invoice": this one is As Fund.
      expect(sentAsDocumented('A36', { exempt: ['invoiceId'] }).contentType).toMatch(/^multipart\/form-data/);
    },
    'A36 against an invoice': async () => {
      await iqmClient.addPayment({ owId, paymentAmount: '1250.50', paymentDate: '2025-10-07', paymentMode: 2, transactionId: 'TXN-1', paymentType: 2, invoiceId: 5 }, null);
      expect(sentAsDocumented('A36').fields['invoiceId']).toBe('5');
    },
    A37: async () => {
      await iqmClient.updatePayment(9, { owId, paymentAmount: '1250.50', paymentDate: '2025-10-07', paymentMode: 2, transactionId: 'TXN-987654321', paymentType: 3, refundReason: 'duplicate' }, null);
      sentAsDocumented('A37');
    },
    // A39 and A40 document no body; they get A38's (README, "Readings").
    A39: async () => {
      await iqmClient.paymentAction('cancel', 9, owId, 'not needed');
      sentAsDocumented('A39', { table: 'A38' });
    },
    A40: async () => {
      await iqmClient.paymentAction('reject', 9, owId, 'wrong amount');
      sentAsDocumented('A40', { table: 'A38' });
    },
    A41: async () => {
      await iqmClient.addFunds({ paymentAmount: '1250.50', paymentDate: '2025-10-07', paymentMode: 3, bankName: 'First National Bank' }, null);
      sentAsDocumented('A41');
    },
    A42: async () => {
      await iqmClient.startPaypalPayment(1250.5);
      expect(sentAsDocumented('A42').contentType).toBe('application/x-www-form-urlencoded');
    },
    A43: async () => {
      await iqmClient.initiateRefund({ owId, paymentAmount: '1250.50', paymentDate: '2025-10-07', paymentMode: 4, transactionId: 'TXN-987654321', refundReason: 'Testing' }, null);
      sentAsDocumented('A43');
    },
    A44: async () => {
      await iqmClient.approveRefund(9, owId, 'refund approved', null);
      sentAsDocumented('A44');
    },
    C1: async () => {
      const invoice = REFRENS_DEMO_INVOICES[0]!;
      await refrensClient.addPayment(invoice.urlKey, invoice.invoiceId, {
        amount: toDecimal('3000'),
        tds: toDecimal('0'),
        transactionCharge: toDecimal('0'),
        method: 'CHEQUE',
        paidAt: new Date('2024-08-18T12:08:38Z'),
        notes: 'Payment for invoice #123',
        reference: 'REF-1',
      });
      expect(sentAsDocumented('C1').contentType).toMatch(/^application\/json/);
    },
  };

  it('covers every write the documents give no JSON request sample for', () => {
    // Writes are the documents' non-GET operations; those with a JSON request sample are held against it above.
    const withSample = new Set(manifest.samples.filter((sample) => sample.kind === 'request').map((sample) => sample.op));
    const writeOps = Object.entries(operations).filter(([, operation]) => operation.method !== 'GET').map(([op]) => op);
    expect(writeOps).toHaveLength(27);
    expect(writeOps.filter((op) => !withSample.has(op) && !(op in writes))).toEqual([]);
  });

  it.each(Object.keys(writes))('%s', async (name) => {
    await writes[name]!();
  });
});

import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedUpstreams } from '../src/embedded.js';
import { toDecimal } from '../src/domain/money.js';
import type { SimulatorServer } from '../src/upstreams/simulatorServer.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { IQMETRIX_DEMO_CUSTOMERS } from '../src/upstreams/iqmetrix/index.js';
import { partitionKeyOf } from '../src/auth/index.js';
import { idempotencyStoreKey, type IdempotencySettlement } from '../src/idempotency/index.js';
import { TEST_TENANT } from './helpers/auth.js';
import { FaultProxy, pathMatches, type ProxyFault } from './helpers/faultProxy.js';
import { customerGid, invoiceGid } from './helpers/iqm.js';
import { MemoryAuditStore } from './helpers/memoryAuditStore.js';
import { startStack, type GraphQLResponse, type TestStack } from './helpers/stack.js';

/**
 * The fault catalogue: for every money mutation and every fault a proxy between gateway and simulator
 * can cause (real TCP on both sides; the gateway's base URLs point at the proxies), the first attempt
 * meets the fault, the background reconciliation runs, and the client retries with the same key.
 * Money that moved is counted where it moves: the simulator's write calls it answered 2xx (applied).
 */

const directoryCustomer = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');
const refrensInvoice = (id: string) => Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', id])}`).toString('base64url');

const FAULTS: readonly [string, ProxyFault][] = [
  ['reset before sending', 'resetBeforeSend'],
  ['reset after apply', 'resetAfterApply'],
  ['timeout after apply', 'timeoutAfterApply'],
  ['500 after apply', { status: 500 }],
  ['502 after apply', { status: 502 }],
  ['503 after apply', { status: 503 }],
  ['504 after apply', { status: 504 }],
  ['409 after apply', { status: 409 }],
  ['half a body after apply', 'halfBodyAfterApply'],
];

type Answer = GraphQLResponse<Record<string, { userErrors: { code: string; message: string }[] } & Record<string, unknown>>>;

interface MoneyMutation {
  readonly name: string;
  readonly system: 'iqm' | 'intact' | 'refrens' | 'iqmetrix';
  /** The write's path at the upstream, as the proxy and the simulator see it (suffix). */
  readonly path: string;
  readonly query: string;
  /** A fresh input (and whatever target it needs) for one case. */
  prepare(stack: TestStack, key: string): Promise<Record<string, unknown>>;
  /** True when a successful answer carries the object the write made (the "true outcome"). */
  readonly answered: (data: Record<string, unknown>) => boolean;
}

let invoiceSeq = 0;
function freshIqmInvoice(embedded: EmbeddedUpstreams, owId: number): SimInvoice {
  const iqm = embedded.iqm!;
  const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === owId && candidate.status === 3)!;
  const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
  const invoice: SimInvoice = { ...template, invoiceId, invoiceName: `Fault catalogue ${++invoiceSeq}`, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
  iqm.state.invoices.set(invoiceId, invoice);
  return invoice;
}

const OFFER = `mutation($input: OfferCreditInput!) { offerCredit(input: $input) { credit { id status } userErrors { code message } } }`;
const INITIATE = `mutation($input: InitiateRefundInput!) { initiateRefund(input: $input) { payment { id status amount { amount } } userErrors { code message } } }`;

const MUTATIONS: readonly MoneyMutation[] = [
  {
    name: 'payInvoice',
    system: 'iqm',
    path: '/pay-invoice',
    query: `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { invoice { id paid { amount } } userErrors { code message } } }`,
    prepare: async (stack) => ({ invoiceId: invoiceGid(200101, freshIqmInvoice(stack.embedded, 200101).invoiceId), amount: '10.00' }),
    answered: (data) => (data['invoice'] as { paid: { amount: string } } | null)?.paid.amount === '10',
  },
  {
    name: 'addPayment',
    system: 'iqm',
    path: '/customer/payment/add',
    query: `mutation($input: AddPaymentInput!) { addPayment(input: $input) { payment { id amount { amount } } userErrors { code message } } }`,
    prepare: async (_stack, key) => ({ customerId: customerGid(200103), amount: '2.00', paidOn: '2026-10-07', mode: 'WIRE_TRANSFER', type: 'AS_FUND', transactionId: `WT-${key}` }),
    answered: (data) => data['payment'] !== null,
  },
  {
    name: 'addFunds',
    system: 'iqm',
    path: '/customer/payment/add-fund',
    query: `mutation($input: AddFundsInput!) { addFunds(input: $input) { availableBalance { amount } userErrors { code message } } }`,
    prepare: async () => ({ amount: '3.00', paidOn: '2026-10-08', mode: 'WIRE_TRANSFER', bankName: 'Chase' }),
    answered: (data) => data['availableBalance'] !== null,
  },
  {
    name: 'initiateRefund',
    system: 'iqm',
    path: '/customer/payment/refund',
    query: INITIATE,
    prepare: async () => ({ customerId: customerGid(200101), amount: '1.00', paidOn: '2026-10-09', mode: 'TO_FUNDS', refundReason: 'Fault catalogue' }),
    answered: (data) => (data['payment'] as { amount: { amount: string } } | null)?.amount.amount === '1',
  },
  {
    name: 'approveRefund',
    system: 'iqm',
    path: '/customer/payment/approve-refund',
    query: `mutation($input: ApproveRefundInput!) { approveRefund(input: $input) { payment { id status } userErrors { code message } } }`,
    prepare: async (stack, key) => {
      // Four eyes: someone else initiates the refund the test caller approves.
      const refund = await stack.gql<{ initiateRefund: { payment: { id: string } } }>(
        INITIATE,
        { input: { customerId: customerGid(200101), amount: '1.00', paidOn: '2026-10-09', mode: 'TO_FUNDS', refundReason: 'to approve', idempotencyKey: `setup-${key}` } },
        await stack.as({ subject: 'refund-initiator' }),
      );
      return { paymentId: refund.data!.initiateRefund.payment.id, actionNote: 'ok' };
    },
    answered: (data) => (data['payment'] as { status: string } | null)?.status === 'PAID',
  },
  {
    name: 'offerCredit',
    system: 'iqm',
    path: '/customer/credit/add',
    query: OFFER,
    prepare: async () => ({ customerId: customerGid(200102), amount: '4.00' }),
    answered: (data) => data['credit'] !== null,
  },
  {
    name: 'claimCredit',
    system: 'iqm',
    path: '/credit/claim',
    query: `mutation($input: ClaimCreditInput!) { claimCredit(input: $input) { credit { id status } userErrors { code message } } }`,
    prepare: async (stack, key) => {
      const offered = await stack.gql<{ offerCredit: { credit: { id: string } } }>(OFFER, { input: { customerId: customerGid(200102), amount: '5.00', idempotencyKey: `setup-${key}` } });
      return {
        creditId: offered.data!.offerCredit.credit.id,
        customerName: 'Contoso Media',
        businessName: 'Contoso Media LLC',
        taxId: 'TAX-1',
        contactPersonName: 'Ana',
        contactPersonEmail: 'ana@contoso.example',
        incorporationPlace: 'Delaware',
        address: '1 Main St',
      };
    },
    answered: (data) => (data['credit'] as { status: string } | null)?.status === 'CLAIMED',
  },
  {
    name: 'allocateReceipt',
    system: 'intact',
    path: '/CustomerLedger',
    query: `mutation($input: AllocateReceiptInput!) { allocateReceipt(input: $input) { receipt { id } userErrors { code message } } }`,
    prepare: async () => ({ customerId: directoryCustomer('tailspin'), amount: '5.00', paidAt: '2026-10-11T09:00:00Z', paymentBranchCode: 'LON', receiptTypeCode: 'CC' }),
    answered: (data) => data['receipt'] !== null,
  },
  {
    name: 'payRefrensInvoice',
    system: 'refrens',
    path: '/payments',
    query: `mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) { payment { id amount { amount } } userErrors { code message } } }`,
    prepare: async () => ({ invoiceId: refrensInvoice('64f1a2b3c4d5e6f708192a02'), amount: '1', method: 'UPI' }),
    answered: (data) => (data['payment'] as { amount: { amount: string } } | null)?.amount.amount === '1',
  },
  {
    name: 'createIqmetrixInvoice',
    system: 'iqmetrix',
    path: '/Invoices',
    query: `mutation($input: CreateIqmetrixInvoiceInput!) { createIqmetrixInvoice(input: $input) { invoice { id total { amount } } userErrors { code message } } }`,
    prepare: async () => ({
      customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia,
      locationId: 4,
      employeeId: 15,
      orders: [{ items: [{ description: 'Charger', quantity: 1, sellingPrice: '12.50', sku: 'CHG-1' }] }],
    }),
    answered: (data) => data['invoice'] !== null,
  },
];

/** What the client learnt on its same-key retry. */
type Learnt = 'answer' | 'OUTCOME_UNKNOWN' | 'other';

interface CaseResult {
  readonly mutation: string;
  readonly fault: string;
  /** Writes the simulator applied for this case (first attempt and retry together). */
  readonly applied: number;
  readonly learnt: Learnt;
}

describe('Money moves once: the fault catalogue through a TCP fault proxy', () => {
  let simulators: TestStack;
  let gateway: TestStack;
  const proxies = new Map<MoneyMutation['system'], FaultProxy>();
  const results: CaseResult[] = [];

  beforeAll(async () => {
    simulators = await startStack();
    const { endpoints } = simulators.embedded;
    for (const system of ['iqm', 'intact', 'refrens', 'iqmetrix'] as const) proxies.set(system, await FaultProxy.start(endpoints[system].baseUrl));
    const through = (system: MoneyMutation['system']) => proxies.get(system)!.baseUrl;
    gateway = await startStack({
      env: {
        UPSTREAM_TIMEOUT_MS: '400',
        REQUEST_TIMEOUT_MS: '3000',
        UPSTREAM_RETRY_BASE_DELAY_MS: '1',
        // Faults here are meant, one per case: the breaker must not open between cases.
        UPSTREAM_BREAKER_FAILURES: '1000',
        // The background reconciliation runs at once; evidence of absence counts at once.
        IDEMPOTENCY_RECONCILE_DELAY_MS: '0',
      },
      issuer: simulators.issuer!,
      // What IQM_BASE_URL (and the others) pointing at the proxies amounts to.
      reuseEmbedded: {
        ...simulators.embedded,
        endpoints: {
          ...endpoints,
          iqm: { ...endpoints.iqm, baseUrl: through('iqm') },
          intact: { ...endpoints.intact, baseUrl: through('intact') },
          refrens: { ...endpoints.refrens, baseUrl: through('refrens') },
          iqmetrix: { ...endpoints.iqmetrix, baseUrl: through('iqmetrix') },
        },
      },
    });
  });
  afterAll(async () => {
    if (results.length === FAULTS.length * MUTATIONS.length) {
      const table = renderTable(results);
      writeFileSync(new URL('./results/faultCatalogue.md', import.meta.url), table);
    }
    await gateway?.close();
    for (const proxy of proxies.values()) await proxy.close();
    await simulators?.close();
  });

  const simulatorOf = (system: MoneyMutation['system']): SimulatorServer => simulators.embedded[system]!;
  const appliedWrites = (mutation: MoneyMutation) =>
    simulatorOf(mutation.system)
      .calls.filter((call) => call.method === 'POST' && pathMatches(call.url.split('?')[0]!, mutation.path))
      .filter((call) => call.status >= 200 && call.status < 300).length;

  it('settles an ambiguous outcome in the background for a client that never retries, and tells onSettled listeners', async () => {
    const settlements: IdempotencySettlement[] = [];
    const unsubscribe = gateway.services.reconciler.onSettled((settlement) => void settlements.push(settlement));
    const client = { 'apollographql-client-name': 'catalogue-test', 'apollographql-client-version': '1.2.3' };
    try {
      const [payInvoice, , , , , offerCredit] = MUTATIONS;
      const cases = [
        { mutation: payInvoice!, fault: 'resetAfterApply' as const, key: 'background-applied' },
        { mutation: payInvoice!, fault: 'resetBeforeSend' as const, key: 'background-not-applied' },
        { mutation: offerCredit!, fault: { status: 502 }, key: 'background-unknown' },
      ];
      for (const { mutation, fault, key } of cases) {
        proxies.get(mutation.system)!.arm('POST', mutation.path, fault);
        const answer = await gateway.gql(mutation.query, { input: { ...(await mutation.prepare(gateway, key)), idempotencyKey: key } }, { ...gateway.auth, ...client });
        expect(answer.errors).toBeDefined();
      }
      await gateway.services.reconciler.drain();
      // The two reconciliations run side by side: they may settle in either order.
      const byKey = [...settlements].sort((a, b) => a.idempotencyKey.localeCompare(b.idempotencyKey));
      expect(byKey.map(({ mutation, idempotencyKey, outcome }) => ({ mutation, idempotencyKey, outcome }))).toEqual([
        { mutation: 'payInvoice', idempotencyKey: 'background-applied', outcome: 'reconciled_applied' },
        { mutation: 'payInvoice', idempotencyKey: 'background-not-applied', outcome: 'reconciled_not_applied' },
      ]);
      // offerCredit cannot be reconciled: nothing is scheduled, the request's own outcome (outcome_unknown) stands.
      expect(byKey[0]).toMatchObject({ tenantId: TEST_TENANT, subject: 'test-user', client: { name: 'catalogue-test', version: '1.2.3' }, payload: { invoice: { paid: { amount: toDecimal(10) } } } });
      const scope = partitionKeyOf(TEST_TENANT, simulators.issuer!.issuer, 'test-user');
      const record = (mutation: string, key: string) => gateway.services.idempotency.peek(idempotencyStoreKey(scope, mutation, key));
      expect(await record('payInvoice', 'background-applied')).toMatchObject({ state: 'completed' });
      expect(await record('payInvoice', 'background-not-applied')).toBeNull();
      expect(await record('offerCredit', 'background-unknown')).toMatchObject({ state: 'outcome_unknown' });

      // The trail tells each attempt's end under its own attemptId and request, the settlement included.
      const audit = gateway.services.audit;
      if (!(audit instanceof MemoryAuditStore)) throw new Error('the stack keeps its audit trail in test memory');
      const story = (key: string) => audit.records.filter((entry) => entry.idempotencyKey === key);
      for (const [key, settled] of [['background-applied', 'RECONCILED_APPLIED'], ['background-not-applied', 'RECONCILED_NOT_APPLIED']] as const) {
        const [attempted, ...rest] = story(key);
        expect(rest.map(({ outcome }) => outcome)).toEqual(['OUTCOME_UNKNOWN', settled]);
        for (const entry of rest) expect(entry).toMatchObject({ attemptId: attempted!.attemptId, requestId: attempted!.requestId, amount: '10', currency: 'USD', targetIds: attempted!.targetIds, inputDigest: attempted!.inputDigest });
      }
      // Applied: the invoice and the payment its marker was found on; not applied: nothing was made.
      const typesOf = (ids: readonly string[]) => ids.map((id) => Buffer.from(id, 'base64url').toString('utf8').split(':')[0]).sort();
      expect(typesOf(story('background-applied').at(-1)!.upstreamIds)).toEqual(['IqmInvoice', 'IqmPayment']);
      expect(story('background-not-applied').at(-1)!.upstreamIds).toEqual([]);
      expect(story('background-unknown').map(({ outcome }) => outcome)).toEqual(['ATTEMPTED', 'OUTCOME_UNKNOWN']);
    } finally {
      unsubscribe();
    }
  });

  for (const mutation of MUTATIONS) {
    it(`${mutation.name}: every fault, the same-key retry moves money at most once`, async () => {
      for (const [label, fault] of FAULTS) {
        const key = `catalogue-${mutation.name}-${label.replace(/\W+/g, '-')}`;
        const input = { ...(await mutation.prepare(gateway, key)), idempotencyKey: key };
        const before = appliedWrites(mutation);
        const proxy = proxies.get(mutation.system)!;
        proxy.arm('POST', mutation.path, fault);
        const first = await gateway.gql<Answer['data']>(mutation.query, { input });
        proxy.disarm();
        expect(proxy.fired.at(-1), `${mutation.name} / ${label}: the fault fired`).toEqual(fault);
        expect(first.errors, `${mutation.name} / ${label}: the first attempt failed`).toBeDefined();
        await gateway.services.reconciler.drain();
        const retry = (await gateway.gql(mutation.query, { input })) as Answer;
        const payload = retry.data?.[mutation.name];
        const code = payload?.userErrors[0]?.code;
        const learnt: Learnt = payload && payload.userErrors.length === 0 && mutation.answered(payload) ? 'answer' : code === 'IDEMPOTENCY_OUTCOME_UNKNOWN' ? 'OUTCOME_UNKNOWN' : 'other';
        const applied = appliedWrites(mutation) - before;
        results.push({ mutation: mutation.name, fault: label, applied, learnt });
        expect(applied, `${mutation.name} / ${label}: money moved at most once`).toBeLessThanOrEqual(1);
        // When the money moved, the client is told so (the object) or told it cannot be known; never "nothing happened".
        expect(learnt, `${mutation.name} / ${label}: ${JSON.stringify(retry)}`).not.toBe('other');
        // A write that never reached the upstream is sent again on retry when it can be proven absent.
        if (RECONCILABLE.has(mutation.name)) expect(applied, `${mutation.name} / ${label}: reconciled`).toBe(1);
      }
    });
  }
});

/** The mutations the gateway can reconcile (marker or state); the others stay blocked after an ambiguous outcome. */
const RECONCILABLE = new Set(['payInvoice', 'initiateRefund', 'approveRefund', 'claimCredit', 'payRefrensInvoice', 'createIqmetrixInvoice']);

function renderTable(results: readonly CaseResult[]): string {
  const mutations = [...new Set(results.map((result) => result.mutation))];
  const header = `| fault | ${mutations.join(' | ')} |\n|---|${mutations.map(() => '---').join('|')}|\n`;
  const rows = FAULTS.map(([label]) => {
    const cells = mutations.map((name) => {
      const result = results.find((candidate) => candidate.mutation === name && candidate.fault === label)!;
      return `${result.applied} · ${result.learnt === 'answer' ? 'told' : 'unknown'}`;
    });
    return `| ${label} | ${cells.join(' | ')} |`;
  });
  return `${header}${rows.join('\n')}\n`;
}

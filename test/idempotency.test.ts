import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionKeyOf } from '../src/auth/index.js';
import { OTHER_TEST_TENANT, TEST_TENANT } from './helpers/auth.js';
import { decodePayload, encodePayload, encodeRecovery, fingerprintOf, IdempotencyStoreFullError, idempotencyStoreKey, MemoryIdempotencyStore } from '../src/idempotency/index.js';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { toDecimal } from '../src/domain/money.js';
import { IQMETRIX_DEMO_CUSTOMERS } from '../src/upstreams/iqmetrix/index.js';
import { customerGid, invoiceGid, paymentGid } from './helpers/iqm.js';
import { MemoryAuditStore } from './helpers/memoryAuditStore.js';
import { startStack, type TestStack } from './helpers/stack.js';

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) {
      invoice {
        id invoiceId number status name issuedOn dueOn modifiedAt paymentModes actionNote statusUpdatedBy
        total { amount currencyCode } paid { amount currencyCode } outstanding { amount currencyCode }
      }
      userErrors { field message code }
    }
  }
`;
type PayAnswer = { payInvoice: { invoice: Record<string, unknown> | null; userErrors: UserError[] } };

const ADD_PAYMENT = /* GraphQL */ `
  mutation Add($input: AddPaymentInput!) {
    addPayment(input: $input) {
      payment {
        id paymentId status type mode paidAt createdAt modifiedAt transactionId bankName createdByUserEmail initiatedByOrganization
        amount { amount currencyCode }
      }
      userErrors { field message code }
    }
  }
`;

/** Another person of the test tenant, and a person of the other tenant. */
let CALLER_A: Record<string, string>;
let CALLER_B: Record<string, string>;

const directoryCustomer = (key: string) => Buffer.from(`Customer:DIRECTORY:${key}`).toString('base64url');

/** A key no other test uses. */
let keys = 0;
const newKey = (label: string) => `test-${label}-${++keys}-${process.pid}`;

describe('Idempotency: money moves once (in-memory store)', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack();
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  const unpaidInvoice = (owId: number) => freshUnpaidInvoice(iqm, owId);
  const paymentsOn = (invoiceId: number) => [...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoiceId);
  const payPosts = () => iqm.callsTo('/pay-invoice', 'POST').length;
  /** The audit records of one idempotency key, oldest first (the stack keeps its trail in test memory). */
  const trailOf = (idempotencyKey: string) => {
    const audit = stack.services.audit;
    if (!(audit instanceof MemoryAuditStore)) throw new Error('the stack keeps its audit trail in test memory');
    return audit.records.filter((record) => record.idempotencyKey === idempotencyKey);
  };

  it('replays the stored answer for the same key and input: field for field equal, IQM written once', async () => {
    const invoice = unpaidInvoice(200101);
    const input = { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '100.50', paymentMode: 'CHEQUE', bankName: 'First National Bank', idempotencyKey: newKey('replay') };
    const postsBefore = payPosts();
    const first = await stack.gql<PayAnswer>(PAY, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.payInvoice.userErrors).toEqual([]);
    expect(first.data!.payInvoice.invoice).toMatchObject({ status: 'PARTIALLY_PAID', paid: { amount: '100.5', currencyCode: 'USD' } });

    // The same amount written differently is the same request.
    const again = await stack.gql<PayAnswer>(PAY, { input: { ...input, amount: '100.5' } });
    expect(again).toEqual(first);
    expect(payPosts() - postsBefore).toBe(1);
    expect(paymentsOn(invoice.invoiceId).map((payment) => payment.paymentAmount.toFixed())).toEqual(['100.5']);
  });

  it('replays an addPayment payload with its dates and decimals intact', async () => {
    const input = { customerId: customerGid(200103), amount: '20.07', paidOn: '2026-10-07', mode: 'WIRE_TRANSFER', type: 'AS_FUND', transactionId: 'WT-IDEM-1', idempotencyKey: newKey('add') };
    const first = await stack.gql<{ addPayment: { payment: Record<string, unknown>; userErrors: UserError[] } }>(ADD_PAYMENT, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.addPayment.payment).toMatchObject({ amount: { amount: '20.07', currencyCode: 'USD' }, status: 'PROCESSING', transactionId: 'WT-IDEM-1' });
    expect(typeof first.data!.addPayment.payment['createdAt']).toBe('string');
    const posts = iqm.callsTo('/add-payment', 'POST').length;
    const replay = await stack.gql(ADD_PAYMENT, { input });
    expect(replay).toEqual(first);
    expect(iqm.callsTo('/add-payment', 'POST').length).toBe(posts);
  });

  it('answers IDEMPOTENCY_KEY_REUSED for the same key with a different input, and sends nothing', async () => {
    const invoice = unpaidInvoice(200101);
    const idempotencyKey = newKey('reuse');
    const input = { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '10.00', idempotencyKey };
    const first = await stack.gql<PayAnswer>(PAY, { input });
    expect(first.data!.payInvoice.userErrors).toEqual([]);
    const posts = payPosts();
    const other = await stack.gql<PayAnswer>(PAY, { input: { ...input, amount: '11.00' } });
    expect(other.data!.payInvoice).toEqual({
      invoice: null,
      userErrors: [
        {
          field: ['input', 'idempotencyKey'],
          message: 'this idempotencyKey was already used for payInvoice with a different input; use a new key for a new request',
          code: 'IDEMPOTENCY_KEY_REUSED',
        },
      ],
    });
    expect(payPosts()).toBe(posts);
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(1);
  });

  it('frees the key when the gateway refused the input before sending anything', async () => {
    const invoice = unpaidInvoice(200101);
    const idempotencyKey = newKey('invalid');
    const id = invoiceGid(200101, invoice.invoiceId);
    const refused = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: id, amount: '0', idempotencyKey } });
    expect(refused.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['INVALID_INPUT']);
    const corrected = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: id, amount: '5.00', idempotencyKey } });
    expect(corrected.data!.payInvoice.userErrors).toEqual([]);
    expect(paymentsOn(invoice.invoiceId).map((payment) => payment.paymentAmount.toFixed())).toEqual(['5']);
  });

  it('stores and replays the upstream’s business refusal without asking IQM again', async () => {
    const cancelled = [...iqm.state.invoices.values()].find((invoice) => invoice.owId === 200101 && invoice.status === 8)!;
    const input = { invoiceId: invoiceGid(200101, cancelled.invoiceId), amount: '1.00', idempotencyKey: newKey('refusal') };
    const posts = payPosts();
    const first = await stack.gql<PayAnswer>(PAY, { input });
    expect(first.data!.payInvoice.userErrors).toEqual([{ field: null, message: 'Invoice with the provided ID is cancelled', code: 'INVALID_TRANSITION' }]);
    const replay = await stack.gql<PayAnswer>(PAY, { input });
    expect(replay).toEqual(first);
    expect(payPosts() - posts).toBe(1);
  });

  it('scopes keys to the caller: the same key and input from two subjects are two payments; another tenant collides with neither', async () => {
    const invoice = unpaidInvoice(200102);
    const input = { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '7.00', idempotencyKey: newKey('scoped') };
    CALLER_A = await stack.as({ subject: 'colleague' });
    CALLER_B = await stack.as({ tenant: OTHER_TEST_TENANT, subject: 'someone-else' });
    const anonymous = await stack.gql<PayAnswer>(PAY, { input });
    const forwarded = await stack.gql<PayAnswer>(PAY, { input }, CALLER_A);
    expect(anonymous.data!.payInvoice.userErrors).toEqual([]);
    expect(forwarded.data!.payInvoice.userErrors).toEqual([]);
    expect(forwarded.data!.payInvoice.invoice).toMatchObject({ paid: { amount: '14' } });
    // The other organization uses the same key for its own invoice: no collision either.
    const theirs = unpaidInvoice(300101);
    const other = await stack.gql<PayAnswer>(PAY, { input: { ...input, invoiceId: invoiceGid(300101, theirs.invoiceId) } }, CALLER_B);
    expect(other.data!.payInvoice.userErrors).toEqual([]);
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(2);
    expect(paymentsOn(theirs.invoiceId)).toHaveLength(1);
    // And each caller's retry replays its own answer.
    expect(await stack.gql<PayAnswer>(PAY, { input }, CALLER_A)).toEqual(forwarded);
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(2);
  });

  it('50 identical concurrent payments: exactly one reaches IQM, the rest replay it or are told it is in progress', async () => {
    const invoice = unpaidInvoice(200103);
    const input = { invoiceId: invoiceGid(200103, invoice.invoiceId), amount: '12.34', paymentMode: 'PAYPAL', idempotencyKey: newKey('burst') };
    const posts = payPosts();
    const answers = await Promise.all(Array.from({ length: 50 }, () => stack.gql<PayAnswer>(PAY, { input }, CALLER_A)));
    expect(payPosts() - posts).toBe(1);
    expect(paymentsOn(invoice.invoiceId).map((payment) => payment.paymentAmount.toFixed())).toEqual(['12.34']);
    const succeeded = answers.filter((answer) => answer.data?.payInvoice.userErrors.length === 0);
    const inProgress = answers.filter((answer) => answer.data?.payInvoice.userErrors[0]?.code === 'IDEMPOTENCY_IN_PROGRESS');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(succeeded.length + inProgress.length).toBe(50);
    for (const answer of succeeded) expect(answer).toEqual(succeeded[0]);
    expect(inProgress.every((answer) => answer.data!.payInvoice.invoice === null)).toBe(true);
    // Once the first is answered, every retry gets its answer.
    expect(await stack.gql<PayAnswer>(PAY, { input }, CALLER_A)).toEqual(succeeded[0]);
    expect(payPosts() - posts).toBe(1);
  });

  it('50 concurrent payments whose write is applied but answered by a reset: one payment, and the retry learns it was applied', async () => {
    const invoice = unpaidInvoice(200103);
    const input = { invoiceId: invoiceGid(200103, invoice.invoiceId), amount: '3.00', idempotencyKey: newKey('reset') };
    iqm.injectFault({ route: '/pay-invoice', method: 'POST', times: 1, fault: { kind: 'resetAfterApply' } });
    const posts = payPosts();
    const answers = await Promise.all(Array.from({ length: 50 }, () => stack.gql<PayAnswer>(PAY, { input })));
    iqm.clearFaults();
    expect(paymentsOn(invoice.invoiceId).map((payment) => payment.paymentAmount.toFixed())).toEqual(['3']);
    expect(payPosts() - posts).toBe(1);
    const failed = answers.filter((answer) => answer.errors !== undefined);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
    // Those that came after the reset found the payment (marker in its transactionId) and answer it.
    const codes = new Set(answers.filter((answer) => answer.errors === undefined).map((answer) => answer.data!.payInvoice.userErrors[0]?.code ?? 'RECONCILED'));
    expect([...codes].every((code) => code === 'IDEMPOTENCY_IN_PROGRESS' || code === 'RECONCILED')).toBe(true);

    const retry = await stack.gql<PayAnswer>(PAY, { input });
    expect(retry.data!.payInvoice.userErrors).toEqual([]);
    expect(retry.data!.payInvoice.invoice).toMatchObject({ status: 'PARTIALLY_PAID', paid: { amount: '3', currencyCode: 'USD' } });
    expect(await stack.gql<PayAnswer>(PAY, { input })).toEqual(retry);
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(1);
    expect(payPosts() - posts).toBe(1);

    // The trail: the attempt that sent the payment ends OUTCOME_UNKNOWN, then RECONCILED_APPLIED under its
    // own attemptId, naming the invoice and the payment found by its marker; once, whoever reconciled it.
    const trail = trailOf(input.idempotencyKey);
    const sender = trail.find((record) => record.outcome === 'OUTCOME_UNKNOWN')!;
    const settlements = trail.filter((record) => record.outcome === 'RECONCILED_APPLIED');
    expect(settlements).toHaveLength(1);
    expect(settlements[0]).toMatchObject({ attemptId: sender.attemptId, amount: '3', currency: 'USD', targetIds: [input.invoiceId] });
    expect(new Set(settlements[0]!.upstreamIds)).toEqual(new Set([input.invoiceId, paymentGid(200103, paymentsOn(invoice.invoiceId)[0]!.paymentId)]));
    expect(trail.filter((record) => record.outcome === 'ACCEPTED')).toEqual([]);
    // Every call has its outcome; the calls answered with the payment are replays.
    const attempts = trail.filter((record) => record.outcome === 'ATTEMPTED');
    expect(attempts).toHaveLength(52);
    for (const { attemptId } of attempts) expect(trail.filter((record) => record.attemptId === attemptId && record.outcome !== 'ATTEMPTED' && record.outcome !== 'RECONCILED_APPLIED')).toHaveLength(1);
    expect(trail.filter((record) => record.outcome === 'REPLAYED').length).toBeGreaterThanOrEqual(2);
  });

  it('after a replica died holding the key, the retry proves the write absent, records that, and pays once under its own attempt', async () => {
    const invoice = unpaidInvoice(200102);
    // Every field the resolver sees (paymentType has a default), so the fingerprint below is the gateway's.
    const input = { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '4.00', paymentType: 'AGAINST_INVOICE', idempotencyKey: newKey('dead-holder') };
    const scope = partitionKeyOf(TEST_TENANT, stack.issuer!.issuer, 'test-user');
    // What a replica killed right after claiming leaves behind: a claim whose lease has lapsed (0 ms here).
    const fingerprint = fingerprintOf({ ...input, amount: new Decimal(input.amount) });
    expect(await stack.services.idempotency.claim(idempotencyStoreKey(scope, 'payInvoice', input.idempotencyKey), fingerprint, 0, 60_000, { attempt: 'attempt-of-the-dead-replica' })).toMatchObject({ claimed: true });
    const posts = payPosts();
    const answer = await stack.gql<PayAnswer>(PAY, { input });
    expect(answer.data!.payInvoice).toMatchObject({ invoice: { paid: { amount: '4' } }, userErrors: [] });
    expect(payPosts() - posts).toBe(1);
    const [payment] = paymentsOn(invoice.invoiceId);
    const trail = trailOf(input.idempotencyKey);
    expect(trail.map(({ outcome }) => outcome)).toEqual(['ATTEMPTED', 'RECONCILED_NOT_APPLIED', 'ACCEPTED']);
    expect(trail[1]).toMatchObject({ attemptId: 'attempt-of-the-dead-replica', requestId: trail[0]!.requestId, upstreamIds: [] });
    expect(trail[2]).toMatchObject({ attemptId: trail[0]!.attemptId, upstreamIds: [input.invoiceId] });
    expect(payment).toBeDefined();
    // Had this call died too while paying, whoever reconciles next must name this call, not the dead one.
    expect(await stack.services.idempotency.peek(idempotencyStoreKey(scope, 'payInvoice', input.idempotencyKey))).toMatchObject({ state: 'completed' });
  });

  it('an empty client transactionId carries the marker instead, so a payment whose answer was lost is found, not paid again', async () => {
    const invoice = unpaidInvoice(200103);
    const input = { invoiceId: invoiceGid(200103, invoice.invoiceId), amount: '6.00', transactionId: '', idempotencyKey: newKey('blank-transaction') };
    iqm.injectFault({ route: '/pay-invoice', method: 'POST', times: 1, fault: { kind: 'resetAfterApply' } });
    const first = await stack.gql<PayAnswer>(PAY, { input });
    iqm.clearFaults();
    expect(first.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(1);
    // Older than IDEMPOTENCY_RECONCILE_DELAY_MS (set back through the store rather than waited for): absence would now count.
    const key = idempotencyStoreKey(partitionKeyOf(TEST_TENANT, stack.issuer!.issuer, 'test-user'), 'payInvoice', input.idempotencyKey);
    const blocked = await stack.services.idempotency.peek(key);
    if (blocked?.state !== 'outcome_unknown') throw new Error(`expected an unknown outcome, got ${JSON.stringify(blocked)}`);
    const token = await stack.services.idempotency.takeOver(key, blocked.fingerprint, 60_000, 60_000);
    expect(await stack.services.idempotency.settle(key, token!, { ...blocked, sentAt: 0 }, 60_000)).toBe(true);
    const retry = await stack.gql<PayAnswer>(PAY, { input });
    expect(retry.data!.payInvoice).toMatchObject({ invoice: { paid: { amount: '6' } }, userErrors: [] });
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(1);
  });

  it('the orphan sweep settles a key whose holder died after IQM applied it, for a client that never retries', async () => {
    const invoice = unpaidInvoice(200101);
    const input = { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '7.00', idempotencyKey: newKey('orphan-applied') };
    iqm.injectFault({ route: '/pay-invoice', method: 'POST', times: 1, fault: { kind: 'resetAfterApply' } });
    const first = await stack.gql<PayAnswer>(PAY, { input }, { 'x-request-id': 'orphan-holder' });
    iqm.clearFaults();
    expect(first.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    // What a replica killed after sending leaves: the same claim, its lease lapsed (0 ms), its holder named.
    const store = stack.services.idempotency;
    const key = idempotencyStoreKey(partitionKeyOf(TEST_TENANT, stack.issuer!.issuer, 'test-user'), 'payInvoice', input.idempotencyKey);
    const left = await store.peek(key);
    if (left?.state !== 'outcome_unknown' || left.recovery === undefined) throw new Error(`expected an unknown outcome with its recovery, got ${JSON.stringify(left)}`);
    expect(await store.release(key, (await store.takeOver(key, left.fingerprint, 60_000, 60_000))!)).toBe(true);
    expect(await store.claim(key, left.fingerprint, 0, 60_000, { attempt: left.attempt!, recovery: left.recovery })).toMatchObject({ claimed: true });
    expect(await store.orphans(10)).toEqual([key]);

    const posts = payPosts();
    await stack.services.reconciler.sweepNow();
    expect(payPosts()).toBe(posts);
    expect(await store.peek(key)).toMatchObject({ state: 'completed' });
    expect(await store.orphans(10)).toEqual([]);
    const [payment] = paymentsOn(invoice.invoiceId);
    const trail = trailOf(input.idempotencyKey);
    expect(trail.map(({ outcome }) => outcome)).toEqual(['ATTEMPTED', 'OUTCOME_UNKNOWN', 'RECONCILED_APPLIED']);
    expect(trail[2]).toMatchObject({ attemptId: trail[0]!.attemptId, requestId: 'orphan-holder', amount: '7', currency: 'USD', targetIds: [input.invoiceId], inputDigest: trail[0]!.inputDigest });
    expect(new Set(trail[2]!.upstreamIds)).toEqual(new Set([input.invoiceId, paymentGid(200101, payment!.paymentId)]));
    // The client that comes back after all gets the payment, nothing sent.
    const retry = await stack.gql<PayAnswer>(PAY, { input });
    expect(retry.data!.payInvoice).toMatchObject({ invoice: { paid: { amount: '7' } }, userErrors: [] });
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(1);
  });

  it('the orphan sweep gives a dead holder of a key that cannot be reconciled its end: OUTCOME_UNKNOWN, the key blocked', async () => {
    const store = stack.services.idempotency;
    const idempotencyKey = newKey('orphan-blocked');
    const key = idempotencyStoreKey(partitionKeyOf(TEST_TENANT, stack.issuer!.issuer, 'test-user'), 'addPayment', idempotencyKey);
    const input = { idempotencyKey, customerId: customerGid(200102), amount: new Decimal('8.00'), paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'TX-orphan' };
    const recovery = encodeRecovery({ mutation: 'addPayment', input, tenantId: TEST_TENANT, subject: 'test-user', issuer: stack.issuer!.issuer, client: { name: 'books', version: '2' }, requestId: 'dead-request' });
    expect(await store.claim(key, 'fp', 0, 60_000, { attempt: 'dead-add-payment', recovery })).toMatchObject({ claimed: true });
    await stack.services.reconciler.sweepNow();
    // Blocked for good, so the input is not kept with it.
    expect(await store.peek(key)).toEqual({ state: 'outcome_unknown', fingerprint: 'fp', sentAt: 0, attempt: 'dead-add-payment' });
    expect(await store.orphans(10)).toEqual([]);
    expect(trailOf(idempotencyKey)).toEqual([
      expect.objectContaining({ attemptId: 'dead-add-payment', outcome: 'OUTCOME_UNKNOWN', requestId: 'dead-request', mutation: 'addPayment', amount: '8', clientName: 'books', targetIds: [customerGid(200102)] }),
    ]);
  });

  it('a refund sent again after its first attempt proved absent counts for four eyes: its initiator cannot approve it', async () => {
    const input = { customerId: customerGid(200101), amount: '2.22', paidOn: '2026-10-09', mode: 'TO_FUNDS', refundReason: 'resent', idempotencyKey: newKey('refund-resent') };
    const INITIATE = `mutation($input: InitiateRefundInput!) { initiateRefund(input: $input) { payment { id status } userErrors { code } } }`;
    // A proxy's 503 after the send, though the refund was not applied: the key is blocked until reconciled.
    iqm.injectFault({ route: '/customer/payment/refund', method: 'POST', times: 1, fault: { kind: 'respond', status: 503, body: { message: 'busy' } } });
    const first = await stack.gql(INITIATE, { input });
    iqm.clearFaults();
    expect(first.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    // The attempt is made older than IDEMPOTENCY_RECONCILE_DELAY_MS through the store, rather than waited for.
    const key = idempotencyStoreKey(partitionKeyOf(TEST_TENANT, stack.issuer!.issuer, 'test-user'), 'initiateRefund', input.idempotencyKey);
    const blocked = await stack.services.idempotency.peek(key);
    if (blocked?.state !== 'outcome_unknown') throw new Error(`expected an unknown outcome, got ${JSON.stringify(blocked)}`);
    const token = await stack.services.idempotency.takeOver(key, blocked.fingerprint, 60_000, 60_000);
    expect(await stack.services.idempotency.settle(key, token!, { ...blocked, sentAt: 0 }, 60_000)).toBe(true);

    const resent = await stack.gql<{ initiateRefund: { payment: { id: string; status: string } } }>(INITIATE, { input });
    expect(resent.data!.initiateRefund.payment.status).toBe('PROCESSING');
    const trail = trailOf(input.idempotencyKey);
    expect(trail.map(({ outcome }) => outcome)).toEqual(['ATTEMPTED', 'OUTCOME_UNKNOWN', 'ATTEMPTED', 'RECONCILED_NOT_APPLIED', 'ACCEPTED']);
    expect(trail[3]!.attemptId).toBe(trail[0]!.attemptId);
    expect(trail[4]!.upstreamIds).toEqual([resent.data!.initiateRefund.payment.id]);
    const approval = await stack.gql<{ approveRefund: { userErrors: { code: string }[] } }>(
      `mutation($input: ApproveRefundInput!) { approveRefund(input: $input) { payment { status } userErrors { code } } }`,
      { input: { paymentId: resent.data!.initiateRefund.payment.id, actionNote: 'self', idempotencyKey: newKey('self-approval') } },
    );
    expect(approval.data!.approveRefund.userErrors.map(({ code }) => code)).toEqual(['FOUR_EYES_REQUIRED']);
  });

  it('keeps the key blocked after a 503 that followed the send: a proxy answers 503 after the upstream applied a write', async () => {
    const invoice = unpaidInvoice(200102);
    const input = { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '9.99', idempotencyKey: newKey('503') };
    iqm.injectFault({ route: '/pay-invoice', method: 'POST', times: 1, fault: { kind: 'respond', status: 503, body: { message: 'busy' } } });
    const posts = payPosts();
    const unavailable = await stack.gql<PayAnswer>(PAY, { input });
    iqm.clearFaults();
    expect(unavailable.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'IQM' });
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(0);
    // No trace of the payment yet, but the attempt is younger than IDEMPOTENCY_RECONCILE_DELAY_MS: a late write may still land.
    const retried = await stack.gql<PayAnswer>(PAY, { input });
    expect(retried.data!.payInvoice.invoice).toBeNull();
    expect(retried.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['IDEMPOTENCY_OUTCOME_UNKNOWN']);
    expect(retried.data!.payInvoice.userErrors[0]!.message).toContain('a late write may still land');
    expect(paymentsOn(invoice.invoiceId)).toHaveLength(0);
    expect(payPosts() - posts).toBe(1);
  });

  it('keeps a completed key at least 24 hours', async () => {
    const invoice = unpaidInvoice(200102);
    const idempotencyKey = newKey('ttl');
    const answer = await stack.gql<PayAnswer>(PAY, { input: { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '1.00', idempotencyKey } });
    expect(answer.data!.payInvoice.userErrors).toEqual([]);
    const scope = partitionKeyOf(TEST_TENANT, stack.issuer!.issuer, 'test-user');
    const ttl = await stack.services.idempotency.ttlOf(idempotencyStoreKey(scope, 'payInvoice', idempotencyKey));
    expect(ttl).toBeGreaterThan(24 * 3600 * 1000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000);
  });

  it('refuses a missing or malformed key before any resolver runs', async () => {
    const invoice = unpaidInvoice(200102);
    const id = invoiceGid(200102, invoice.invoiceId);
    const posts = payPosts();
    const missing = await stack.gql(PAY, { input: { invoiceId: id, amount: '1.00' } });
    expect(missing.errors![0]!.message).toContain('idempotencyKey');
    const short = await stack.gql(PAY, { input: { invoiceId: id, amount: '1.00', idempotencyKey: 'abc' } });
    expect(short.errors![0]!.message).toContain('IdempotencyKey cannot represent "abc": expected 8 to 128 characters');
    const spaces = await stack.gql(`mutation { payInvoice(input: { invoiceId: "${id}", amount: "1.00", idempotencyKey: "has spaces in it" }) { userErrors { code } } }`);
    expect(spaces.errors![0]!.message).toContain('IdempotencyKey cannot represent "has spaces in it"');
    const number = await stack.gql(`mutation { payInvoice(input: { invoiceId: "${id}", amount: "1.00", idempotencyKey: 123456789 }) { userErrors { code } } }`);
    expect(number.errors![0]!.message).toContain('IdempotencyKey cannot represent a non-string value');
    expect(payPosts()).toBe(posts);
  });

  it('replays offerCredit, claimCredit, addFunds, initiateRefund and approveRefund without a second write', async () => {
    const once = async (query: string, input: Record<string, unknown>, route: string, headers: Record<string, string> = {}) => {
      const writes = () => iqm.callsTo(route, 'POST').length;
      const before = writes();
      const keyed = { ...input, idempotencyKey: newKey(route.replace(/\W+/g, '-')) };
      const first = await stack.gql(query, { input: keyed }, headers);
      expect(first.errors).toBeUndefined();
      const replay = await stack.gql(query, { input: keyed }, headers);
      expect(replay).toEqual(first);
      expect(writes() - before).toBe(1);
      return first.data!;
    };
    const offered = (await once(
      `mutation($input: OfferCreditInput!) { offerCredit(input: $input) { credit { id creditId status amount { amount currencyCode } modifiedAt } userErrors { code } } }`,
      { customerId: customerGid(200102), amount: '75.25' },
      '/customer/credit/add',
    )) as { offerCredit: { credit: { id: string; status: string }; userErrors: unknown[] } };
    expect(offered.offerCredit).toMatchObject({ credit: { status: 'UNCLAIMED' }, userErrors: [] });
    const claimed = (await once(
      `mutation($input: ClaimCreditInput!) { claimCredit(input: $input) { credit { id status amount { amount } } userErrors { code } } }`,
      {
        creditId: offered.offerCredit.credit.id,
        customerName: 'Contoso Media',
        businessName: 'Contoso Media LLC',
        taxId: 'TAX-1',
        contactPersonName: 'Ana',
        contactPersonEmail: 'ana@contoso.example',
        incorporationPlace: 'Delaware',
        address: '1 Main St',
      },
      '/credit/claim',
    )) as { claimCredit: { credit: { status: string } } };
    expect(claimed.claimCredit.credit.status).toBe('CLAIMED');
    const funded = (await once(
      `mutation($input: AddFundsInput!) { addFunds(input: $input) { availableBalance { amount currencyCode } message userErrors { code } } }`,
      { amount: '12.30', paidOn: '2026-10-08', mode: 'WIRE_TRANSFER', bankName: 'Chase' },
      '/customer/payment/add-fund',
    )) as { addFunds: { userErrors: unknown[] } };
    expect(funded.addFunds.userErrors).toEqual([]);
    const refund = (await once(
      `mutation($input: InitiateRefundInput!) { initiateRefund(input: $input) { payment { id paymentId status type amount { amount } createdAt } userErrors { code } } }`,
      { customerId: customerGid(200101), amount: '3.33', paidOn: '2026-10-09', mode: 'TO_FUNDS', refundReason: 'Idempotency test' },
      '/customer/payment/refund',
    )) as { initiateRefund: { payment: { id: string; status: string } } };
    expect(refund.initiateRefund.payment.status).toBe('PROCESSING');
    const approved = (await once(
      `mutation($input: ApproveRefundInput!) { approveRefund(input: $input) { payment { id status modifiedAt } userErrors { code } } }`,
      { paymentId: refund.initiateRefund.payment.id, actionNote: 'ok' },
      '/customer/payment/approve-refund',
      // Four eyes: someone other than the refund's initiator approves it.
      await stack.as({ subject: 'approver' }),
    )) as { approveRefund: { payment: { status: string } } };
    expect(approved.approveRefund.payment.status).toBe('PAID');
  });

  it('replays allocateReceipt (Intact) without posting a second receipt', async () => {
    const intact = stack.embedded.intact!;
    intact.state.addInvoice('CUS000003', { debit: '80.00', date: Date.UTC(2026, 8, 4), number: 'SI9100001' });
    const query = `mutation($input: AllocateReceiptInput!) {
      allocateReceipt(input: $input) {
        receipt { id number amount { amount currencyCode } unallocated { amount } paidAt }
        allocations { invoiceNumber allocated { amount } outstanding { amount } invoice { id status } }
        userErrors { field message code }
      }
    }`;
    const input = {
      customerId: directoryCustomer('tailspin'),
      amount: '50.10',
      paidAt: '2026-10-11T09:00:00Z',
      paymentBranchCode: 'LON',
      receiptTypeCode: 'CC',
      allocations: [{ invoiceNumber: 'SI9100001', amount: '30.05' }],
      idempotencyKey: newKey('intact'),
    };
    const ledgerBefore = intact.state.ledgerOf('CUS000003').length;
    const posts = intact.callsTo(undefined, 'POST').length;
    const first = await stack.gql(query, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data).toMatchObject({ allocateReceipt: { receipt: { amount: { amount: '50.1', currencyCode: 'EUR' }, unallocated: { amount: '20.05' } }, userErrors: [] } });
    const replay = await stack.gql(query, { input });
    expect(replay).toEqual(first);
    expect(intact.callsTo(undefined, 'POST').length - posts).toBe(1);
    expect(intact.state.ledgerOf('CUS000003')).toHaveLength(ledgerBefore + 1);
  });

  it('replays payRefrensInvoice (Refrens) without a second payment', async () => {
    const refrens = stack.embedded.refrens!;
    const invoiceId = Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a02'])}`).toString('base64url');
    const query = `mutation($input: PayRefrensInvoiceInput!) {
      payRefrensInvoice(input: $input) {
        payment { id amount { amount currencyCode } method status tds { amount } transactionCharge { amount } paidAt reference }
        invoice { id paid { amount } outstanding { amount } status }
        userErrors { field message code }
      }
    }`;
    const input = { invoiceId, amount: '250.75', tds: '2.5', method: 'UPI', paidAt: '2026-10-06T10:00:00Z', reference: 'UPI-IDEM', idempotencyKey: newKey('refrens') };
    const posts = refrens.callsTo(undefined, 'POST').length;
    const first = await stack.gql<{ payRefrensInvoice: { userErrors: UserError[] } }>(query, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.payRefrensInvoice.userErrors).toEqual([]);
    const replay = await stack.gql(query, { input });
    expect(replay).toEqual(first);
    expect(refrens.callsTo(undefined, 'POST').length - posts).toBe(1);
    const listed = await stack.gql<{ node: { payments: { reference: string | null }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on RefrensInvoice { payments { reference } } } }`,
      { id: invoiceId },
    );
    expect(listed.data!.node.payments.filter((payment) => payment.reference === 'UPI-IDEM')).toHaveLength(1);
  });

  it('replays createIqmetrixInvoice (iQmetrix) without creating a second invoice', async () => {
    const iqmetrix = stack.embedded.iqmetrix!;
    const query = `mutation($input: CreateIqmetrixInvoiceInput!) {
      createIqmetrixInvoice(input: $input) {
        invoice { id number total { amount currencyCode } paid { amount } status createdAt orders { items { sku sellingPrice { amount } quantity } } }
        userErrors { field message code }
      }
    }`;
    const input = {
      customerId: IQMETRIX_DEMO_CUSTOMERS.contosoMedia,
      locationId: 4,
      employeeId: 15,
      printableId: 'INV-IDEM-1',
      orders: [{ items: [{ description: 'Charger', quantity: 3, sellingPrice: '12.50', sku: 'CHG-1' }] }],
      payments: [{ amount: '5.00', paymentMethodId: 4 }],
      idempotencyKey: newKey('iqmetrix'),
    };
    const posts = iqmetrix.callsTo(undefined, 'POST').length;
    const first = await stack.gql<{ createIqmetrixInvoice: { userErrors: UserError[] } }>(query, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data).toMatchObject({ createIqmetrixInvoice: { invoice: { total: { amount: '37.5', currencyCode: 'CAD' }, status: 'PARTIALLY_PAID' }, userErrors: [] } });
    const replay = await stack.gql(query, { input });
    expect(replay).toEqual(first);
    expect(iqmetrix.callsTo(undefined, 'POST').length - posts).toBe(1);
  });
});

/**
 * A new unpaid invoice of the customer, copied from its seeded unpaid one, so each test pays an
 * invoice no other test touches (the seed has one unpaid invoice per customer).
 */
function freshUnpaidInvoice(iqm: IqmSimulator, owId: number): SimInvoice {
  const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === owId && candidate.status === 3)!;
  const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
  const invoice: SimInvoice = { ...template, invoiceId, invoiceName: `Idempotency test ${invoiceId}`, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
  iqm.state.invoices.set(invoiceId, invoice);
  return invoice;
}

describe('Idempotency: timeouts', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;

  beforeAll(async () => {
    stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '2000' } });
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('50 concurrent payments whose write times out: none is sent twice; after checking, a new key pays exactly once', async () => {
    const invoice = freshUnpaidInvoice(iqm, 200103);
    const id = invoiceGid(200103, invoice.invoiceId);
    const paymentsOn = () => [...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoice.invoiceId);
    const input = { invoiceId: id, amount: '4.20', idempotencyKey: newKey('timeout') };
    iqm.injectFault({ route: '/pay-invoice', method: 'POST', times: 1, fault: { kind: 'latency', ms: 1_500 } });
    const answers = await Promise.all(Array.from({ length: 50 }, () => stack.gql<PayAnswer>(PAY, { input })));
    const timedOut = answers.filter((answer) => answer.errors !== undefined);
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]!.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', system: 'IQM' });
    const codes = new Set(answers.filter((answer) => answer.errors === undefined).map((answer) => answer.data!.payInvoice.userErrors[0]?.code));
    expect([...codes].every((code) => code === 'IDEMPOTENCY_IN_PROGRESS' || code === 'IDEMPOTENCY_OUTCOME_UNKNOWN')).toBe(true);

    const retry = await stack.gql<PayAnswer>(PAY, { input });
    expect(retry.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['IDEMPOTENCY_OUTCOME_UNKNOWN']);
    // The simulator drops the abandoned request (its body can no longer be read once the gateway has
    // closed the connection), so the follow-up the error asks for finds no payment and pays with a new key.
    const check = await stack.gql<{ node: { paid: { amount: string }; payments: { totalCount: number | null } } }>(
      `query($id: ID!) { node(id: $id) { ... on IqmInvoice { paid { amount } payments(first: 10) { totalCount } } } }`,
      { id },
    );
    expect(check.data!.node).toEqual({ paid: { amount: '0' }, payments: { totalCount: 0 } });
    const paid = await stack.gql<PayAnswer>(PAY, { input: { ...input, idempotencyKey: newKey('timeout-follow-up') } });
    expect(paid.data!.payInvoice.userErrors).toEqual([]);
    expect(paymentsOn().map((payment) => payment.paymentAmount.toFixed())).toEqual(['4.2']);
    expect(iqm.callsTo('/pay-invoice', 'POST')).toHaveLength(1);
  });
});

describe('Idempotency: writes that never left the gateway', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ env: { UPSTREAM_BREAKER_FAILURES: '1', UPSTREAM_BREAKER_COOLDOWN_MS: '200' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('frees the key when the breaker refused the write, so the same key pays once after the cool-down', async () => {
    const refrens = stack.embedded.refrens!;
    const invoiceId = Buffer.from(`RefrensInvoice:REFRENS:${JSON.stringify(['northwind-traders', '64f1a2b3c4d5e6f708192a01'])}`).toString('base64url');
    const query = `mutation($input: PayRefrensInvoiceInput!) {
      payRefrensInvoice(input: $input) { payment { reference amount { amount } } userErrors { code } }
    }`;
    type Answer = { payRefrensInvoice: { payment: { reference: string | null } | null; userErrors: { code: string }[] } };
    const pay = (key: string, reference: string) =>
      stack.gql<Answer>(query, { input: { invoiceId, amount: '10', method: 'UPI', reference, idempotencyKey: key } });

    // A 502 on a write is ambiguous (its key stays blocked) and, with a threshold of 1, opens the breaker.
    refrens.injectFault({ route: '/payments', method: 'POST', times: 1, fault: { kind: 'respond', status: 502 } });
    const opened = await pay(newKey('breaker-opener'), 'UPI-OPENER');
    expect(opened.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'REFRENS' });
    const postsBefore = refrens.callsTo(undefined, 'POST').length;

    const key = newKey('breaker-refused');
    const refused = await pay(key, 'UPI-AFTER-BREAKER');
    expect(refused.errors?.[0]?.message).toContain('circuit is open');
    expect(refrens.callsTo(undefined, 'POST').length).toBe(postsBefore);

    // Polled, never timed: while the breaker is open the same key keeps being refused, not blocked.
    let answer = await pay(key, 'UPI-AFTER-BREAKER');
    for (let tries = 0; answer.errors !== undefined && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await pay(key, 'UPI-AFTER-BREAKER');
    }
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.payRefrensInvoice).toEqual({ payment: { reference: 'UPI-AFTER-BREAKER', amount: { amount: '10' } }, userErrors: [] });
    expect(refrens.callsTo(undefined, 'POST').length - postsBefore).toBe(1);
  });
});

describe('Idempotency: a bounded in-memory store', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ env: { IDEMPOTENCY_MEMORY_MAX_KEYS: '2' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses a new key when full (IDEMPOTENCY_STORE_FULL, nothing sent) and still answers the keys it holds', async () => {
    const iqm = stack.embedded.iqm!;
    const invoice = freshUnpaidInvoice(iqm, 200101);
    const pay = (idempotencyKey: string) => stack.gql<PayAnswer>(PAY, { input: { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '1.00', idempotencyKey } });
    const firstKey = newKey('full-1');
    const first = await pay(firstKey);
    const second = await pay(newKey('full-2'));
    expect([first, second].map((answer) => answer.data!.payInvoice.userErrors)).toEqual([[], []]);
    const posts = iqm.callsTo('/pay-invoice', 'POST').length;
    const refused = await pay(newKey('full-3'));
    expect(refused.data!.payInvoice).toEqual({
      invoice: null,
      userErrors: [
        {
          field: ['input', 'idempotencyKey'],
          message: 'the gateway holds as many idempotency keys as it may (IDEMPOTENCY_MEMORY_MAX_KEYS); nothing was sent. Retry later with the same idempotencyKey',
          code: 'IDEMPOTENCY_STORE_FULL',
        },
      ],
    });
    expect(iqm.callsTo('/pay-invoice', 'POST').length).toBe(posts);
    // No live key was evicted to make room: the first payment's retry still replays, without a second write.
    expect(await pay(firstKey)).toEqual(first);
    expect(iqm.callsTo('/pay-invoice', 'POST').length).toBe(posts);
    expect([...iqm.state.payments.values()].filter((payment) => payment.invoiceId === invoice.invoiceId)).toHaveLength(2);
  });
});

describe('Idempotency: payload codec and fingerprint', () => {
  it('restores Decimal and Date values and keeps data that looks like a tag', () => {
    const payload = {
      invoice: { total: { amount: toDecimal('1250.50'), currencyCode: 'USD' }, modifiedAt: new Date('2026-10-05T10:00:00.000Z'), modes: ['CHEQUE'], note: null },
      tricky: { $decimal: 'not a decimal' },
      userErrors: [],
    };
    const decoded = decodePayload(encodePayload(payload)) as typeof payload;
    expect(decoded).toEqual(payload);
    expect(Decimal.isDecimal(decoded.invoice.total.amount)).toBe(true);
    expect(decoded.invoice.total.amount.toFixed(2)).toBe('1250.50');
    expect(decoded.invoice.modifiedAt).toBeInstanceOf(Date);
    expect(decoded.tricky).toEqual({ $decimal: 'not a decimal' });
  });

  it('refuses values it could not restore', () => {
    expect(() => encodePayload({ lookup: new Map() })).toThrow('cannot store a Map at $.lookup');
    expect(() => encodePayload({ when: new Date(Number.NaN) })).toThrow('invalid Date');
  });

  it('fingerprints the input without its key, independent of field order, null/absent and decimal notation', () => {
    const a = fingerprintOf({ idempotencyKey: 'key-00001', invoiceId: 'x', amount: new Decimal('10.50'), bankName: null });
    const b = fingerprintOf({ amount: new Decimal('10.5'), invoiceId: 'x', idempotencyKey: 'key-00002' });
    const c = fingerprintOf({ amount: new Decimal('10.51'), invoiceId: 'x', idempotencyKey: 'key-00001' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('the memory store turns a lapsed claim into an unknown outcome (never a free key), hands it to one reconciler, and refuses a stranger', async () => {
    let now = 1_000;
    const store = new MemoryIdempotencyStore(10, () => now);
    const first = await store.claim('k', 'fp', 100, 5_000, { attempt: 'attempt-1' });
    if (!first.claimed) throw new Error('expected the claim');
    expect(await store.claim('k', 'fp', 100, 5_000)).toEqual({ claimed: false, existing: { state: 'in_progress', fingerprint: 'fp', token: first.token, attempt: 'attempt-1' } });
    expect(await store.takeOver('k', 'fp', 100, 5_000)).toBeNull();
    now += 100;
    // The holder may have sent its write before dying: the key is not free, it is to be reconciled, and it names the holder's attempt.
    expect(await store.claim('k', 'fp', 100, 5_000)).toEqual({ claimed: false, existing: { state: 'outcome_unknown', fingerprint: 'fp', sentAt: 0, attempt: 'attempt-1' } });
    expect(await store.takeOver('k', 'other-input', 100, 5_000)).toBeNull();
    const reconciler = await store.takeOver('k', 'fp', 100, 5_000);
    expect(reconciler).toEqual(expect.any(String));
    // The reconciler holds the key under the attempt it is settling.
    expect(await store.peek('k')).toEqual({ state: 'in_progress', fingerprint: 'fp', token: reconciler, attempt: 'attempt-1' });
    expect(await store.takeOver('k', 'fp', 100, 5_000)).toBeNull();
    expect(await store.settle('k', first.token, { state: 'completed', fingerprint: 'fp', payload: '{}' }, 1_000)).toBe(false);
    expect(await store.release('k', 'not-the-token')).toBe(false);
    expect(await store.settle('k', reconciler!, { state: 'completed', fingerprint: 'fp', payload: '{}' }, 1_000)).toBe(true);
    expect(await store.ttlOf('k')).toBe(1_000);
    now += 1_000;
    expect(await store.ttlOf('k')).toBeNull();
    await store.close();
  });

  it('the memory store refuses a claim beyond its bound instead of evicting a live key, and makes room as keys expire', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(2, () => now);
    expect((await store.claim('a', 'fp', 100, 1_000)).claimed).toBe(true);
    expect((await store.claim('b', 'fp', 100, 2_000)).claimed).toBe(true);
    await expect(store.claim('c', 'fp', 100, 1_000)).rejects.toBeInstanceOf(IdempotencyStoreFullError);
    // Both live keys are still there, and still answer.
    expect((await store.claim('a', 'fp', 100, 1_000)).claimed).toBe(false);
    expect((await store.claim('b', 'fp', 100, 1_000)).claimed).toBe(false);
    now = 1_000;
    expect((await store.claim('c', 'fp', 100, 1_000)).claimed).toBe(true);
    expect(store.size).toBe(2);
    await store.close();
  });
});

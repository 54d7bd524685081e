import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteDatabase, postgresDatabase, type SqlAuditStore, type SqlDatabase } from '../src/audit/index.js';
import { ALL_SCOPES } from '../src/auth/index.js';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { OTHER_TEST_TENANT, TEST_TENANT } from './helpers/auth.js';
import { customerGid, invoiceGid, upload } from './helpers/iqm.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { startStack, type TestStack } from './helpers/stack.js';

const run = promisify(execFile);

interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}
interface AuditRecord {
  sequence: number;
  attemptId: string;
  at: string;
  subject: string;
  issuer: string;
  clientName: string | null;
  clientVersion: string | null;
  mutation: string;
  amount: string | null;
  currency: string | null;
  targetIds: string[];
  inputDigest: string;
  idempotencyKey: string | null;
  outcome: string;
  code: string | null;
  upstreamIds: string[];
  requestId: string;
  traceId: string | null;
  previousHash: string;
  hash: string;
}
interface TrailAnswer {
  auditTrail: { edges: { cursor: string; node: AuditRecord }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const TRAIL = /* GraphQL */ `
  query Trail($filter: AuditFilter, $first: Int, $after: String) {
    auditTrail(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          sequence attemptId at subject issuer clientName clientVersion mutation amount currency targetIds inputDigest
          idempotencyKey outcome code upstreamIds requestId traceId previousHash hash
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const ADD_PAYMENT = /* GraphQL */ `
  mutation Add($input: AddPaymentInput!) {
    addPayment(input: $input) { payment { id status } userErrors { field message code } }
  }
`;
const APPROVE_PAYMENT = /* GraphQL */ `
  mutation Approve($input: PaymentActionInput!) {
    approvePayment(input: $input) { payment { id status } userErrors { field message code } }
  }
`;
const INITIATE_REFUND = /* GraphQL */ `
  mutation Refund($input: InitiateRefundInput!) {
    initiateRefund(input: $input) { payment { id status } userErrors { field message code } }
  }
`;
const APPROVE_REFUND = /* GraphQL */ `
  mutation ApproveRefund($input: ApproveRefundInput!) {
    approveRefund(input: $input) { payment { id status } userErrors { field message code } }
  }
`;
type PaymentAnswer<K extends string> = { [key in K]: { payment: { id: string; status: string } | null; userErrors: UserError[] } };

let keys = 0;
const newKey = (label: string) => `audit-${label}-${++keys}-${process.pid}`;
const NORTHWIND = 200101;
const HARBOR = 300101;

const addPaymentInput = (label: string, amount = '1.00') => ({
  idempotencyKey: newKey(label),
  customerId: customerGid(NORTHWIND),
  amount,
  paidOn: '2026-10-01',
  mode: 'CHEQUE',
  type: 'AS_FUND',
  transactionId: `TX-${label}`,
});

/** Everything a test needs to know about the store under test, besides the gateway. */
interface AuditBackend {
  readonly env: Record<string, string>;
  /** A superuser connection to the audit database (PostgreSQL); null for PGlite, which admits one opener: the gateway. */
  readonly superuser: (() => Promise<SqlDatabase>) | null;
  close(): Promise<void>;
}

function auditSuite(name: string, backend: () => Promise<AuditBackend>) {
  describe(`Audit trail: ${name}`, () => {
    let store: AuditBackend;
    let stack: TestStack;
    let iqm: IqmSimulator;
    const upstreamWrites = () => iqm.callsTo().filter((call) => call.method !== 'GET').length;
    const trail = async (filter: Record<string, unknown> = {}, first = 100, headers: Record<string, string> = {}) => {
      const answer = await stack.gql<TrailAnswer>(TRAIL, { filter, first }, headers);
      expect(answer.errors).toBeUndefined();
      return answer.data!.auditTrail.edges.map((edge) => edge.node);
    };
    const byRequest = async (requestId: string) => (await trail()).filter((record) => record.requestId === requestId).reverse();
    let requests = 0;
    const requestId = (label: string) => `audit-${label}-${++requests}-${process.pid}`;

    beforeAll(async () => {
      store = await backend();
      stack = await startStack({ env: store.env });
      iqm = stack.embedded.iqm!;
      // The embedded store opens at its first use; open it here so no test pays for it.
      await stack.services.audit.ready();
    }, 180_000);
    afterAll(async () => {
      await stack?.close();
      await store?.close();
    });

    it('records an accepted money move twice (ATTEMPTED, then ACCEPTED) with who, what, how much and what it created', async () => {
      const id = requestId('accepted');
      const input = { idempotencyKey: newKey('accepted'), customerId: customerGid(NORTHWIND), amount: '12.30', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'TX-AUDIT-1' };
      const answer = await stack.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, { input }, {
        'x-request-id': id,
        'apollographql-client-name': 'audit-test-client',
        'apollographql-client-version': '1.2.3',
      });
      expect(answer.data!.addPayment.userErrors).toEqual([]);
      const paymentId = answer.data!.addPayment.payment!.id;
      const [attempt, outcome] = await byRequest(id);
      const common = {
        subject: 'test-user',
        issuer: stack.issuer!.issuer,
        clientName: 'audit-test-client',
        clientVersion: '1.2.3',
        mutation: 'addPayment',
        amount: '12.3',
        currency: 'USD',
        targetIds: [customerGid(NORTHWIND)],
        idempotencyKey: input.idempotencyKey,
        requestId: id,
        traceId: null,
      };
      expect(attempt).toMatchObject({ ...common, outcome: 'ATTEMPTED', code: null, upstreamIds: [] });
      expect(outcome).toMatchObject({ ...common, outcome: 'ACCEPTED', code: null, upstreamIds: [paymentId], attemptId: attempt!.attemptId });
      expect(attempt!.inputDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(outcome!.inputDigest).toBe(attempt!.inputDigest);
      expect(outcome!.sequence).toBe(attempt!.sequence + 1);
      expect(outcome!.previousHash).toBe(attempt!.hash);
    });

    it('records replays, idempotency refusals, validation refusals, upstream failures and unknown outcomes with their codes', async () => {
      const key = newKey('kinds');
      const input = { idempotencyKey: key, customerId: customerGid(NORTHWIND), amount: '7.00', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'TX-AUDIT-2' };
      await stack.gql(ADD_PAYMENT, { input }, { 'x-request-id': requestId('first') });
      const cases: { label: string; send: (id: string) => Promise<unknown>; outcome: string; code: string | null }[] = [
        { label: 'replay', send: (id) => stack.gql(ADD_PAYMENT, { input }, { 'x-request-id': id }), outcome: 'REPLAYED', code: null },
        { label: 'reuse', send: (id) => stack.gql(ADD_PAYMENT, { input: { ...input, amount: '8.00' } }, { 'x-request-id': id }), outcome: 'REFUSED', code: 'IDEMPOTENCY_KEY_REUSED' },
        {
          label: 'invalid',
          send: (id) => stack.gql(ADD_PAYMENT, { input: { ...input, idempotencyKey: newKey('invalid'), amount: '0' } }, { 'x-request-id': id }),
          outcome: 'REFUSED',
          code: 'INVALID_INPUT',
        },
        {
          label: 'ambiguous-503',
          send: (id) => {
            iqm.injectFault({ route: '/customer/payment/add', method: 'POST', times: 1, fault: { kind: 'respond', status: 503 } });
            return stack.gql(ADD_PAYMENT, { input: { ...input, idempotencyKey: newKey('failed') } }, { 'x-request-id': id });
          },
          // A 503 after the write was sent may follow an applied write: ambiguous, not failed (issue 12).
          outcome: 'OUTCOME_UNKNOWN',
          code: 'UPSTREAM_UNAVAILABLE',
        },
        {
          label: 'unknown',
          send: (id) => {
            iqm.injectFault({ route: '/customer/payment/add', method: 'POST', times: 1, fault: { kind: 'resetAfterApply' } });
            return stack.gql(ADD_PAYMENT, { input: { ...input, idempotencyKey: newKey('unknown') } }, { 'x-request-id': id });
          },
          outcome: 'OUTCOME_UNKNOWN',
          code: 'UPSTREAM_UNAVAILABLE',
        },
        {
          // Refused before execution (no resolver runs), recorded all the same, with who tried and for how much.
          label: 'forbidden',
          send: async (id) => {
            const writes = iqm.callsTo('/customer/payment/add', 'POST').length;
            const caller = await stack.as({ scopes: ALL_SCOPES.filter((scope) => scope !== 'payments:write') });
            const answer = await stack.gql(ADD_PAYMENT, { input: { ...input, idempotencyKey: newKey('forbidden') } }, { ...caller, 'x-request-id': id });
            expect(answer.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
            expect(iqm.callsTo('/customer/payment/add', 'POST').length).toBe(writes);
          },
          outcome: 'REFUSED',
          code: 'FORBIDDEN',
        },
      ];
      for (const { label, send, outcome, code } of cases) {
        const id = requestId(label);
        await send(id);
        const records = await byRequest(id);
        expect(records.map((record) => record.outcome), label).toEqual(['ATTEMPTED', outcome]);
        expect(records[1]!.code, label).toBe(code);
        const amount = { reuse: '8', invalid: '0' }[label] ?? '7';
        expect(records[1]!).toMatchObject({ mutation: 'addPayment', amount, targetIds: [customerGid(NORTHWIND)], attemptId: records[0]!.attemptId });
      }
    });

    it('records mutations that move no money too (approveInvoice)', async () => {
      const id = requestId('nomoney');
      const invoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === NORTHWIND)!;
      await stack.gql(`mutation { approveInvoice(input: { invoiceId: "${invoiceGid(NORTHWIND, invoice.invoiceId)}" }) { userErrors { code } } }`, {}, { 'x-request-id': id });
      const records = await byRequest(id);
      expect(records.map((record) => [record.mutation, record.outcome, record.amount, record.idempotencyKey])).toEqual([
        ['approveInvoice', 'ATTEMPTED', null, null],
        ['approveInvoice', records[1]!.outcome, null, null],
      ]);
      expect(records[0]!.targetIds).toEqual([invoiceGid(NORTHWIND, invoice.invoiceId)]);
    });

    it('keeps no token and no proof file bytes in any record', async () => {
      const marker = `PROOF-BYTES-${process.pid}-DO-NOT-STORE`;
      const proof = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(marker)]);
      const staged = await upload(stack, proof, 'proof.pdf', 'application/pdf');
      expect(staged.status).toBe(201);
      const id = requestId('secret');
      const input = {
        idempotencyKey: newKey('secret'),
        customerId: customerGid(NORTHWIND),
        amount: '3.00',
        paidOn: '2026-10-01',
        mode: 'CHEQUE',
        type: 'AS_FUND',
        transactionId: 'TX-AUDIT-3',
        paymentProofUploadId: staged.body.id,
      };
      const answer = await stack.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, { input }, { 'x-request-id': id });
      expect(answer.data!.addPayment.userErrors).toEqual([]);
      const token = stack.auth['authorization']!.replace('Bearer ', '');
      let text = JSON.stringify(await byRequest(id));
      if (store.superuser) {
        // Every column as stored, not only what the API shows.
        const db = await store.superuser();
        try {
          const { rows } = await db.query<{ row: unknown }>('SELECT row_to_json(audit_records) AS row FROM audit_records WHERE request_id = $1', [id]);
          expect(rows).toHaveLength(2);
          text = JSON.stringify(rows);
        } finally {
          await db.close();
        }
      }
      expect(text).toContain(input.idempotencyKey);
      expect(text).not.toContain(marker);
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]!);
      expect(text).not.toContain('Bearer');
    });

    it('four eyes: whoever initiated a refund or added a payment cannot approve it; someone else can', async () => {
      const alice = await stack.as({ subject: 'alice' });
      const bob = await stack.as({ subject: 'bob' });
      const refund = await stack.gql<PaymentAnswer<'initiateRefund'>>(INITIATE_REFUND, {
        input: { idempotencyKey: newKey('refund'), customerId: customerGid(NORTHWIND), amount: '5.00', paidOn: '2026-10-01', mode: 'CHEQUE', refundReason: 'duplicate charge' },
      }, alice);
      expect(refund.data!.initiateRefund.userErrors).toEqual([]);
      const refundId = refund.data!.initiateRefund.payment!.id;
      const approveRefundCalls = () => iqm.callsTo('/approve-refund').length;

      const before = upstreamWrites();
      const selfApproval = await stack.gql<PaymentAnswer<'approveRefund'>>(APPROVE_REFUND, { input: { idempotencyKey: newKey('self'), paymentId: refundId } }, { ...alice, 'x-request-id': requestId('self') });
      expect(selfApproval.data!.approveRefund).toEqual({ payment: null, userErrors: [expect.objectContaining({ code: 'FOUR_EYES_REQUIRED', field: ['input', 'paymentId'] })] });
      expect(upstreamWrites()).toBe(before);
      const refused = (await trail({ subject: 'alice', mutation: 'approveRefund', outcome: 'REFUSED' }))[0]!;
      expect(refused).toMatchObject({ code: 'FOUR_EYES_REQUIRED', targetIds: [refundId] });

      const calls = approveRefundCalls();
      const approved = await stack.gql<PaymentAnswer<'approveRefund'>>(APPROVE_REFUND, { input: { idempotencyKey: newKey('other'), paymentId: refundId } }, bob);
      expect(approved.data!.approveRefund.userErrors).toEqual([]);
      expect(approved.data!.approveRefund.payment!.id).toBe(refundId);
      expect(approveRefundCalls()).toBeGreaterThan(calls);

      const payment = await stack.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, {
        input: { idempotencyKey: newKey('pay'), customerId: customerGid(NORTHWIND), amount: '9.00', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'TX-AUDIT-4' },
      }, bob);
      const paymentId = payment.data!.addPayment.payment!.id;
      const writes = upstreamWrites();
      const own = await stack.gql<PaymentAnswer<'approvePayment'>>(APPROVE_PAYMENT, { input: { paymentId } }, bob);
      expect(own.data!.approvePayment.userErrors.map((error) => error.code)).toEqual(['FOUR_EYES_REQUIRED']);
      expect(upstreamWrites()).toBe(writes);
      const other = await stack.gql<PaymentAnswer<'approvePayment'>>(APPROVE_PAYMENT, { input: { paymentId } }, alice);
      expect(other.data!.approvePayment.userErrors).toEqual([]);
      expect(other.data!.approvePayment.payment!.id).toBe(paymentId);
    });

    it.runIf(name === 'PostgreSQL')('four eyes holds on another replica: the initiator comes from the shared trail', async () => {
      const carol = await stack.as({ subject: 'carol' });
      const payment = await stack.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, { input: addPaymentInput('replica', '2.00') }, carol);
      const paymentId = payment.data!.addPayment.payment!.id;
      const replica = await startStack({ issuer: stack.issuer!, reuseEmbedded: stack.embedded, env: store.env });
      try {
        const own = await replica.gql<PaymentAnswer<'approvePayment'>>(APPROVE_PAYMENT, { input: { paymentId } }, carol);
        expect(own.data!.approvePayment.userErrors.map((error) => error.code)).toEqual(['FOUR_EYES_REQUIRED']);
      } finally {
        await replica.close();
      }
    });

    it('auditTrail: newest first, filters by subject, mutation, outcome, target and time, pages with cursors', async () => {
      const dave = await stack.as({ subject: 'dave' });
      for (let index = 0; index < 5; index += 1) {
        await stack.gql(ADD_PAYMENT, {
          input: { idempotencyKey: newKey(`page${index}`), customerId: customerGid(NORTHWIND), amount: `${index + 1}.00`, paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: `TX-PAGE-${index}` },
        }, dave);
      }
      const all = await trail({ subject: 'dave' });
      expect(all).toHaveLength(10);
      expect(all.map((record) => record.sequence)).toEqual([...all.map((record) => record.sequence)].sort((a, b) => b - a));
      expect(all.map((record) => record.amount).filter((_, index) => index % 2 === 0)).toEqual(['5', '4', '3', '2', '1']);
      expect(await trail({ subject: 'dave', outcome: 'ACCEPTED' })).toHaveLength(5);
      expect(await trail({ subject: 'dave', mutation: 'approvePayment' })).toEqual([]);
      expect(await trail({ subject: 'nobody' })).toEqual([]);
      const created = all[0]!.upstreamIds[0]!;
      expect((await trail({ targetId: created })).map((record) => record.sequence)).toEqual([all[0]!.sequence]);
      expect((await trail({ subject: 'dave', targetId: customerGid(NORTHWIND) }))).toHaveLength(10);
      const middle = all[5]!;
      const since = await trail({ subject: 'dave', from: middle.at });
      expect(since.every((record) => record.at >= middle.at)).toBe(true);
      expect(since.map((record) => record.sequence)).toContain(middle.sequence);
      const until = await trail({ subject: 'dave', to: middle.at });
      expect(until.every((record) => record.at < middle.at)).toBe(true);
      expect(since.length + until.length).toBe(10);

      const seen: number[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page += 1) {
        const answer: Awaited<ReturnType<typeof stack.gql<TrailAnswer>>> = await stack.gql<TrailAnswer>(TRAIL, { filter: { subject: 'dave' }, first: 3, after }, {});
        const connection = answer.data!.auditTrail;
        seen.push(...connection.edges.map((edge) => edge.node.sequence));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(seen).toEqual(all.map((record) => record.sequence));
      const bad = await stack.gql(TRAIL, { first: 3, after: 'not-a-cursor' });
      expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it('auditTrail: another tenant sees none of these records, and a caller without audit:read is FORBIDDEN', async () => {
      const harbor = await stack.as({ tenant: OTHER_TEST_TENANT, subject: 'harbor-user' });
      await stack.gql(ADD_PAYMENT, {
        input: { idempotencyKey: newKey('harbor'), customerId: customerGid(HARBOR), amount: '1.00', paidOn: '2026-10-01', mode: 'CHEQUE', type: 'AS_FUND', transactionId: 'TX-HARBOR' },
      }, harbor);
      const theirs = await trail({}, 100, harbor);
      expect(theirs.length).toBeGreaterThan(0);
      expect(theirs.every((record) => record.subject === 'harbor-user')).toBe(true);
      expect(theirs.map((record) => record.sequence)).toEqual([2, 1]);
      // Filters never widen the tenant: naming our subjects or targets from their side finds nothing.
      expect(await trail({ subject: 'test-user' }, 100, harbor)).toEqual([]);
      expect(await trail({ targetId: customerGid(NORTHWIND) }, 100, harbor)).toEqual([]);
      const ours = await trail();
      expect(ours.some((record) => record.subject === 'harbor-user')).toBe(false);

      const noScope = await stack.as({ tenant: TEST_TENANT, scopes: ALL_SCOPES.filter((scope) => scope !== 'audit:read') });
      const refused = await stack.gql<TrailAnswer>(TRAIL, {}, noScope);
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('every tenant chain verifies', async () => {
      const report = await (stack.services.audit as SqlAuditStore).verify();
      expect(report.broken).toEqual([]);
      expect(report.tenants.map((entry) => entry.tenant).sort()).toEqual([TEST_TENANT, OTHER_TEST_TENANT].sort());
    });
  });
}

const verifyCommand = (env: Record<string, string>) =>
  run('npx', ['tsx', 'src/audit/verifyCommand.ts'], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

auditSuite('PostgreSQL', async () => {
  const postgres = await startPostgres();
  return { env: { DATABASE_URL: postgres.url }, superuser: async () => postgresDatabase(postgres.superuserUrl, () => undefined), close: () => postgres.destroy() };
});
auditSuite('PGlite', async () => ({ env: { AUDIT_DATA_DIR: 'memory://' }, superuser: null, close: async () => undefined }));


describe('Audit trail: PostgreSQL shared by replicas, tampering and outages', () => {
  let postgres: TestPostgres;
  let first: TestStack;
  let second: TestStack;
  const superuser = () => new pg.Client({ connectionString: postgres.superuserUrl });

  beforeAll(async () => {
    postgres = await startPostgres();
    first = await startStack({ env: { DATABASE_URL: postgres.url } });
    // Two replicas starting together against a fresh database: both migrate, once.
    [second] = await Promise.all([startStack({ issuer: first.issuer!, reuseEmbedded: first.embedded, env: { DATABASE_URL: postgres.url } })]);
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await postgres?.destroy();
  });

  it('replicas appending at once never fork a tenant chain: every sequence once, every link intact', async () => {
    const sends = Array.from({ length: 40 }, (_, index) =>
      (index % 2 === 0 ? first : second).gql(ADD_PAYMENT, { input: addPaymentInput(`race${index}`, index % 4 === 0 ? '0' : '1.00') }),
    );
    await Promise.all(sends);
    const client = superuser();
    await client.connect();
    try {
      const { rows } = await client.query<{ sequence: string }>('SELECT sequence FROM audit_records WHERE tenant = $1 ORDER BY sequence', [TEST_TENANT]);
      expect(rows.map((row) => Number(row.sequence))).toEqual(Array.from({ length: 80 }, (_, index) => index + 1));
      const { rows: migrations } = await client.query<{ version: number }>('SELECT version FROM audit_migrations');
      expect(migrations).toEqual([{ version: 1 }]);
    } finally {
      await client.end();
    }
    const report = await (first.services.audit as SqlAuditStore).verify();
    expect(report.broken).toEqual([]);
    expect(report.tenants).toEqual([{ tenant: TEST_TENANT, records: 80 }]);
  });

  it('the gateway\'s own role cannot change or delete a record: the database refuses', async () => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      await expect(client.query("UPDATE audit_records SET amount = '1000000' WHERE sequence = 1")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM audit_records WHERE sequence = 1')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE audit_records')).rejects.toThrow(/append-only/);
      await expect(client.query('UPDATE audit_heads SET sequence = 1')).rejects.toThrow(/one record forward/);
    } finally {
      await client.end();
    }
  });

  it('an edit or a deletion made behind the gateway\'s back (superuser, triggers bypassed) is named by npm run audit:verify', async () => {
    await first.gql(ADD_PAYMENT, { input: addPaymentInput('harbor', '1.00') }, await first.as({ tenant: OTHER_TEST_TENANT, subject: 'harbor-user' }));
    await first.gql(ADD_PAYMENT, { input: addPaymentInput('harbor2', '2.00') }, await first.as({ tenant: OTHER_TEST_TENANT, subject: 'harbor-user' }));
    const clean = await verifyCommand({ DATABASE_URL: postgres.url });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`ok ${TEST_TENANT}: 80 records`);

    const client = superuser();
    await client.connect();
    try {
      await client.query("SET session_replication_role = 'replica'");
      await client.query("UPDATE audit_records SET amount = '1000000.00' WHERE tenant = $1 AND sequence = 17", [TEST_TENANT]);
      await client.query('DELETE FROM audit_records WHERE tenant = $1 AND sequence = 2', [OTHER_TEST_TENANT]);
    } finally {
      await client.end();
    }
    const broken = await verifyCommand({ DATABASE_URL: postgres.url });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN ${TEST_TENANT}: record 17: its hash does not match its contents`);
    expect(broken.stdout).toContain(`BROKEN ${OTHER_TEST_TENANT}: record 2:`);
    expect(broken.stderr).toMatch(/audit trail BROKEN/);
  }, 60_000);

  it('with the database down a money move is refused (AUDIT_UNAVAILABLE) and nothing reaches the upstream; it works again once the database is back', async () => {
    const iqm = first.embedded.iqm!;
    const writes = () => iqm.callsTo().filter((call) => call.method !== 'GET').length;
    await postgres.stop();
    try {
      const before = writes();
      const input = addPaymentInput('down', '4.00');
      const answer = await first.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, { input });
      expect(answer.data?.addPayment ?? null).toBeNull();
      expect(answer.errors![0]!.extensions).toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      const approve = await first.gql(APPROVE_PAYMENT, { input: { paymentId: 'x' } });
      expect(approve.errors![0]!.extensions).toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      expect(writes()).toBe(before);
    } finally {
      await postgres.start();
    }
    const again = await first.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, { input: addPaymentInput('back', '4.00') });
    expect(again.data!.addPayment.userErrors).toEqual([]);
  }, 60_000);
});

describe('Audit trail: PGlite on disk, tampered while the gateway is stopped', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-pglite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the trail across a restart: four eyes still knows the initiator, and npm run audit:verify names an edited record', async () => {
    const dataDir = join(dir, 'data');
    // The simulators outlive the two gateways started on them one after the other.
    const upstreams = await startStack();
    try {
      const gateway = async () => {
        const started = await startStack({ issuer: upstreams.issuer!, reuseEmbedded: upstreams.embedded, env: { AUDIT_DATA_DIR: dataDir } });
        // Opened here rather than inside the first mutation, whose request deadline creating the directory would spend.
        await started.services.audit.ready();
        return started;
      };
      const erin = await upstreams.as({ subject: 'erin' });
      const before = await gateway();
      let paymentId: string;
      try {
        const added = await before.gql<PaymentAnswer<'addPayment'>>(ADD_PAYMENT, { input: addPaymentInput('disk', '6.00') }, erin);
        paymentId = added.data!.addPayment.payment!.id;
      } finally {
        await before.close();
      }
      const after = await gateway();
      try {
        const own = await after.gql<PaymentAnswer<'approvePayment'>>(APPROVE_PAYMENT, { input: { paymentId } }, erin);
        expect(own.data!.approvePayment.userErrors.map((error) => error.code)).toEqual(['FOUR_EYES_REQUIRED']);
      } finally {
        await after.close();
      }
    } finally {
      await upstreams.close();
    }
    const clean = await verifyCommand({ AUDIT_DATA_DIR: dataDir });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`ok ${TEST_TENANT}: 4 records`);
    const db = await pgliteDatabase(dataDir);
    try {
      await db.query("SET session_replication_role = 'replica'");
      await db.query("UPDATE audit_records SET subject = 'someone-else' WHERE sequence = 1");
    } finally {
      await db.close();
    }
    const broken = await verifyCommand({ AUDIT_DATA_DIR: dataDir });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN ${TEST_TENANT}: record 1: its hash does not match its contents`);
  }, 300_000);
});

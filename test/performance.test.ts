import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BENCH_OPERATIONS, BENCH_SEED, NORTHWIND_ID } from '../bench/operations.js';
import { checkEmbeddedDirectory, createAuditStore } from '../src/audit/index.js';
import { loadConfig } from '../src/config.js';
import { startStack, type TestStack } from './helpers/stack.js';

/**
 * What issue 16 changed for speed and must keep correct: a field that needs only an invoice's total
 * reads no detail call (iQmetrix D2, Refrens C2); the status and amounts of one invoice, computed once
 * per request, agree with each other; Apollo's cache-control plugin is off, yet every GraphQL answer
 * still says `cache-control: no-store`. Calls are counted where they arrive (the simulators).
 */

const D1 = 'InvoiceSummaries';
const D2 = '/Invoices(';
const C2 = '/invoices/:invoice/payments';

interface IqmetrixInvoices {
  iqmetrixInvoices: { nodes: { total: { amount: string; currencyCode: string }; paid?: { amount: string }; outstanding?: { amount: string }; status?: string }[] };
}

describe('Performance: calls and answers kept at the minimum', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ ...BENCH_SEED });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const resetCalls = () => {
    for (const simulator of [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();
  };

  it('reads only D1 when iQmetrix invoices are asked for their total: 1 call, not 1 + one D2 per invoice', async () => {
    resetCalls();
    const totalsOnly = await stack.gql<IqmetrixInvoices>('{ iqmetrixInvoices(first: 3) { nodes { total { amount currencyCode } } } }');
    expect(totalsOnly.errors).toBeUndefined();
    expect(stack.embedded.iqmetrix!.calls).toHaveLength(1);
    expect(stack.embedded.iqmetrix!.callsTo(D1)).toHaveLength(1);

    // The same totals as when D2 is read for the paid amount, which needs it: then 1 + 3 calls.
    resetCalls();
    const withPaid = await stack.gql<IqmetrixInvoices>('{ iqmetrixInvoices(first: 3) { nodes { total { amount currencyCode } paid { amount } outstanding { amount } status } } }');
    expect(withPaid.errors).toBeUndefined();
    expect(stack.embedded.iqmetrix!.callsTo(D1)).toHaveLength(1);
    expect(stack.embedded.iqmetrix!.callsTo(D2)).toHaveLength(3);
    expect(stack.embedded.iqmetrix!.calls).toHaveLength(4);
    const nodes = withPaid.data!.iqmetrixInvoices.nodes;
    expect(nodes.map((node) => node.total)).toEqual(totalsOnly.data!.iqmetrixInvoices.nodes.map((node) => node.total));
    // Computed once per invoice, the facts agree with each other: outstanding = total − paid (never below 0).
    for (const node of nodes) {
      const outstanding = Math.max(Number(node.total.amount) - Number(node.paid!.amount), 0);
      expect(Number(node.outstanding!.amount)).toBeCloseTo(outstanding, 6);
      expect(node.status).toBe(outstanding === 0 ? 'PAID' : node.status);
    }
  });

  it('reads no Refrens payments (C2) for a Refrens invoice total, nor to sort by total; one C2 per invoice for its status', async () => {
    const query = (fields: string, order = '') => `query ($id: ID!) { customer(id: $id) { invoices(first: 10, filter: { sources: [REFRENS] }${order}) { nodes { ${fields} } } } }`;
    resetCalls();
    const totals = await stack.gql<{ customer: { invoices: { nodes: { total: { amount: string } }[] } } }>(query('total { amount }', ', orderBy: { field: TOTAL }'), { id: NORTHWIND_ID });
    expect(totals.errors).toBeUndefined();
    expect(totals.data!.customer.invoices.nodes).toHaveLength(2);
    expect(stack.embedded.refrens!.callsTo(C2)).toHaveLength(0);

    resetCalls();
    const statuses = await stack.gql(query('status total { amount } paid { amount }'), { id: NORTHWIND_ID });
    expect(statuses.errors).toBeUndefined();
    expect(stack.embedded.refrens!.callsTo(C2)).toHaveLength(2);
  });

  it('refuses an over-limit operation every time it is sent, though each operation is measured once per variable set', async () => {
    const query = 'query ($n: Int, $m: Int) { customers(first: $n) { nodes { invoices(first: $m) { nodes { number } } } } }';
    for (let round = 0; round < 2; round += 1) {
      const pageTooLarge = await stack.gql(query, { n: 101, m: 1 });
      expect(pageTooLarge.status).toBe(400);
      expect(pageTooLarge.errors![0]).toMatchObject({ extensions: { limit: 'MAX_PAGE_SIZE', argument: 'first' } });
      const tooCostly = await stack.gql(query, { n: 100, m: 100 });
      expect(tooCostly.status).toBe(400);
      expect(tooCostly.errors![0]).toMatchObject({ extensions: { limit: 'MAX_QUERY_COST', cost: 1 + 100 * (2 + 100 * 2) } });
      const fits = await stack.gql(query, { n: 2, m: 2 });
      expect(fits.status).toBe(200);
      expect(fits.errors).toBeUndefined();
    }
  });

  it('answers every GraphQL request with cache-control: no-store, with the cache-control plugin off', async () => {
    const answered = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.auth }, body: JSON.stringify({ query: '{ iqmetrixInvoices(first: 1) { totalCount } }' }) });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('cache-control')).toBe('no-store');
    const invalid = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.auth }, body: JSON.stringify({ query: '{ noSuchField }' }) });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
  });

  it('serves operations, persisted-query registrations and hits included, without entering an AsyncLocalStorage', async () => {
    // In Node 20 the first AsyncLocalStorage.run or enterWith turns on promise hooks for the whole
    // process: 14-19 % more CPU per heavy operation (bench/README.md, "Levers"). Tracing may use one;
    // nothing else on the request path does.
    const run = vi.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = vi.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      const unified = BENCH_OPERATIONS.find((operation) => operation.name === 'unifiedCustomer')!;
      const answer = await stack.gql(unified.query, unified.variables);
      expect(answer.errors).toBeUndefined();
      const query = '{ iqmetrixInvoices(first: 2) { nodes { id total { amount } } } }';
      const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
      const post = async (body: Record<string, unknown>) =>
        (await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.auth }, body: JSON.stringify(body) })).json() as Promise<{ data?: unknown }>;
      const registered = await post({ query, extensions: { persistedQuery } });
      const hit = await post({ extensions: { persistedQuery } });
      expect(hit.data).toEqual(registered.data);
      expect(hit.data).toBeDefined();
      expect(run).not.toHaveBeenCalled();
      expect(enterWith).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });
});

describe('Performance: the embedded audit store stays out of the gateway until a mutation needs it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-lazy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const production = (dataDir: string) =>
    loadConfig({
      NODE_ENV: 'production',
      AUTH_DISABLED: 'true',
      IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true',
      PUBLIC_BASE_URL: 'https://finance.example.com',
      IQM_BASE_URL: 'http://127.0.0.1:9/api/v3/fa',
      INTACT_BASE_URL: 'http://127.0.0.1:9',
      REFRENS_BASE_URL: 'http://127.0.0.1:9',
      IQMETRIX_BASE_URL: 'http://127.0.0.1:9/v1',
      AUDIT_DATA_DIR: dataDir,
    });
  const silent = pino({ level: 'silent' });

  it('creates a new PGlite directory at a production start without opening it in this process, and opens it at the first use', async () => {
    const dataDir = join(dir, 'nested', 'audit');
    const store = await createAuditStore(production(dataDir), silent);
    try {
      // Created (by a child process) before the start goes on; an open PGlite holds postmaster.pid.
      expect(checkEmbeddedDirectory(dataDir)).toBe('ready');
      expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
      await store.ready();
      expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);
      expect(await store.list('some-tenant', { limit: 1 })).toEqual([]);
    } finally {
      await store.close();
    }
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('stops a production start whose directory cannot be a PGlite data directory, naming the problem, without creating anything', async () => {
    const stray = join(dir, 'stray');
    mkdirSync(stray);
    writeFileSync(join(stray, 'notes.txt'), 'not a database');
    await expect(createAuditStore(production(stray), silent)).rejects.toThrow(/AUDIT_DATA_DIR, .*stray\) cannot be used: .* neither empty nor a PostgreSQL data directory \(it has no PG_VERSION\)/);
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(createAuditStore(production(file), silent)).rejects.toThrow(/a-file is not a directory/);
    expect(existsSync(join(stray, 'PG_VERSION'))).toBe(false);
  });
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/index.js';
import { IQM_DEMO_TENANTS } from '../../src/upstreams/iqm/index.js';
import { fakeFile, invoiceGid, upload } from '../helpers/iqm.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/** A token only the caller knows: IQM accepts it for the demo workspace, the logs must never show it. */
const FORWARDED_TOKEN = 'fwd-secret-7Q2x9LmN';
const PROOF_MARKER = 'PROOF-CONTENTS-b81f0c';
/** The tenant's IQM credentials, held by the gateway: they must reach IQM and never a log line. */
const IQM_CREDENTIALS = { token: FORWARDED_TOKEN, organizationWorkspaceId: String(IQM_DEMO_TENANTS[0]!.organizationWorkspaceId) };
let AUTH: Record<string, string>;

type LogLine = Record<string, unknown> & { msg: string; level: number };

const INVOICES = /* GraphQL */ `
  query CustomerInvoices {
    customerBySourceId(system: IQM, sourceId: "200101") {
      invoices(first: 5, filter: { sources: [IQM] }) { totalCount nodes { number } }
    }
  }
`;

describe('Observability: log lines', () => {
  let stack: TestStack;
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  const logger = createLogger({ logLevel: 'info' }, { write: (chunk: string) => void raw.push(...chunk.split('\n').filter(Boolean)) });

  beforeAll(async () => {
    stack = await startStack({
      logger,
      env: { UPLOAD_DIR: await mkdtemp(join(tmpdir(), 'logs-test-')), UPSTREAM_RETRY_BASE_DELAY_MS: '1' },
      // The demo organization answers to this token only, and the gateway holds it for the tenant.
      iqm: { tenants: [{ ...IQM_DEMO_TENANTS[0]!, token: FORWARDED_TOKEN }, IQM_DEMO_TENANTS[1]!] },
      credentials: { 'alchemist-media': { iqm: IQM_CREDENTIALS } },
    });
    AUTH = stack.auth;
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    raw.length = 0;
    for (const simulator of [stack.embedded.iqm!, stack.embedded.intact!, stack.embedded.refrens!, stack.embedded.iqmetrix!]) simulator.resetCalls();
    stack.embedded.iqm!.clearFaults();
  });

  it('writes one info line per operation: request id, name, type, duration, upstream calls per system, outcome', async () => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-logs-1', ...AUTH },
      body: JSON.stringify({ query: INVOICES }),
    });
    const body = (await response.json()) as { data: { customerBySourceId: { invoices: { totalCount: number } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.customerBySourceId.invoices.totalCount).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toBe('req-logs-1');

    const operations = lines().filter((line) => line.msg === 'graphql operation');
    expect(operations).toHaveLength(1);
    const line = operations[0]!;
    const { embedded } = stack;
    const expectedBySystem = Object.fromEntries(
      (
        [
          ['IQM', embedded.iqm!.calls.length],
          ['INTACT', embedded.intact!.calls.length],
          ['REFRENS', embedded.refrens!.calls.length],
          ['IQMETRIX', embedded.iqmetrix!.calls.length],
        ] as const
      ).filter(([, count]) => count > 0),
    );
    const expectedCount = Object.values(expectedBySystem).reduce((sum, count) => sum + count, 0);
    expect(expectedBySystem['IQM']).toBeGreaterThan(0);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      requestId: 'req-logs-1',
      operationName: 'CustomerInvoices',
      operationType: 'query',
      durationMs: expect.any(Number),
      outcome: 'success',
      errorCodes: [],
      upstreamCalls: { count: expectedCount, failed: 0, bySystem: expectedBySystem },
      msg: 'graphql operation',
    });
    // Fastify's own two lines per request are off; nothing else was logged for this request.
    expect(lines().filter((other) => other.msg !== 'graphql operation')).toEqual([]);
  });

  it('logs each failed upstream attempt once (system, route template, status, attempt, code) and the outcome on the operation line', async () => {
    const iqm = stack.embedded.iqm!;
    iqm.injectFault({ route: '/invoice/list', method: 'GET', fault: { kind: 'respond', status: 503, body: { success: false } } });
    const response = await stack.gql<{ customerBySourceId: unknown }>(INVOICES, undefined, AUTH);
    const codes = (response.errors ?? []).map((error) => error.extensions?.['code']);
    expect(codes).toEqual(['UPSTREAM_UNAVAILABLE']);

    const attempts = iqm.callsTo('/invoice/list', 'GET');
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((call) => call.status === 503)).toBe(true);
    const [operation] = lines().filter((line) => line.msg === 'graphql operation');
    expect(operation!['requestId']).toEqual(expect.any(String));
    const warnings = lines().filter((line) => line.msg === 'upstream call failed');
    expect(warnings).toHaveLength(attempts.length);
    warnings.forEach((warning, index) => {
      expect(warning).toEqual({
        level: 40,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        system: 'IQM',
        method: 'GET',
        route: '/invoice/list/{owId}',
        status: 503,
        attempt: index + 1,
        errorCode: 'UPSTREAM_UNAVAILABLE',
        durationMs: expect.any(Number),
        requestId: operation!['requestId'],
        msg: 'upstream call failed',
      });
    });

    expect(operation).toMatchObject({
      operationName: 'CustomerInvoices',
      outcome: response.data?.customerBySourceId ? 'partial' : 'error',
      errorCodes: ['UPSTREAM_UNAVAILABLE'],
      upstreamCalls: { failed: attempts.length },
    });
    expect(operation!['upstreamFailures']).toEqual(
      attempts.map((_, index) => ({ system: 'IQM', method: 'GET', route: '/invoice/list/{owId}', status: 503, durationMs: expect.any(Number), attempt: index + 1, errorCode: 'UPSTREAM_UNAVAILABLE' })),
    );
  });

  it('never logs the caller’s token, the tenant’s upstream token, the workspace header or a payment proof’s contents', async () => {
    const iqm = stack.embedded.iqm!;
    const proof = fakeFile('png', 1500);
    proof.write(PROOF_MARKER, 200);
    const staged = await upload(stack, proof, 'receipt.png', 'image/png', { ...AUTH, 'apollo-require-preflight': 'true' });
    expect(staged.status).toBe(201);
    const invoice = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
    const paid = await stack.gql<{ payInvoice: { userErrors: unknown[] } }>(
      /* GraphQL */ `
        mutation Pay($input: PayInvoiceInput!) {
          payInvoice(input: $input) { userErrors { code } }
        }
      `,
      {
        input: {
          invoiceId: invoiceGid(200101, invoice.invoiceId),
          amount: '10.00',
          paymentMode: 'WIRE_TRANSFER',
          bankName: 'First National Bank',
          paymentProofUploadId: staged.body.id,
          idempotencyKey: 'logs-test-proof',
        },
      },
      AUTH,
    );
    expect(paid.data?.payInvoice.userErrors).toEqual([]);
    // The proof really went to IQM with the forwarded token.
    expect([...iqm.state.payments.values()].some((payment) => payment.invoiceId === invoice.invoiceId && payment.paymentProof?.bytes === 1500)).toBe(true);

    // A replica holding a token IQM refuses: the failure is logged, the token is not.
    const revoked = await startStack({
      logger,
      reuseEmbedded: stack.embedded,
      issuer: stack.issuer!,
      credentials: { 'alchemist-media': { iqm: { ...IQM_CREDENTIALS, token: `${FORWARDED_TOKEN}-revoked` } } },
    });
    try {
      const refused = await revoked.gql(INVOICES);
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      await revoked.close();
    }

    const all = lines();
    expect(all.find((line) => line.msg === 'http request' && line['route'] === '/uploads')).toMatchObject({ method: 'POST', statusCode: 201 });
    expect(all.filter((line) => line.msg === 'graphql operation').map((line) => line['operationName'])).toEqual(['Pay', 'CustomerInvoices']);
    expect(all.find((line) => line.msg === 'upstream call failed')).toMatchObject({ system: 'IQM', status: 401, errorCode: 'UNAUTHENTICATED' });
    const jwt = AUTH['authorization']!.slice('Bearer '.length);
    for (const line of raw) {
      expect(line).not.toContain(FORWARDED_TOKEN);
      expect(line).not.toContain(jwt);
      expect(line).not.toContain(PROOF_MARKER);
      expect(line.toLowerCase()).not.toContain('bearer');
      expect(line).not.toMatch(/x-iaa-ow-id"\s*:\s*"\d/i);
    }
  });

  it('censors credentials wherever they sit in a logged object', () => {
    raw.length = 0;
    logger.info(
      {
        token: FORWARDED_TOKEN,
        request: { headers: { authorization: `Bearer ${FORWARDED_TOKEN}`, 'x-iaa-ow-id': '200001', cookie: 'session=abc' } },
        upstream: { request: { headers: { Authorization: `Bearer ${FORWARDED_TOKEN}` }, accessToken: FORWARDED_TOKEN } },
      },
      'probe',
    );
    const [line] = lines();
    expect(line!['token']).toBe('[redacted]');
    expect(line!['request']).toEqual({ headers: { authorization: '[redacted]', 'x-iaa-ow-id': '[redacted]', cookie: '[redacted]' } });
    expect(line!['upstream']).toEqual({ request: { headers: { Authorization: '[redacted]' }, accessToken: '[redacted]' } });
    expect(raw.join('\n')).not.toContain(FORWARDED_TOKEN);
  });
});

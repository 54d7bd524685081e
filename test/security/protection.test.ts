import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { startStack, type TestStack } from '../helpers/stack.js';
import { invoiceGid } from '../helpers/iqm.js';

/** Every call any simulator served since the last reset. */
function upstreamCalls(stack: TestStack): number {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  return [iqm, intact, refrens, iqmetrix].reduce((sum, simulator) => sum + (simulator?.calls.length ?? 0), 0);
}

function resetCalls(stack: TestStack): void {
  const { iqm, intact, refrens, iqmetrix } = stack.embedded;
  for (const simulator of [iqm, intact, refrens, iqmetrix]) simulator?.resetCalls();
}

const gid = (typeName: string, system: string, key: string) => Buffer.from(`${typeName}:${system}:${key}`, 'utf8').toString('base64url');
const json = (...parts: readonly (string | number)[]) => JSON.stringify(parts);

const NORTHWIND_REFRENS_INVOICE = '64f1a2b3c4d5e6f708192a01';
const PDF_LINK = `query($id: ID!) { node(id: $id) { ... on IqmInvoice { pdfUrl } } }`;

/** POST /graphql with exactly these headers (fetch would not let a test set Host). */
function rawGraphql(stack: TestStack, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: { data?: { node?: { pdfUrl?: string } } } }> {
  const payload = JSON.stringify(body);
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...stack.auth, ...headers } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { data?: { node?: { pdfUrl?: string } } } }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

describe('Security: upstream keys are checked by shape before any call', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  const HOSTILE: readonly [string, string][] = [
    // The case seen: `..` in a Refrens key became /businesses/../invoices/../payments.
    ['Refrens payment with ".." keys', gid('RefrensPayment', 'REFRENS', json('..', '..', '..'))],
    ['Refrens payment with a slash in the business', gid('RefrensPayment', 'REFRENS', json('northwind-traders/../x', NORTHWIND_REFRENS_INVOICE, '64f1a2b3c4d5e6f708192a09'))],
    ['Refrens invoice with an encoded dot-dot', gid('RefrensInvoice', 'REFRENS', json('%2e%2e', NORTHWIND_REFRENS_INVOICE))],
    ['Intact item with an OData filter in the number', gid('LedgerItem', 'INTACT', json('CUS000001', "x' or 1 eq 1", '1'))],
    ['Intact receipt with a path in the account', gid('IntactReceipt', 'INTACT', json('../CUS000001', 'RCT000001'))],
    ['IQM invoice with a negative id', gid('IqmInvoice', 'IQM', '200101:-5')],
    ['IQM payment with a path', gid('IqmPayment', 'IQM', '200101:5/../../x')],
    ['iQmetrix invoice with a non-GUID', gid('IqmetrixInvoice', 'IQMETRIX', json(14146, '../Invoices'))],
    ['iQmetrix invoice with a string company', gid('IqmetrixInvoice', 'IQMETRIX', json('14146', 'e68a5c8c-eadc-484c-9139-8437d2e0859a'))],
    ['iQmetrix payment with a non-GUID payment', gid('IqmetrixPayment', 'IQMETRIX', json(14146, 'e68a5c8c-eadc-484c-9139-8437d2e0859a', '1 or 1'))],
  ];

  for (const [name, id] of HOSTILE) {
    it(`answers NOT_FOUND for a ${name}, with no upstream call`, async () => {
      resetCalls(stack);
      const response = await stack.gql('query($id: ID!) { node(id: $id) { id } }', { id });
      expect(response.data?.node ?? null).toBeNull();
      expect(response.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect(upstreamCalls(stack)).toBe(0);
    });
  }

  it('refuses payRefrensInvoice for an invoice id with a hostile key, calling nothing', async () => {
    resetCalls(stack);
    const response = await stack.gql<{ payRefrensInvoice: { userErrors: { code: string }[] } }>(
      'mutation($input: PayRefrensInvoiceInput!) { payRefrensInvoice(input: $input) { userErrors { code } } }',
      { input: { invoiceId: gid('RefrensInvoice', 'REFRENS', json('..', '..')), amount: '1.00', method: 'CASH', idempotencyKey: 'hostile-refrens-id' } },
    );
    expect(response.data?.payRefrensInvoice.userErrors.map((error) => error.code)).toEqual(['NOT_FOUND']);
    expect(upstreamCalls(stack)).toBe(0);
  });

  it('counts __typename aliases in MAX_ALIASES: 31 are refused, 30 pass', async () => {
    const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `t${index}: __typename`).join(' ')} }`;
    const refused = await stack.gql(aliased(31));
    expect(refused.status).toBe(400);
    expect(refused.errors![0]).toMatchObject({ message: 'Aliases limit of 30 exceeded, found 31.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_ALIASES' } });
    const allowed = await stack.gql(aliased(30));
    expect(allowed.status).toBe(200);
    expect(allowed.errors).toBeUndefined();
  });

  it('never builds a link from the Host header: Host evil.example gives a relative link', async () => {
    const invoice = [...stack.embedded.iqm!.state.invoices.values()].find((candidate) => candidate.owId === 200101)!;
    const response = await rawGraphql(stack, { query: PDF_LINK, variables: { id: invoiceGid(200101, invoice.invoiceId) } }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    expect(response.status).toBe(200);
    const link = response.body.data!.node!.pdfUrl!;
    expect(link).toMatch(/^\/files\/invoices\/200101\/\d+\.pdf\?/);
    expect(link).not.toContain('evil');
  });
});

describe('Security: absolute links from PUBLIC_BASE_URL or a trusted proxy only', () => {
  let configured: TestStack;
  let proxied: TestStack;
  beforeAll(async () => {
    [configured, proxied] = await Promise.all([
      startStack({ env: { PUBLIC_BASE_URL: 'https://finance.example.com/' } }),
      // The test client connects from 127.0.0.1: it plays the trusted proxy.
      startStack({ env: { TRUSTED_PROXIES: '10.0.0.0/8,127.0.0.1' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([configured?.close(), proxied?.close()]);
  });

  const linkFrom = async (stack: TestStack, headers: Record<string, string>) => {
    const invoice = [...stack.embedded.iqm!.state.invoices.values()].find((candidate) => candidate.owId === 200101)!;
    const response = await rawGraphql(stack, { query: PDF_LINK, variables: { id: invoiceGid(200101, invoice.invoiceId) } }, headers);
    expect(response.status).toBe(200);
    return response.body.data!.node!.pdfUrl!;
  };

  it('uses PUBLIC_BASE_URL whatever Host and X-Forwarded-Host say', async () => {
    expect(await linkFrom(configured, { host: 'evil.example', 'x-forwarded-host': 'evil.example' })).toMatch(/^https:\/\/finance\.example\.com\/files\/invoices\/200101\//);
  });

  it('uses the forwarded host and protocol of a trusted proxy, and ignores a malformed one', async () => {
    expect(await linkFrom(proxied, { 'x-forwarded-host': 'gateway.example.org', 'x-forwarded-proto': 'https' })).toMatch(/^https:\/\/gateway\.example\.org\/files\//);
    expect(await linkFrom(proxied, { 'x-forwarded-host': 'evil.example/@x', 'x-forwarded-proto': 'https' })).toMatch(/^\/files\//);
    // No forwarded host: relative, never the Host header.
    expect(await linkFrom(proxied, { host: 'evil.example' })).toMatch(/^\/files\//);
  });

  it('ignores forwarded headers from an address outside TRUSTED_PROXIES', async () => {
    const untrusted = await startStack({ env: { TRUSTED_PROXIES: '10.0.0.0/8' } });
    try {
      expect(await linkFrom(untrusted, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' })).toMatch(/^\/files\//);
    } finally {
      await untrusted.close();
    }
  });
});

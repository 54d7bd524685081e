import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileLinks } from '../../src/http/fileLinks.js';
import { OTHER_TEST_TENANT, TEST_TENANT } from '../helpers/auth.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * The signed links GraphQL hands out (IqmInvoice.pdfUrl) open their file without a header, for the
 * tenant they were signed for and until they expire; any change to the link, and any link of
 * another tenant, is refused before IQM is asked.
 */

const SECRET = 'file-link-secret-for-tests-0123456789abcdef';
const IQM_INVOICE = Buffer.from('IqmInvoice:IQM:200101:5000').toString('base64url');

describe('Authentication: signed file links', () => {
  let stack: TestStack;
  let link: URL;
  const open = async (url: URL | string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, body, type: response.headers.get('content-type') };
  };

  beforeAll(async () => {
    stack = await startStack({ env: { FILE_LINK_SECRET: SECRET, FILE_LINK_TTL_SECONDS: '60' } });
    const response = await stack.gql<{ node: { pdfUrl: string } }>(`query($id: ID!) { node(id: $id) { ... on IqmInvoice { pdfUrl } } }`, { id: IQM_INVOICE });
    // Links are relative unless PUBLIC_BASE_URL (or a trusted proxy) names the public origin.
    link = new URL(response.data!.node.pdfUrl, stack.origin);
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    stack.embedded.iqm!.resetCalls();
  });

  it('the link as handed out opens the PDF without any header (control)', async () => {
    expect(link.pathname).toBe('/files/invoices/200101/5000.pdf');
    expect(link.searchParams.get('tenant')).toBe(TEST_TENANT);
    const response = await open(link);
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/pdf');
    expect(response.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(stack.embedded.iqm!.calls.length).toBe(1);
  });

  it('a tampered signature, tenant or expiry is refused with no call to IQM', async () => {
    for (const [parameter, value] of [
      ['signature', `${link.searchParams.get('signature')!.slice(0, -1)}${link.searchParams.get('signature')!.endsWith('A') ? 'B' : 'A'}`],
      ['tenant', OTHER_TEST_TENANT],
      ['expires', String(Number(link.searchParams.get('expires')) + 86_400)],
    ] as const) {
      const tampered = new URL(link);
      tampered.searchParams.set(parameter, value);
      const response = await open(tampered);
      expect(response.status, parameter).toBe(403);
      expect(JSON.parse(response.body.toString()).error.code).toBe('FORBIDDEN');
    }
    expect(stack.embedded.iqm!.calls).toEqual([]);
  });

  it('an expired link is refused; the same link signed now opens (so the expiry is what was refused)', async () => {
    const path = '/files/invoices/200101/5000.pdf';
    const old = new FileLinks(SECRET, 60_000, () => Date.now() - 3_600_000).sign(path, TEST_TENANT);
    expect((await open(`${stack.origin}${old}`)).status).toBe(403);
    expect(stack.embedded.iqm!.calls).toEqual([]);
    const fresh = new FileLinks(SECRET, 60_000).sign(path, TEST_TENANT);
    expect((await open(`${stack.origin}${fresh}`)).status).toBe(200);
  });

  it('a link moved to another file or route is refused with no call', async () => {
    for (const path of ['/files/invoices/200101/5001.pdf', '/files/receipts/200101/5000.pdf', '/files/invoices/200102/5000.pdf']) {
      const response = await open(`${stack.origin}${path}${link.search}`);
      expect(response.status, path).toBe(403);
    }
    expect(stack.embedded.iqm!.calls).toEqual([]);
  });

  it('another tenant’s valid link opens only that tenant’s files: pointed at this tenant’s workspace it is 404, IQM never asked', async () => {
    // Signed for blue-harbor (with the gateway's secret, as the gateway would), for alchemist-media's invoice.
    const foreign = new FileLinks(SECRET, 60_000).sign('/files/invoices/200101/5000.pdf', OTHER_TEST_TENANT);
    const response = await open(`${stack.origin}${foreign}`);
    expect(response.status).toBe(404);
    expect(stack.embedded.iqm!.calls).toEqual([]);
  });

  it('a bearer token also opens files, but only with finance:read and only the caller’s tenant’s', async () => {
    const path = `${stack.origin}/files/invoices/200101/5000.pdf`;
    expect((await open(path, stack.auth)).status).toBe(200);
    expect((await open(path, await stack.as({ scopes: ['payments:write'] }))).status).toBe(403);
    expect((await open(path, await stack.as({ tenant: OTHER_TEST_TENANT }))).status).toBe(404);
    expect(stack.embedded.iqm!.calls.length).toBe(1);
  });
});

import { readdir } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IqmSimulator } from '../src/upstreams/iqm/index.js';
import { fakeFile, invoiceGid, upload } from './helpers/iqm.js';
import { startStack, type TestStack } from './helpers/stack.js';

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) { invoice { status paid { amount } } userErrors { field message code } }
  }
`;

interface PayAnswer {
  payInvoice: { invoice: { status: string; paid: { amount: string } } | null; userErrors: { field: string[] | null; message: string; code: string }[] };
}

describe('Files: staged uploads and PDF downloads', () => {
  let stack: TestStack;
  let iqm: IqmSimulator;
  let uploadDir: string;

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'files-test-'));
    stack = await startStack({ env: { UPLOAD_MAX_BYTES: '4096', UPLOAD_DIR: uploadDir } });
    iqm = stack.embedded.iqm!;
  });
  afterAll(async () => {
    await stack.close();
  });

  const unpaidInvoice = (owId: number) => [...iqm.state.invoices.values()].find((invoice) => invoice.owId === owId && invoice.status === 3)!;

  it('stages a PNG and streams it to IQM with payInvoice (A24); IQM records its name, type and size', async () => {
    const staged = await upload(stack, fakeFile('png', 1500), 'receipt.png', 'image/png');
    expect(staged.status).toBe(201);
    expect(staged.body).toEqual({ id: expect.any(String), fileName: 'receipt.png', mimeType: 'image/png', bytes: 1500 });
    const invoice = unpaidInvoice(200101);
    const response = await stack.gql<PayAnswer>(PAY, {
      input: { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '10.00', paymentMode: 'WIRE_TRANSFER', bankName: 'First National Bank', paymentProofUploadId: staged.body.id, idempotencyKey: 'pay-with-png-proof' },
    });
    expect(response.data!.payInvoice.userErrors).toEqual([]);
    const payment = [...iqm.state.payments.values()].find((candidate) => candidate.invoiceId === invoice.invoiceId && candidate.paymentProof !== null)!;
    expect(payment.paymentProof).toEqual({ fileName: 'receipt.png', mimeType: 'image/png', bytes: 1500 });
    // Used once, then gone from disk.
    const left = await readdir(uploadDir, { recursive: true });
    expect(left.filter((name) => !name.startsWith('gateway-uploads-') || name.includes('/'))).toEqual([]);
  });

  it('accepts PDF and JPEG proofs', async () => {
    expect((await upload(stack, fakeFile('pdf', 900), 'proof.pdf', 'application/pdf')).body.mimeType).toBe('application/pdf');
    expect((await upload(stack, fakeFile('jpeg', 900), 'proof.jpg', 'image/jpeg')).body.mimeType).toBe('image/jpeg');
  });

  it('refuses a wrong file type, by declared type or by content, and sends nothing to IQM', async () => {
    iqm.resetCalls();
    const declared = await upload(stack, fakeFile('text'), 'notes.txt', 'text/plain');
    expect(declared.status).toBe(415);
    expect(declared.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const disguised = await upload(stack, fakeFile('text'), 'fake.png', 'image/png');
    expect(disguised.status).toBe(415);
    expect(disguised.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(iqm.calls).toEqual([]);
  });

  it('refuses an oversized file with 413 and sends nothing to IQM', async () => {
    iqm.resetCalls();
    const big = await upload(stack, fakeFile('png', 10_000), 'big.png', 'image/png');
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('FILE_TOO_LARGE');
    expect(iqm.calls).toEqual([]);
  });

  it('requires a preflight header so a browser form cannot post it cross-site', async () => {
    const response = await upload(stack, fakeFile('png'), 'a.png', 'image/png', stack.auth);
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('PREFLIGHT_REQUIRED');
  });

  it('answers INVALID_UPLOAD for an unknown upload id or another caller’s upload, and calls nothing', async () => {
    const invoice = unpaidInvoice(200102);
    const input = { invoiceId: invoiceGid(200102, invoice.invoiceId), amount: '5.00', idempotencyKey: 'pay-with-bad-upload' };
    iqm.resetCalls();
    const unknown = await stack.gql<PayAnswer>(PAY, { input: { ...input, paymentProofUploadId: 'no-such-upload' } });
    expect(unknown.data!.payInvoice.userErrors).toEqual([
      { field: ['input', 'paymentProofUploadId'], message: expect.stringContaining('no staged upload'), code: 'INVALID_UPLOAD' },
    ]);
    // Staged by one person of the tenant, used by a colleague: not theirs; nor another tenant's.
    const staged = await upload(stack, fakeFile('png'), 'mine.png', 'image/png');
    const colleague = await stack.gql<PayAnswer>(PAY, { input: { ...input, paymentProofUploadId: staged.body.id } }, await stack.as({ subject: 'colleague' }));
    expect(colleague.data!.payInvoice.userErrors[0]!.code).toBe('INVALID_UPLOAD');
    const foreign = await stack.gql<PayAnswer>(
      PAY,
      { input: { ...input, idempotencyKey: 'pay-with-foreign-upload', paymentProofUploadId: staged.body.id } },
      await stack.as({ tenant: 'blue-harbor', subject: 'test-user' }),
    );
    // Another tenant cannot even name the invoice: NOT_FOUND before the upload is looked at.
    expect(foreign.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['NOT_FOUND']);
    expect(iqm.calls).toEqual([]);
  });

  it('streams the invoice PDF (A26) from IqmInvoice.pdfUrl with the caller’s credentials', async () => {
    const response = await stack.gql<{ node: { invoiceId: number; pdfUrl: string } }>(`query($id: ID!) { node(id: $id) { ... on IqmInvoice { invoiceId pdfUrl } } }`, {
      id: invoiceGid(200101, [...iqm.state.invoices.values()].find((invoice) => invoice.owId === 200101)!.invoiceId),
    });
    const { invoiceId, pdfUrl } = response.data!.node;
    // A signed link for the caller's tenant: a browser follows it without an Authorization header.
    // Without PUBLIC_BASE_URL the link is relative to the gateway the client called.
    expect(pdfUrl).toMatch(new RegExp(`^/files/invoices/200101/${invoiceId}\\.pdf\\?tenant=alchemist-media&expires=\\d+&signature=[\\w-]+$`));
    iqm.resetCalls();
    const pdf = await fetch(new URL(pdfUrl, stack.url));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="invoice-${invoiceId}.pdf"`);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toContain(`Invoice ID: ${invoiceId}`);
    expect(bytes.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    expect(iqm.callsTo('/download-invoice/').map((call) => call.url)).toEqual([`/api/v3/fa/download-invoice/200101/${invoiceId}?isCustomerRequest=true`]);
  });

  it('streams a payment receipt (A46) from IqmPayment.receiptUrl', async () => {
    const payment = [...iqm.state.payments.values()].find((candidate) => candidate.owId === 200103)!;
    const response = await stack.gql<{ node: { receiptUrl: string } }>(`query($id: ID!) { node(id: $id) { ... on IqmPayment { receiptUrl } } }`, {
      id: Buffer.from(`IqmPayment:IQM:200103:${payment.paymentId}`).toString('base64url'),
    });
    iqm.resetCalls();
    const pdf = await fetch(new URL(response.data!.node.receiptUrl, stack.url));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).toString('latin1')).toContain(`Payment receipt ${payment.paymentId}`);
    expect(iqm.callsTo('/payment/download-receipt/')).toHaveLength(1);
  });

  it('maps download failures to HTTP statuses with a small JSON body, never naming IQM’s address', async () => {
    const missing = await fetch(`${stack.origin}/files/invoices/200101/999999.pdf`, { headers: stack.auth });
    expect(missing.status).toBe(404);
    const body = await missing.text();
    expect(JSON.parse(body)).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    expect(body).not.toContain('127.0.0.1');
    iqm.resetCalls();
    const foreign = await fetch(`${stack.origin}/files/receipts/300101/1.pdf`, { headers: stack.auth });
    expect(foreign.status).toBe(404);
    expect(iqm.calls).toEqual([]);
    const wrongToken = await fetch(`${stack.origin}/files/invoices/200101/5000.pdf`, { headers: { authorization: 'Bearer nope', 'x-iaa-ow-id': '200001' } });
    expect(wrongToken.status).toBe(401);
    expect(((await wrongToken.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });
});

import { connect } from 'node:net';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDecimal } from '../src/domain/money.js';
import type { SimInvoice } from '../src/upstreams/iqm/simulatorState.js';
import { fakeFile, invoiceGid, upload } from './helpers/iqm.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { startStack, type TestStack } from './helpers/stack.js';

const PAY = /* GraphQL */ `
  mutation Pay($input: PayInvoiceInput!) {
    payInvoice(input: $input) { userErrors { field message code } }
  }
`;
type PayAnswer = { payInvoice: { userErrors: { field: string[] | null; message: string; code: string }[] } };

/** Bytes of every staged file under the upload directory. */
async function bytesOnDisk(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Sends `raw` as the whole request and resolves with the status line's code. */
function rawRequest(stack: TestStack, raw: string): Promise<{ status: number; body: string }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(raw));
    let response = '';
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString();
      const end = response.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(response)?.[1];
      if (end >= 0 && length !== undefined && response.length >= end + 4 + Number(length)) {
        socket.destroy();
        resolve({ status: Number(response.slice(9, 12)), body: response.slice(end + 4) });
      }
    });
    socket.on('error', reject);
  });
}

/** A multipart head for POST /uploads with the given body (the caller decides whether it is whole). */
function multipartRequest(stack: TestStack, body: string, contentType = 'multipart/form-data; boundary=XyZ'): string {
  return `POST /uploads HTTP/1.1\r\nHost: localhost\r\nApollo-Require-Preflight: true\r\nAuthorization: ${stack.auth['authorization']}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

const PNG_HEAD = '\u0089PNG\r\n\u001a\n';

describe('Uploads: quotas, expiry and malformed bodies', () => {
  let stack: TestStack;
  let uploadDir: string;

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'uploads-test-'));
    stack = await startStack({ env: { UPLOAD_MAX_BYTES: '4096', UPLOAD_TENANT_QUOTA_BYTES: '10000', UPLOAD_TOTAL_QUOTA_BYTES: '14000', UPLOAD_DIR: uploadDir } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('holds a tenant to its quota and all tenants to the overall one, counting bytes on disk', async () => {
    const harbor = { 'apollo-require-preflight': 'true', ...(await stack.as({ tenant: 'blue-harbor', subject: 'harbor-user' })) };
    for (let index = 0; index < 3; index += 1) expect((await upload(stack, fakeFile('png', 3000), `p${index}.png`, 'image/png')).status).toBe(201);
    expect(await bytesOnDisk(uploadDir)).toBe(9000);
    // A fourth 3000-byte file (its request is larger still) would pass the tenant's 10000.
    const refused = await upload(stack, fakeFile('png', 3000), 'p3.png', 'image/png');
    expect(refused).toMatchObject({ status: 413, body: { error: { code: 'UPLOAD_QUOTA_EXCEEDED' } } });
    expect(refused.body.error!.message).toContain('quota of 10000');
    expect(await bytesOnDisk(uploadDir)).toBe(9000);
    // Another tenant has its own quota, within the overall 14000.
    expect((await upload(stack, fakeFile('png', 3000), 'h0.png', 'image/png', harbor)).status).toBe(201);
    const overall = await upload(stack, fakeFile('png', 3000), 'h1.png', 'image/png', harbor);
    expect(overall).toMatchObject({ status: 413, body: { error: { code: 'UPLOAD_QUOTA_EXCEEDED' } } });
    expect(overall.body.error!.message).toContain("gateway's quota of 14000");
    expect(await bytesOnDisk(uploadDir)).toBe(12000);
  });

  it('answers 400 for a truncated or malformed multipart body and keeps nothing', async () => {
    const before = await bytesOnDisk(uploadDir);
    const truncated = `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n${PNG_HEAD}${'x'.repeat(100)}`;
    const cut = await rawRequest(stack, multipartRequest(stack, truncated));
    expect(cut.status).toBe(400);
    expect(JSON.parse(cut.body)).toMatchObject({ error: { code: 'MALFORMED_MULTIPART' } });
    const garbage = await rawRequest(stack, multipartRequest(stack, 'this is not multipart at all\r\n'));
    expect(garbage.status).toBe(400);
    const noBoundary = await rawRequest(stack, multipartRequest(stack, '--XyZ--\r\n', 'multipart/form-data'));
    expect(noBoundary.status).toBe(400);
    expect(await bytesOnDisk(uploadDir)).toBe(before);
  });

  it('removes every unused staged file at shutdown', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'uploads-shutdown-'));
    const gateway = await startStack({ env: { UPLOAD_DIR: directory } });
    for (let index = 0; index < 4; index += 1) expect((await upload(gateway, fakeFile('pdf', 2000), 'p.pdf', 'application/pdf')).status).toBe(201);
    expect(await bytesOnDisk(directory)).toBe(8000);
    await gateway.close();
    expect(await bytesOnDisk(directory)).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('sweeps an upload nobody used once it expires, freeing its bytes and its quota', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'uploads-expiry-'));
    const gateway = await startStack({ env: { UPLOAD_DIR: directory, UPLOAD_TTL_SECONDS: '1', UPLOAD_MAX_BYTES: '4096', UPLOAD_TENANT_QUOTA_BYTES: '5000' } });
    try {
      const staged = await upload(gateway, fakeFile('png', 3000), 'late.png', 'image/png');
      expect(staged.status).toBe(201);
      expect(await bytesOnDisk(directory)).toBe(3000);
      // The sweep runs every quarter of the lifetime; wait (bounded) until it has deleted the file.
      for (let waited = 0; (await bytesOnDisk(directory)) > 0 && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await bytesOnDisk(directory)).toBe(0);
      const invoice = [...gateway.embedded.iqm!.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
      const late = await gateway.gql<PayAnswer>(PAY, {
        input: { invoiceId: invoiceGid(200101, invoice.invoiceId), amount: '1.00', paymentMode: 'CHEQUE', bankName: 'First National Bank', paymentProofUploadId: staged.body.id, idempotencyKey: 'expired-upload-1' },
      });
      expect(late.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['INVALID_UPLOAD']);
      // Its 3000 bytes no longer count: another 3000 fits the 5000 quota.
      expect((await upload(gateway, fakeFile('png', 3000), 'next.png', 'image/png')).status).toBe(201);
    } finally {
      await gateway.close();
    }
  });
});

describe('Uploads: a store shared by replicas through Redis', () => {
  let redis: TestRedis;
  let first: TestStack;
  let second: TestStack;
  let dirs: [string, string];

  beforeAll(async () => {
    redis = await startRedis();
    dirs = [await mkdtemp(join(tmpdir(), 'replica-a-')), await mkdtemp(join(tmpdir(), 'replica-b-'))];
    const env = { REDIS_URL: redis.url, UPLOAD_MAX_BYTES: '4096', UPLOAD_TENANT_QUOTA_BYTES: '8000', RATE_LIMIT_SUBJECT_REQUESTS: '12' };
    first = await startStack({ env: { ...env, UPLOAD_DIR: dirs[0] } });
    second = await startStack({ env: { ...env, UPLOAD_DIR: dirs[1] }, issuer: first.issuer!, reuseEmbedded: first.embedded });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await redis?.stop();
  });

  it('stages on one replica and pays with the proof on the other; IQM receives the file; it is then gone everywhere', async () => {
    const iqm = first.embedded.iqm!;
    const staged = await upload(first, fakeFile('png', 2500), 'shared.png', 'image/png');
    expect(staged.status).toBe(201);
    const template = [...iqm.state.invoices.values()].find((candidate) => candidate.owId === 200101 && candidate.status === 3)!;
    const invoiceId = Math.max(...iqm.state.invoices.keys()) + 1;
    const invoice: SimInvoice = { ...template, invoiceId, paidAmount: toDecimal(0), paymentMode: [...template.paymentMode] };
    iqm.state.invoices.set(invoiceId, invoice);
    const input = { invoiceId: invoiceGid(200101, invoiceId), amount: '5.00', paymentMode: 'CHEQUE', bankName: 'First National Bank', paymentProofUploadId: staged.body.id };
    const paid = await second.gql<PayAnswer>(PAY, { input: { ...input, idempotencyKey: 'replica-proof-1' } });
    expect(paid.data!.payInvoice.userErrors).toEqual([]);
    const payment = [...iqm.state.payments.values()].find((candidate) => candidate.invoiceId === invoiceId)!;
    expect(payment.paymentProof).toEqual({ fileName: 'shared.png', mimeType: 'image/png', bytes: 2500 });
    // Used once: neither replica knows it any more, and no replica keeps a copy on disk.
    const again = await first.gql<PayAnswer>(PAY, { input: { ...input, idempotencyKey: 'replica-proof-2' } });
    expect(again.data!.payInvoice.userErrors.map((error) => error.code)).toEqual(['INVALID_UPLOAD']);
    expect((await bytesOnDisk(dirs[1])) + (await bytesOnDisk(dirs[0]))).toBe(0);
  });

  it('counts the tenant quota across replicas', async () => {
    expect((await upload(first, fakeFile('png', 3500), 'a.png', 'image/png')).status).toBe(201);
    expect((await upload(second, fakeFile('png', 3500), 'b.png', 'image/png')).status).toBe(201);
    const refused = await upload(first, fakeFile('png', 1000), 'c.png', 'image/png');
    expect(refused).toMatchObject({ status: 413, body: { error: { code: 'UPLOAD_QUOTA_EXCEEDED' } } });
  });

  it('counts request budgets across replicas', async () => {
    const frank = await first.as({ subject: 'frank' });
    for (let index = 0; index < 6; index += 1) {
      expect((await first.gql('{ __typename }', {}, frank)).status).toBe(200);
      expect((await second.gql('{ __typename }', {}, frank)).status).toBe(200);
    }
    const refused = await second.gql('{ __typename }', {}, frank);
    expect(refused.status).toBe(429);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'RATE_LIMIT_SUBJECT_REQUESTS' });
  });
});

import type { TestStack } from './stack.js';

/** A gateway global id as the gateway encodes it (`<Type>:IQM:<key>`, base64url). */
export function iqmGlobalId(typeName: string, key: string | number): string {
  return Buffer.from(`${typeName}:IQM:${key}`, 'utf8').toString('base64url');
}

export const customerGid = (owId: number) => iqmGlobalId('Customer', owId);
export const invoiceGid = (owId: number, invoiceId: number) => iqmGlobalId('IqmInvoice', `${owId}:${invoiceId}`);
export const paymentGid = (owId: number, paymentId: number) => iqmGlobalId('IqmPayment', `${owId}:${paymentId}`);
export const creditGid = (owId: number, creditId: number) => iqmGlobalId('Credit', `${owId}:${creditId}`);

/** A tiny but real PNG / PDF / JPEG header followed by `size` bytes in total. */
export function fakeFile(kind: 'png' | 'pdf' | 'jpeg' | 'text', size = 256): Buffer {
  const magic = {
    png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pdf: [...Buffer.from('%PDF-1.4\n')],
    jpeg: [0xff, 0xd8, 0xff, 0xe0],
    text: [...Buffer.from('hello, this is not an image\n')],
  }[kind];
  const file = Buffer.alloc(Math.max(size, magic.length), 0x20);
  Buffer.from(magic).copy(file);
  return file;
}

export interface UploadAnswer {
  readonly status: number;
  readonly body: { id?: string; fileName?: string; mimeType?: string; bytes?: number; error?: { code: string; message: string } };
}

/** POST /uploads as a client would: multipart with one `file` part and a preflight header. */
export async function upload(
  stack: TestStack,
  file: Buffer,
  fileName: string,
  mimeType: string,
  headers: Record<string, string> = { 'apollo-require-preflight': 'true', ...stack.auth },
): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type: mimeType }), fileName);
  const response = await fetch(`${stack.origin}/uploads`, { method: 'POST', body: form, headers });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { StreamBody } from '../http.js';

/** A file on local disk to send as one part of a multipart body (a staged payment proof). */
export interface MultipartFile {
  readonly fieldName: string;
  readonly path: string;
  readonly fileName: string;
  readonly mimeType: string;
}

/** Field values as IQM's multipart routes take them: text; null and undefined fields are left out. */
export type MultipartFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * A multipart/form-data body produced on demand: the fields, then the file read from disk in
 * chunks, so a proof of any size is never held in memory.
 */
export function multipartBody(fields: MultipartFields, file: MultipartFile | null): StreamBody {
  const boundary = `----iqm-gateway-${randomBytes(12).toString('hex')}`;
  async function* parts(): AsyncGenerator<Uint8Array | string> {
    for (const [name, value] of Object.entries(fields)) {
      if (value === null || value === undefined) continue;
      yield `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${String(value)}\r\n`;
    }
    if (file) {
      yield `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.fieldName)}"; filename="${quote(file.fileName)}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`;
      for await (const chunk of createReadStream(file.path)) yield chunk as Buffer;
      yield '\r\n';
    }
    yield `--${boundary}--\r\n`;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, stream: parts() };
}

// Quotes and line breaks would end the header value early.
function quote(value: string): string {
  return value.replace(/["\r\n\\]/g, '_');
}

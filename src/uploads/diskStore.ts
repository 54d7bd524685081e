import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GatewayServices } from '../context.js';

/** A payment proof staged by POST /uploads and waiting to be referenced by a mutation. */
export interface StagedUpload {
  readonly id: string;
  /** The caller that staged it (CallerIdentity.scope): only that caller may use it. */
  readonly scope: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: number;
  readonly path: string;
  readonly stagedAt: number;
}

export type UploadRejection =
  | { readonly code: 'UNSUPPORTED_MEDIA_TYPE'; readonly message: string }
  | { readonly code: 'FILE_TOO_LARGE'; readonly message: string };

/** JPEG, PNG and PDF: the declared media type and the file's first bytes must agree. */
const ACCEPTED_TYPES: readonly { mimeType: string; magic: readonly number[] }[] = [
  { mimeType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { mimeType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mimeType: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

/** Staged uploads are dropped after this long, used or not. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;

/**
 * Process-wide store of staged uploads: files in a private temporary directory, their metadata in
 * memory. Shared by every request (an upload and the mutation that uses it are two requests) and
 * scoped per caller. A gateway replica only knows its own uploads, so the two requests of one
 * upload must reach the same replica (README).
 */
export class UploadStore {
  private readonly uploads = new Map<string, StagedUpload>();
  private directory: Promise<string> | null = null;

  constructor(
    private readonly parentDirectory: string,
    readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Streams `file` to disk, checking size as it goes and type once the first bytes are in.
   * Nothing is kept when the file is refused.
   */
  async stage(scope: string, fileName: string, declaredType: string, file: Readable, truncated: () => boolean): Promise<StagedUpload | UploadRejection> {
    const accepted = ACCEPTED_TYPES.find((type) => type.mimeType === declaredType.toLowerCase());
    if (!accepted) {
      file.resume();
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: `only JPEG, PNG or PDF files are accepted, not ${declaredType}` };
    }
    const id = randomUUID();
    const path = join(await this.dir(), id);
    let head = Buffer.alloc(0);
    let bytes = 0;
    const sniff = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(file, sniff, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      await unlink(path).catch(() => undefined);
      if (isTooLarge(error)) return tooLarge(this.maxBytes);
      throw error;
    }
    if (truncated() || bytes > this.maxBytes) {
      await unlink(path).catch(() => undefined);
      return tooLarge(this.maxBytes);
    }
    if (bytes === 0 || !accepted.magic.every((byte, index) => head[index] === byte)) {
      await unlink(path).catch(() => undefined);
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: `the file's content is not ${declaredType}` };
    }
    const upload: StagedUpload = { id, scope, fileName: safeFileName(fileName), mimeType: accepted.mimeType, bytes, path, stagedAt: this.now() };
    this.uploads.set(id, upload);
    return upload;
  }

  /** The caller's staged upload with this id; null for unknown, expired or someone else's. */
  get(id: string, scope: string): StagedUpload | null {
    const upload = this.uploads.get(id);
    if (!upload || upload.scope !== scope) return null;
    if (upload.stagedAt + UPLOAD_TTL_MS < this.now()) {
      void this.discard(id);
      return null;
    }
    return upload;
  }

  /** Forgets an upload and deletes its file (after a mutation sent it). */
  async discard(id: string): Promise<void> {
    const upload = this.uploads.get(id);
    this.uploads.delete(id);
    if (upload) await unlink(upload.path).catch(() => undefined);
  }

  /** Deletes every staged file (gateway shutdown). */
  async close(): Promise<void> {
    this.uploads.clear();
    const directory = this.directory;
    this.directory = null;
    if (directory) await rm(await directory, { recursive: true, force: true });
  }

  private dir(): Promise<string> {
    this.directory ??= mkdtemp(join(this.parentDirectory, 'gateway-uploads-'));
    return this.directory;
  }
}

const stores = new WeakMap<GatewayServices, UploadStore>();

/**
 * The upload store of one gateway (one GatewayServices): created on first use under
 * config.uploadDir (or the OS temporary directory), capped at config.uploadMaxBytes.
 */
export function uploadStoreOf(services: GatewayServices): UploadStore {
  let store = stores.get(services);
  if (!store) {
    store = new UploadStore(services.config.uploadDir ?? tmpdir(), services.config.uploadMaxBytes);
    stores.set(services, store);
  }
  return store;
}

function tooLarge(maxBytes: number): UploadRejection {
  return { code: 'FILE_TOO_LARGE', message: `the file is larger than ${maxBytes} bytes` };
}

function isTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'FST_REQ_FILE_TOO_LARGE';
}

/** The name IQM will see: the base name, printable ASCII only. */
function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\w.\- ]/g, '_').slice(0, 120);
  return cleaned || 'payment-proof';
}

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadIndex, UploadRecord } from './uploadIndex.js';

/** A payment proof staged by POST /uploads and waiting to be referenced by a mutation. */
export interface StagedUpload {
  readonly id: string;
  /** The caller that staged it (Caller.partitionKey): only that caller may use it. */
  readonly scope: string;
  readonly tenantId: string;
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: number;
  /** This replica's copy of the file (made from the shared store when another replica staged it). */
  readonly path: string;
  readonly stagedAt: number;
}

export type UploadRejection =
  | { readonly code: 'UNSUPPORTED_MEDIA_TYPE'; readonly message: string }
  | { readonly code: 'FILE_TOO_LARGE'; readonly message: string }
  | { readonly code: 'UPLOAD_QUOTA_EXCEEDED'; readonly message: string };

/** JPEG, PNG and PDF: the declared media type and the file's first bytes must agree. */
const ACCEPTED_TYPES: readonly { mimeType: string; magic: readonly number[] }[] = [
  { mimeType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { mimeType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mimeType: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

export interface UploadStoreOptions {
  /** Where this replica's private staging directory is made. */
  readonly parentDirectory: string;
  /** Per file. */
  readonly maxBytes: number;
  /** Staged bytes one tenant may hold at once. */
  readonly tenantQuotaBytes: number;
  /** Staged bytes all tenants together may hold at once. */
  readonly totalQuotaBytes: number;
  /** An upload not used within this long is dropped (files, metadata and quota). */
  readonly ttlMs: number;
  readonly now?: () => number;
}

/**
 * Staged uploads: the file streams to this replica's private temporary directory; what the uploads
 * are, whose they are and how many bytes each tenant holds live in an UploadIndex (process memory,
 * or Redis shared by replicas, which then also holds the bytes so the mutation may reach any replica).
 *
 * Contract:
 * - Size is checked while streaming (UPLOAD_MAX_BYTES per file); before a byte is written, the
 *   most the file can take (the smaller of UPLOAD_MAX_BYTES and the request's Content-Length) is
 *   reserved against the tenant's and the overall quota, and settled to the real size afterwards,
 *   so concurrent uploads cannot overshoot a quota. Nothing is kept when a file is refused.
 * - An upload expires after UPLOAD_TTL_SECONDS whether or not it was used: `sweep()` (run on a
 *   timer by `startSweeping`) deletes expired files and frees their quota.
 * - `close()` deletes every file this replica staged or copied (gateway shutdown). With Redis the
 *   shared copy stays until it expires, so another replica can still use it.
 */
export class UploadStore {
  private readonly local = new Map<string, StagedUpload>();
  private directory: Promise<string> | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly options: UploadStoreOptions,
    private readonly index: UploadIndex,
  ) {
    this.now = options.now ?? Date.now;
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  /** Whether the index is shared by replicas (Redis). */
  get shared(): boolean {
    return this.index.shared;
  }

  /**
   * Streams `file` to disk, checking size as it goes and type once the first bytes are in.
   * `announcedBytes` (the request's Content-Length, when sent) narrows the quota reservation.
   */
  async stage(
    caller: { readonly scope: string; readonly tenantId: string },
    fileName: string,
    declaredType: string,
    file: Readable,
    truncated: () => boolean,
    announcedBytes: number | null,
  ): Promise<StagedUpload | UploadRejection> {
    const accepted = ACCEPTED_TYPES.find((type) => type.mimeType === declaredType.toLowerCase());
    if (!accepted) {
      file.resume();
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: `only JPEG, PNG or PDF files are accepted, not ${declaredType}` };
    }
    const id = randomUUID();
    const reserved = Math.min(this.options.maxBytes, announcedBytes ?? this.options.maxBytes);
    const expiresAt = this.now() + this.options.ttlMs;
    const refusal = await this.index.reserve(caller.tenantId, id, reserved, expiresAt, this.now(), {
      tenant: this.options.tenantQuotaBytes,
      total: this.options.totalQuotaBytes,
    });
    if (refusal !== null) {
      file.resume();
      const which = refusal === 'tenant' ? `your organization's quota of ${this.options.tenantQuotaBytes}` : `the gateway's quota of ${this.options.totalQuotaBytes}`;
      return { code: 'UPLOAD_QUOTA_EXCEEDED', message: `staged uploads would exceed ${which} bytes; use or let expire the ones staged, then try again` };
    }
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
    const refuse = async <T>(answer: T): Promise<T> => {
      await unlink(path).catch(() => undefined);
      await this.index.release(caller.tenantId, id);
      return answer;
    };
    try {
      await pipeline(file, sniff, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      if (isTooLarge(error)) return refuse(tooLarge(this.options.maxBytes));
      await refuse(null);
      throw error;
    }
    if (truncated() || bytes > this.options.maxBytes) return refuse(tooLarge(this.options.maxBytes));
    if (bytes === 0 || !accepted.magic.every((byte, index) => head[index] === byte)) {
      return refuse({ code: 'UNSUPPORTED_MEDIA_TYPE' as const, message: `the file's content is not ${declaredType}` });
    }
    const upload: StagedUpload = {
      id,
      scope: caller.scope,
      tenantId: caller.tenantId,
      fileName: safeFileName(fileName),
      mimeType: accepted.mimeType,
      bytes,
      path,
      stagedAt: this.now(),
    };
    this.local.set(id, upload);
    try {
      await this.index.record(recordOf(upload, expiresAt), this.index.shared ? await readFile(path) : null);
    } catch (error) {
      this.local.delete(id);
      await refuse(null);
      throw error;
    }
    return upload;
  }

  /** The caller's staged upload with this id; null for unknown, expired or someone else's. */
  async get(id: string, scope: string): Promise<StagedUpload | null> {
    const known = this.local.get(id);
    if (known) {
      if (known.scope !== scope) return null;
      // Another replica may have used it since (shared index): then this copy is stale.
      if (known.stagedAt + this.options.ttlMs <= this.now() || (this.index.shared && !(await this.index.exists(id)))) {
        await this.discard(id);
        return null;
      }
      return known;
    }
    if (!this.index.shared || !/^[0-9a-f-]{36}$/.test(id)) return null;
    // Staged on another replica: copy the shared bytes here for the upstream call to stream.
    const found = await this.index.find(id);
    if (!found || found.record.scope !== scope || found.record.expiresAt <= this.now()) return null;
    const path = join(await this.dir(), id);
    await writeFile(path, found.bytes, { mode: 0o600 });
    const upload: StagedUpload = { ...found.record, path };
    this.local.set(id, upload);
    return upload;
  }

  /** Forgets an upload everywhere and deletes its file (after a mutation sent it). */
  async discard(id: string): Promise<void> {
    const upload = this.local.get(id);
    this.local.delete(id);
    if (upload) await unlink(upload.path).catch(() => undefined);
    const tenantId = upload?.tenantId ?? (await this.index.find(id))?.record.tenantId;
    if (tenantId !== undefined) await this.index.release(tenantId, id);
  }

  /**
   * Deletes every expired upload this replica holds and frees its quota, and with a shared index
   * drops copies of uploads another replica has used since; returns how many files went.
   */
  async sweep(): Promise<number> {
    const now = this.now();
    const expired: StagedUpload[] = [];
    for (const upload of this.local.values()) {
      if (upload.stagedAt + this.options.ttlMs <= now || (this.index.shared && !(await this.index.exists(upload.id)))) expired.push(upload);
    }
    for (const upload of expired) await this.discard(upload.id);
    await this.index.forgetExpired(now);
    return expired.length;
  }

  /** Sweeps every `intervalMs` until close (the timer never keeps the process alive). */
  startSweeping(intervalMs: number, onError: (error: unknown) => void): void {
    this.sweeper ??= setInterval(() => void this.sweep().catch(onError), intervalMs).unref();
  }

  /** Deletes every file this replica holds and stops the sweep (gateway shutdown). */
  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const held = [...this.local.values()];
    this.local.clear();
    // In memory the index dies with the process; in Redis the shared copies stay for the other replicas.
    if (!this.index.shared) for (const upload of held) await this.index.release(upload.tenantId, upload.id);
    const directory = this.directory;
    this.directory = null;
    if (directory) await rm(await directory, { recursive: true, force: true });
    await this.index.close();
  }

  private dir(): Promise<string> {
    this.directory ??= mkdtemp(join(this.options.parentDirectory, 'gateway-uploads-'));
    return this.directory;
  }
}

function recordOf(upload: StagedUpload, expiresAt: number): UploadRecord {
  const { path: _path, ...record } = upload;
  return { ...record, expiresAt };
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

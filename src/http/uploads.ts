import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UploadRejection } from '../uploads/index.js';
import type { GatewayHttpApp } from './app.js';
import { authenticationHook, callerOf } from '../auth/index.js';
import type { GatewayServices } from '../context.js';
import { requestRateLimit } from '../security/index.js';
import { sendError } from './errors.js';

/**
 * `POST /uploads`: stages one payment proof (multipart field `file`; JPEG, PNG or PDF, at most
 * config.uploadMaxBytes) for a later mutation's `paymentProofUploadId`. The file streams to disk;
 * it is never held in memory. A non-simple header (`Apollo-Require-Preflight` or `X-Requested-With`)
 * is required, so a browser cannot send this cross-site without a CORS preflight.
 * Answers 201 `{ id, fileName, mimeType, bytes }`; 400, 413 or 415 with `{ error: { code, message } }`.
 */
export function registerUploadRoutes(app: GatewayHttpApp, services: GatewayServices): void {
  const store = services.uploads;
  const authenticate = authenticationHook(services.authenticator, 'plain');
  const rateLimit = requestRateLimit(services.rateLimits, 'plain');
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: store.maxBytes, files: 1, fields: 5, parts: 6 } });
    const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
      await authenticate(request, reply);
      if (!reply.sent) await rateLimit(request, reply);
    };
    scope.post('/uploads', { preHandler }, async (request, reply) => {
      const preflighted = ['apollo-require-preflight', 'x-requested-with'].some((name) => {
        const value = request.headers[name];
        return typeof value === 'string' && value.trim() !== '';
      });
      if (!preflighted) return sendError(reply, 400, 'PREFLIGHT_REQUIRED', 'send an Apollo-Require-Preflight or X-Requested-With header');
      if (!request.isMultipart()) return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a "file" part');
      const caller = callerOf(request);
      try {
        const file = await request.file();
        if (!file) return sendError(reply, 400, 'FILE_REQUIRED', 'the request has no file part');
        const length = Number(request.headers['content-length']);
        const staged = await store.stage(
          { scope: caller.partitionKey, tenantId: caller.tenant.id },
          file.filename,
          file.mimetype,
          file.file,
          () => file.file.truncated,
          Number.isSafeInteger(length) && length > 0 ? length : null,
        );
        if ('code' in staged) return sendError(reply, STATUS_OF_REJECTION[staged.code], staged.code, staged.message);
        return reply.code(201).send({ id: staged.id, fileName: staged.fileName, mimeType: staged.mimeType, bytes: staged.bytes });
      } catch (error) {
        // A body that ends early or breaks the multipart grammar is the client's fault, not ours.
        if (isMalformedMultipart(error)) return sendError(reply, 400, 'MALFORMED_MULTIPART', 'the multipart/form-data body is truncated or malformed');
        throw error;
      }
    });
  });
}

const STATUS_OF_REJECTION: Record<UploadRejection['code'], number> = {
  FILE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // The caller's staged bytes, not this request, are too many: 413 with its own code says so.
  UPLOAD_QUOTA_EXCEEDED: 413,
};

/** Busboy's grammar errors and an aborted or prematurely closed body, as @fastify/multipart reports them. */
function isMalformedMultipart(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return true;
  return /Unexpected end of (form|multipart)|Malformed|Multipart: Boundary not found|Part terminated early|aborted/i.test(error.message);
}

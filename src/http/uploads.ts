import multipart from '@fastify/multipart';
import type { GatewayHttpApp } from './app.js';
import { authenticationHook, callerOf } from '../auth/index.js';
import type { GatewayServices } from '../context.js';
import { sendError } from './errors.js';
import { uploadStoreOf } from './uploadStore.js';

/**
 * `POST /uploads`: stages one payment proof (multipart field `file`; JPEG, PNG or PDF, at most
 * config.uploadMaxBytes) for a later mutation's `paymentProofUploadId`. The file streams to disk;
 * it is never held in memory. A non-simple header (`Apollo-Require-Preflight` or `X-Requested-With`)
 * is required, so a browser cannot send this cross-site without a CORS preflight.
 * Answers 201 `{ id, fileName, mimeType, bytes }`; 400, 413 or 415 with `{ error: { code, message } }`.
 */
export function registerUploadRoutes(app: GatewayHttpApp, services: GatewayServices): void {
  const store = uploadStoreOf(services);
  app.addHook('onClose', async () => store.close());
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: store.maxBytes, files: 1, fields: 5, parts: 6 } });
    scope.post('/uploads', { preHandler: authenticationHook(services.authenticator, 'plain') }, async (request, reply) => {
      const preflighted = ['apollo-require-preflight', 'x-requested-with'].some((name) => {
        const value = request.headers[name];
        return typeof value === 'string' && value.trim() !== '';
      });
      if (!preflighted) return sendError(reply, 400, 'PREFLIGHT_REQUIRED', 'send an Apollo-Require-Preflight or X-Requested-With header');
      if (!request.isMultipart()) return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a "file" part');
      const file = await request.file();
      if (!file) return sendError(reply, 400, 'FILE_REQUIRED', 'the request has no file part');
      const staged = await store.stage(callerOf(request).partitionKey, file.filename, file.mimetype, file.file, () => file.file.truncated);
      if ('code' in staged) return sendError(reply, staged.code === 'FILE_TOO_LARGE' ? 413 : 415, staged.code, staged.message);
      return reply.code(201).send({ id: staged.id, fileName: staged.fileName, mimeType: staged.mimeType, bytes: staged.bytes });
    });
  });
}

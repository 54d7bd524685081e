import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's own request lines, trimmed: the `incoming request` / `request completed` pair is
 * dropped (the operation line and the `http request` line of observability replace it), while
 * error lines (handler errors, stream errors, 503 while closing) stay. Fastify's lines carry the
 * request id under the same key as ours, `requestId`.
 */
export class GatewayLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply);
  }
}

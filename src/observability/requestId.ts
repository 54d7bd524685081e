import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a load balancer or client may set to correlate its logs with ours; echoed on every response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Short, printable ids only: anything else from a client could forge or flood log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: the incoming `x-request-id` when it looks like an id, otherwise a new UUID.
 * The id appears in every log line about the request and in the operation's context.
 */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

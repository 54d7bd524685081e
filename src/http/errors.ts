import type { FastifyReply } from 'fastify';
import { GatewayError, type GatewayErrorCode } from '../errors.js';

/** HTTP status of a gateway error on the plain (non-GraphQL) routes. */
const STATUS_BY_CODE: Record<GatewayErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_BAD_RESPONSE: 502,
  AUDIT_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** `{ error: { code, message } }`, the body of every refusal of the plain HTTP routes. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

/** A GatewayError keeps its code and message (they never name an upstream URL); anything else is masked. */
export function sendGatewayError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof GatewayError) return sendError(reply, STATUS_BY_CODE[error.code], error.code, error.message);
  reply.log.error({ err: error }, 'unexpected error on a file route');
  return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error');
}

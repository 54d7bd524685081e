import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimits } from '../protection/index.js';

/**
 * A Fastify preHandler step, after authentication: charges the request to its caller's subject and
 * tenant request budgets. Over budget: HTTP 429 with `Retry-After` and code RATE_LIMITED; the
 * handler never runs. Returns false once it has answered.
 */
export function requestRateLimit(rateLimits: RateLimits, shape: 'graphql' | 'plain') {
  return async (request: Pick<FastifyRequest, 'caller'>, reply: FastifyReply): Promise<boolean> => {
    if (!request.caller || reply.sent) return !reply.sent;
    const decision = await rateLimits.chargeRequest(request.caller);
    if (decision.allowed) return true;
    const message = `Rate limit reached: too many requests in this window; retry after ${decision.retryAfterSeconds} s.`;
    const extensions = { code: 'RATE_LIMITED', limit: decision.limit, retryAfterSeconds: decision.retryAfterSeconds };
    await reply
      .code(429)
      .header('retry-after', String(decision.retryAfterSeconds))
      .type('application/json')
      .send(shape === 'graphql' ? { errors: [{ message, extensions }] } : { error: { code: 'RATE_LIMITED', message } });
    return false;
  };
}

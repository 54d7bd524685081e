import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from './caller.js';
import { AuthenticationError, type Authenticator } from './authenticate.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook of the routes that need a caller; null elsewhere. */
    caller: Caller | null;
  }
}

/** How a refusal's body looks on a route: GraphQL's `{ errors }`, or the plain routes' `{ error }`. */
export type RefusalShape = 'graphql' | 'plain';

/**
 * A Fastify preHandler that authenticates the request before its handler runs. A refusal is HTTP 401
 * with `WWW-Authenticate: Bearer error="invalid_token"` and code UNAUTHENTICATED; the handler (and so
 * every resolver and upstream call) never runs. CORS preflights pass: they carry no credentials.
 */
export function authenticationHook(authenticator: Authenticator, shape: RefusalShape) {
  return async function authenticate(request: Pick<FastifyRequest, 'method' | 'headers' | 'caller'>, reply: Pick<FastifyReply, 'code' | 'header' | 'type' | 'send'>): Promise<void> {
    if (request.method === 'OPTIONS') return;
    try {
      request.caller = await authenticator.authenticate(request.headers);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      const description = error.message.replace(/["\\]/g, "'");
      void reply
        .code(401)
        .header('www-authenticate', `Bearer error="invalid_token", error_description="${description}"`)
        .header('cache-control', 'no-store')
        .type('application/json');
      await reply.send(
        shape === 'graphql'
          ? { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] }
          : { error: { code: 'UNAUTHENTICATED', message: error.message } },
      );
    }
  };
}

/** The caller the hook settled; a route without the hook has none, which is a programming error. */
export function callerOf(request: Pick<FastifyRequest, 'caller' | 'method' | 'url'>): Caller {
  if (!request.caller) throw new Error(`no authenticated caller on ${request.method} ${request.url}: the route lacks the authentication hook`);
  return request.caller;
}

import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { InvalidPageArgumentError } from '../domain/pagination.js';
import { GatewayError } from '../errors.js';

/** Codes of errors Apollo and graphql-js raise before execution; their messages are safe to show. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * What a client may read of an upstream failure in production: the system and what kind of failure,
 * never the upstream's own words. Development keeps the detail (an upstream's message helps there).
 */
const PRODUCTION_UPSTREAM_MESSAGES: Record<string, (system: string) => string> = {
  UPSTREAM_UNAVAILABLE: (system) => `${system} is unavailable`,
  UPSTREAM_TIMEOUT: (system) => `${system} did not answer in time`,
  UPSTREAM_BAD_RESPONSE: (system) => `${system} sent an unexpected response`,
  UNAUTHENTICATED: (system) => `${system}: missing or invalid credentials`,
  FORBIDDEN: (system) => `${system}: the caller may not access this resource`,
  NOT_FOUND: (system) => `${system}: not found`,
};

/** graphql-js hints at schema names ("Did you mean "x"?") in several messages, validation and variable coercion alike. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * The production shape of an error a client may see: no `stacktrace`, no "Did you mean …?", and an
 * upstream failure's message rebuilt from its code and system (an upstream's error text can carry
 * its body, hosts or URLs). Idempotent, so it can be applied again to a whole response
 * (src/security/productionErrors.ts does, for errors that plugins add after formatError).
 */
export function productionSafeError(value: GraphQLFormattedError): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = value.extensions ?? {};
  const system = extensions['system'];
  const upstreamMessage = typeof system === 'string' ? PRODUCTION_UPSTREAM_MESSAGES[String(extensions['code'])]?.(system) : undefined;
  return { ...value, message: upstreamMessage ?? value.message.replace(SUGGESTION, ''), extensions };
}

/**
 * Apollo's formatError: typed gateway errors and request errors pass through; anything unexpected
 * is logged and masked to INTERNAL_SERVER_ERROR, so no stack, upstream URL or body reaches a client.
 * In production every error also takes productionSafeError's shape, and an unexpected error outside
 * any field (context creation, a plugin) is masked too.
 */
export function maskErrors(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const strip = (value: GraphQLFormattedError): GraphQLFormattedError => (production ? productionSafeError(value) : value);
    if (original instanceof GatewayError) return strip(formatted);
    if (original instanceof InvalidPageArgumentError) {
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) return strip(formatted);
    // Outside any field: Apollo's own refusals and other helpers' typed errors keep their code and
    // message; only an unexpected one (INTERNAL_SERVER_ERROR, e.g. "Context creation failed: …") is masked in production.
    if (!formatted.path && !(production && (code === undefined || code === 'INTERNAL_SERVER_ERROR'))) return strip(formatted);
    logger.error({ err: original, path: formatted.path }, formatted.path ? 'unexpected error in a resolver' : 'unexpected error outside any field');
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

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
 * Apollo's formatError: typed gateway errors and request errors pass through; anything unexpected
 * is logged and masked to INTERNAL_SERVER_ERROR, so no stack, upstream URL or body reaches a client.
 */
export function maskErrors(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const strip = (value: GraphQLFormattedError): GraphQLFormattedError => {
      if (!production || !value.extensions) return value;
      const { stacktrace: _stacktrace, ...extensions } = value.extensions;
      return { ...value, extensions };
    };
    if (original instanceof GatewayError) return strip(formatted);
    if (original instanceof InvalidPageArgumentError) {
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) return strip(formatted);
    if (!formatted.path) return strip(formatted);
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a resolver');
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

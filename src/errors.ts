import { GraphQLError } from 'graphql';
import type { SourceSystem } from './domain/models.js';

/**
 * Error codes a client can switch on (`extensions.code`). Upstream failures carry the system they
 * came from in `extensions.system`; nothing else about the upstream (URL, host, body) is exposed.
 */
export type GatewayErrorCode =
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'AUDIT_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export class GatewayError extends GraphQLError {
  constructor(
    message: string,
    readonly code: GatewayErrorCode,
    extensions: Record<string, unknown> = {},
    /** Only for errors reported beside a field's value (partial errors); a thrown error gets its path from graphql-js. */
    path?: readonly (string | number)[],
  ) {
    super(message, { extensions: { ...extensions, code }, ...(path ? { path } : {}) });
  }
}

/** An upstream could not be reached, refused the connection or answered 5xx. */
export class UpstreamUnavailableError extends GatewayError {
  constructor(readonly system: SourceSystem, detail = 'is unavailable') {
    super(`${system} ${detail}`, 'UPSTREAM_UNAVAILABLE', { system });
  }
}

/** An upstream did not answer within its timeout, or the operation's time budget ran out first. */
export class UpstreamTimeoutError extends GatewayError {
  constructor(readonly system: SourceSystem, detail = 'did not answer in time') {
    super(`${system} ${detail}`, 'UPSTREAM_TIMEOUT', { system });
  }
}

/** The upstream answered something that is not what its documentation promises. */
export class UpstreamBadResponseError extends GatewayError {
  constructor(readonly system: SourceSystem, detail: string) {
    super(`${system} sent an unexpected response: ${detail}`, 'UPSTREAM_BAD_RESPONSE', { system });
  }
}

export class UnauthenticatedError extends GatewayError {
  constructor(system: SourceSystem | null, message = 'Missing or invalid credentials') {
    super(system ? `${system}: ${message}` : message, 'UNAUTHENTICATED', system ? { system } : {});
  }
}

export class ForbiddenError extends GatewayError {
  constructor(system: SourceSystem, message = 'The caller may not access this resource') {
    super(`${system}: ${message}`, 'FORBIDDEN', { system });
  }
}

/** Apollo Router's words for a field or type the caller's token does not allow (`@requiresScopes`, `@authenticated`). */
export const UNAUTHORIZED_FIELD_MESSAGE = 'Unauthorized field or type';

/** The caller may see neither this field nor objects of this type; the gateway asked no upstream. */
export class UnauthorizedFieldError extends GatewayError {
  constructor(path?: readonly (string | number)[]) {
    super(UNAUTHORIZED_FIELD_MESSAGE, 'FORBIDDEN', {}, path);
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string, where: { system?: SourceSystem; path?: readonly (string | number)[] } | SourceSystem = {}) {
    const { system, path } = typeof where === 'string' ? { system: where, path: undefined } : where;
    super(message, 'NOT_FOUND', system ? { system } : {}, path);
  }
}

export class BadUserInputError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, 'BAD_USER_INPUT', extensions);
  }
}

/**
 * The one place an upstream HTTP status becomes a GraphQL error. Business rejections (IQM's 422
 * `errorObjects`, Intact's `Success:false`) never get here: clients turn those into user errors.
 */
export function errorForUpstreamStatus(system: SourceSystem, status: number, upstreamMessage?: string): GatewayError {
  if (status === 401) return new UnauthenticatedError(system, upstreamMessage ?? 'the upstream rejected the credentials');
  if (status === 403) return new ForbiddenError(system, upstreamMessage);
  if (status === 404) return new NotFoundError(`${system}: ${upstreamMessage ?? 'not found'}`, system);
  if (status === 408 || status === 504) return new UpstreamTimeoutError(system);
  if (status === 429 || status >= 500) return new UpstreamUnavailableError(system, `answered HTTP ${status}`);
  return new UpstreamBadResponseError(system, `HTTP ${status}${upstreamMessage ? `: ${upstreamMessage}` : ''}`);
}

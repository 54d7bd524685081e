import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import type { UpstreamCallRecord } from '../upstreams/http.js';
import type { GatewayMetrics, OperationOutcome } from './metrics.js';
import { callerTraceContext } from './traceContext.js';
import type { GatewayTracing } from './tracing.js';

/** What the operation plugin needs from the rest of observability. */
export interface OperationLogOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly tracing: GatewayTracing | null;
  /** Called with the request id of every operation logged here, so the HTTP layer does not log it twice. */
  readonly logged: (requestId: string) => void;
}

/**
 * One `info` line, one metrics sample and one root span per GraphQL operation.
 *
 * The line: `requestId`, `operationName` (null when anonymous), `operationType`, `durationMs`,
 * `outcome` (`success`; `partial`: data and errors; `error`: no data), `errorCodes`, `upstreamCalls`
 * (`count`, `failed`, `bySystem`), `upstreamFailures` (each failed attempt, at most ten) and
 * `traceId` when tracing is on. Variables, headers and the document are never logged.
 */
export function useOperationLog(options: OperationLogOptions): ApolloServerPlugin<GatewayContext> {
  const { logger, metrics, tracing } = options;
  return {
    async requestDidStart({ contextValue, request }) {
      const started = performance.now();
      metrics.operationStarted();
      const operationTrace = tracing?.startOperation(contextValue, contextValue.requestId, callerTraceContext(request.http?.headers ?? new Map<string, string>())) ?? null;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operation) operationTrace?.resolved(operation.operation, operationName ?? null);
        },
        async willSendResponse({ response, operation, operationName, request }) {
          const durationMs = roundMs(performance.now() - started);
          const name = operationName ?? request.operationName ?? null;
          const { outcome, errorCodes } = outcomeOf(response.body, contextValue);
          metrics.operationFinished(metrics.operationLabel(name), outcome, durationMs);
          operationTrace?.end(outcome, errorCodes);
          options.logged(contextValue.requestId);
          if (!logger.isLevelEnabled('info')) return;
          const calls = contextValue.upstreamCalls;
          const failures = calls.filter((call) => attemptFailure(call) !== null);
          const bySystem: Record<string, number> = {};
          for (const call of calls) bySystem[call.system] = (bySystem[call.system] ?? 0) + 1;
          logger.info(
            {
              requestId: contextValue.requestId,
              operationName: name,
              operationType: operation?.operation ?? null,
              durationMs,
              outcome,
              errorCodes,
              upstreamCalls: { count: calls.length, failed: failures.length, bySystem },
              ...(failures.length > 0 ? { upstreamFailures: failures.slice(0, 10).map(describeCall) } : {}),
              ...(operationTrace ? { traceId: operationTrace.traceId } : {}),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

/**
 * The error code of a failed upstream attempt, or null when it succeeded. An attempt failed when
 * the upstream layer attached a typed error, or (where it has not) when no answer came or a 5xx did.
 */
export function attemptFailure(call: UpstreamCallRecord): string | null {
  if (call.errorCode) return call.errorCode;
  if (call.status === 0) return 'NO_RESPONSE';
  if (call.status >= 500) return `HTTP_${call.status}`;
  return null;
}

/** An upstream attempt as logs and the debug extension show it: the route template, never the URL. */
export function describeCall(call: UpstreamCallRecord): Record<string, string | number> {
  return {
    system: call.system,
    method: call.method,
    route: call.route,
    status: call.status,
    durationMs: roundMs(call.durationMs),
    attempt: call.attempt,
    ...(call.errorCode ? { errorCode: call.errorCode } : {}),
  };
}

export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function outcomeOf(body: GraphQLResponse['body'], contextValue: GatewayContext): { outcome: OperationOutcome; errorCodes: string[] } {
  const codes = new Set<string>();
  for (const error of contextValue.partialErrors) codes.add(codeOf(error.extensions));
  if (body.kind !== 'single') return { outcome: codes.size > 0 ? 'partial' : 'success', errorCodes: [...codes] };
  const { data, errors } = body.singleResult;
  for (const error of errors ?? []) codes.add(codeOf(error.extensions));
  const errorCodes = [...codes].sort();
  if (data === null || data === undefined) return { outcome: 'error', errorCodes };
  return { outcome: errorCodes.length > 0 ? 'partial' : 'success', errorCodes };
}

function codeOf(extensions: Readonly<Record<string, unknown>> | undefined): string {
  const code = extensions?.['code'];
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

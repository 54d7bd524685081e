import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { describeCall } from './operationLog.js';

/** The request header that asks for the upstream calls in the response (outside production). */
export const DEBUG_HEADER = 'x-gateway-debug';

/**
 * With `x-gateway-debug: 1` outside production, the response's `extensions.upstreamCalls` lists every
 * upstream attempt the operation made (system, method, route template, status, durationMs, attempt),
 * so a frontend developer sees what a query costs, and `extensions.upstreamCallEstimate` sets the
 * cost model's estimate made before execution (`estimated`, `bySystem`) next to the attempts the
 * operation really sent (`actual`). In production the header is ignored: the list
 * would tell anyone how the gateway talks to its upstreams.
 */
export function useDebugExtensions(production: boolean): ApolloServerPlugin<GatewayContext> {
  if (production) return {};
  return {
    async requestDidStart({ request }) {
      if (request.http?.headers.get(DEBUG_HEADER)?.trim() !== '1') return;
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const { estimate } = contextValue.upstreamBudget;
          const upstreamCallEstimate = estimate
            ? { estimated: estimate.total, bySystem: estimate.bySystem, actual: contextValue.upstreamCalls.filter((call) => call.sent).length }
            : null;
          result.extensions = { ...result.extensions, upstreamCalls: contextValue.upstreamCalls.map(describeCall), upstreamCallEstimate };
        },
      };
    },
  };
}

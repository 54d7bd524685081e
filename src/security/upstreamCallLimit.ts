import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
// The CommonJS build, which Apollo Server and graphql-tools load (see limits.ts).
import { GraphQLError } from 'graphql/index.js';
import type { GatewayContext } from '../context.js';
import type { MeasuredOperation, OperationLimits } from './limits.js';
import type { RateDecision, RateLimits } from '../protection/index.js';
import { OperationMemo } from './operationMemo.js';
import { UpstreamCallMeter, type TenantBounds, type UpstreamCallEstimate } from './upstreamCost.js';

/**
 * The upstream-call stage of the limits, run after page sizes and cost passed: estimates the
 * operation's upstream calls (upstreamCost.ts), refuses it over MAX_UPSTREAM_CALLS (HTTP 400,
 * GRAPHQL_VALIDATION_FAILED with the estimate), then charges the estimate to the caller's
 * upstream-call budgets (HTTP 429, RATE_LIMITED, Retry-After). Nothing executes after a refusal.
 */
export function upstreamCallCheck(limits: OperationLimits, rateLimits: RateLimits) {
  // An estimate depends on the operation, its variables and the tenant's bounds only: walked once for each.
  const estimates = new OperationMemo<UpstreamCallEstimate>();
  return async ({ schema, document, operation, variables, variablesKey, contextValue }: MeasuredOperation<GatewayContext>): Promise<void> => {
    const bounds = tenantBounds(contextValue.directory);
    const key = `${bounds.customers},${bounds.refrensInvoicesPerCustomer},${bounds.refrensInvoices}|${variablesKey}`;
    const estimate = estimates.get(operation, key, () => new UpstreamCallMeter(schema, document, variables, bounds, limits.maxPageSize).estimate(operation));
    contextValue.upstreamBudget.estimate = estimate;
    if (estimate.total > limits.maxUpstreamCalls) {
      throw new GraphQLError(
        `This operation could make up to ${estimate.total} upstream calls, above the limit of ${limits.maxUpstreamCalls}: ask for fewer ids, smaller pages or fewer fields that need an upstream read.`,
        {
          extensions: {
            code: 'GRAPHQL_VALIDATION_FAILED',
            limit: 'MAX_UPSTREAM_CALLS',
            estimatedUpstreamCalls: estimate.total,
            estimatedUpstreamCallsBySystem: estimate.bySystem,
            maxUpstreamCalls: limits.maxUpstreamCalls,
            http: { status: 400 },
          },
        },
      );
    }
    const decision = await rateLimits.chargeUpstreamCalls(contextValue.caller, estimate.total);
    if (!decision.allowed) throw rateLimitedError(decision, estimate.total);
    contextValue.upstreamBudget.charged = estimate.total;
  };
}

/** Settles the upstream-call budgets with the calls the operation really sent, once it has answered. */
export function upstreamBudgetReconciliation(rateLimits: RateLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          const { charged } = contextValue.upstreamBudget;
          if (charged === 0) return;
          const actual = contextValue.upstreamCalls.filter((call) => call.sent).length;
          await rateLimits.reconcileUpstreamCalls(contextValue.caller, charged, actual);
        },
      };
    },
  };
}

/** The GraphQL error of a spent budget: HTTP 429 with Retry-After, code RATE_LIMITED. */
export function rateLimitedError(decision: Extract<RateDecision, { allowed: false }>, asked?: number): GraphQLError {
  const what = decision.limit.endsWith('UPSTREAM_CALLS') ? `upstream calls (this operation needs up to ${asked ?? 0}, ${decision.allowance} left)` : 'requests';
  // Typed apart from GraphQLErrorExtensions: graphql-yoga (Hive Gateway, examples/supergraph) declares
  // `http.headers` a plain record there, while Apollo Server reads the HeaderMap it merges into the response.
  const extensions: Record<string, unknown> = {
    code: 'RATE_LIMITED',
    limit: decision.limit,
    retryAfterSeconds: decision.retryAfterSeconds,
    http: { status: 429, headers: new HeaderMap([['retry-after', String(decision.retryAfterSeconds)]]) },
  };
  return new GraphQLError(`Rate limit reached: too many ${what} in this window; retry after ${decision.retryAfterSeconds} s.`, { extensions });
}

/** Each tenant's directory view is built once at start-up: its bounds are counted once too. */
const boundsOfDirectory = new WeakMap<GatewayContext['directory'], TenantBounds>();

function tenantBounds(directory: GatewayContext['directory']): TenantBounds {
  let bounds = boundsOfDirectory.get(directory);
  if (!bounds) {
    const refrens = directory.customers.map((customer) => customer.identities.refrens?.invoices.length ?? 0);
    bounds = {
      customers: directory.customers.length,
      refrensInvoicesPerCustomer: Math.max(0, ...refrens),
      refrensInvoices: refrens.reduce((sum, count) => sum + count, 0),
    };
    boundsOfDirectory.set(directory, bounds);
  }
  return bounds;
}

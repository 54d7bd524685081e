import type { ApolloServerPlugin } from '@apollo/server';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { NoServiceSdlWithoutIntrospection } from '../subgraph/serviceSdlRule.js';
import { inputPathPlugin } from './inputPaths.js';
import { limitValidationRules, operationLimitsPlugin } from './limits.js';
import type { RateLimits } from '../protection/index.js';
import { upstreamBudgetReconciliation, upstreamCallCheck } from './upstreamCallLimit.js';

export { limitValidationRules, operationLimitsPlugin, type LimitName, type OperationLimits } from './limits.js';
export { requestRateLimit } from './rateLimitHook.js';
export { UpstreamCallMeter, type TenantBounds, type UpstreamCallEstimate } from './upstreamCost.js';

/** What the gateway refuses before anything executes: limits, introspection, schema hints in errors. */
export interface SecurityOptions {
  readonly validationRules: ValidationRule[];
  /** graphql-js stops parsing a document with more tokens than `maxTokens` (GRAPHQL_PARSE_FAILED). */
  readonly parseOptions: ParseOptions;
  readonly introspection: boolean;
  /** No "Did you mean …?" suggestions in validation errors. */
  readonly hideSchemaDetailsFromClientErrors: boolean;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

export function securityOptions(config: GatewayConfig, rateLimits: RateLimits): SecurityOptions {
  return {
    validationRules: [...limitValidationRules(config.limits), ...(config.introspection ? [] : [NoServiceSdlWithoutIntrospection])],
    parseOptions: { maxTokens: config.limits.maxTokens },
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.production,
    plugins: [
      operationLimitsPlugin<GatewayContext>(config.limits, upstreamCallCheck(config.limits, rateLimits)),
      upstreamBudgetReconciliation(rateLimits),
      inputPathPlugin<GatewayContext>(),
    ],
  };
}

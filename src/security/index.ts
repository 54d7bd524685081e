import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';

/** What the gateway refuses before anything executes: limits, introspection, schema hints in errors. */
export interface SecurityOptions {
  readonly validationRules: ValidationRule[];
  readonly introspection: boolean;
  /** No "Did you mean …?" suggestions in validation errors. */
  readonly hideSchemaDetailsFromClientErrors: boolean;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

export function securityOptions(config: GatewayConfig): SecurityOptions {
  return {
    validationRules: [],
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.production,
    plugins: [],
  };
}

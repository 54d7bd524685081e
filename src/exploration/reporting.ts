import type { ApolloConfigInput, ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginSchemaReporting } from '@apollo/server/plugin/schemaReporting';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';

export interface GraphosReporting {
  /** For ApolloServer's `apollo` option; undefined when reporting is off. */
  readonly apollo: ApolloConfigInput | undefined;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

/**
 * GraphOS usage and schema reporting, decided by the gateway's config (APOLLO_KEY and APOLLO_GRAPH_REF,
 * which config.ts requires together). When they are unset, the two reporting plugins are installed in
 * their disabled form: Apollo Server would otherwise read APOLLO_KEY from process.env by itself and
 * start reporting, so a key that leaks into the environment (or APOLLO_SCHEMA_REPORTING=true) still
 * sends nothing.
 */
export function graphosReporting(config: GatewayConfig): GraphosReporting {
  const { key, graphRef } = config.apollo;
  if (key && graphRef) {
    return {
      apollo: { key, graphRef },
      plugins: [ApolloServerPluginUsageReporting<GatewayContext>(), ApolloServerPluginSchemaReporting()],
    };
  }
  return {
    apollo: undefined,
    plugins: [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()],
  };
}

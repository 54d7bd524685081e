import type { ApolloConfigInput, ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';

export interface GraphosReporting {
  /** For ApolloServer's `apollo` option; undefined when reporting is off. */
  readonly apollo: ApolloConfigInput | undefined;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

/**
 * GraphOS usage reporting, decided by the gateway's config (APOLLO_KEY and APOLLO_GRAPH_REF, which
 * config.ts requires together). When they are unset, the reporting plugins are installed in their
 * disabled form: Apollo Server would otherwise read APOLLO_KEY from process.env by itself and start
 * reporting, so a key that leaks into the environment (or APOLLO_SCHEMA_REPORTING=true) still sends
 * nothing.
 *
 * Schema reporting stays off in both cases: the schema is a Federation subgraph, which Apollo's schema
 * reporting refuses; the schema reaches GraphOS with `rover subgraph publish` (or `rover graph
 * publish` for the stand-alone graph) from the committed src/__generated__/ files. Usage reporting is
 * installed explicitly, since Apollo Server leaves it off for a subgraph (behind a router the router
 * reports; the stand-alone graph has nobody else to do it).
 */
export function graphosReporting(config: GatewayConfig): GraphosReporting {
  const { key, graphRef } = config.apollo;
  if (key && graphRef) {
    return {
      apollo: { key, graphRef },
      plugins: [ApolloServerPluginUsageReporting<GatewayContext>(), ApolloServerPluginSchemaReportingDisabled()],
    };
  }
  return {
    apollo: undefined,
    plugins: [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()],
  };
}

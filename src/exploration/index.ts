import type { ApolloConfigInput, ApolloServerPlugin } from '@apollo/server';
import type { GatewayHttpApp } from '../http/app.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { registerCors } from './cors.js';
import { registerGraphiql } from './graphiql.js';
import { landingPagePlugin } from './landingPage.js';
import { graphosReporting } from './reporting.js';

export { GRAPHIQL_CONTENT_SECURITY_POLICY } from './graphiql.js';

/** What people exploring the graph get from Apollo Server: landing page, APQ, GraphOS reporting. */
export interface ExplorationOptions {
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
  /** ApolloServer's `apollo` option: set only when GraphOS reporting is configured. */
  readonly apollo: ApolloConfigInput | undefined;
  /** ApolloServer's `persistedQueries` option. */
  readonly persistedQueries: { readonly ttl: number | null };
}

export function explorationOptions(config: GatewayConfig): ExplorationOptions {
  const reporting = graphosReporting(config);
  return {
    plugins: [landingPagePlugin(config), ...reporting.plugins],
    apollo: reporting.apollo,
    // Automatic persisted queries (their cache is trustedDocuments' registrations: per tenant, in an
    // LRU bounded at 30 MiB or in Redis shared by replicas); a registration lives APQ_TTL_SECONDS.
    // A client that meets PERSISTED_QUERY_NOT_FOUND resends the hash with the full query.
    persistedQueries: { ttl: config.apqTtlSeconds },
  };
}

/**
 * Registered before /graphql, so the CORS hooks apply to it. Outside production this also serves the
 * self-contained GraphiQL at /graphiql; production serves neither Sandbox nor GraphiQL.
 */
export async function registerExplorationRoutes(app: GatewayHttpApp, config: GatewayConfig): Promise<void> {
  await registerCors(app, config);
  if (!config.production) await registerGraphiql(app);
}

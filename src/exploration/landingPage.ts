import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';

/**
 * What a browser gets on GET /graphql with `accept: text/html`:
 * - outside production, the embedded Apollo Sandbox (loaded from Apollo's CDN);
 * - in production with a graph ref, Apollo's production landing page pointing at that graph in Studio;
 * - in production without one, nothing (the GET is an ordinary, failing GraphQL request).
 */
export function landingPagePlugin(config: GatewayConfig): ApolloServerPlugin<GatewayContext> {
  if (!config.production) return ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true });
  if (config.apollo.graphRef) {
    return ApolloServerPluginLandingPageProductionDefault({ footer: false, graphRef: config.apollo.graphRef });
  }
  return ApolloServerPluginLandingPageDisabled();
}

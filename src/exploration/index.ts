import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { GatewayHttpApp } from '../http/app.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';

/** What people exploring the graph get: landing page, and the routes around /graphql. */
export interface ExplorationOptions {
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

export function explorationOptions(config: GatewayConfig): ExplorationOptions {
  return {
    plugins: [
      config.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    ],
  };
}

/** Registered before /graphql, so hooks such as CORS apply to it. */
export async function registerExplorationRoutes(_app: GatewayHttpApp, _config: GatewayConfig): Promise<void> {}

import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { FIRST_QUERY } from './firstQuery.js';

/**
 * What a browser gets on GET /graphql with `accept: text/html`:
 * - outside production, the embedded Apollo Sandbox (loaded from Apollo's CDN), opened on the README's
 *   first query; offline, its fallback text points to the self-hosted GraphiQL at /graphiql;
 * - in production with a graph ref, Apollo's production landing page pointing at that graph in Studio;
 * - in production without one, nothing (the GET is an ordinary, failing GraphQL request).
 */
export function landingPagePlugin(config: GatewayConfig): ApolloServerPlugin<GatewayContext> {
  if (!config.production) return withOfflineFallback(ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true, document: FIRST_QUERY }));
  if (config.apollo.graphRef) {
    return ApolloServerPluginLandingPageProductionDefault({ footer: false, graphRef: config.apollo.graphRef });
  }
  return ApolloServerPluginLandingPageDisabled();
}

/**
 * What the page shows while Sandbox's script has not loaded, or at all when Apollo's CDN cannot be
 * reached. The link is relative, like GraphiQL's own URLs, so it also works under a path prefix.
 */
export const SANDBOX_OFFLINE_FALLBACK = `<div class="fallback">
  <h1>Finance GraphQL gateway</h1>
  <p>Apollo Sandbox cannot be loaded: it comes from Apollo's CDN, which this browser cannot reach.</p>
  <p>Use the self-hosted GraphiQL instead, served by this gateway: <a href="graphiql">/graphiql</a>.</p>
</div>`;

/** Apollo's page with its fallback block (the generic "you might be offline") replaced by ours. */
function withOfflineFallback(plugin: ApolloServerPlugin<GatewayContext>): ApolloServerPlugin<GatewayContext> {
  return {
    ...plugin,
    async serverWillStart(service) {
      const listener = await plugin.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!listener || !render) return listener;
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          const html = typeof page.html === 'string' ? page.html : await page.html();
          return { html: html.replace(/<div class="fallback">[\s\S]*?<\/div>/, SANDBOX_OFFLINE_FALLBACK) };
        },
      };
    },
  };
}

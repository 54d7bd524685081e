import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import { authenticationHook, callerOf, registerDevelopmentIssuerRoutes, useAuthorization } from './auth/index.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { reconcileOrphans } from './idempotency/index.js';
import { auditSettlements, useAuditedRefusals } from './resolvers/Mutation/audited.js';
import { orphanRestorer } from './resolvers/Mutation/reconcilers.js';
import { explorationOptions, registerExplorationRoutes } from './exploration/index.js';
import { registerFileRoutes } from './http/files.js';
import { linkOrigin } from './http/linkOrigin.js';
import { registerUploadRoutes } from './http/uploads.js';
import { GatewayLogController, lazyChildLoggerFactory, requestIdOf } from './observability/index.js';
import { maskErrors } from './plugins/maskErrors.js';
import { usePartialErrors } from './plugins/usePartialErrors.js';
import { buildSchema } from './schema.js';
import { requestRateLimit, securityOptions } from './security/index.js';
import { createTrustedDocuments } from './trustedDocuments/index.js';

export interface Gateway {
  readonly app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly logger: Logger;
  /** The admin listener (ADMIN_PORT): /metrics and the detailed /readyz; null when they stay on the public port. */
  readonly admin: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger> | null;
  /**
   * Starts listening (the admin listener too, on ADMIN_PORT and the same host); returns the GraphQL
   * endpoint URL. `adminOrigin` is set from then on when there is an admin listener.
   */
  listen(port: number, host: string): Promise<string>;
  readonly adminOrigin: string | null;
  close(): Promise<void>;
}

/**
 * Builds the HTTP server (Fastify) with Apollo Server on /graphql and the gateway's plain routes.
 * Each concern (security, exploration, observability) contributes its own options and routes.
 */
export async function createGateway(services: GatewayServices): Promise<Gateway> {
  const { config, observability } = services;
  const { logger } = observability;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.limits.bodyLimitBytes,
    // Observability writes one line per operation (and per other request) instead of Fastify's two.
    logController: new GatewayLogController(),
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId: requestIdOf,
    // Every phase of a client connection is bounded (README, "Limits"): the request head, the whole
    // request (a body trickling in a byte at a time is cut off here), a socket on which nothing
    // moves, and an idle keep-alive connection. Node checks the first two on this interval.
    connectionTimeout: config.clientTimeouts.idleMs,
    requestTimeout: config.clientTimeouts.requestMs,
    keepAliveTimeout: config.clientTimeouts.keepAliveMs,
    http: {
      headersTimeout: config.clientTimeouts.headersMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.clientTimeouts.headersMs / 4))),
    },
  });
  const security = securityOptions(config, services.rateLimits);
  const originOf = linkOrigin(config);
  const exploration = explorationOptions(config);
  const formatError = maskErrors(logger, config.production);
  // Throws TrustedDocumentsError (every bad manifest entry named) before anything listens.
  const trustedDocuments = createTrustedDocuments(config, logger, services.registeredQueries);
  const apollo = new ApolloServer<GatewayContext>({
    schema: observability.instrumentSchema(buildSchema()),
    // Apollo's own messages (reporting start-up, warnings) go through the gateway's logger and level,
    // not straight to the console: LOG_LEVEL=silent (the tests) silences them like every other line.
    logger: logger.child({ component: 'apollo-server' }),
    // main.ts owns SIGTERM/SIGINT (drain, then close pools and exporters); Apollo's own handler would re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    formatError,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: false,
    // Compact JSON: Apollo's default pretty-prints every response (2.7 % of the gateway's CPU in the
    // benchmark's saturation profile, and a third more bytes on the wire).
    stringifyResult: (result) => JSON.stringify(result),
    apollo: exploration.apollo,
    persistedQueries: { ...exploration.persistedQueries, cache: trustedDocuments.persistedQueryCache },
    introspection: security.introspection,
    validationRules: security.validationRules,
    parseOptions: security.parseOptions,
    hideSchemaDetailsFromClientErrors: security.hideSchemaDetailsFromClientErrors,
    plugins: [
      // Apollo's cache-control plugin wraps every resolver (willResolveField) to compute a cache
      // policy nothing here declares, only to end at `no-store`; the header is set below instead
      // (issue 16: a measurable share of the CPU per operation).
      ApolloServerPluginCacheControlDisabled(),
      fastifyApolloDrainPlugin(app),
      // First: what the caller may not see is out of the operation before any other plugin plans work,
      // and its FORBIDDEN errors are in the response before others read it.
      useAuthorization<GatewayContext>(),
      // Right after it: the mutation fields it refused leave their audit records.
      useAuditedRefusals(),
      usePartialErrors(formatError),
      ...observability.plugins,
      ...security.plugins,
      ...exploration.plugins,
      trustedDocuments.plugin,
    ],
  });
  await apollo.start();
  const stopAuditingSettlements = auditSettlements(services);
  // Keys whose replica died holding them are settled by whichever replica sweeps first.
  services.reconciler.sweep(() => reconcileOrphans(services, orphanRestorer(services)));

  await registerExplorationRoutes(app, config);
  app.decorateRequest('caller', null);
  const authenticate = authenticationHook(services.authenticator, 'graphql');
  const rateLimit = requestRateLimit(services.rateLimits, 'graphql');
  await app.register(async (graphqlScope) => {
    // Authentication runs before Apollo sees the request: a refusal executes nothing. A GET without
    // an operation is the landing page (Sandbox), which holds no data.
    graphqlScope.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' && !hasOperation(request.query)) return;
      // Finance data: no GraphQL answer (nor refusal) may be stored by a cache on the way.
      reply.header('cache-control', 'no-store');
      await authenticate(request, reply);
      if (!reply.sent) await rateLimit(request, reply);
    });
    const serveGraphql = fastifyApolloHandler(apollo, {
      context: async (request) =>
        createContext(services, { caller: callerOf(request), headers: request.headers, linkOrigin: originOf(request.raw), requestId: request.id }),
    });
    graphqlScope.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler: serveGraphql });
  });
  registerDevelopmentIssuerRoutes(app, services.authenticator);
  observability.registerRoutes(app, services);
  let admin: Gateway['admin'] = null;
  if (config.adminPort !== null) {
    // Its own Fastify: nothing registered on the public app (CORS, GraphQL, files) is reachable here.
    admin = Fastify({ loggerInstance: logger, logController: new GatewayLogController(), genReqId: requestIdOf });
    observability.registerAdminRoutes(admin, services);
  }
  let adminOrigin: string | null = null;
  registerUploadRoutes(app, services);
  registerFileRoutes(app, services);

  return {
    app,
    apollo,
    logger,
    admin,
    // eslint-disable-next-line no-restricted-syntax -- made once per process, not per request
    get adminOrigin() {
      return adminOrigin;
    },
    async listen(port, host) {
      await app.listen({ port, host });
      if (admin && config.adminPort !== null) {
        await admin.listen({ port: config.adminPort, host });
        adminOrigin = `http://${shownHost(host)}:${boundPort(admin, config.adminPort)}`;
      }
      return `http://${shownHost(host)}:${boundPort(app, port)}/graphql`;
    },
    /** Stops Apollo Server (its reporting timers and hooks; a second stop is a no-op), then both listeners. */
    async close() {
      stopAuditingSettlements();
      await apollo.stop();
      await app.close();
      await admin?.close();
      await trustedDocuments.close();
    },
  };
}

function hasOperation(query: unknown): boolean {
  return typeof query === 'object' && query !== null && ('query' in query || 'extensions' in query);
}

/** The host to print: the one bound, except that "every interface" is shown as localhost, which reaches it. */
function shownHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

function boundPort(app: { readonly server: Server }, requested: number): number {
  const address = app.server.address();
  return address && typeof address === 'object' ? address.port : requested;
}

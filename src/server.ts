import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import { authenticationHook, callerOf, registerDevelopmentIssuerRoutes } from './auth/index.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { explorationOptions, registerExplorationRoutes } from './exploration/index.js';
import { registerFileRoutes } from './http/files.js';
import { registerUploadRoutes } from './http/uploads.js';
import { GatewayLogController, requestIdOf } from './observability/index.js';
import { maskErrors } from './plugins/maskErrors.js';
import { usePartialErrors } from './plugins/usePartialErrors.js';
import { buildSchema } from './schema.js';
import { securityOptions } from './security/index.js';

export interface Gateway {
  readonly app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly logger: Logger;
  /** Starts listening; returns the GraphQL endpoint URL. */
  listen(port: number, host: string): Promise<string>;
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
    genReqId: requestIdOf,
  });
  const security = securityOptions(config);
  const exploration = explorationOptions(config);
  const formatError = maskErrors(logger, config.production);
  const apollo = new ApolloServer<GatewayContext>({
    schema: observability.instrumentSchema(buildSchema()),
    // main.ts owns SIGTERM/SIGINT (drain, then close pools and exporters); Apollo's own handler would re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    formatError,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: false,
    // Compact JSON: Apollo's default pretty-prints every response (2.7 % of the gateway's CPU in the
    // benchmark's saturation profile, and a third more bytes on the wire).
    stringifyResult: (result) => JSON.stringify(result),
    apollo: exploration.apollo,
    persistedQueries: exploration.persistedQueries,
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
      usePartialErrors(formatError),
      ...observability.plugins,
      ...security.plugins,
      ...exploration.plugins,
    ],
  });
  await apollo.start();

  await registerExplorationRoutes(app, config);
  app.decorateRequest('caller', null);
  const authenticate = authenticationHook(services.authenticator, 'graphql');
  await app.register(async (graphqlScope) => {
    // Authentication runs before Apollo sees the request: a refusal executes nothing. A GET without
    // an operation is the landing page (Sandbox), which holds no data.
    graphqlScope.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' && !hasOperation(request.query)) return;
      // Finance data: no GraphQL answer (nor refusal) may be stored by a cache on the way.
      reply.header('cache-control', 'no-store');
      await authenticate(request, reply);
    });
    graphqlScope.route({
      url: '/graphql',
      method: ['GET', 'POST', 'OPTIONS'],
      handler: fastifyApolloHandler(apollo, {
        context: async (request) =>
          createContext(services, { caller: callerOf(request), headers: request.headers, protocol: request.protocol, host: request.host, requestId: request.id }),
      }),
    });
  });
  registerDevelopmentIssuerRoutes(app, services.authenticator);
  observability.registerRoutes(app, services);
  registerUploadRoutes(app, services);
  registerFileRoutes(app, services);

  return {
    app,
    apollo,
    logger,
    async listen(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      const boundPort = address && typeof address === 'object' ? address.port : port;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shownHost}:${boundPort}/graphql`;
    },
    async close() {
      await app.close();
    },
  };
}

function hasOperation(query: unknown): boolean {
  return typeof query === 'object' && query !== null && ('query' in query || 'extensions' in query);
}

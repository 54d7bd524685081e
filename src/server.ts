import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { pino, type Logger } from 'pino';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { maskErrors } from './plugins/maskErrors.js';
import { usePartialErrors } from './plugins/usePartialErrors.js';
import { buildSchema } from './schema.js';
import { registerFileRoutes } from './http/files.js';
import { registerUploadRoutes } from './http/uploads.js';

export interface Gateway {
  readonly app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly logger: Logger;
  /** Starts listening; returns the GraphQL endpoint URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export function createLogger(services: Pick<GatewayServices, 'config'>): Logger {
  return pino({
    level: services.config.logLevel,
    // Credentials never reach a log line, whichever header or field carries them.
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-iaa-ow-id"]', 'req.headers.cookie', '*.token', '*.authorization'],
      censor: '[redacted]',
    },
  });
}

/** Builds the HTTP server (Fastify) with Apollo Server on /graphql and the gateway's plain routes. */
export async function createGateway(services: GatewayServices, logger: Logger = createLogger(services)): Promise<Gateway> {
  const { config } = services;
  const app = Fastify({ loggerInstance: logger, bodyLimit: 1024 * 1024 });
  const apollo = new ApolloServer<GatewayContext>({
    schema: buildSchema(),
    formatError: maskErrors(logger, config.production),
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: false,
    plugins: [
      fastifyApolloDrainPlugin(app),
      usePartialErrors(),
      config.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    ],
  });
  await apollo.start();

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: fastifyApolloHandler(apollo, {
      context: async (request) =>
        createContext(services, { headers: request.headers, protocol: request.protocol, host: request.host }),
    }),
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
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

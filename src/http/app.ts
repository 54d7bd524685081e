import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';

/** The gateway's Fastify instance, as server.ts builds it (a pino logger). */
export type GatewayHttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayHttpApp } from '../http/app.js';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext, GatewayServices } from '../context.js';
import type { UpstreamInstrumentation } from '../upstreams/http.js';

/** Logs, traces, metrics and health for one gateway process; created once, before the upstream pools. */
export interface Observability {
  readonly logger: Logger;
  /** Handed to every upstream pool. */
  readonly instrumentation: UpstreamInstrumentation | undefined;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
  registerRoutes(app: GatewayHttpApp, services: GatewayServices): void;
  /** Flushes exporters. */
  shutdown(): Promise<void>;
}

export function createObservability(_config: GatewayConfig, logger: Logger): Observability {
  return {
    logger,
    instrumentation: undefined,
    plugins: [],
    registerRoutes(app) {
      app.get('/healthz', async () => ({ status: 'ok' }));
    },
    async shutdown() {},
  };
}

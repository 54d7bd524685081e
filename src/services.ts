import type { Logger } from 'pino';
import type { GatewayConfig } from './config.js';
import type { GatewayServices } from './context.js';
import type { CustomerDirectory } from './directory/index.js';
import { createIdempotencyStore } from './idempotency/index.js';
import { createObservability } from './observability/index.js';
import { createLogger } from './observability/logger.js';
import { createUpstreamPools, type UpstreamEndpoints } from './upstreams/registry.js';
import { SharedCache } from './upstreams/sharedCache.js';

export interface ServiceOptions {
  readonly directory: CustomerDirectory;
  /** The gateway's clock; tests fix it. */
  readonly now?: () => Date;
  readonly logger?: Logger;
}

export interface RunningServices extends GatewayServices {
  /** Closes what the services hold open (upstream pools, stores, exporters), after the HTTP server. */
  close(): Promise<void>;
}

/** Builds everything that outlives a request, in one place for the process entry point and the tests. */
export async function createServices(config: GatewayConfig, endpoints: UpstreamEndpoints, options: ServiceOptions): Promise<RunningServices> {
  const observability = createObservability(config, options.logger ?? createLogger(config));
  // First, so a Redis that cannot be reached stops the start before any pool is opened.
  const idempotency = await createIdempotencyStore(config);
  const pools = createUpstreamPools(config, endpoints, observability.instrumentation);
  return {
    config,
    endpoints,
    pools,
    directory: options.directory,
    // Naive mode (benchmark only) shares nothing across requests.
    sharedCache: new SharedCache({ enabled: config.executionMode !== 'naive' }),
    observability,
    now: options.now ?? (() => new Date()),
    idempotency,
    async close() {
      await pools.close();
      await idempotency.close();
      await observability.shutdown();
    },
  };
}

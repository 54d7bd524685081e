import type { GatewayConfig } from '../config.js';
import type { SourceSystem } from '../domain/models.js';
import { UpstreamHttpClient, type UpstreamInstrumentation } from './http.js';

/**
 * Where each upstream is. Credentials are not here: each tenant holds its own (src/auth/), so no
 * credential can serve a caller of another tenant.
 */
export interface UpstreamEndpoints {
  readonly iqm: { readonly baseUrl: string; readonly currencyCode: string };
  readonly intact: { readonly baseUrl: string };
  readonly refrens: { readonly baseUrl: string; readonly currencyCode: string };
  readonly iqmetrix: { readonly baseUrl: string; readonly currencyCode: string };
  /** Systems served by an embedded simulator, for the start-up log and /readyz. */
  readonly simulated: readonly SourceSystem[];
}

/** The process-wide HTTP side of the upstreams: one keep-alive pool each, shared by every request. */
export interface UpstreamPools {
  readonly iqm: UpstreamHttpClient;
  readonly intact: UpstreamHttpClient;
  readonly refrens: UpstreamHttpClient;
  readonly iqmetrix: UpstreamHttpClient;
  close(): Promise<void>;
}

export function createUpstreamPools(config: GatewayConfig, endpoints: UpstreamEndpoints, instrumentation?: UpstreamInstrumentation): UpstreamPools {
  const pool = (system: SourceSystem, baseUrl: string) =>
    new UpstreamHttpClient({
      system,
      baseUrl,
      connections: config.upstreamConnections,
      connectTimeoutMs: Math.min(config.upstreamTimeoutMs, 3_000),
      requestTimeoutMs: config.upstreamTimeoutMs,
      instrumentation,
      // Each upstream gets its own breaker and bulkhead: one failing system never slows the others.
      resilience: {
        retry: { attempts: config.resilience.retryAttempts, baseDelayMs: config.resilience.retryBaseDelayMs },
        breaker: { failureThreshold: config.resilience.breakerFailureThreshold, cooldownMs: config.resilience.breakerCooldownMs },
        // A tenant's share of each upstream (UPSTREAM_TENANT_SHARE_PERCENT): one tenant's burst leaves the rest to the others.
        // The share is of the slots that can really be on the wire at once (the pool's sockets), or a
        // tenant within its share of 64 slots could still hold all 32 sockets and queue everyone else in undici.
        bulkhead: {
          maxInFlight: config.resilience.maxInFlight,
          maxQueued: config.resilience.maxQueued,
          maxInFlightPerOwner: Math.max(1, Math.ceil((Math.min(config.resilience.maxInFlight, config.upstreamConnections) * config.resilience.tenantSharePercent) / 100)),
          maxQueuedPerOwner: Math.max(1, Math.ceil((config.resilience.maxQueued * config.resilience.tenantSharePercent) / 100)),
        },
        defaultBudgetMs: config.requestTimeoutMs,
      },
    });
  const pools = {
    iqm: pool('IQM', endpoints.iqm.baseUrl),
    intact: pool('INTACT', endpoints.intact.baseUrl),
    refrens: pool('REFRENS', endpoints.refrens.baseUrl),
    iqmetrix: pool('IQMETRIX', endpoints.iqmetrix.baseUrl),
  };
  return {
    ...pools,
    async close() {
      await Promise.all(Object.values(pools).map((client) => client.close()));
    },
  };
}

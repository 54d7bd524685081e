import { connect } from 'node:net';
import type { GatewayServices } from '../context.js';
import type { SourceSystem } from '../domain/models.js';
import type { BreakerState, UpstreamHttpClient } from '../upstreams/http.js';

/** How long one reachability probe of an upstream is reused: probes every second must not hammer upstreams. */
const PROBE_CACHE_MS = 2_000;
/** A TCP connect that takes longer than this counts as unreachable. */
const PROBE_TIMEOUT_MS = 1_000;

export interface UpstreamReadiness {
  readonly system: SourceSystem;
  readonly ready: boolean;
  readonly breaker: BreakerState;
  /** Null when not probed (the breaker is open, which already decides). */
  readonly reachable: boolean | null;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not ready' | 'draining';
  /** Configuration was loaded and validated (the process would not be running otherwise). */
  readonly config: 'loaded';
  readonly upstreams: readonly UpstreamReadiness[];
  /** Systems that make this replica not ready. */
  readonly failing: readonly SourceSystem[];
}

/**
 * Answers /readyz: ready when configuration is loaded and every upstream has a breaker that is not
 * open and accepts a TCP connection (a cheap probe, cached for two seconds). While the process
 * shuts down it answers `draining`, so a load balancer stops sending new requests.
 */
export class ReadinessProbe {
  private draining = false;
  private readonly probes = new Map<SourceSystem, { readonly at: number; readonly result: Promise<boolean> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** From now on the replica reports `draining` (503). */
  markDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async check(services: GatewayServices): Promise<ReadinessReport> {
    const upstreams = await Promise.all(
      upstreamsOf(services).map(async ({ system, baseUrl, pool }): Promise<UpstreamReadiness> => {
        const breaker = pool.breakerState;
        if (breaker === 'open') return { system, ready: false, breaker, reachable: null };
        const reachable = await this.reachable(system, baseUrl);
        return { system, ready: reachable, breaker, reachable };
      }),
    );
    const failing = upstreams.filter((upstream) => !upstream.ready).map((upstream) => upstream.system);
    const status = this.draining ? 'draining' : failing.length > 0 ? 'not ready' : 'ready';
    return { status, config: 'loaded', upstreams, failing };
  }

  private reachable(system: SourceSystem, baseUrl: string): Promise<boolean> {
    const cached = this.probes.get(system);
    if (cached && this.now() - cached.at < PROBE_CACHE_MS) return cached.result;
    const result = tcpReachable(baseUrl);
    this.probes.set(system, { at: this.now(), result });
    return result;
  }
}

function upstreamsOf(services: GatewayServices): { system: SourceSystem; baseUrl: string; pool: UpstreamHttpClient }[] {
  const { endpoints, pools } = services;
  return [
    { system: 'IQM', baseUrl: endpoints.iqm.baseUrl, pool: pools.iqm },
    { system: 'INTACT', baseUrl: endpoints.intact.baseUrl, pool: pools.intact },
    { system: 'REFRENS', baseUrl: endpoints.refrens.baseUrl, pool: pools.refrens },
    { system: 'IQMETRIX', baseUrl: endpoints.iqmetrix.baseUrl, pool: pools.iqmetrix },
  ];
}

/** Whether a TCP connection to the URL's host and port opens; nothing is sent. */
function tcpReachable(baseUrl: string): Promise<boolean> {
  const url = new URL(baseUrl);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const finish = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

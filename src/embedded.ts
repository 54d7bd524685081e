import type { GatewayConfig } from './config.js';
import type { CustomerDirectory } from './directory/index.js';
import type { SourceSystem } from './domain/models.js';
import { IQM_DEMO_TENANTS, IqmSimulator, type IqmSimulatorOptions } from './upstreams/iqm/index.js';
import type { UpstreamEndpoints } from './upstreams/registry.js';

/** The simulators started in-process for upstreams that have no URL configured. */
export interface EmbeddedUpstreams {
  readonly endpoints: UpstreamEndpoints;
  readonly iqm: IqmSimulator | null;
  /** The demo customer directory matching the simulators' seed data; null unless every upstream is simulated. */
  readonly directory: CustomerDirectory | null;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly iqm?: IqmSimulatorOptions;
}

/**
 * Starts a simulator on a free loopback port for every upstream whose base URL is unset, and
 * returns where each upstream is. Embedded upstreams come with demo credentials, so a newcomer's
 * first query works without headers; the simulators still refuse requests without them.
 */
export async function startEmbeddedUpstreams(config: GatewayConfig, options: EmbeddedOptions = {}): Promise<EmbeddedUpstreams> {
  const simulated: SourceSystem[] = [];
  let iqm: IqmSimulator | null = null;
  if (config.iqm.baseUrl === null) {
    iqm = new IqmSimulator(options.iqm);
    await iqm.start();
    simulated.push('IQM');
  }
  const demoTenant = IQM_DEMO_TENANTS[0]!;
  const serviceCredentials =
    config.iqm.token && config.iqm.organizationWorkspaceId !== null
      ? { token: config.iqm.token, organizationWorkspaceId: String(config.iqm.organizationWorkspaceId) }
      : null;
  const endpoints: UpstreamEndpoints = {
    iqm: {
      baseUrl: iqm ? iqm.baseUrl : config.iqm.baseUrl!,
      serviceCredentials,
      fallbackCredentials: iqm ? { token: demoTenant.token, organizationWorkspaceId: String(demoTenant.organizationWorkspaceId) } : null,
      currencyCode: config.iqm.currencyCode,
    },
    intact: { baseUrl: config.intact.baseUrl ?? 'http://127.0.0.1:9', token: config.intact.token },
    refrens: { baseUrl: config.refrens.baseUrl ?? 'http://127.0.0.1:9', token: config.refrens.token, currencyCode: config.refrens.currencyCode },
    iqmetrix: {
      baseUrl: config.iqmetrix.baseUrl ?? 'http://127.0.0.1:9',
      token: config.iqmetrix.token,
      companyId: config.iqmetrix.companyId,
      currencyCode: config.iqmetrix.currencyCode,
    },
    simulated,
  };
  return {
    endpoints,
    iqm,
    directory: null,
    async stop() {
      await iqm?.stop();
    },
  };
}

import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from './config.js';
import { CustomerDirectory } from './directory/index.js';
import type { SourceSystem } from './domain/models.js';
import { INTACT_DEMO_TOKEN, IntactSimulator, type IntactSimulatorOptions } from './upstreams/intact/index.js';
import { IQM_DEMO_TENANTS, IqmSimulator, type IqmSimulatorOptions } from './upstreams/iqm/index.js';
import {
  IQMETRIX_DEMO_COMPANY_ID,
  IQMETRIX_DEMO_TOKEN,
  IqmetrixSimulator,
  type IqmetrixSimulatorOptions,
} from './upstreams/iqmetrix/index.js';
import { REFRENS_DEMO_TOKEN, RefrensSimulator, type RefrensSimulatorOptions } from './upstreams/refrens/index.js';
import type { UpstreamEndpoints } from './upstreams/registry.js';

/** The demo directory that links the simulators' seed identities (see README, "Customer directory"). */
export const DEMO_DIRECTORY_FILE = fileURLToPath(new URL('./directory/demo-customers.yaml', import.meta.url));

/** The simulators started in-process for upstreams that have no URL configured. */
export interface EmbeddedUpstreams {
  readonly endpoints: UpstreamEndpoints;
  readonly iqm: IqmSimulator | null;
  readonly intact: IntactSimulator | null;
  readonly refrens: RefrensSimulator | null;
  readonly iqmetrix: IqmetrixSimulator | null;
  /** The demo customer directory matching the simulators' seed data; null unless every upstream is simulated. */
  readonly directory: CustomerDirectory | null;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly iqm?: IqmSimulatorOptions;
  readonly intact?: IntactSimulatorOptions;
  readonly refrens?: RefrensSimulatorOptions;
  readonly iqmetrix?: IqmetrixSimulatorOptions;
}

/**
 * Starts a simulator on a free loopback port for every upstream whose base URL is unset, and
 * returns where each upstream is. Embedded upstreams come with demo credentials, so a newcomer's
 * first query works without headers; the simulators still refuse requests without them.
 */
export async function startEmbeddedUpstreams(config: GatewayConfig, options: EmbeddedOptions = {}): Promise<EmbeddedUpstreams> {
  const [iqm, intact, refrens, iqmetrix] = await Promise.all([
    config.iqm.baseUrl === null ? started(new IqmSimulator(options.iqm)) : null,
    config.intact.baseUrl === null ? started(new IntactSimulator(options.intact)) : null,
    config.refrens.baseUrl === null ? started(new RefrensSimulator(options.refrens)) : null,
    config.iqmetrix.baseUrl === null ? started(new IqmetrixSimulator(options.iqmetrix)) : null,
  ]);
  const simulated: SourceSystem[] = [];
  if (iqm) simulated.push('IQM');
  if (intact) simulated.push('INTACT');
  if (refrens) simulated.push('REFRENS');
  if (iqmetrix) simulated.push('IQMETRIX');

  const demoTenant = IQM_DEMO_TENANTS[0]!;
  const endpoints: UpstreamEndpoints = {
    iqm: {
      baseUrl: iqm?.baseUrl ?? config.iqm.baseUrl!,
      serviceCredentials:
        config.iqm.token && config.iqm.organizationWorkspaceId !== null
          ? { token: config.iqm.token, organizationWorkspaceId: String(config.iqm.organizationWorkspaceId) }
          : null,
      fallbackCredentials: iqm ? { token: demoTenant.token, organizationWorkspaceId: String(demoTenant.organizationWorkspaceId) } : null,
      currencyCode: config.iqm.currencyCode,
    },
    intact: { baseUrl: intact?.baseUrl ?? config.intact.baseUrl!, token: intact ? INTACT_DEMO_TOKEN : config.intact.token },
    refrens: {
      baseUrl: refrens?.baseUrl ?? config.refrens.baseUrl!,
      token: refrens ? REFRENS_DEMO_TOKEN : config.refrens.token,
      currencyCode: config.refrens.currencyCode,
    },
    iqmetrix: {
      baseUrl: iqmetrix?.baseUrl ?? config.iqmetrix.baseUrl!,
      token: iqmetrix ? IQMETRIX_DEMO_TOKEN : config.iqmetrix.token,
      companyId: config.iqmetrix.companyId ?? (iqmetrix ? IQMETRIX_DEMO_COMPANY_ID : null),
      currencyCode: config.iqmetrix.currencyCode,
    },
    simulated,
  };
  const directory =
    simulated.length === 4 ? CustomerDirectory.fromFile(DEMO_DIRECTORY_FILE, { iqmetrixCurrencyCode: config.iqmetrix.currencyCode }) : null;
  return {
    endpoints,
    iqm,
    intact,
    refrens,
    iqmetrix,
    directory,
    async stop() {
      await Promise.all([iqm?.stop(), intact?.stop(), refrens?.stop(), iqmetrix?.stop()]);
    },
  };
}

async function started<T extends { start(): Promise<string> }>(simulator: T): Promise<T> {
  await simulator.start();
  return simulator;
}

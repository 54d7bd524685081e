import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from './config.js';
import { CustomerDirectory } from './directory/index.js';
import type { SourceSystem } from './domain/models.js';
import type { Tenant } from './auth/index.js';
import { INTACT_DEMO_TOKEN, INTACT_DEMO_TOKEN_B, IntactSimulator, type IntactSimulatorOptions } from './upstreams/intact/index.js';
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
  /**
   * The simulators' demo organizations as tenants, each with its own credentials (empty when nothing
   * is simulated): `alchemist-media` (IQM organization 200001, the Intact company of CUS000001–3,
   * Refrens and iQmetrix) and `blue-harbor` (IQM organization 300001, the Intact company of CUS000004).
   */
  readonly demoTenants: readonly Tenant[];
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
 * returns where each upstream is and the demo tenants whose credentials the simulators accept.
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

  const endpoints: UpstreamEndpoints = {
    iqm: { baseUrl: iqm?.baseUrl ?? config.iqm.baseUrl!, currencyCode: config.iqm.currencyCode },
    intact: { baseUrl: intact?.baseUrl ?? config.intact.baseUrl! },
    refrens: { baseUrl: refrens?.baseUrl ?? config.refrens.baseUrl!, currencyCode: config.refrens.currencyCode },
    iqmetrix: { baseUrl: iqmetrix?.baseUrl ?? config.iqmetrix.baseUrl!, currencyCode: config.iqmetrix.currencyCode },
    simulated,
  };
  const [iqmA, iqmB] = IQM_DEMO_TENANTS as [(typeof IQM_DEMO_TENANTS)[number], (typeof IQM_DEMO_TENANTS)[number]];
  const demoTenants: Tenant[] =
    simulated.length === 0
      ? []
      : [
          {
            id: 'alchemist-media',
            displayName: iqmA.organizationName,
            fourEyes: true,
            credentials: {
              iqm: iqm ? { token: iqmA.token, organizationWorkspaceId: String(iqmA.organizationWorkspaceId) } : null,
              intact: intact ? { token: INTACT_DEMO_TOKEN } : null,
              refrens: refrens ? { token: REFRENS_DEMO_TOKEN } : null,
              iqmetrix: iqmetrix ? { token: IQMETRIX_DEMO_TOKEN, companyId: config.iqmetrix.companyId ?? IQMETRIX_DEMO_COMPANY_ID } : null,
            },
          },
          {
            id: 'blue-harbor',
            displayName: iqmB.organizationName,
            fourEyes: true,
            credentials: {
              iqm: iqm ? { token: iqmB.token, organizationWorkspaceId: String(iqmB.organizationWorkspaceId) } : null,
              intact: intact ? { token: INTACT_DEMO_TOKEN_B } : null,
              refrens: null,
              iqmetrix: null,
            },
          },
        ];
  const directory =
    simulated.length === 4 ? CustomerDirectory.fromFile(DEMO_DIRECTORY_FILE, { iqmetrixCurrencyCode: config.iqmetrix.currencyCode }) : null;
  return {
    endpoints,
    demoTenants,
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

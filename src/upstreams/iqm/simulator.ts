import multipart from '@fastify/multipart';
import { SimulatorServer, type SimulatorServerOptions } from '../simulatorServer.js';
import { IqmSimulatorState, type IqmSeedOptions, type IqmTenant } from './simulatorState.js';
import { registerCreditRoutes } from './simulatorRoutes/credits.js';
import { registerFinanceRoutes } from './simulatorRoutes/finance.js';
import { registerInvoiceRoutes } from './simulatorRoutes/invoices.js';
import { registerPaymentRoutes } from './simulatorRoutes/payments.js';
import { registerReferenceRoutes } from './simulatorRoutes/reference.js';
import { failure } from './simulatorRoutes/support.js';

/** IQM's base path; the simulator serves it so a configured IQM_BASE_URL looks the same. */
export const IQM_BASE_PATH = '/api/v3/fa';

export interface IqmSimulatorOptions extends SimulatorServerOptions, IqmSeedOptions {
  readonly tenants?: readonly IqmTenant[];
}

/**
 * The embedded IQM Finance API: the documented routes (A1–A52), envelopes and error shapes, with
 * state that changes as writes arrive. 401 without a known bearer token or with an X-IAA-OW-ID that
 * is not the token's organization; 422 `errorObjects` for refused transitions. Multipart routes
 * record the proof file's name, type and size, never its bytes.
 */
export class IqmSimulator extends SimulatorServer {
  readonly state: IqmSimulatorState;

  constructor(options: IqmSimulatorOptions = {}) {
    super('IQM', options);
    this.state = new IqmSimulatorState(options.tenants, options);
    const fileSize = options.bodyLimit ?? 20 * 1024 * 1024;
    this.app.addHook('preHandler', async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const tenant = token ? this.state.tenantByToken(token) : undefined;
      if (!tenant || request.headers['x-iaa-ow-id'] !== String(tenant.organizationWorkspaceId)) {
        return reply.code(401).send(failure('Unauthorized: a valid bearer token and its X-IAA-OW-ID are required'));
      }
      request.iqmTenant = tenant;
      return undefined;
    });
    this.app.register(
      async (routes) => {
        await routes.register(multipart, { limits: { fileSize, files: 1, fields: 50 } });
        registerFinanceRoutes(routes, this.state);
        registerInvoiceRoutes(routes, this.state);
        registerCreditRoutes(routes, this.state);
        registerPaymentRoutes(routes, this.state);
        registerReferenceRoutes(routes, this.state);
      },
      { prefix: IQM_BASE_PATH },
    );
  }

  /** Base URL to configure as IQM_BASE_URL. */
  get baseUrl(): string {
    return this.origin + IQM_BASE_PATH;
  }
}

import type { GatewayConfig } from '../config.js';
import type { SourceSystem } from '../domain/models.js';
import type { Tenant, TenantCredentials } from './caller.js';
import { TenantRegistry, withSimulatedCredentials } from './tenants.js';

/**
 * The tenants this gateway serves:
 * - TENANTS_FILE when set;
 * - otherwise one tenant (TENANT_ID) holding the single-tenant variables' credentials;
 * - on the embedded default (every upstream simulated, nothing configured), the simulators' demo tenants.
 * A system served by an embedded simulator lends its demo credentials to tenants that have none for it.
 */
export function loadTenants(config: GatewayConfig, simulated: readonly SourceSystem[], demoTenants: readonly Tenant[]): TenantRegistry {
  const demo = demoTenants[0]?.credentials;
  const lent: Partial<TenantCredentials> = demo
    ? {
        iqm: simulated.includes('IQM') ? demo.iqm : null,
        intact: simulated.includes('INTACT') ? demo.intact : null,
        refrens: simulated.includes('REFRENS') ? demo.refrens : null,
        iqmetrix: simulated.includes('IQMETRIX') ? demo.iqmetrix : null,
      }
    : {};
  if (config.tenantsFile) {
    const registry = TenantRegistry.fromFile(config.tenantsFile);
    return new TenantRegistry(registry.tenants.map((tenant) => withSimulatedCredentials(tenant, lent)));
  }
  const { iqm, intact, refrens, iqmetrix } = config;
  const configured = [iqm.token, intact.token, refrens.token, iqmetrix.token].some((token) => token !== null);
  if (!configured && simulated.length === 4 && demoTenants.length > 0) return new TenantRegistry(demoTenants);
  const single: Tenant = {
    id: config.tenantId,
    displayName: config.tenantId,
    fourEyes: true,
    credentials: {
      iqm: iqm.token && iqm.organizationWorkspaceId !== null ? { token: iqm.token, organizationWorkspaceId: String(iqm.organizationWorkspaceId) } : null,
      intact: intact.token ? { token: intact.token } : null,
      refrens: refrens.token ? { token: refrens.token } : null,
      iqmetrix: iqmetrix.token ? { token: iqmetrix.token, companyId: iqmetrix.companyId } : null,
    },
  };
  return new TenantRegistry([withSimulatedCredentials(single, lent)]);
}

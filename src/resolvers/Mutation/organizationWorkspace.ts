import type { GatewayContext } from '../../context.js';
import { UnauthenticatedError } from '../../errors.js';

/** The caller's tenant's IQM organization workspace id (the X-IAA-OW-ID the gateway sends for it). */
export function organizationWorkspace(context: GatewayContext): number {
  const workspace = context.caller.tenant.credentials.iqm?.organizationWorkspaceId;
  if (!workspace || !/^\d+$/.test(workspace)) throw new UnauthenticatedError('IQM', "the caller's tenant has no IQM credentials");
  return Number(workspace);
}

import type { GatewayContext } from '../../context.js';
import { UnauthenticatedError } from '../../errors.js';

/** The caller's IQM organization workspace id (the X-IAA-OW-ID the gateway sends). */
export function organizationWorkspace(context: GatewayContext): number {
  const workspace = context.caller.iqmCredentials?.organizationWorkspaceId;
  if (!workspace || !/^\d+$/.test(workspace)) throw new UnauthenticatedError('IQM', 'send Authorization: Bearer <token> and X-IAA-OW-ID');
  return Number(workspace);
}

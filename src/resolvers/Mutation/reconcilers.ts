import { partitionKeyOf, type Caller } from '../../auth/index.js';
import { createContext, type GatewayServices } from '../../context.js';
import type { IdempotentMutation, OrphanRestorer } from '../../idempotency/index.js';
import { reconcileApproveRefund } from './approveRefund.js';
import { reconcileClaimCredit } from './claimCredit.js';
import { reconcileCreateIqmetrixInvoice } from './createIqmetrixInvoice.js';
import { reconcileInitiateRefund } from './initiateRefund.js';
import { reconcilePayInvoice } from './payInvoice.js';
import { reconcilePayRefrensInvoice } from './payRefrensInvoice.js';

/**
 * The reconciliation of each reconcilable money mutation, by field name, built from its input: the
 * same functions the resolvers hand to idempotent(). The money mutations missing here (addPayment,
 * addFunds, offerCredit, allocateReceipt) give no way to find a write again.
 */
const RECONCILERS: Readonly<Record<string, (input: never) => IdempotentMutation<unknown>['reconcile']>> = {
  payInvoice: reconcilePayInvoice,
  initiateRefund: reconcileInitiateRefund,
  approveRefund: reconcileApproveRefund,
  claimCredit: reconcileClaimCredit,
  payRefrensInvoice: reconcilePayRefrensInvoice,
  createIqmetrixInvoice: reconcileCreateIqmetrixInvoice,
};

/**
 * How the orphan sweep acts for a dead holder (reconcileOrphans): a context for its caller — its
 * tenant's credentials, no scopes, no request of its own (request id `<the holder's>:orphan`) — and
 * its mutation's reconciliation for its input. Null when the tenant is no longer configured.
 */
export function orphanRestorer(services: GatewayServices): OrphanRestorer {
  return (recovery) => {
    const tenant = services.tenants.get(recovery.tenantId);
    if (!tenant) return null;
    const caller: Caller = {
      kind: 'token',
      tenant,
      subject: recovery.subject,
      issuer: recovery.issuer,
      scopes: new Set(),
      partitionKey: partitionKeyOf(tenant.id, recovery.issuer, recovery.subject),
      client: recovery.client,
    };
    // The input was encoded from this very mutation's input when the key was claimed.
    const reconcile = RECONCILERS[recovery.mutation]?.(recovery.input as never);
    return { context: createContext(services, { caller, headers: {}, linkOrigin: '', requestId: `${recovery.requestId}:orphan` }), reconcile };
  };
}

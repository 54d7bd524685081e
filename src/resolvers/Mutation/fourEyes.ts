import { AuditUnavailableError, type AuditOutcome } from '../../audit/index.js';
import type { GatewayContext } from '../../context.js';
import type { UserErrorModel } from '../../domain/models.js';
import { iqmPaymentId } from '../../unified/ids.js';
import { invalidInput } from './support.js';

/** Mutations that create or change a payment or refund: whoever ran one of them may not approve it. */
const INITIATING_MUTATIONS = ['addPayment', 'initiateRefund', 'updatePayment'] as const;
/** Outcomes after which the caller's write is known to have been applied. */
const APPLIED: readonly AuditOutcome[] = ['ACCEPTED', 'REPLAYED', 'RECONCILED_APPLIED'];

/**
 * Four eyes (per tenant, on by default): the FOUR_EYES_REQUIRED user error when the caller created
 * or changed this IQM payment or refund, null when someone else may approve it. The initiators come
 * from the audit trail (the upstream ids those mutations recorded), so the rule holds across
 * replicas and restarts; a payment the trail does not know (made outside the gateway) has none.
 */
export async function fourEyesRefusal(context: GatewayContext, payment: { owId: number; paymentId: number }): Promise<UserErrorModel | null> {
  const { caller } = context;
  if (!caller.tenant.fourEyes) return null;
  // The canonical id, not the caller's spelling of it, is what the initiating mutation recorded.
  const id = iqmPaymentId(payment);
  let actors;
  try {
    actors = await context.services.audit.actorsOf(caller.tenant.id, id, INITIATING_MUTATIONS, APPLIED);
  } catch (error) {
    context.services.observability.logger.error({ err: error, requestId: context.requestId }, 'four-eyes check cannot read the audit trail');
    throw new AuditUnavailableError();
  }
  if (!actors.some((actor) => actor.subject === caller.subject && actor.issuer === caller.issuer)) return null;
  return invalidInput(['input', 'paymentId'], 'you created or changed this payment, so another person must approve it (four eyes)', 'FOUR_EYES_REQUIRED');
}

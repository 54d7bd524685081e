import type { PaymentActionInput } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import type { IqmPaymentModel, UserErrorModel } from '../../domain/models.js';
import { fourEyesRefusal } from './fourEyes.js';
import { freshIqmPayment, invalidInput, iqmPaymentKey, iqmUserErrors, rejected } from './support.js';

type PaymentActionPayloadResult = { payment: IqmPaymentModel | null; userErrors: UserErrorModel[] };

/**
 * A38, A39, A40: a state change of a Processing payment; a refused transition is INVALID_TRANSITION.
 * Approval is refused (FOUR_EYES_REQUIRED) to whoever created or changed the payment.
 */
export async function paymentAction(context: GatewayContext, action: 'approve' | 'cancel' | 'reject', input: PaymentActionInput): Promise<PaymentActionPayloadResult> {
  const key = iqmPaymentKey(context, input.paymentId);
  if (!key || key.owId === 0) return rejected({ payment: null }, [invalidInput(['input', 'paymentId'], 'not the id of an IQM payment of a customer', 'NOT_FOUND')]);
  if (action === 'approve') {
    const fourEyes = await fourEyesRefusal(context, key);
    if (fourEyes) return rejected({ payment: null }, [fourEyes]);
  }
  const result = await context.iqm.client.paymentAction(action, key.paymentId, key.owId, input.actionNote ?? null);
  if (!result.ok) return rejected({ payment: null }, iqmUserErrors(result, 'INVALID_TRANSITION'));
  return { payment: await freshIqmPayment(context, key.owId, key.paymentId), userErrors: [] };
}

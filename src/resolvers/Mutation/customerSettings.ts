import type { GatewayContext } from '../../context.js';
import type { CustomerModel, UserErrorModel } from '../../domain/models.js';
import type { IqmWriteResult } from '../../upstreams/iqm/index.js';
import { iqmCustomer, iqmUserErrors, isUserError, rejected } from './support.js';

export interface CustomerSettingsResult {
  customer: CustomerModel | null;
  message: string | null;
  userErrors: UserErrorModel[];
}

/**
 * The shape every customer-settings mutation (A3, A6, A8, A10, A12, A14) shares: resolve the
 * customer's IQM workspace, check the input, write, and answer the
 * customer so the client selects the changed field (read again from IQM).
 */
export async function updateCustomerSettings(
  context: GatewayContext,
  customerId: string,
  inputErrors: UserErrorModel[],
  write: (owId: number) => Promise<IqmWriteResult>,
): Promise<CustomerSettingsResult> {
  const target = iqmCustomer(context, customerId);
  const errors = [...(isUserError(target) ? [target] : []), ...inputErrors];
  if (errors.length > 0 || isUserError(target)) return rejected({ customer: null, message: null }, errors);
  const result = await write(target.owId);
  if (!result.ok) return rejected({ customer: null, message: null }, iqmUserErrors(result));
  return { customer: target.customer, message: result.message, userErrors: [] };
}

import type { UpdateDataFeesInput } from '../../__generated__/resolvers-types.js';
import type { GatewayContext } from '../../context.js';
import { MARKUP_TYPE_ID, MARKUP_TYPE_LABEL } from '../../upstreams/iqm/index.js';
import { updateCustomerSettings, type CustomerSettingsResult } from './customerSettings.js';
import { decimalToWireNumber, invalidInput, rateErrors } from './support.js';

/** A8, A10, A12: the same input for VLD, PLD and SLS fees; only the fields given are sent. */
export function updateDataFees(context: GatewayContext, kind: 'vld' | 'pld' | 'sls', input: UpdateDataFeesInput): Promise<CustomerSettingsResult> {
  const given = [input.rate, input.enabled, input.markupType, input.markupValue].some((value) => value !== null && value !== undefined);
  const errors = [
    ...rateErrors(input.rate, ['input', 'rate']),
    ...rateErrors(input.markupValue, ['input', 'markupValue'], input.markupType === 'PERCENTAGE' ? 100 : undefined),
    ...(given ? [] : [invalidInput(null, 'give at least one of rate, enabled, markupType, markupValue')]),
  ];
  return updateCustomerSettings(
    context,
    input.customerId,
    errors,
    (owId) =>
      context.iqm.client.updateDataFees(kind, {
        owId,
        rate: input.rate ? decimalToWireNumber(input.rate) : null,
        enabled: input.enabled ?? null,
        markupTypeId: input.markupType ? (MARKUP_TYPE_ID.get(input.markupType) ?? null) : null,
        markupType: input.markupType ? MARKUP_TYPE_LABEL[input.markupType] : null,
        markupValue: input.markupValue ? decimalToWireNumber(input.markupValue) : null,
      }),
  );
}

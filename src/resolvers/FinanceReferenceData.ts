import type { FinanceReferenceData as FinanceReferenceDataType, ReferenceItem } from '../__generated__/resolvers-types.js';
import type { GatewayContext } from '../context.js';
import { IQM_REFERENCE_LISTS, referenceItemFromWire, type IqmReferenceListName } from '../upstreams/iqm/index.js';

/** How long IQM's reference lists (A47–A52) are kept: the doc calls them static. */
export const REFERENCE_DATA_TTL_MS = 60 * 60 * 1000;

/**
 * IQM's six reference lists. They are the same for every caller and every tenant, so they live in
 * the process-wide shared cache (never per request): the first operation reads them, every operation
 * in the next hour is served without an upstream call. Whoever triggers a load pays for it with
 * their own credentials; a failed load is not cached.
 */
export async function financeReferenceData(context: GatewayContext): Promise<FinanceReferenceDataType> {
  const names = Object.keys(IQM_REFERENCE_LISTS) as IqmReferenceListName[];
  const lists = await Promise.all(
    names.map((name) =>
      context.services.sharedCache.getOrLoad<ReferenceItem[]>(`${context.caller.tenant.id}:iqm:reference:${name}`, REFERENCE_DATA_TTL_MS, async () =>
        (await context.iqm.client.referenceList(name)).map(referenceItemFromWire),
      ),
    ),
  );
  const byName = new Map(names.map((name, index) => [name, lists[index] ?? []]));
  return {
    paymentTypes: byName.get('paymentTypes') ?? [],
    paymentStatuses: byName.get('paymentStatuses') ?? [],
    invoicePaymentModes: byName.get('invoicePaymentModes') ?? [],
    invoiceStatuses: byName.get('invoiceStatuses') ?? [],
    invoicePaymentTerms: byName.get('invoicePaymentTerms') ?? [],
    pgPaymentTypes: byName.get('pgPaymentTypes') ?? [],
  };
}

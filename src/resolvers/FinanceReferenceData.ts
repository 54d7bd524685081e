import { z } from 'zod';
import type { FinanceReferenceDataResolvers, ReferenceItem } from '../__generated__/resolvers-types.js';
import type { GatewayContext } from '../context.js';
import { referenceItemFromWire, type IqmReferenceListName } from '../upstreams/iqm/index.js';
import type { SharedValueCodec } from '../upstreams/sharedCache.js';

/** How long IQM's reference lists (A47–A52) are kept: the doc calls them static. */
export const REFERENCE_DATA_TTL_MS = 60 * 60 * 1000;

/** A list as it comes back from Redis (shared by replicas): exactly the fields the mapping produced, or a reload. */
const REFERENCE_LIST: SharedValueCodec<ReferenceItem[]> = {
  parse: (value) => {
    const parsed = z.array(z.object({ id: z.number().int(), name: z.string(), label: z.string(), order: z.number().int() }).strict()).safeParse(value);
    return parsed.success ? parsed.data : null;
  },
};

/**
 * One of IQM's six reference lists. They are the same for every caller of a tenant, so they live
 * in the shared cache (never per request; in Redis too when replicas share one): the first operation
 * reads them, every operation in the next hour, on any replica, is served without an upstream call.
 * Whoever triggers a load pays for it with their own credentials; a failed load is not cached. Each
 * field loads its own list, so a list IQM fails to answer (or answers in a shape the gateway cannot
 * read) is one error at that field's path while the other five still answer.
 */
function referenceList(context: GatewayContext, name: IqmReferenceListName): Promise<ReferenceItem[]> {
  return context.services.sharedCache.getOrLoad<ReferenceItem[]>(
    `${context.caller.tenant.id}:iqm:reference:${name}`,
    REFERENCE_DATA_TTL_MS,
    async () => (await context.iqm.client.referenceList(name)).map(referenceItemFromWire),
    REFERENCE_LIST,
  );
}

export const FinanceReferenceData: FinanceReferenceDataResolvers = {
  paymentTypes: (_parent, _args, context) => referenceList(context, 'paymentTypes'),
  paymentStatuses: (_parent, _args, context) => referenceList(context, 'paymentStatuses'),
  invoicePaymentModes: (_parent, _args, context) => referenceList(context, 'invoicePaymentModes'),
  invoiceStatuses: (_parent, _args, context) => referenceList(context, 'invoiceStatuses'),
  invoicePaymentTerms: (_parent, _args, context) => referenceList(context, 'invoicePaymentTerms'),
  pgPaymentTypes: (_parent, _args, context) => referenceList(context, 'pgPaymentTypes'),
};

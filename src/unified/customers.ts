import type { GatewayContext } from '../context.js';
import { iqmOnlyCustomer } from '../directory/index.js';
import { fromGlobalId, toGlobalId } from '../domain/globalId.js';
import type { CustomerModel, SourceSystem } from '../domain/models.js';
import { BadUserInputError } from '../errors.js';

/** Global id of a customer: its directory key, or its IQM workspace id for customers only IQM knows. */
export function customerGlobalId(customer: CustomerModel): string {
  return customer.key.startsWith('iqm:')
    ? toGlobalId('Customer', 'IQM', customer.key.slice(4))
    : toGlobalId('Customer', 'DIRECTORY', customer.key);
}

/** The customer an IQM workspace id stands for: its directory entry when there is one. */
export function customerForIqmWorkspace(context: GatewayContext, owId: number): CustomerModel {
  return context.directory.bySourceId('IQM', String(owId)) ?? iqmOnlyCustomer(owId);
}

/**
 * Resolves a Customer global id among the caller's tenant's customers; null when the id is
 * well-formed but names nobody the tenant has. An IQM workspace id resolves only to the tenant's
 * directory entry that holds it: a workspace outside the directory is not addressable by id.
 */
export function customerFromGlobalId(context: GatewayContext, id: string): CustomerModel | null {
  const parts = fromGlobalId(id);
  if (!parts || parts.typeName !== 'Customer') return null;
  if (parts.system === 'DIRECTORY') return context.directory.byDirectoryKey(parts.key) ?? null;
  if (parts.system === 'IQM' && /^\d{1,12}$/.test(parts.key)) return context.directory.bySourceId('IQM', parts.key) ?? null;
  return null;
}

/** One of the tenant's customers by its id in one system, as `customerBySourceId` takes it. */
export function customerFromSourceId(context: GatewayContext, system: SourceSystem, sourceId: string): CustomerModel | null {
  if (system === 'IQM' && !/^\d{1,12}$/.test(sourceId)) throw new BadUserInputError('an IQM workspace id is a number', { argument: 'sourceId' });
  return context.directory.bySourceId(system, sourceId) ?? null;
}

/** The IQM workspace of a customer, or null when IQM does not hold it. */
export function iqmWorkspaceOf(customer: CustomerModel): number | null {
  return customer.identities.iqmWorkspaceId;
}

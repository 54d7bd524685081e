import type { CustomerDirectory } from '../directory/index.js';
import type { Tenant } from './caller.js';

/**
 * Which upstream keys belong to a tenant. Checked before any upstream call made for an id the
 * caller sent, so another tenant's id, or a hand-built one outside the tenant's directory entries,
 * is NOT_FOUND without the upstream ever being asked (no existence oracle).
 */
export interface TenantView {
  readonly caller: { readonly tenant: Tenant };
  /** The tenant's own customers. */
  readonly directory: CustomerDirectory;
}

/** The tenant's IQM organization workspace (owId 0 stands for it in ids) or one of its customers' workspaces. */
export function ownsIqmWorkspace(view: TenantView, owId: number): boolean {
  const organization = view.caller.tenant.credentials.iqm?.organizationWorkspaceId;
  return owId === 0 || String(owId) === organization || view.directory.bySourceId('IQM', String(owId)) !== undefined;
}

export function ownsIntactAccount(view: TenantView, accountCode: string): boolean {
  return view.directory.bySourceId('INTACT', accountCode) !== undefined;
}

export function ownsRefrensInvoice(view: TenantView, urlKey: string, invoiceId: string): boolean {
  return view.directory.bySourceId('REFRENS_INVOICE', `${urlKey}/${invoiceId}`) !== undefined;
}

/** iQmetrix invoices are company-wide: the tenant's credentials name its company. */
export function ownsIqmetrixCompany(view: TenantView, companyId: number): boolean {
  return view.caller.tenant.credentials.iqmetrix?.companyId === companyId;
}

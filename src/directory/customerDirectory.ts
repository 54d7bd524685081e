import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isIsoDate } from '../domain/dates.js';
import { isCurrencyCode, toDecimal } from '../domain/money.js';
import type { CustomerModel, SourceSystem } from '../domain/models.js';

/**
 * The customer directory: which IQM workspace, Intact account, Refrens business and iQmetrix
 * customer are one customer. Loaded once at start-up from JSON or YAML (format in the README) and
 * shared read-only by every request; nothing in it is caller-specific.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const currencyCode = z.string().refine(isCurrencyCode, 'must be an ISO-4217 currency code');
const isoDate = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD').nullable().optional();

const entrySchema = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes'),
    displayName: z.string().min(1),
    /** The tenant this customer belongs to; may be left out when the gateway serves one tenant. */
    tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a tenant id').optional(),
    iqm: z.object({ workspaceId: z.number().int().positive() }).strict().optional(),
    intact: z.object({ accountCode: z.string().min(1) }).strict().optional(),
    refrens: z
      .object({
        businessUrlKey: z.string().min(1),
        invoices: z
          .array(
            z
              .object({
                invoiceId: z.string().min(1),
                number: z.string().min(1),
                total: z.union([z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string'), z.number().nonnegative()]),
                currencyCode,
                issuedOn: isoDate,
                dueOn: isoDate,
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .optional(),
    iqmetrix: z
      .object({
        companyId: z.number().int().positive(),
        customerId: z.string().regex(GUID, 'must be a GUID'),
        currencyCode: currencyCode.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const directorySchema = z.object({ customers: z.array(entrySchema) }).strict();

export class CustomerDirectoryError extends Error {}

/** Defaults the directory cannot know by itself: the currencies systems do not state. */
export interface DirectoryDefaults {
  readonly iqmetrixCurrencyCode: string;
}

export class CustomerDirectory {
  private readonly byKey = new Map<string, CustomerModel>();
  private readonly bySource = new Map<string, CustomerModel>();

  /**
   * @param tenants the tenant of each customer key that names one; a customer without a tenant
   * belongs to the gateway's only tenant (see `forTenant`).
   */
  constructor(
    readonly customers: readonly CustomerModel[],
    private readonly tenants: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const customer of customers) {
      this.byKey.set(customer.key, customer);
      for (const [system, id] of sourceIds(customer)) this.bySource.set(`${system}:${id}`, customer);
    }
  }

  static empty(): CustomerDirectory {
    return new CustomerDirectory([]);
  }

  /** Reads and validates a directory file; every problem is reported in one error. */
  static fromFile(path: string, defaults: DirectoryDefaults): CustomerDirectory {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CustomerDirectoryError(`cannot read customer directory ${path}: ${(error as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new CustomerDirectoryError(`customer directory ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
    }
    return CustomerDirectory.fromData(raw, defaults, path);
  }

  static fromData(raw: unknown, defaults: DirectoryDefaults, origin = 'customer directory'): CustomerDirectory {
    const parsed = directorySchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      throw new CustomerDirectoryError(`${origin} is invalid:\n  - ${problems.join('\n  - ')}`);
    }
    const customers = parsed.data.customers.map(
      (entry): CustomerModel => ({
        key: entry.key,
        displayName: entry.displayName,
        identities: {
          iqmWorkspaceId: entry.iqm?.workspaceId ?? null,
          intactAccountCode: entry.intact?.accountCode ?? null,
          refrens: entry.refrens
            ? {
                urlKey: entry.refrens.businessUrlKey,
                invoices: entry.refrens.invoices.map((invoice) => ({
                  invoiceId: invoice.invoiceId,
                  number: invoice.number,
                  total: toDecimal(invoice.total),
                  currencyCode: invoice.currencyCode,
                  issuedOn: invoice.issuedOn ?? null,
                  dueOn: invoice.dueOn ?? null,
                })),
              }
            : null,
          iqmetrix: entry.iqmetrix
            ? {
                companyId: entry.iqmetrix.companyId,
                customerId: entry.iqmetrix.customerId.toLowerCase(),
                currencyCode: entry.iqmetrix.currencyCode ?? defaults.iqmetrixCurrencyCode,
              }
            : null,
        },
      }),
    );
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const customer of customers) {
      for (const [system, id] of [['key', customer.key] as const, ...sourceIds(customer)]) {
        const previous = seen.get(`${system}:${id}`);
        if (previous) problems.push(`${system} ${id} is claimed by both "${previous}" and "${customer.key}"`);
        seen.set(`${system}:${id}`, customer.key);
      }
    }
    if (problems.length > 0) throw new CustomerDirectoryError(`${origin} is invalid:\n  - ${problems.join('\n  - ')}`);
    const tenants = new Map(parsed.data.customers.flatMap((entry) => (entry.tenant ? [[entry.key, entry.tenant] as const] : [])));
    return new CustomerDirectory(customers, tenants);
  }

  /**
   * The customers one tenant may see: those whose entry names it, and, when it is the gateway's only
   * tenant, those that name none. Built once per tenant at start-up.
   */
  forTenant(tenantId: string, soleTenant: boolean): CustomerDirectory {
    const own = this.customers.filter((customer) => (this.tenants.get(customer.key) ?? (soleTenant ? tenantId : null)) === tenantId);
    return new CustomerDirectory(own, new Map(own.map((customer) => [customer.key, tenantId])));
  }

  /** Problems binding the entries to the tenants there are: an unknown tenant, or none named among several. */
  tenantProblems(knownTenants: readonly string[]): string[] {
    const problems: string[] = [];
    for (const customer of this.customers) {
      const tenant = this.tenants.get(customer.key);
      if (tenant === undefined && knownTenants.length !== 1) problems.push(`customer "${customer.key}" names no tenant, and the gateway serves ${knownTenants.length}`);
      if (tenant !== undefined && !knownTenants.includes(tenant)) problems.push(`customer "${customer.key}" names tenant "${tenant}", which is not configured`);
    }
    return problems;
  }

  byDirectoryKey(key: string): CustomerModel | undefined {
    return this.byKey.get(key);
  }

  /** The directory entry that holds `id` in `system` (IQM workspace id, Intact account code, …). */
  bySourceId(system: SourceSystem | 'REFRENS_INVOICE', id: string): CustomerModel | undefined {
    return this.bySource.get(`${system}:${system === 'IQMETRIX' ? id.toLowerCase() : id}`);
  }
}

/** The ids by which each system knows a customer; Refrens invoices also point at their customer. */
function sourceIds(customer: CustomerModel): [SourceSystem | 'REFRENS_INVOICE', string][] {
  const { iqmWorkspaceId, intactAccountCode, refrens, iqmetrix } = customer.identities;
  const ids: [SourceSystem | 'REFRENS_INVOICE', string][] = [];
  if (iqmWorkspaceId !== null) ids.push(['IQM', String(iqmWorkspaceId)]);
  if (intactAccountCode !== null) ids.push(['INTACT', intactAccountCode]);
  if (refrens) {
    ids.push(['REFRENS', refrens.urlKey]);
    for (const invoice of refrens.invoices) ids.push(['REFRENS_INVOICE', `${refrens.urlKey}/${invoice.invoiceId}`]);
  }
  if (iqmetrix) ids.push(['IQMETRIX', iqmetrix.customerId]);
  return ids;
}

/** A customer only IQM knows (not in the directory): its key is `iqm:<workspace id>`. */
export function iqmOnlyCustomer(owId: number): CustomerModel {
  return {
    key: `iqm:${owId}`,
    displayName: `IQM workspace ${owId}`,
    identities: { iqmWorkspaceId: owId, intactAccountCode: null, refrens: null, iqmetrix: null },
  };
}

export function customerSources(customer: CustomerModel): SourceSystem[] {
  const { iqmWorkspaceId, intactAccountCode, refrens, iqmetrix } = customer.identities;
  const sources: SourceSystem[] = [];
  if (iqmWorkspaceId !== null) sources.push('IQM');
  if (intactAccountCode !== null) sources.push('INTACT');
  if (refrens) sources.push('REFRENS');
  if (iqmetrix) sources.push('IQMETRIX');
  return sources;
}

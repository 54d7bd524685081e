import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Tenant, TenantCredentials } from './caller.js';

/**
 * The tenants the gateway serves and each one's upstream credentials, read once at start-up from
 * TENANTS_FILE (JSON or YAML), or from the single-tenant variables (IQM_TOKEN, INTACT_TOKEN, …).
 * A credential value may be written as `env:NAME` to read it from the environment, so the file can
 * be committed without secrets. Credentials are validated here and never logged.
 */

export class TenantConfigError extends Error {}

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A secret: the value itself, or `env:NAME` naming the variable that holds it. */
const secret = z.string().min(1);

const tenantSchema = z
  .object({
    id: z.string().regex(TENANT_ID, 'must be lower-case letters, digits and dashes'),
    displayName: z.string().min(1).optional(),
    fourEyes: z.boolean().default(true),
    iqm: z.object({ token: secret, organizationWorkspaceId: z.number().int().positive() }).strict().optional(),
    intact: z.object({ token: secret }).strict().optional(),
    refrens: z.object({ token: secret }).strict().optional(),
    iqmetrix: z.object({ token: secret, companyId: z.number().int().positive().optional() }).strict().optional(),
  })
  .strict();

const fileSchema = z.object({ tenants: z.array(tenantSchema).min(1) }).strict();

export class TenantRegistry {
  private readonly byId: ReadonlyMap<string, Tenant>;

  constructor(readonly tenants: readonly Tenant[]) {
    this.byId = new Map(tenants.map((tenant) => [tenant.id, tenant]));
  }

  get(id: string): Tenant | undefined {
    return this.byId.get(id);
  }

  /** The only tenant, when there is exactly one (directory entries may then omit `tenant`). */
  get sole(): Tenant | null {
    return this.tenants.length === 1 ? this.tenants[0]! : null;
  }

  static fromFile(path: string, environment: NodeJS.ProcessEnv = process.env): TenantRegistry {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new TenantConfigError(`cannot read tenants file ${path}: ${(error as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch {
      // The parser's message may quote the line, and the line may hold a credential.
      throw new TenantConfigError(`tenants file ${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}`);
    }
    return TenantRegistry.fromData(raw, environment, `tenants file ${path}`);
  }

  static fromData(raw: unknown, environment: NodeJS.ProcessEnv = process.env, origin = 'tenants'): TenantRegistry {
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      // Paths and messages only: zod's messages never include the offending value here.
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      throw new TenantConfigError(`${origin} is invalid:\n  - ${problems.join('\n  - ')}`);
    }
    const problems: string[] = [];
    const resolve = (value: string, path: string): string => {
      const name = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(value)?.[1];
      if (name === undefined) return value;
      const resolved = environment[name]?.trim();
      if (!resolved) problems.push(`${path}: environment variable ${name} is not set`);
      return resolved ?? '';
    };
    const seen = new Set<string>();
    const tenants = parsed.data.tenants.map((entry, index): Tenant => {
      if (seen.has(entry.id)) problems.push(`tenants.${index}.id: "${entry.id}" appears twice`);
      seen.add(entry.id);
      const at = `tenants.${index}`;
      return {
        id: entry.id,
        displayName: entry.displayName ?? entry.id,
        fourEyes: entry.fourEyes,
        credentials: {
          iqm: entry.iqm
            ? { token: resolve(entry.iqm.token, `${at}.iqm.token`), organizationWorkspaceId: String(entry.iqm.organizationWorkspaceId) }
            : null,
          intact: entry.intact ? { token: resolve(entry.intact.token, `${at}.intact.token`) } : null,
          refrens: entry.refrens ? { token: resolve(entry.refrens.token, `${at}.refrens.token`) } : null,
          iqmetrix: entry.iqmetrix
            ? { token: resolve(entry.iqmetrix.token, `${at}.iqmetrix.token`), companyId: entry.iqmetrix.companyId ?? null }
            : null,
        },
      };
    });
    if (problems.length > 0) throw new TenantConfigError(`${origin} is invalid:\n  - ${problems.join('\n  - ')}`);
    return new TenantRegistry(tenants);
  }
}

/** Fills in credentials a tenant lacks for systems an embedded simulator serves (its demo credentials). */
export function withSimulatedCredentials(tenant: Tenant, demo: Partial<TenantCredentials>): Tenant {
  const { credentials } = tenant;
  return {
    ...tenant,
    credentials: {
      iqm: credentials.iqm ?? demo.iqm ?? null,
      intact: credentials.intact ?? demo.intact ?? null,
      refrens: credentials.refrens ?? demo.refrens ?? null,
      iqmetrix: credentials.iqmetrix ?? demo.iqmetrix ?? null,
    },
  };
}

/**
 * Tenants as a TENANTS_FILE document (JSON, what `TenantRegistry.fromFile` reads back): for
 * `npm run simulators` and the benchmarks, which hand a gateway the simulators' demo tenants.
 * Secrets are written as they are; keep the file private (mode 0600).
 */
export function tenantsFileDocument(tenants: readonly Tenant[]): string {
  const entries = tenants.map(({ id, displayName, fourEyes, credentials: { iqm, intact, refrens, iqmetrix } }) => ({
    id,
    displayName,
    fourEyes,
    ...(iqm ? { iqm: { token: iqm.token, organizationWorkspaceId: Number(iqm.organizationWorkspaceId) } } : {}),
    ...(intact ? { intact: { token: intact.token } } : {}),
    ...(refrens ? { refrens: { token: refrens.token } } : {}),
    ...(iqmetrix ? { iqmetrix: { token: iqmetrix.token, ...(iqmetrix.companyId !== null ? { companyId: iqmetrix.companyId } : {}) } } : {}),
  }));
  return `${JSON.stringify({ tenants: entries }, null, 2)}\n`;
}

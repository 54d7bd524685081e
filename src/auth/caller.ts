/**
 * Who is calling: settled once per request by authentication, before anything executes, and handed
 * to resolvers already bound to a tenant. Resolvers never read identity from headers.
 */

/** A tenant's own credentials for one upstream; used for that tenant and that upstream only. */
export interface TenantCredentials {
  readonly iqm: { readonly token: string; readonly organizationWorkspaceId: string } | null;
  readonly intact: { readonly token: string } | null;
  readonly refrens: { readonly token: string } | null;
  readonly iqmetrix: { readonly token: string; readonly companyId: number | null } | null;
}

/** An organization using the gateway: its customers (directory entries), credentials and policies. */
export interface Tenant {
  readonly id: string;
  readonly displayName: string;
  readonly credentials: TenantCredentials;
  /** A refund or payment may not be approved by the subject that initiated it (on by default). */
  readonly fourEyes: boolean;
}

/**
 * How the caller was admitted: a verified bearer token; the anonymous demo caller of the embedded
 * default (read scopes of one demo tenant, never in production); or a gateway started with
 * authentication explicitly switched off (AUTH_DISABLED).
 */
export type CallerKind = 'token' | 'demo' | 'open';

export interface Caller {
  readonly kind: CallerKind;
  readonly tenant: Tenant;
  /** The token's `sub` (a person or a service client). */
  readonly subject: string;
  /** The token's `iss`; subjects are unique per issuer. */
  readonly issuer: string;
  /** From the `scope` (space-separated) or `scp` claim. */
  readonly scopes: ReadonlySet<string>;
  /**
   * Separates callers in every shared store (idempotency keys, staged uploads, persisted queries):
   * tenant, issuer and subject, never the raw token.
   */
  readonly partitionKey: string;
  /** `apollographql-client-name` / `-version` as sent; informative only (audit, logs). */
  readonly client: { readonly name: string | null; readonly version: string | null };
}

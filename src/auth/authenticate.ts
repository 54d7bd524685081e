import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import type { Caller, Tenant } from './caller.js';
import { DEV_AUDIENCE, DEV_ISSUER, DevIssuer } from './devIssuer.js';
import { ALL_SCOPES, DEMO_ANONYMOUS_SCOPES } from './scopes.js';
import type { TenantRegistry } from './tenants.js';
import { TokenRejectedError, TokenVerifier, type VerifiedToken } from './tokens.js';

/** The request carries no usable credentials: HTTP 401, nothing executed. */
export class AuthenticationError extends GatewayError {
  constructor(reason: string) {
    super(reason, 'UNAUTHENTICATED');
  }
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Verified tokens are remembered this long at most (and never past their `exp`). */
const VERIFIED_CACHE_MS = 60_000;
const VERIFIED_CACHE_ENTRIES = 10_000;

/**
 * Settles who is calling, once per request and before anything executes: a verified bearer token
 * bound to a known tenant, the embedded default's anonymous demo caller, or the open caller of a
 * gateway started with AUTH_DISABLED. Anything else is an AuthenticationError.
 */
export class Authenticator {
  /** Tokens already verified, so a client's repeated requests cost one signature check a minute. */
  private readonly verified = new Map<string, { token: VerifiedToken; until: number }>();

  private constructor(
    private readonly config: AuthConfig,
    private readonly tenants: TenantRegistry,
    private readonly verifier: TokenVerifier | null,
    /** Development: the key pair behind `npm run token` and the start-up header. */
    readonly devIssuer: DevIssuer | null,
    private readonly now: () => number,
  ) {}

  static async create(config: AuthConfig, tenants: TenantRegistry, now: () => number = Date.now): Promise<Authenticator> {
    if (config.mode === 'open') {
      const tenant = config.openTenant ? tenants.get(config.openTenant) : tenants.sole;
      if (!tenant) {
        throw new Error(
          config.openTenant ? `AUTH_DISABLED_TENANT: no tenant "${config.openTenant}"` : 'AUTH_DISABLED_TENANT: required when there are several tenants',
        );
      }
      return new Authenticator(config, tenants, null, null, now);
    }
    if (config.mode === 'development') {
      const devIssuer = await DevIssuer.open(config.devKeyFile ?? undefined);
      const verifier = new TokenVerifier([{ issuer: DEV_ISSUER, audiences: [DEV_AUDIENCE], jwksUrl: null, publicKeyFile: null, jwks: devIssuer.jwks }], config.policy);
      return new Authenticator(config, tenants, verifier, devIssuer, now);
    }
    return new Authenticator(config, tenants, new TokenVerifier(config.issuers, config.policy), null, now);
  }

  get mode(): AuthConfig['mode'] {
    return this.config.mode;
  }

  /** The tenant an anonymous demo request is bound to (development mode only). */
  get demoTenant(): Tenant | null {
    return this.config.demoAnonymous ? (this.tenants.tenants[0] ?? null) : null;
  }

  async authenticate(headers: Headers): Promise<Caller> {
    const client = { name: headerValue(headers['apollographql-client-name']) ?? null, version: headerValue(headers['apollographql-client-version']) ?? null };
    if (this.config.mode === 'open') {
      const tenant = this.config.openTenant ? this.tenants.get(this.config.openTenant)! : this.tenants.sole!;
      return caller('open', tenant, 'anonymous', 'open', new Set(ALL_SCOPES), client);
    }
    const authorization = headerValue(headers['authorization']);
    if (authorization === undefined || authorization.trim() === '') {
      const demo = this.demoTenant;
      if (demo) return caller('demo', demo, 'demo-anonymous', DEV_ISSUER, new Set(DEMO_ANONYMOUS_SCOPES), client);
      throw new AuthenticationError('Authentication required: send Authorization: Bearer <token>');
    }
    const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(authorization.trim())?.[1];
    if (!token) throw new AuthenticationError('Authentication required: the Authorization header must be "Bearer <token>"');
    const verified = await this.verify(token);
    const tenant = this.tenants.get(verified.tenantId);
    if (!tenant) throw new AuthenticationError('the token names a tenant this gateway does not serve');
    return caller('token', tenant, verified.subject, verified.issuer, verified.scopes, client);
  }

  private async verify(token: string): Promise<VerifiedToken> {
    const now = this.now();
    const cached = this.verified.get(token);
    if (cached && cached.until > now) return cached.token;
    let verified: VerifiedToken;
    try {
      verified = await this.verifier!.verify(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw new AuthenticationError(`Invalid token: ${error.message}`);
      throw error;
    }
    const expiresAt = expiryOf(token);
    if (this.verified.size >= VERIFIED_CACHE_ENTRIES) this.verified.clear();
    this.verified.set(token, { token: verified, until: Math.min(now + VERIFIED_CACHE_MS, expiresAt) });
    return verified;
  }
}

function caller(kind: Caller['kind'], tenant: Tenant, subject: string, issuer: string, scopes: ReadonlySet<string>, client: Caller['client']): Caller {
  return { kind, tenant, subject, issuer, scopes, partitionKey: partitionKeyOf(tenant.id, issuer, subject), client };
}

/** Digests already computed: the same few callers send request after request (issue 16). */
const partitionKeys = new Map<string, string>();
const PARTITION_KEY_ENTRIES = 10_000;

/** Caller.partitionKey: a digest of tenant, issuer and subject (no separator can be forged into it). */
export function partitionKeyOf(tenantId: string, issuer: string, subject: string): string {
  const identity = `${tenantId}\u0000${issuer}\u0000${subject}`;
  let key = partitionKeys.get(identity);
  if (key === undefined) {
    key = createHash('sha256').update(identity).digest('base64url').slice(0, 32);
    if (partitionKeys.size >= PARTITION_KEY_ENTRIES) partitionKeys.clear();
    partitionKeys.set(identity, key);
  }
  return key;
}

/** The token's `exp` in ms; verification already checked it is there. */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
  return payload.exp * 1000;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

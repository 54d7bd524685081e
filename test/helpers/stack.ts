import type { Logger } from 'pino';
import { loadConfig } from '../../src/config.js';
import { CustomerDirectory } from '../../src/directory/index.js';
import { startEmbeddedUpstreams, type EmbeddedOptions, type EmbeddedUpstreams } from '../../src/embedded.js';
import { createGateway, type Gateway } from '../../src/server.js';
import { createServices, type RunningServices } from '../../src/services.js';
import type { UpstreamPools } from '../../src/upstreams/registry.js';
import { TenantRegistry, type TenantCredentials } from '../../src/auth/index.js';
import { MemoryAuditStore } from './memoryAuditStore.js';
import { startTestIssuer, type TestIssuer, type TokenClaims } from './auth.js';

/** The gateway's clock in tests: fixed, so statuses derived from due dates do not drift. */
export const TEST_NOW = new Date('2026-10-15T12:00:00.000Z');

export interface GraphQLResponse<TData> {
  readonly status: number;
  readonly data?: TData | null;
  readonly errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
  readonly extensions?: Record<string, unknown>;
}

/** A gateway and its embedded simulators on free loopback ports, as a test sees them: over HTTP. */
export interface TestStack {
  readonly url: string;
  readonly origin: string;
  readonly embedded: EmbeddedUpstreams;
  readonly gateway: Gateway;
  readonly pools: UpstreamPools;
  readonly services: RunningServices;
  /** The issuer the gateway trusts (null when the stack runs in development or open mode). */
  readonly issuer: TestIssuer | null;
  /**
   * Sends one GraphQL operation over HTTP (JSON POST) and returns the parsed body. It carries a token
   * of the test tenant with every scope unless `headers.authorization` says otherwise (`''`: none).
   */
  gql<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  /** The default caller's `{ authorization }` header, for requests a test sends itself (empty without an issuer). */
  readonly auth: Record<string, string>;
  /** A bearer token from the stack's issuer. */
  token(claims?: TokenClaims): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for a token with these claims. */
  as(claims?: TokenClaims): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface StackOptions extends EmbeddedOptions {
  /** Environment variables on top of NODE_ENV=test and PORT=0. */
  readonly env?: Record<string, string>;
  readonly directory?: CustomerDirectory;
  readonly now?: Date;
  /** The gateway's logger (tests of log lines pass one writing to memory). */
  readonly logger?: Logger;
  /** Another stack's simulators: this gateway talks to them and does not stop them (a gateway restart). */
  readonly reuseEmbedded?: EmbeddedUpstreams;
  /**
   * How callers authenticate: a test issuer of the stack's own (default), one shared with other
   * stacks (replicas), or the environment alone (`env` then says development or open mode).
   */
  readonly issuer?: TestIssuer | 'none';
  /** Replaces some upstream credentials of the embedded demo tenants (a tenant whose token an upstream refuses). */
  readonly credentials?: Readonly<Record<string, Partial<TenantCredentials>>>;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const ownIssuer = options.issuer === undefined ? await startTestIssuer() : null;
  const issuer = options.issuer === 'none' ? null : (options.issuer ?? ownIssuer);
  const production = options.env?.['NODE_ENV'] === 'production';
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    // The stack serves simulators on purpose; production asks for them explicitly and names its public URL.
    UPSTREAM_SIMULATORS: 'true',
    // A test stack is one process: production-mode stacks accept its volatile idempotency keys unless a test says otherwise.
    IDEMPOTENCY_ACCEPT_VOLATILE_KEYS: 'true',
    ...(production ? { PUBLIC_BASE_URL: 'https://gateway.example.test' } : {}),
    // Suites send thousands of requests as one caller: budgets that only a test of them reaches.
    RATE_LIMIT_SUBJECT_REQUESTS: '1000000',
    RATE_LIMIT_TENANT_REQUESTS: '1000000',
    RATE_LIMIT_SUBJECT_UPSTREAM_CALLS: '10000000',
    RATE_LIMIT_TENANT_UPSTREAM_CALLS: '10000000',
    ...issuer?.env,
    ...options.env,
  });
  const embedded = options.reuseEmbedded ?? (await startEmbeddedUpstreams(config, options));
  const credentials = options.credentials;
  const services = await createServices(config, embedded.endpoints, {
    demoTenants: embedded.demoTenants,
    ...(credentials
      ? {
          tenants: new TenantRegistry(
            embedded.demoTenants.map((tenant) => ({ ...tenant, credentials: { ...tenant.credentials, ...credentials[tenant.id] } })),
          ),
        }
      : {}),
    directory: options.directory ?? embedded.directory ?? CustomerDirectory.empty(),
    now: () => options.now ?? TEST_NOW,
    logger: options.logger,
    // The configured audit store only when the test names one (DATABASE_URL or AUDIT_DATA_DIR).
    ...(options.env?.['DATABASE_URL'] || options.env?.['AUDIT_DATA_DIR'] ? {} : { audit: new MemoryAuditStore() }),
  });
  const { pools } = services;
  const gateway = await createGateway(services);
  const url = (await gateway.listen(0, '127.0.0.1')).replace('localhost', '127.0.0.1');
  const origin = new URL(url).origin;
  const defaultToken = issuer ? await issuer.mint() : null;
  const token = async (claims?: TokenClaims) => {
    if (!issuer) throw new Error('this stack has no test issuer');
    return issuer.mint(claims);
  };
  return {
    url,
    origin,
    embedded,
    gateway,
    pools,
    services,
    issuer,
    token,
    auth: defaultToken ? { authorization: `Bearer ${defaultToken}` } : {},
    async as(claims?: TokenClaims) {
      return { authorization: `Bearer ${await token(claims)}` };
    },
    async gql<TData>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const { authorization = defaultToken ? `Bearer ${defaultToken}` : '', ...rest } = headers;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...rest },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<TData>, 'status'>;
      return { status: response.status, ...body };
    },
    async close() {
      await gateway.close();
      await services.close();
      if (!options.reuseEmbedded) await embedded.stop();
      await ownIssuer?.close();
    },
  };
}

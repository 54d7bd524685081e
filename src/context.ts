import { createHash, randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { GatewayConfig } from './config.js';
import type { SourceSystem } from './domain/models.js';
import type { CustomerDirectory } from './directory/index.js';
import type { IdempotencyStore } from './idempotency/index.js';
import type { Observability } from './observability/index.js';
import { callerTraceHeaders } from './observability/traceContext.js';
import type { UpstreamCallObserver, UpstreamCallRecord } from './upstreams/http.js';
import { IntactClient, createIntactLoaders, type IntactLoaders } from './upstreams/intact/index.js';
import { IqmClient, createIqmLoaders, type IqmCredentials, type IqmLoaders } from './upstreams/iqm/index.js';
import { IqmetrixClient, createIqmetrixLoaders, type IqmetrixLoaders } from './upstreams/iqmetrix/index.js';
import { RefrensClient, createRefrensLoaders, type RefrensLoaders } from './upstreams/refrens/index.js';
import type { UpstreamEndpoints, UpstreamPools } from './upstreams/registry.js';
import type { SharedCache } from './upstreams/sharedCache.js';

/** Everything a request needs that outlives it: built once at start-up. */
export interface GatewayServices {
  readonly config: GatewayConfig;
  readonly endpoints: UpstreamEndpoints;
  readonly pools: UpstreamPools;
  readonly directory: CustomerDirectory;
  /** Caller-independent upstream data shared across requests (reference lists). */
  readonly sharedCache: SharedCache;
  readonly observability: Observability;
  /** The gateway's clock (tests fix it so derived statuses such as OVERDUE are deterministic). */
  readonly now: () => Date;
  /** Idempotency records of money-moving mutations (memory, or Redis shared by replicas). */
  readonly idempotency: IdempotencyStore;
}

/** Who is calling, as far as the gateway can tell; `scope` separates callers in any shared store. */
export interface CallerIdentity {
  readonly scope: string;
  readonly iqmCredentials: IqmCredentials | null;
}

/** The per-request context. Built by createContext for each operation; nothing here is shared between requests. */
export interface GatewayContext {
  readonly services: GatewayServices;
  readonly caller: CallerIdentity;
  /** Absolute origin for links clients follow (file downloads). */
  readonly publicBaseUrl: string;
  readonly iqm: { readonly client: IqmClient; readonly loaders: IqmLoaders; readonly currencyCode: string };
  readonly intact: { readonly client: IntactClient; readonly loaders: IntactLoaders };
  readonly refrens: { readonly client: RefrensClient; readonly loaders: RefrensLoaders; readonly currencyCode: string };
  readonly iqmetrix: {
    readonly client: IqmetrixClient;
    readonly loaders: IqmetrixLoaders;
    readonly currencyCode: string;
    /** IQMETRIX_COMPANY_ID (or the demo company); null when neither is configured. */
    readonly defaultCompanyId: number | null;
  };
  /** Every upstream call this operation made, in completion order. */
  readonly upstreamCalls: UpstreamCallRecord[];
  /** Errors of systems that failed inside an otherwise answered field (fan-out): added to the response. */
  readonly partialErrors: GraphQLError[];
  /** The HTTP request's id (incoming `x-request-id` or generated): in every log line about this operation. */
  readonly requestId: string;
}

export interface IncomingRequestInfo {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly protocol: string;
  readonly host: string;
  /** Fastify's request id; a new one when the caller has none. */
  readonly requestId?: string;
}

export function resolveCaller(services: GatewayServices, headers: IncomingRequestInfo['headers']): CallerIdentity {
  const authorization = headerValue(headers['authorization']);
  const workspace = headerValue(headers['x-iaa-ow-id']);
  const forwarded = authorization?.startsWith('Bearer ') && workspace ? { token: authorization.slice(7), organizationWorkspaceId: workspace } : null;
  const { serviceCredentials, fallbackCredentials } = services.endpoints.iqm;
  const iqmCredentials = serviceCredentials ?? forwarded ?? fallbackCredentials;
  // Hash, never keep, the credential: the scope only has to tell callers apart.
  const scope = createHash('sha256')
    .update(forwarded ? `${forwarded.token}\u0000${forwarded.organizationWorkspaceId}` : 'anonymous')
    .digest('base64url');
  return { scope, iqmCredentials };
}

export function createContext(services: GatewayServices, request: IncomingRequestInfo): GatewayContext {
  const caller = resolveCaller(services, request.headers);
  const upstreamCalls: UpstreamCallRecord[] = [];
  const forgetReadsBySystem = new Map<SourceSystem, () => void>();
  // The operation's deadline travels with the observer: no upstream call of this request (retries
  // and queue waits included) runs past REQUEST_TIMEOUT_MS from now.
  const deadline = performance.now() + services.config.requestTimeoutMs;
  const requestId = request.requestId ?? randomUUID();
  const observe: UpstreamCallObserver = Object.assign(
    (call: UpstreamCallRecord) => {
      upstreamCalls.push(call);
      // A write may change anything this request has read from that system: its cached reads are
      // dropped, so whatever the operation reads next (a mutation's payload, the next mutation) is fresh.
      if (call.method !== 'GET') {
        forgetReadsBySystem.get(call.system)?.();
      }
    },
    // The caller's W3C trace context: every upstream call of this operation continues its trace.
    { deadline, requestId, traceHeaders: callerTraceHeaders(request.headers) },
  );
  const { endpoints, pools } = services;
  const iqmClient = new IqmClient(pools.iqm, caller.iqmCredentials, observe);
  const intactClient = new IntactClient(pools.intact, endpoints.intact.token, observe);
  const refrensClient = new RefrensClient(pools.refrens, endpoints.refrens.token, observe);
  const iqmetrixClient = new IqmetrixClient(pools.iqmetrix, endpoints.iqmetrix.token, observe);
  const mode = services.config.executionMode;
  const loaders = {
    iqm: createIqmLoaders(iqmClient, endpoints.iqm.currencyCode, mode),
    intact: createIntactLoaders(intactClient, mode),
    refrens: createRefrensLoaders(refrensClient, endpoints.refrens.currencyCode, mode),
    iqmetrix: createIqmetrixLoaders(iqmetrixClient, endpoints.iqmetrix.currencyCode, mode),
  };
  forgetReadsBySystem
    .set('IQM', () => clearLoaders(loaders.iqm))
    .set('INTACT', () => clearLoaders(loaders.intact))
    .set('REFRENS', () => clearLoaders(loaders.refrens))
    .set('IQMETRIX', () => clearLoaders(loaders.iqmetrix));
  return {
    services,
    caller,
    publicBaseUrl: services.config.publicBaseUrl ?? `${request.protocol}://${request.host}`,
    iqm: {
      client: iqmClient,
      loaders: loaders.iqm,
      currencyCode: endpoints.iqm.currencyCode,
    },
    intact: { client: intactClient, loaders: loaders.intact },
    refrens: {
      client: refrensClient,
      loaders: loaders.refrens,
      currencyCode: endpoints.refrens.currencyCode,
    },
    iqmetrix: {
      client: iqmetrixClient,
      loaders: loaders.iqmetrix,
      currencyCode: endpoints.iqmetrix.currencyCode,
      defaultCompanyId: endpoints.iqmetrix.companyId,
    },
    upstreamCalls,
    partialErrors: [],
    requestId,
  };
}

/** Empties every DataLoader of one upstream's per-request bundle. */
function clearLoaders<T extends { [K in keyof T]: { clearAll(): unknown } }>(bundle: T): void {
  for (const key of Object.keys(bundle) as (keyof T)[]) bundle[key].clearAll();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

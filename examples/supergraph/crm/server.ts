import { readFileSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { DEMO_CRM_DATA, type AccountManagerRecord, type OrganizationData, type SupportTicketRecord, type TicketStatus } from './data.js';

/** The CRM subgraph's SDL: the one file composition reads (examples/supergraph/supergraph.config.yaml) and the server builds. */
export const CRM_SCHEMA_FILE = new URL('./schema.graphql', import.meta.url);

/** The finance gateway's development issuer (src/auth/devIssuer.ts), what `npm start` verifies on the embedded default. */
export const DEVELOPMENT_AUTH = {
  issuer: 'urn:finance-gateway:development',
  audience: 'finance-gateway',
  jwksUrl: 'http://127.0.0.1:4000/.well-known/jwks.json',
} as const;

export interface CrmOptions {
  /** The issuer, audience and JWKS of the tokens callers hold: the finance gateway's own. */
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly jwksUrl: string;
  /** The claim naming the caller's organization (the gateway's AUTH_TENANT_CLAIM). Default `tenant`. */
  readonly tenantClaim?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Each organization's data; default the demo organizations'. */
  readonly data?: Readonly<Record<string, OrganizationData>>;
}

/** One request the CRM received, as a test counts them: refused ones (no valid token) have neither tenant nor query. */
export interface CrmRequest {
  readonly tenant: string | null;
  readonly query: string | null;
  /** The request's headers, as the router sent them. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface CrmSubgraph {
  /** The GraphQL endpoint, `http://host:port/`. */
  readonly url: string;
  /** Operations received since start (or the last reset), refused ones included. */
  readonly requests: readonly CrmRequest[];
  resetRequests(): void;
  stop(): Promise<void>;
}

interface CrmContext {
  readonly tenant: string;
  readonly organization: OrganizationData;
  readonly headers: Readonly<Record<string, string>>;
}

const EMPTY: OrganizationData = { managers: [], tickets: [] };
/** Asymmetric algorithms only, like the finance gateway: `none` and HMAC are never accepted. */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
const MAX_TICKETS = 100;

/** A customer reference: all a router needs to ask the finance subgraph for the rest. */
interface CustomerRef {
  readonly id: string;
}

function unauthenticated(description: string): GraphQLError {
  return new GraphQLError(description, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

const resolvers = {
  Query: {
    supportTickets: (_: unknown, args: { status?: TicketStatus | null; first: number }, context: CrmContext): SupportTicketRecord[] => {
      if (args.first < 0 || args.first > MAX_TICKETS) throw new GraphQLError(`first must be between 0 and ${MAX_TICKETS}`, { extensions: { code: 'BAD_USER_INPUT' } });
      return context.organization.tickets.filter((ticket) => !args.status || ticket.status === args.status).slice(0, args.first);
    },
    accountsByManager: (_: unknown, args: { email: string }, context: CrmContext): CustomerRef[] => {
      const email = args.email.trim().toLowerCase();
      const manager = context.organization.managers.find((candidate) => candidate.email.toLowerCase() === email);
      return (manager?.customerIds ?? []).map((id) => ({ id }));
    },
  },
  Customer: {
    // The CRM does not own customers: any id is a customer, and one outside the caller's organization
    // simply has no CRM data (no manager, no tickets) — whether it exists is the finance subgraph's answer.
    __resolveReference: (reference: CustomerRef): CustomerRef => ({ id: reference.id }),
    accountManager: (customer: CustomerRef, _: unknown, context: CrmContext): AccountManagerRecord | null =>
      context.organization.managers.find((manager) => manager.customerIds.includes(customer.id)) ?? null,
    openTickets: (customer: CustomerRef, _: unknown, context: CrmContext): SupportTicketRecord[] =>
      context.organization.tickets.filter((ticket) => ticket.customerId === customer.id && ticket.status !== 'CLOSED'),
  },
  AccountManager: {
    accounts: (manager: AccountManagerRecord): CustomerRef[] => manager.customerIds.map((id) => ({ id })),
  },
  SupportTicket: {
    customer: (ticket: SupportTicketRecord): CustomerRef => ({ id: ticket.customerId }),
  },
};

/**
 * Starts the CRM subgraph (Apollo Server + `buildSubgraphSchema`, standalone HTTP). Every request
 * needs a bearer JWT of the finance gateway's issuer (verified against its JWKS): a router forwards
 * the caller's `Authorization`, and the token's tenant claim picks the organization whose data the
 * request sees. Without a valid token it answers 401 with `UNAUTHENTICATED`, like the finance gateway.
 */
export async function startCrmSubgraph(options: CrmOptions): Promise<CrmSubgraph> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const tenantClaim = options.tenantClaim ?? 'tenant';
  const data = options.data ?? DEMO_CRM_DATA;
  let requests: CrmRequest[] = [];

  const counting: ApolloServerPlugin<CrmContext> = {
    async requestDidStart({ request, contextValue }) {
      requests.push({ tenant: contextValue.tenant, query: request.query ?? null, headers: contextValue.headers });
    },
  };
  const server = new ApolloServer<CrmContext>({
    schema: buildSubgraphSchema([{ typeDefs: parse(readFileSync(CRM_SCHEMA_FILE, 'utf8')), resolvers }]),
    // Federated traces (ftv1) for a router that reports usage to GraphOS, with error messages masked.
    plugins: [counting, ApolloServerPluginInlineTrace({ includeErrors: { masked: true } })],
    // A router may pass this subgraph's errors on to clients: never with a stack trace.
    includeStacktraceInErrorResponses: false,
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
    async context({ req }): Promise<CrmContext> {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      try {
        if (!match) throw unauthenticated(header ? 'not a bearer token' : 'a bearer token is required');
        const { payload } = await jwtVerify(match[1]!, jwks, {
          issuer: options.issuer,
          audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
          algorithms: ALGORITHMS,
          requiredClaims: ['sub'],
        });
        const tenant = payload[tenantClaim];
        if (typeof tenant !== 'string' || tenant === '') throw unauthenticated(`the token has no ${tenantClaim} claim`);
        return { tenant, organization: data[tenant] ?? EMPTY, headers };
      } catch (error) {
        // Refused before Apollo's request pipeline (and its plugins) start: counted here.
        requests.push({ tenant: null, query: null, headers });
        if (error instanceof GraphQLError) throw error;
        if (error instanceof joseErrors.JOSEError) throw unauthenticated('the token is not valid');
        throw error;
      }
    },
  });
  return {
    url: url.replace('localhost', '127.0.0.1'),
    get requests() {
      return requests;
    },
    resetRequests() {
      requests = [];
    },
    stop: () => server.stop(),
  };
}

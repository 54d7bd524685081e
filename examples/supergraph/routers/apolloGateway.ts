import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { propagatedHeaders } from './headers.js';

/** A router started by this example: its GraphQL endpoint and how to stop it. */
export interface RunningRouter {
  readonly url: string;
  stop(): Promise<void>;
}

export interface ApolloGatewayRouterOptions {
  /** The composed supergraph (examples/supergraph/supergraph.graphql). */
  readonly supergraphSdl: string;
  /** Subgraph name → URL, replacing the supergraph's routing URLs (what router.yaml's override_subgraph_url does). */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /**
   * Forward the caller's headers (routers/headers.ts) to every subgraph. Default true. `false` is
   * @apollo/gateway's default behaviour, kept for the test that shows the gateway refusing it.
   */
  readonly propagateHeaders?: boolean;
  /**
   * Must be true: @apollo/gateway cannot enforce `@authenticated`/`@requiresScopes` and refuses a
   * supergraph that links them `for: SECURITY` (it fails closed). Saying true serves it the supergraph
   * with that purpose removed (`withoutRouterAuthorization`) — right only when every subgraph enforces
   * its own rules, as the finance gateway and the CRM do (README, "Supergraph").
   */
  readonly subgraphsEnforceAuthorization: boolean;
  /** Per subgraph fetch; default 35 s, above the finance gateway's own REQUEST_TIMEOUT_MS (30 s by default). */
  readonly subgraphTimeoutMs?: number;
  readonly port?: number;
  readonly host?: string;
}

interface RouterContext {
  readonly propagated: Readonly<Record<string, string>>;
}

/** A subgraph data source that forwards the caller's propagated headers and bounds each fetch. */
class FinanceDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(url: string, private readonly forward: boolean, timeoutMs: number) {
    super({
      url,
      // @apollo/gateway has no fetch timeout of its own: each subgraph fetch is aborted after timeoutMs.
      fetcher: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) } as RequestInit),
    });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    // Health checks and schema loads have no caller whose headers could be forwarded.
    if (!this.forward || !('incomingRequestContext' in options)) return;
    for (const [name, value] of Object.entries(options.context.propagated)) options.request.http?.headers.set(name, value);
  }
}

/** The authorization features a supergraph links `for: SECURITY` (Apollo Router and Hive Gateway enforce them). */
const AUTHORIZATION_LINK = /@link\(url: "(https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v\d+\.\d+)", for: SECURITY\)/g;

/**
 * The supergraph with the authorization features' `for: SECURITY` purpose removed, so that
 * @apollo/gateway, which enforces none of them, loads it: the directives stay in the SDL as
 * information, and nothing at the router checks them. Any other unsupported feature still fails.
 */
export function withoutRouterAuthorization(supergraphSdl: string): string {
  return supergraphSdl.replace(AUTHORIZATION_LINK, '@link(url: "$1")');
}

/**
 * Apollo's Node router: `@apollo/gateway` (a static supergraph, no managed federation) inside Apollo
 * Server, standalone HTTP. It neither verifies tokens nor enforces `@authenticated`/`@requiresScopes`
 * (Apollo Router does, router.yaml): it forwards the caller's `Authorization`, and the subgraphs
 * verify it and enforce their own rules.
 */
export async function startApolloGatewayRouter(options: ApolloGatewayRouterOptions): Promise<RunningRouter> {
  if (!options.subgraphsEnforceAuthorization) {
    throw new Error('@apollo/gateway cannot enforce @authenticated/@requiresScopes: start it only in front of subgraphs that enforce them (subgraphsEnforceAuthorization)');
  }
  const forward = options.propagateHeaders ?? true;
  const timeoutMs = options.subgraphTimeoutMs ?? 35_000;
  const gateway = new ApolloGateway({
    supergraphSdl: withoutRouterAuthorization(options.supergraphSdl),
    buildService: ({ name, url }) => new FinanceDataSource(options.subgraphUrls?.[name] ?? (typeof url === 'string' ? url : ''), forward, timeoutMs),
  });
  const server = new ApolloServer<RouterContext>({ gateway, includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
    context: async ({ req }) => ({ propagated: propagatedHeaders((name) => req.headers[name]?.toString()) }),
  });
  return { url: url.replace('localhost', '127.0.0.1'), stop: () => server.stop() };
}

import type { GatewayConfigSupergraph, GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { createRemoteJwksSigningKeyProvider, extractFromHeader, useJWT, type JWTAuthContextExtension } from '@graphql-mesh/plugin-jwt-auth';
import { propagatedHeaders } from './routers/headers.js';

/**
 * Hive Gateway in front of the finance gateway and the CRM: the equivalent of router.yaml (README,
 * "Supergraph"). `hive-gateway supergraph` reads `gatewayConfig` from this file (run it in this
 * directory); `npm run example:hive-gateway` and test/supergraph.test.ts run the same configuration
 * with `@graphql-hive/gateway-runtime`.
 *
 * - JWT authentication with the finance gateway's issuer (its JWKS, issuer, audience, asymmetric
 *   algorithms): a request without a valid token is refused with 401 here, before any subgraph fetch.
 * - Authorization directives on: `@authenticated` and `@requiresScopes` of the supergraph are checked
 *   against the token's `scope` (or `scp`) before execution (`genericAuth`, protect-granular).
 * - Header propagation: Authorization (the subgraphs verify the token again and bind the tenant),
 *   the apollographql-client-* headers, traceparent/tracestate and x-request-id (routers/headers.ts).
 * - Subgraph errors reach the client with their own `extensions` (code, system) and the subgraph's
 *   name in `extensions.serviceName` — only these two subgraphs are behind this router.
 * - Timeouts: 35 s per subgraph fetch, above the finance gateway's own REQUEST_TIMEOUT_MS (30 s by
 *   default), so the gateway answers its partial data before the router gives up; 40 s per request.
 */

export interface FinanceGatewayConfigOptions {
  /** The supergraph: a file path (resolved from the working directory) or the SDL itself. */
  readonly supergraph: string;
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** Subgraph name → URL, replacing the supergraph's routing URLs. */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** Per subgraph fetch, in milliseconds. Default 35 s. */
  readonly subgraphTimeoutMs?: number;
}

/** The finance gateway's algorithms: asymmetric only (no `none`, no HMAC; jsonwebtoken has no EdDSA). */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

type TokenPayload = { readonly scope?: unknown; readonly scp?: unknown };

/** Scopes as the finance gateway reads them: `scope` (space-separated), else `scp` (a list or a string). */
function scopesOf(payload: TokenPayload): string[] {
  const claim = typeof payload.scope === 'string' ? payload.scope : payload.scp;
  if (Array.isArray(claim)) return claim.filter((scope): scope is string => typeof scope === 'string');
  return typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
}

export function financeGatewayConfig(options: FinanceGatewayConfigOptions): GatewayConfigSupergraph<JWTAuthContextExtension> {
  return {
    supergraph: options.supergraph,
    plugins: () => [
      useJWT({
        signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: options.jwksUrl, cache: true, rateLimit: true })],
        tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
        tokenVerification: { issuer: options.issuer, audience: options.audience, algorithms: [...ALGORITHMS] },
        reject: { missingToken: true, invalidToken: true },
        // The plugin's context extension and the runtime's plugin list are typed apart; it sets `context.jwt`.
      }) as GatewayPlugin,
    ],
    genericAuth: {
      mode: 'protect-granular',
      resolveUserFn: (context) => (context.jwt?.payload as TokenPayload | undefined) ?? null,
      extractScopes: (user) => scopesOf(user),
    },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => propagatedHeaders((name) => request.headers.get(name)),
    },
    upstreamTimeout: options.subgraphTimeoutMs ?? 35_000,
    requestDeadline: 40_000,
    ...(options.subgraphUrls && Object.keys(options.subgraphUrls).length > 0 ? { transportEntries: Object.fromEntries(Object.entries(options.subgraphUrls).map(([name, location]) => [name, { location }])) } : {}),
    landingPage: false,
  };
}

/**
 * The options from the environment, as the finance gateway names them: AUTH_ISSUER, AUTH_AUDIENCE,
 * AUTH_JWKS_URL (unset: the development issuer of `npm start` on port 4000), SUPERGRAPH_FILE
 * (default supergraph.graphql), FINANCE_URL and CRM_URL (default: the supergraph's routing URLs).
 */
export function configOptionsFromEnv(env: NodeJS.ProcessEnv): FinanceGatewayConfigOptions {
  const subgraphUrls: Record<string, string> = {};
  if (env['FINANCE_URL']) subgraphUrls['finance'] = env['FINANCE_URL'];
  if (env['CRM_URL']) subgraphUrls['crm'] = env['CRM_URL'];
  return {
    supergraph: env['SUPERGRAPH_FILE'] || 'supergraph.graphql',
    issuer: env['AUTH_ISSUER'] || 'urn:finance-gateway:development',
    audience: env['AUTH_AUDIENCE'] || 'finance-gateway',
    jwksUrl: env['AUTH_JWKS_URL'] || 'http://127.0.0.1:4000/.well-known/jwks.json',
    subgraphUrls,
  };
}

/** What `hive-gateway supergraph` reads. */
export const gatewayConfig = financeGatewayConfig(configOptionsFromEnv(process.env));

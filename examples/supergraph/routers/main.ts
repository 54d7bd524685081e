import { readFileSync } from 'node:fs';
import { configOptionsFromEnv, financeGatewayConfig } from '../gateway.config.js';
import { startApolloGatewayRouter, type RunningRouter } from './apolloGateway.js';
import { startHiveGateway } from './hiveGateway.js';

/**
 * `npm run example:router` (@apollo/gateway) or `npm run example:hive-gateway` (Hive Gateway with
 * gateway.config.ts): the example supergraph's router on ROUTER_PORT (4100). It routes to the URLs of
 * supergraph.graphql — the gateway of `npm start` (:4000) and the CRM of `npm run example:crm`
 * (:4001) — unless FINANCE_URL or CRM_URL say otherwise. Hive Gateway reads AUTH_ISSUER,
 * AUTH_AUDIENCE and AUTH_JWKS_URL (default: `npm start`'s development issuer); @apollo/gateway
 * verifies nothing itself and forwards the caller's headers: the finance gateway and the CRM verify
 * the token and enforce their own authorization rules.
 */
const kind = process.argv[2];
if (kind !== 'apollo' && kind !== 'hive') {
  process.stderr.write('usage: tsx examples/supergraph/routers/main.ts apollo|hive\n');
  process.exit(2);
}
const env = process.env;
const port = Number(env['ROUTER_PORT'] || 4100);
const host = env['ROUTER_HOST'] || '127.0.0.1';
const supergraphSdl = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');
const options = configOptionsFromEnv(env);

const router: RunningRouter =
  kind === 'apollo'
    ? await startApolloGatewayRouter({ supergraphSdl, subgraphUrls: options.subgraphUrls ?? {}, port, host, subgraphsEnforceAuthorization: true })
    : await startHiveGateway(financeGatewayConfig({ ...options, supergraph: supergraphSdl }), { port, host });
process.stdout.write(`${kind === 'apollo' ? '@apollo/gateway' : 'Hive Gateway'} router ready at ${router.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void router.stop().then(() => process.exit(0));
  });
}

import { DEVELOPMENT_AUTH, startCrmSubgraph } from './server.js';

/**
 * `npm run example:crm`: the CRM subgraph on CRM_PORT (4001), trusting the issuer the finance gateway
 * trusts — AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL, AUTH_TENANT_CLAIM as the gateway reads them;
 * unset, the development issuer of a gateway started with `npm start` on port 4000.
 */
const env = process.env;
const crm = await startCrmSubgraph({
  issuer: env['AUTH_ISSUER'] || DEVELOPMENT_AUTH.issuer,
  audience: env['AUTH_AUDIENCE'] || DEVELOPMENT_AUTH.audience,
  jwksUrl: env['AUTH_JWKS_URL'] || DEVELOPMENT_AUTH.jwksUrl,
  tenantClaim: env['AUTH_TENANT_CLAIM'] || 'tenant',
  port: Number(env['CRM_PORT'] || 4001),
  host: env['CRM_HOST'] || '127.0.0.1',
});
process.stdout.write(`CRM subgraph ready at ${crm.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void crm.stop().then(() => process.exit(0));
  });
}

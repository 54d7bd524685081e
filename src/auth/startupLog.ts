import type { Logger } from 'pino';
import type { GatewayServices } from '../context.js';
import { ALL_SCOPES, DEMO_ANONYMOUS_SCOPES } from './scopes.js';

/** How long the token printed at start-up in development mode is valid. */
const STARTUP_TOKEN_TTL_SECONDS = 12 * 3600;

/**
 * Says at start-up how callers are admitted: the trusted issuers; in development mode a ready-to-paste
 * Authorization header for the first demo tenant with every scope; and, loudly, a gateway running open.
 */
export async function logAuthentication(services: GatewayServices, logger: Logger): Promise<void> {
  const { authenticator, config, tenants } = services;
  if (authenticator.mode === 'open') {
    logger.error(
      { tenant: config.auth.openTenant ?? tenants.sole?.id },
      'AUTHENTICATION IS DISABLED (AUTH_DISABLED=true): every request acts with every scope of this tenant. Never expose this gateway.',
    );
    return;
  }
  if (authenticator.mode === 'tokens') {
    logger.info({ issuers: config.auth.issuers.map(({ issuer, audiences }) => ({ issuer, audiences })), tenantClaim: config.auth.policy.tenantClaim }, 'bearer tokens required');
    return;
  }
  const issuer = authenticator.devIssuer!;
  const tenant = tenants.tenants[0]!;
  const token = await issuer.mint({ tenant: tenant.id, subject: 'developer', scopes: ALL_SCOPES, ttlSeconds: STARTUP_TOKEN_TTL_SECONDS, tenantClaim: config.auth.policy.tenantClaim });
  const demo = authenticator.demoTenant;
  logger.info(
    {
      issuer: 'development',
      tenants: tenants.tenants.map((each) => each.id),
      anonymous: demo ? { tenant: demo.id, scopes: DEMO_ANONYMOUS_SCOPES } : null,
    },
    [
      'development issuer: tokens from `npm run token -- --tenant <id> --scopes "<scope> …"`.',
      demo ? `Requests without a token act as the read-only demo caller of ${demo.id}.` : 'Every request needs a token.',
      `Paste into Sandbox or GraphiQL (headers) to act as "developer" of ${tenant.id} with every scope for 12 h:`,
      `{"Authorization": "Bearer ${token}"}`,
    ].join('\n'),
  );
}

import type { GatewayHttpApp } from '../http/app.js';
import type { Authenticator } from './authenticate.js';

/**
 * Development mode only: the development issuer's public keys at `/.well-known/jwks.json`, so tools
 * that verify tokens themselves (a router in front of the gateway) can trust `npm run token`'s tokens.
 */
export function registerDevelopmentIssuerRoutes(app: GatewayHttpApp, authenticator: Authenticator): void {
  const issuer = authenticator.devIssuer;
  if (!issuer) return;
  app.get('/.well-known/jwks.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(issuer.jwks));
}

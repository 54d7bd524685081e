import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { ALL_SCOPES } from '../src/auth/index.js';

/**
 * The benchmark measures the gateway with authentication on, as production runs it: a key pair made
 * for this run, its public key given to the gateway as AUTH_PUBLIC_KEY_FILE, and one bearer token
 * (every scope, the demo tenant) sent by every client.
 */
export interface BenchAuth {
  /** Gateway environment: the issuer, audience, public key and the tenant the *_TOKEN variables belong to. */
  readonly env: Record<string, string>;
  /** `Bearer …` for every request. */
  readonly authorization: string;
  /** `Bearer …` of another caller (the fairness scenario's tenants and subjects). */
  authorizationFor(tenant: string, subject: string): Promise<string>;
}

const ISSUER = 'https://bench.issuer.example/';
const AUDIENCE = 'finance-gateway-bench';
export const BENCH_TENANT = 'alchemist-media';

export async function createBenchAuth(): Promise<BenchAuth> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const keyFile = join(mkdtempSync(join(tmpdir(), 'bench-auth-')), 'issuer.pem');
  writeFileSync(keyFile, await exportSPKI(publicKey));
  const mint = (tenant: string, subject: string) =>
    new SignJWT({ tenant, scope: ALL_SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime('6h')
      .sign(privateKey);
  return {
    env: { AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_PUBLIC_KEY_FILE: keyFile, TENANT_ID: BENCH_TENANT },
    authorization: `Bearer ${await mint(BENCH_TENANT, 'bench-client')}`,
    authorizationFor: async (tenant, subject) => `Bearer ${await mint(tenant, subject)}`,
  };
}

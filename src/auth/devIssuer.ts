import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';

/**
 * The development issuer of the embedded default: an ES256 key pair kept in a file outside the
 * repository's tracked tree, so the gateway (which verifies) and `npm run token` (which signs) agree,
 * and tokens survive a restart. Never used when any issuer is configured, with real upstreams, or in
 * production.
 */
export const DEV_ISSUER = 'urn:finance-gateway:development';
export const DEV_AUDIENCE = 'finance-gateway';

export const DEFAULT_DEV_KEY_FILE = fileURLToPath(new URL('../../node_modules/.cache/finance-gateway/dev-issuer-key.json', import.meta.url));

interface KeyFile {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export class DevIssuer {
  private constructor(private readonly keys: KeyFile) {}

  /** Reads the key pair, creating it on first use (mode 0600). */
  static async open(path: string = DEFAULT_DEV_KEY_FILE): Promise<DevIssuer> {
    try {
      return new DevIssuer(JSON.parse(readFileSync(path, 'utf8')) as KeyFile);
    } catch {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const kid = `dev-${Date.now().toString(36)}`;
      const keys: KeyFile = { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } };
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(keys), { mode: 0o600 });
      return new DevIssuer(keys);
    }
  }

  get jwks(): JSONWebKeySet {
    return { keys: [this.keys.publicJwk] };
  }

  async mint(claims: { tenant: string; subject: string; scopes: readonly string[]; ttlSeconds: number; tenantClaim?: string }): Promise<string> {
    const key = await importJWK(this.keys.privateJwk, 'ES256');
    return new SignJWT({ [claims.tenantClaim ?? 'tenant']: claims.tenant, scope: claims.scopes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: this.keys.kid, typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject(claims.subject)
      .setIssuedAt()
      .setExpirationTime(`${claims.ttlSeconds}s`)
      .sign(key);
  }
}
